import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing

@Suite struct AsyncTests {
    @Test func blockingWorkRunsOnTheConnectionsOwnThread() async throws {
        try await withTestDatabase { database in
            let connection = try await PostgresConnection.connect(database.url)
            #expect(try await connection.run { _ in PostgresConnection.isOnConnectionThread })
            #expect(!PostgresConnection.isOnConnectionThread)
            #expect(try await connection.query("SELECT 41 + 1").scalar(Int64.self) == 42)
            await connection.close()
            await #expect(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        }
    }

    @Test func listenerDeliversNotifications() async throws {
        try await withTestDatabase { database in
            let stream = PostgresListener.notifications(conninfo: database.url, channels: ["campaigns", "breaker"])
            var iterator = stream.makeAsyncIterator()
            guard case .listening = try await iterator.next() else {
                Issue.record("listener did not report listening")
                return
            }
            let sender = try BlockingConnection(database.url)
            try sender.notify("campaigns", payload: "c1")
            try sender.notify("elsewhere", payload: "ignored")
            try sender.transaction { try $0.notify("breaker", payload: "c2:open") }
            #expect(try await iterator.next() == .notification(PostgresNotification(channel: "campaigns", payload: "c1", senderPID: sender.backendPID)))
            #expect(try await iterator.next() == .notification(PostgresNotification(channel: "breaker", payload: "c2:open", senderPID: sender.backendPID)))
        }
    }

    @Test func listenerEndsWithAnErrorWhenItsConnectionIsKilled() async throws {
        try await withTestDatabase { database in
            let stream = PostgresListener.notifications(conninfo: database.url, channels: ["campaigns"], pollInterval: 0.05)
            var iterator = stream.makeAsyncIterator()
            guard case .listening(let pid) = try await iterator.next() else {
                Issue.record("listener did not report listening")
                return
            }
            let admin = try BlockingConnection(database.url)
            try admin.query("SELECT pg_terminate_backend($1)", [pid])
            await #expect(throws: PostgresError.self) { _ = try await iterator.next() }
        }
    }

    @Test func poolRespectsItsBound() async throws {
        try await withTestDatabase { database in
            let pool = PostgresPool(conninfo: database.url, maxConnections: 3, acquireTimeout: .seconds(30))
            final class Peak: Sendable { let value = Mutex((current: 0, highest: 0)) }
            let peak = Peak()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            peak.value.withLock { $0.current += 1; $0.highest = max($0.highest, $0.current) }
                            try await connection.query("SELECT pg_sleep(0.02)")
                            peak.value.withLock { $0.current -= 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(peak.value.withLock { $0.highest } <= 3)
            #expect(pool.openConnections <= 3)
            let backends = try await pool.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pacer'"
            ).scalar(Int64.self)
            #expect(backends <= 3)
            await pool.close()
        }
    }

    @Test func poolTimesOutWhenEveryConnectionIsHeld() async throws {
        try await withTestDatabase { database in
            let pool = PostgresPool(conninfo: database.url, maxConnections: 1, acquireTimeout: .milliseconds(50))
            let held = try await pool.acquire()
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(error?.kind == .poolTimeout)
            pool.release(held)
            #expect(try await pool.query("SELECT 1").scalar(Int64.self) == 1)
            await pool.close()
        }
    }

    @Test func poolReplacesABrokenConnection() async throws {
        try await withTestDatabase { database in
            let pool = PostgresPool(conninfo: database.url, maxConnections: 1)
            let pid = try await pool.run { $0.backendPID }
            let admin = try BlockingConnection(database.url)
            try admin.query("SELECT pg_terminate_backend($1)", [pid])
            let lost = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(lost?.isTransient == true)
            #expect(try await pool.query("SELECT 2").scalar(Int64.self) == 2)
            #expect(try await pool.run { $0.backendPID } != pid)
            await pool.close()
        }
    }

    @Test func asyncTransactionRollsBackOnThrow() async throws {
        struct Boom: Error {}
        try await withTestDatabase { database in
            let pool = PostgresPool(conninfo: database.url, maxConnections: 2)
            try await pool.query("CREATE TABLE t (v int)")
            await #expect(throws: Boom.self) {
                try await pool.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            }
            #expect(try await pool.query("SELECT count(*) FROM t").scalar(Int64.self) == 0)
            await pool.close()
        }
    }
}
