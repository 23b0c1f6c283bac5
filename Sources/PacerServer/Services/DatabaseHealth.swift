import Foundation
import Logging
import Metrics
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Whether PostgreSQL is reachable, and the switch between normal and degraded mode.
///
/// Degraded mode starts at once when a spend commit fails for want of the database (a lost or
/// refused connection, a timeout), or when the probe — `SELECT 1` every `probeInterval`, given
/// `probeTimeout` to answer — fails. In degraded mode spend goes to the journal, decisions go on
/// from memory, and the probe retries with exponential backoff (from `probeInterval / 4` up to
/// `maxBackoff`). When a probe succeeds again the mode returns to normal, the journal is replayed,
/// and `onRecovery` runs (the lease keeper refreshes at once). Idle pooled connections are dropped
/// when the mode turns degraded, so that the first queries after recovery open fresh ones.
final class DatabaseHealth: Service, Sendable {
    struct Timing: Sendable {
        var probeInterval: Duration = .seconds(1)
        var probeTimeout: Duration = .seconds(2)
        var maxBackoff: Duration = .seconds(5)
    }

    private struct State {
        var degradedSince: Date?
        var lastError: String?
        var outages = 0
    }

    let pool: PostgresPool
    let journal: SpendJournal?
    let clock: any PacerClock
    let instanceID: String
    let timing: Timing
    let logger: Logger
    private let degraded = Atomic<Bool>(false)
    private let state = Mutex(State())
    private let woken = Atomic<Bool>(false)
    private let probeConnection = Mutex<PostgresConnection?>(nil)
    private let recoveryActions = Mutex<[@Sendable () -> Void]>([])
    private let upGauge = Gauge(label: "pacer_database_up")
    private let outagesCounter = Counter(label: "pacer_database_outages_total")
    private let replayedCounter = Counter(label: "pacer_journal_events_replayed_total")

    init(pool: PostgresPool, journal: SpendJournal?, clock: any PacerClock, instanceID: String, timing: Timing = .init(), logger: Logger) {
        self.pool = pool
        self.journal = journal
        self.clock = clock
        self.instanceID = instanceID
        self.timing = timing
        self.logger = logger
        upGauge.record(1)
    }

    /// True while PostgreSQL is considered unreachable.
    var isDegraded: Bool { degraded.load(ordering: .relaxed) }

    /// When degraded mode began, and the error that began it; nil while the database is reachable.
    var outage: (since: Date, error: String)? {
        state.withLock { state in state.degradedSince.map { ($0, state.lastError ?? "unknown") } }
    }

    /// Runs `action` each time the database is reachable again (after the journal's replay).
    func onRecovery(_ action: @escaping @Sendable () -> Void) {
        recoveryActions.withLock { $0.append(action) }
    }

    /// Whether `error` means the database could not be reached (as opposed to a statement error).
    static func isUnavailable(_ error: any Error) -> Bool {
        if error is DeadlineExceeded { return true }
        guard let error = error as? PostgresError else { return false }
        switch error.kind {
        case .connection, .connectionLost, .poolTimeout, .closed:
            return true
        case .server:
            // Connection exceptions, shutdowns, too many connections, out of resources.
            guard let code = error.sqlState else { return false }
            return code.hasPrefix("08") || code.hasPrefix("57P") || code.hasPrefix("53")
        case .decoding, .protocolViolation:
            return false
        }
    }

    /// Reports a failed database call; turns degraded mode on if it means the database is gone.
    func reportFailure(_ error: any Error) {
        guard Self.isUnavailable(error) else { return }
        enterDegraded(error)
    }

    private func enterDegraded(_ error: any Error) {
        guard !degraded.exchange(true, ordering: .relaxed) else { return }
        let now = clock.now()
        state.withLock { state in
            state.degradedSince = now
            state.lastError = "\(error)"
            state.outages += 1
        }
        upGauge.record(0)
        outagesCounter.increment()
        logger.error(
            "PostgreSQL unreachable: degraded mode (decisions from memory, spend to the journal)",
            metadata: ["db.error": "\(error)"])
        Task { await pool.discardIdle() }
        woken.store(true, ordering: .relaxed)
    }

