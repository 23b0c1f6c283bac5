import Foundation
import Logging
import Metrics
import PostgresClient
import ServiceLifecycle

/// Publishes the click queue per partner to `/metrics` every `interval`:
/// `pacer_click_queue_depth` (batches pending or retrying), `pacer_click_queue_clicks` (their
/// clicks), `pacer_click_in_flight` (leased batches) and `pacer_click_lag_seconds` (how long the
/// oldest due batch has waited). Delivered clicks are the counter `pacer_click_delivered_total`.
struct ClickQueueMonitor: Service {
    let pool: PostgresPool
    let clock: any PacerClock
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var known = Set<String>()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                known = try await publish(known)
            } catch {
                logger.debug("click queue metrics not read", metadata: ["db.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// Reads the queue and sets the gauges; partners no longer queued go to zero.
    func publish(_ known: Set<String>) async throws -> Set<String> {
        let now = clock.now()
        let rows = try await pool.run { connection in
            try connection.query(
                """
                SELECT partner_id::text,
                       count(*) FILTER (WHERE state IN ('pending', 'retrying')),
                       coalesce(sum(row_count) FILTER (WHERE state IN ('pending', 'retrying')), 0),
                       count(*) FILTER (WHERE state = 'leased'),
                       coalesce(extract(epoch FROM $1 - min(next_attempt_at)
                                FILTER (WHERE state IN ('pending', 'retrying') AND next_attempt_at <= $1)), 0)::float8
                  FROM pacer.click_batches
                 WHERE state IN ('pending', 'retrying', 'leased')
                 GROUP BY partner_id
                """, [now]
            ).rows
        }
        var seen = Set<String>()
        for row in rows {
            let partner: String = try row[0]
            seen.insert(partner)
            set(partner, depth: try row[1], clicks: try row[2], inFlight: try row[3], lag: try row[4])
        }
        for partner in known.subtracting(seen) { set(partner, depth: 0, clicks: 0, inFlight: 0, lag: 0) }
        return seen
    }

    private func set(_ partner: String, depth: Int64, clicks: Int64, inFlight: Int64, lag: Double) {
        let dimensions = [("partner_id", partner)]
        Gauge(label: "pacer_click_queue_depth", dimensions: dimensions).record(depth)
        Gauge(label: "pacer_click_queue_clicks", dimensions: dimensions).record(clicks)
        Gauge(label: "pacer_click_in_flight", dimensions: dimensions).record(inFlight)
        Gauge(label: "pacer_click_lag_seconds", dimensions: dimensions).record(max(0, lag))
    }
}
