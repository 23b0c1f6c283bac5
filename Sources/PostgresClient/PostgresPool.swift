import Foundation
import Logging
import Synchronization

/// A bounded pool of `PostgresConnection`s.
///
/// At most `maxConnections` are open; a caller that finds none free waits up to `acquireTimeout`
/// and then gets a `.poolTimeout` error. Connections that broke, or were returned inside a
/// transaction, are closed instead of reused, and new ones are opened on demand.
public final class PostgresPool: Sendable {
    public let conninfo: String
    public let maxConnections: Int
    public let acquireTimeout: Duration
    let applicationName: String
    let logger: Logger

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<PostgresConnection?, any Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var closed = false
    }

    private enum Acquisition {
        case reuse(PostgresConnection)
        case open
        case wait(Int)
    }

    private let state = Mutex(State())

    public init(
        conninfo: String, maxConnections: Int = 8, acquireTimeout: Duration = .seconds(5),
        applicationName: String = "pacer", logger: Logger = Logger(label: "pacer.postgres")
    ) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.applicationName = applicationName
        self.logger = logger
    }

    /// Connections currently open (idle and in use).
    public var openConnections: Int { state.withLock { $0.open } }

    /// Lends a connection to `body` and takes it back afterwards.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` on a pooled connection's thread.
    public func run<T: Sendable>(_ body: @escaping @Sendable (BlockingConnection) throws -> T) async throws -> T {
        try await withConnection { try await $0.run(body) }
    }

    /// Runs one parameterised statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> QueryResult {
        try await run { try $0.query(sql, parameters) }
    }

    /// Runs `body` in a transaction on a pooled connection.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (BlockingConnection) throws -> T) async throws -> T {
        try await run { try $0.transaction(body) }
    }

    /// Takes a connection: an idle one, a new one while under the bound, or the next one released.
    public func acquire() async throws -> PostgresConnection {
        while true {
            let step: Acquisition = try state.withLock { state in
                if state.closed { throw PostgresError(kind: .closed, message: "pool is closed") }
                if let connection = state.idle.popLast() { return .reuse(connection) }
                if state.open < maxConnections {
                    state.open += 1
                    return .open
                }
                state.nextWaiterID += 1
                return .wait(state.nextWaiterID)
            }
            switch step {
            case .reuse(let connection):
                return connection
            case .open:
                do {
                    return try await PostgresConnection.connect(conninfo, applicationName: applicationName)
                } catch {
                    slotFreed()
                    throw error
                }
            case .wait(let id):
                // nil means "a slot was freed": loop and open a connection ourselves.
                if let connection = try await wait(id: id) { return connection }
            }
        }
    }

    private func wait(id: Int) async throws -> PostgresConnection? {
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.expire(waiter: id)
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state in
                if state.closed { return true }
                state.waiters.append(Waiter(id: id, continuation: continuation))
                return false
            }
            if closed { continuation.resume(throwing: PostgresError(kind: .closed, message: "pool is closed")) }
        }
    }

    private func expire(waiter id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(
            throwing: PostgresError(
                kind: .poolTimeout,
                message: "no database connection free within \(acquireTimeout) (pool of \(maxConnections))"))
    }

    /// Gives a connection back: to a waiter, to the idle list, or closed if it is not reusable.
    public func release(_ connection: PostgresConnection) {
        guard connection.isReusable else {
            Task { await connection.close() }
            slotFreed()
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.closed {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: connection)
        } else if state.withLock({ $0.closed }) {
            Task { await connection.close() }
        }
    }

    private func slotFreed() {
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: nil)
    }

    /// Closes idle connections and refuses new work; connections in use close when released.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .closed, message: "pool is closed"))
        }
        for connection in idle { await connection.close() }
    }

    /// Closes every idle connection, e.g. after the server went away: they are all broken then,
    /// and the next caller should open a fresh one rather than find out by failing.
    public func discardIdle() async {
        let (idle, woken) = state.withLock { state in
            let idle = state.idle
            state.idle = []
            state.open -= idle.count
            let woken = Array(state.waiters.prefix(idle.count))
            state.waiters.removeFirst(woken.count)
            return (idle, woken)
        }
        // Each woken waiter opens a connection of its own in the freed slot.
        for waiter in woken { waiter.continuation.resume(returning: nil) }
        for connection in idle { await connection.close() }
    }
}