    func run() async throws {
        var backoff = timing.probeInterval / 4
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let delay = isDegraded ? backoff : timing.probeInterval
            // A failure reported by a request wakes the loop early, so recovery probing starts at once.
            let start = ContinuousClock.now
            while !Task.isShuttingDownGracefully, ContinuousClock.now - start < delay, !woken.exchange(false, ordering: .relaxed) {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: min(delay, .milliseconds(50))) }
            }
            guard !Task.isShuttingDownGracefully else { break }
            do {
                try await probe()
                if isDegraded {
                    await recover()
                } else if let journal, journal.pendingEvents > 0 {
                    // Events journaled while a recovery was under way.
                    do {
                        try await replay(journal)
                    } catch where !Self.isUnavailable(error) {
                        logger.error("journal replay failed", metadata: ["error": "\(error)"])
                    }
                }
                backoff = timing.probeInterval / 4
            } catch {
                if isDegraded {
                    backoff = min(backoff * 2, timing.maxBackoff)
                    logger.debug("PostgreSQL still unreachable", metadata: ["db.error": "\(error)", "retry.in": "\(backoff)"])
                } else {
                    enterDegraded(error)
                }
            }
        }
        // Shutting down: spend journaled up to now goes in while the database is there.
        if !isDegraded, let journal, journal.pendingEvents > 0 {
            try? await replay(journal)
        }
        await journal?.close()
        if let connection = probeConnection.withLock({ current -> PostgresConnection? in
            defer { current = nil }
            return current
        }) {
            await connection.close()
        }
    }

    /// One `SELECT 1` within the probe timeout, on a connection of the probe's own (a pool busy
    /// with spend must not look like an outage).
    func probe() async throws {
        let conninfo = pool.conninfo
        do {
            try await withDeadline(timing.probeTimeout) {
                let connection: PostgresConnection
                if let open = self.probeConnection.withLock({ $0 }), open.isReusable {
                    connection = open
                } else {
                    connection = try await PostgresConnection.connect(conninfo, applicationName: "pacer-probe")
                    self.probeConnection.withLock { $0 = connection }
                }
                _ = try await connection.query("SELECT 1")
            }
        } catch {
            if let broken = self.probeConnection.withLock({ current -> PostgresConnection? in
                defer { current = nil }
                return current
            }) {
                Task { await broken.close() }
            }
            throw error
        }
    }

    /// Back to normal mode. The journal is replayed first, while spend still goes to the journal
    /// and leases are not refreshed (`mayRefreshLeases`): a refresh must see every journaled
    /// event in the day's spend, or it could grant money those events already used.
    private func recover() async {
        if let journal {
            var passes = 0
            repeat {
                passes += 1
                do {
                    try await replay(journal)
                } catch {
                    logger.error("journal replay failed; retried at the next probe", metadata: ["db.error": "\(error)"])
                    return
                }
            } while journal.pendingEvents > 0 && passes < 5
        }
        let since = state.withLock { state -> Date? in
            defer {
                state.degradedSince = nil
                state.lastError = nil
            }
            return state.degradedSince
        }
        degraded.store(false, ordering: .relaxed)
        upGauge.record(1)
        let seconds = since.map { clock.now().timeIntervalSince($0) } ?? 0
        logger.info("PostgreSQL reachable again: normal mode", metadata: ["outage.seconds": "\(String(format: "%.3f", seconds))"])
        // Events journaled while the last pass ran.
        if let journal, journal.pendingEvents > 0 { try? await replay(journal) }
        for action in recoveryActions.withLock({ $0 }) { action() }
    }

    /// Whether budget leases may be refreshed: not while the database is unreachable or spend
    /// journaled during an outage is not yet recorded.
    var mayRefreshLeases: Bool {
        !isDegraded && (journal?.pendingEvents ?? 0) == 0
    }

    private func replay(_ journal: SpendJournal) async throws {
        let report = try await journal.replay(into: pool, instanceID: instanceID)
        replayedCounter.increment(by: report.events)
    }
}

/// A call did not finish within its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var deadline: Duration
    var description: String { "no answer within \(deadline)" }
}

/// Runs `body` and returns its value, or throws `DeadlineExceeded` after `deadline`. A body that
/// blocks (a database call on its own thread) is left to finish by itself; its value is dropped.
func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation, deadline: deadline, body)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The state of one `withDeadline` call: whichever of the body and the timer ends first answers.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var finished: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, deadline: Duration, _ body: @escaping @Sendable () async throws -> T) {
        // Cancelled before it started: answer at once.
        if let early = state.withLock({ state -> Result<T, any Error>? in
            if state.finished == nil { state.continuation = continuation }
            return state.finished
        }) {
            continuation.resume(with: early)
            return
        }
        let work = Task {
            do {
                self.finish(.success(try await body()))
            } catch {
                self.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: deadline)
            self.finish(.failure(DeadlineExceeded(deadline: deadline)))
        }
        let finished = state.withLock { state -> Bool in
            if state.finished == nil { state.tasks = [work, timer] }
            return state.finished != nil
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard state.finished == nil else { return (nil, []) }
            state.finished = result
            defer {
                state.continuation = nil
                state.tasks = []
            }
            return (state.continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}
