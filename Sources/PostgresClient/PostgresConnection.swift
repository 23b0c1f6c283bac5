import Foundation
import Synchronization

/// A `BlockingConnection` confined to a thread of its own, with an async API.
///
/// Closures passed to `run` and `transaction` execute on that thread, one at a time, so they may
/// block freely; the awaiting task is suspended meanwhile and no cooperative thread is held.
public final class PostgresConnection: Sendable {
    /// Invariant: the wrapped connection is touched only by jobs on `thread`.
    private final class Confined: @unchecked Sendable {
        var connection: BlockingConnection?
        /// Written by jobs on the thread, read by the pool from anywhere.
        let healthy = Atomic<Bool>(true)
    }

    private let thread: WorkerThread
    private let confined: Confined

    private init(thread: WorkerThread, confined: Confined) {
        self.thread = thread
        self.confined = confined
    }

    /// Opens a connection on a new thread. `conninfo` is a libpq URI or conninfo string.
    public static func connect(_ conninfo: String, applicationName: String = "pacer") async throws -> PostgresConnection {
        let thread = WorkerThread(name: "postgres")
        let confined = Confined()
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                thread.submit {
                    continuation.resume(with: Result {
                        confined.connection = try BlockingConnection(conninfo, applicationName: applicationName)
                    })
                }
            }
        } catch {
            thread.stop()
            throw error
        }
        return PostgresConnection(thread: thread, confined: confined)
    }

    /// True when the caller runs on a connection's own thread (used to check that blocking calls
    /// stay off the cooperative pool).
    public static var isOnConnectionThread: Bool { WorkerThread.currentName != nil }

    /// False once the connection broke or was left inside a transaction; a pool drops it then.
    public var isReusable: Bool { confined.healthy.load(ordering: .relaxed) }

    /// Runs `body` with the connection on its thread.
    public func run<T: Sendable>(_ body: @escaping @Sendable (BlockingConnection) throws -> T) async throws -> T {
        let confined = self.confined
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = thread.submit {
                guard let connection = confined.connection else {
                    continuation.resume(throwing: PostgresError(kind: .closed, message: "connection is closed"))
                    return
                }
                let result = Result { try body(connection) }
                confined.healthy.store(connection.isHealthy && connection.isIdle, ordering: .relaxed)
                continuation.resume(with: result)
            }
            if !accepted {
                continuation.resume(throwing: PostgresError(kind: .closed, message: "connection is closed"))
            }
        }
    }

    /// Runs one parameterised statement.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> QueryResult {
        try await run { try $0.query(sql, parameters) }
    }

    /// Runs `body` in a transaction on the connection's thread: committed when it returns,
    /// rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (BlockingConnection) throws -> T) async throws -> T {
        try await run { try $0.transaction(body) }
    }

    /// Closes the connection and ends its thread.
    public func close() async {
        let confined = self.confined
        _ = try? await run { _ in confined.connection = nil }
        confined.healthy.store(false, ordering: .relaxed)
        thread.stop()
    }

    deinit {
        let confined = self.confined
        thread.submit { confined.connection = nil }
        thread.stop()
    }
}
