import Foundation
import Logging
import Metrics
import PacingEngine
import PostgresClient
import ServiceLifecycle

/// Samples gauges for `/metrics` every `interval`: breakers by state and leases held (from the
/// cache), database health and round-trip time, and the click queue (batches by state, clicks
/// waiting, age of the oldest waiting batch) from PostgreSQL.
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
    private let databaseUp = Gauge(label: "pacer_database_up")
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

        let started = ContinuousClock.now
        do {
            let row = try await pool.run { connection in
                try connection.query(
                    """
                    SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'retrying'),
                           count(*) FILTER (WHERE state = 'leased'), count(*) FILTER (WHERE state = 'dead'),
                           coalesce(sum(row_count) FILTER (WHERE state IN ('pending', 'retrying')), 0)::bigint,
                           coalesce(extract(epoch FROM $1::timestamptz - min(created_at) FILTER (WHERE state IN ('pending', 'retrying'))), 0)::float8
                    FROM pacer.click_batches WHERE state IN ('pending', 'retrying', 'leased', 'dead')
                    """, [now]
                ).single()
            }
            databaseRoundTrip.record(Double((ContinuousClock.now - started) / .microseconds(1)) / 1_000_000)
            databaseUp.record(1)
            for (index, gauge) in queueBatches.enumerated() { gauge.record(try row.decode(Int64.self, at: index)) }
            clicksWaiting.record(try row.decode(Int64.self, at: 4))
            oldestWaiting.record(max(0, try row.decode(Double.self, at: 5)))
        } catch {
            databaseUp.record(0)
            logger.debug("metrics sample could not reach the database", metadata: ["db.error": "\(error)"])
        }
    }
}
