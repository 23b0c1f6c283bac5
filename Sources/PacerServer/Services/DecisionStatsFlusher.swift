import Foundation
import Logging
import Metrics
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Write-behind of decision counts: every `interval` one `pacer.add_decision_stats` call carries
/// every campaign-minute counted since the last flush — never a write per request. Counts of a
/// failed flush are kept and added to the next one. On shutdown a last flush runs.
final class DecisionStatsFlusher: Service, Sendable {
    let interval: Duration
    private let store: CampaignStore
    private let pool: PostgresPool
    private let instanceID: String
    private let logger: Logger
    private let carried = Mutex<[(UUID, [MinuteCounts])]>([])
    private let flushDuration = Metrics.Timer(label: "pacer_decision_flush_seconds", preferredDisplayUnit: .seconds)
    private let outcomes = DecisionMetrics()

    init(store: CampaignStore, pool: PostgresPool, instanceID: String, interval: Duration, logger: Logger) {
        self.store = store
        self.pool = pool
        self.instanceID = instanceID
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            await flush()
        }
        await flush()
    }

    /// Writes what was counted so far; returns the number of campaign-minutes written.
    @discardableResult
    func flush() async -> Int {
        let fresh = store.drainTallies()
        outcomes.count(fresh)
        let pending = carried.withLock { carried in
            let taken = carried
            carried = []
            return taken
        } + fresh
        let rows = pending.flatMap { id, counts in counts.map { (id, $0) } }
        guard !rows.isEmpty else { return 0 }
        let started = ContinuousClock.now
        let instanceID = self.instanceID
        do {
            _ = try await pool.run { connection in
                try connection.query(
                    "SELECT pacer.add_decision_stats($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    [
                        instanceID, rows.map(\.0), rows.map { Date(timeIntervalSince1970: Double($0.1.minute) * 60) },
                        rows.map(\.1.allowed), rows.map(\.1.allowedBidMicros), rows.map(\.1.throttled),
                        rows.map(\.1.deniedBudget), rows.map(\.1.deniedBreaker), rows.map(\.1.deniedPaused),
                        rows.map(\.1.deniedNotRunning), rows.map(\.1.deniedOther),
                    ])
            }
            flushDuration.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
            return rows.count
        } catch {
            let first = carried.withLock { $0.isEmpty }
            logger.log(
                level: first ? .warning : .debug, "decision stats flush failed; keeping the counts for the next one",
                metadata: ["db.error": "\(error)"])
            carried.withLock { $0 += pending }
            return 0
        }
    }
}
