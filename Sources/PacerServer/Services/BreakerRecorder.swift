import Foundation
import Logging
import PacingEngine
import PostgresClient
import ServiceLifecycle

/// Persists breaker transitions: one `pacer.record_breaker_transition` call per transition,
/// which also broadcasts it with NOTIFY. Transitions are rare (a few per campaign per day), so
/// they queue in a stream and are written in order; a failed write is retried.
final class BreakerRecorder: Service, Sendable {
    private let changes: AsyncStream<BreakerChange>
    private let continuation: AsyncStream<BreakerChange>.Continuation
    private let pool: PostgresPool
    private let instanceID: String
    private let logger: Logger

    init(pool: PostgresPool, instanceID: String, logger: Logger) {
        (changes, continuation) = AsyncStream.makeStream(of: BreakerChange.self)
        self.pool = pool
        self.instanceID = instanceID
        self.logger = logger
    }

    /// Queues a transition; never blocks.
    func submit(_ change: BreakerChange) {
        continuation.yield(change)
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await change in changes {
                await write(change)
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    private func write(_ change: BreakerChange) async {
        let instanceID = self.instanceID
        for attempt in 1...5 {
            do {
                try await pool.run { connection in
                    try connection.query(
                        "SELECT pacer.record_breaker_transition($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        [
                            change.campaignID, change.transition.from.rawValue, change.transition.to.rawValue,
                            change.transition.cause.rawValue, change.transition.at,
                            PostgresDate(year: change.day.year, month: change.day.month, day: change.day.day),
                            change.spent, change.dayBudget, instanceID,
                        ])
                }
                logger.info(
                    "breaker transition",
                    metadata: [
                        "campaign.id": "\(change.campaignID)", "breaker.from": "\(change.transition.from.rawValue)",
                        "breaker.to": "\(change.transition.to.rawValue)", "breaker.cause": "\(change.transition.cause.rawValue)",
                    ])
                return
            } catch {
                logger.warning("breaker transition not written yet", metadata: ["campaign.id": "\(change.campaignID)", "attempt": "\(attempt)", "db.error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(100 << attempt))
            }
        }
        logger.error("breaker transition lost after retries", metadata: ["campaign.id": "\(change.campaignID)"])
    }
}
