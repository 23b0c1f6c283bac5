import Foundation
import Logging
import PostgresClient
import ServiceLifecycle

/// Drops the day partitions of `click_batches` older than `days` whose batches are all finished
/// (delivered, dead or cancelled), at start and then every `interval`: the payloads go with their
/// partition, the audit trail (`batch_audit`) stays. A partition still holding undelivered
/// batches is kept (`pacer.drop_click_batch_partitions_before`).
struct ClickRetention: Service {
    let pool: PostgresPool
    let clock: any PacerClock
    let days: Int
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        guard days > 0 else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await dropExpired()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    /// Drops what has expired; returns how many partitions went.
    @discardableResult
    func dropExpired() async -> Int {
        let today = Int((clock.now().timeIntervalSince1970 / 86_400).rounded(.down))
        let before = PostgresDate(daysSinceEpoch: today - days)
        do {
            let dropped = try await pool.run { connection in
                try connection.query("SELECT pacer.drop_click_batch_partitions_before($1)", [before]).scalar(Int.self)
            }
            if dropped > 0 { logger.info("click batch partitions dropped", metadata: ["db.partitions": "\(dropped)"]) }
            return dropped
        } catch {
            logger.warning("click batch retention failed", metadata: ["db.error": "\(error)"])
            return 0
        }
    }
}
