import Foundation
import Logging
import Metrics
import PacingEngine
import PostgresClient
import ServiceLifecycle

/// Samples gauges for `/metrics` every `interval`: breakers by state and leases held (from the
/// cache), database health and round-trip time, and the click queue (batches by state, clicks
/// waiting, age of the oldest waiting batch) from PostgreSQL. Each queue figure is counted with
/// the predicate of one of the queue's partial indexes, so delivered batches are never read.
struct MetricsSampler: Service {
    let store: CampaignStore
    let pool: PostgresPool
    let clock: any PacerClock
    let logger: Logger
    var interval: Duration = .seconds(5)

    private let breakers = BreakerState.allCases.map { ($0, Gauge(label: "pacer_breakers", dimensions: [("state", $0.rawValue)])) }
    private let leases = Gauge(label: "pacer_leases_held")
    private let leasedMicros = Gauge(label: "pacer_leased_micros")
    private let campaigns = Gauge(label: "pacer_campaigns_cached")
    private let databaseRoundTrip = Gauge(label: "pacer_database_round_trip_seconds")
    private static let queueStates = ["pending", "retrying", "leased", "dead"]
    private let queueBatches = MetricsSampler.queueStates.map { Gauge(label: "pacer_click_queue_batches", dimensions: [("state", $0)]) }
    private let clicksWaiting = Gauge(label: "pacer_click_queue_clicks_waiting")
    private let oldestWaiting = Gauge(label: "pacer_click_queue_oldest_waiting_seconds")

    init(store: CampaignStore, pool: PostgresPool, clock: any PacerClock, logger: Logger) {
        self.store = store
        self.pool = pool
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await sample()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }

    func sample() async {
        let now = clock.now()
        var byState: [BreakerState: Int] = [:]
        var held = 0
        var leased: Micros = 0
        let slots = store.allSlots
        for slot in slots {
            let status = slot.state.withLock { $0.pacer.status(at: now) }
            byState[status.breaker, default: 0] += 1
            if store.leased, status.ceiling > 0 {
                held += 1
                leased += status.ceiling
            }
        }
        for (state, gauge) in breakers { gauge.record(byState[state] ?? 0) }
        leases.record(held)
        leasedMicros.record(leased)
        campaigns.record(slots.count)

        do {
            let (roundTrip, row) = try await pool.run { connection in
                let started = ContinuousClock.now
                _ = try connection.query("SELECT 1")
                let roundTrip = ContinuousClock.now - started
                return (roundTrip, try connection.query(
                    """
                    WITH waiting AS (
                        SELECT count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'retrying') AS retrying,
                               coalesce(sum(row_count), 0)::bigint AS clicks, min(created_at) AS oldest
                        FROM pacer.click_batches WHERE state IN ('pending', 'retrying'))
                    SELECT pending, retrying,
                           (SELECT count(*) FROM pacer.click_batches WHERE state = 'leased'),
                           (SELECT count(*) FROM pacer.click_batches WHERE state = 'dead'),
                           clicks, coalesce(extract(epoch FROM $1::timestamptz - oldest), 0)::float8
                    FROM waiting
                    """, [now]
                ).single())
            }
            databaseRoundTrip.record(Double(roundTrip / .microseconds(1)) / 1_000_000)
            for (index, gauge) in queueBatches.enumerated() { gauge.record(try row.decode(Int64.self, at: index)) }
            clicksWaiting.record(try row.decode(Int64.self, at: 4))
            oldestWaiting.record(max(0, try row.decode(Double.self, at: 5)))
        } catch {
            logger.debug("metrics sample could not reach the database", metadata: ["db.error": "\(error)"])
        }
    }
}
