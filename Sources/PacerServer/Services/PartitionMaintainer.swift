import Foundation
import Logging
import PostgresClient
import ServiceLifecycle

/// Keeps day partitions of spend events, decision stats and click batches created a week ahead:
/// once at start and then every hour. Rows never fail for want of a partition (each table has a
/// default one), but the default partition is slow to move out of, so it should stay empty.
struct PartitionMaintainer: Service {
    let pool: PostgresPool
    let clock: any PacerClock
    let logger: Logger
    var interval: Duration = .seconds(3600)
    var daysAhead = 7

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await ensure()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    func ensure() async {
        let day = PostgresDate(daysSinceEpoch: Int((clock.now().timeIntervalSince1970 / 86_400).rounded(.down)))
        let days = Int64(daysAhead)
        do {
            let created = try await pool.run { connection in
                try connection.query("SELECT pacer.ensure_all_partitions($1, $2::int)", [day, days]).scalar(Int64.self)
            }
            if created > 0 { logger.info("partitions created", metadata: ["db.partitions": "\(created)"]) }
        } catch {
            logger.warning("partition maintenance failed", metadata: ["db.error": "\(error)"])
        }
    }
}
