import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import PacingEngine
import PostgresClient
import ServiceLifecycle
import Synchronization

/// The click workers of this instance: each claims a due batch (`pacer.claim_click_batch`, which
/// applies rate limits, caps and budgets), delivers it, and records the outcome
/// (`pacer.finish_click_batch`); expired leases are returned to the queue every second. Idle workers sleep until a NOTIFY on `pacer_clicks` (a dataset
/// queued, a retry, a resume) or the poll interval. A partner may occupy at most
/// `partnerConcurrency` workers here, so a slow partner never holds them all. On graceful
/// shutdown no new batch is claimed, and deliveries still in flight are abandoned and their
/// batches given back (the attempt is not counted).
final class ClickWorkers: Service, Sendable {
    let pool: PostgresPool
    let conninfo: String
    let clock: any PacerClock
    let instanceID: String
    let settings: ClickSettings
    let seed: UInt64
    let logger: Logger
    let wake = WakeSignal()
    private let inFlight = Mutex<[UUID: Int]>([:])
    private let client: HTTPClient

    init(
        pool: PostgresPool, conninfo: String, clock: any PacerClock, instanceID: String, settings: ClickSettings, seed: UInt64,
        logger: Logger
    ) {
        self.pool = pool
        self.conninfo = conninfo
        self.clock = clock
        self.instanceID = instanceID
        self.settings = settings
        self.seed = seed
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        if settings.workers > 0 {
            logger.info("click workers started", metadata: ["click.workers": "\(settings.workers)"])
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen() }
                group.addTask { await self.reapExpiredLeases() }
                for number in 0..<settings.workers {
                    group.addTask { await self.work(number) }
                }
                // The listener ends with the shutdown too; wait for every worker.
                await group.waitForAll()
            }
        } else {
            try? await gracefulShutdown()
        }
        try? await client.shutdown()
    }

    private var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    private func listen() async {
        var backoff = Duration.milliseconds(100)
        while !stopping {
            do {
                let events = PostgresListener.notifications(conninfo: conninfo, channels: ["pacer_clicks"], applicationName: "pacer-clicks")
                for try await _ in events.cancelOnGracefulShutdown() {
                    // Listening (again): batches may have arrived while away. A notification: new work.
                    wake.signal()
                    backoff = .milliseconds(100)
                }
            } catch {
                logger.warning("click listener lost its connection; reconnecting", metadata: ["db.error": "\(error)"])
            }
            guard !stopping else { return }
            let delay = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// Every second, returns batches whose lease expired (their worker died) to the queue, one
    /// transaction per batch, and wakes the workers if there were any.
    private func reapExpiredLeases() async {
        while !stopping {
            do {
                var returned = 0
                for _ in 0..<100 {
                    let now = clock.now()
                    let count = try await pool.run { connection in
                        try connection.query("SELECT pacer.expire_click_leases($1, 1)", [now]).scalar(Int.self)
                    }
                    guard count > 0 else { break }
                    returned += count
                }
                if returned > 0 {
                    logger.info("expired click leases returned to the queue", metadata: ["batch.count": "\(returned)"])
                    wake.signal()
                }
            } catch {
                logger.warning("expired click leases not returned", metadata: ["db.error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }

    private func work(_ number: Int) async {
        let worker = "\(instanceID)/\(number)"
        var random = SplitMix64(seed: seed &+ UInt64(number) &* 0x9E37_79B9)
        while !stopping {
            let generation = wake.generation
            var claimed: ClaimedBatch?
            do {
                claimed = try await claim(worker: worker)
            } catch {
                logger.warning("click claim failed", metadata: ["db.error": "\(error)", "click.worker": "\(worker)"])
            }
            guard let batch = claimed else {
                let poll = settings.pollInterval
                try? await cancelWhenGracefulShutdown { await self.wake.wait(since: generation, timeout: poll) }
                continue
            }
            let limit = settings.effectivePartnerConcurrency
            let admitted = inFlight.withLock { counts in
                guard counts[batch.partnerID, default: 0] < limit else { return false }
                counts[batch.partnerID, default: 0] += 1
                return true
            }
            guard admitted else {
                // Another worker here took this partner's last slot meanwhile: give the batch back.
                await finish(batch, worker: worker, verdict: "release", outcome: .failure("partner busy here"), retryAt: nil, detail: "{}")
                continue
            }
            await deliver(batch, worker: worker, random: &random)
            inFlight.withLock { $0[batch.partnerID, default: 1] -= 1 }
        }
    }

    /// Claims one due batch, skipping partners already at their concurrency here.
    func claim(worker: String) async throws -> ClaimedBatch? {
        let limit = settings.effectivePartnerConcurrency
        let busy = inFlight.withLock { counts in counts.filter { $0.value >= limit }.map(\.key) }
        let now = clock.now()
        let lease = settings.leaseSeconds
        return try await pool.run { connection in
            try connection.query("SELECT * FROM pacer.claim_click_batch($1, $2, $3, $4)", [worker, now, lease, busy])
                .rows.first.map(ClaimedBatch.init(row:))
        }
    }

    private func deliver(_ batch: ClaimedBatch, worker: String, random: inout SplitMix64) async {
        let started = ContinuousClock.now
        // On shutdown a delivery in flight is abandoned and its batch given back at once; the
        // partner drops a duplicate by its Idempotency-Key.
        let deliverer = ClickDeliverer(client: client)
        let clock = self.clock
        let outcome = (try? await cancelWhenGracefulShutdown { await deliverer.deliver(batch, now: { clock.now() }) })
            ?? .failure("cancelled")
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000) + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        let now = clock.now()
        var verdict = outcome.verdict.rawValue
        var retryAt: Date?
        var detail = #"{"duration_ms":\#(milliseconds)"#
        if outcome.verdict == .retry {
            if Task.isCancelled || Task.isShuttingDownGracefully {
                verdict = "release"
            } else {
                let unit = Double(random.next() >> 11) / Double(UInt64(1) << 53)
                let delay = settings.retry.delay(attempt: batch.attempt, retryAfter: outcome.retryAfter, unit: unit)
                retryAt = now.addingTimeInterval(delay)
                detail += #","backoff_seconds":\#(delay)"#
                if let retryAfter = outcome.retryAfter { detail += #","retry_after_seconds":\#(retryAfter)"# }
            }
        }
        detail += "}"
        let state = await finish(batch, worker: worker, verdict: verdict, outcome: outcome, retryAt: retryAt, detail: detail)
        let partner = batch.partnerID.uuidString.lowercased()
        Counter(label: "pacer_click_batches_total", dimensions: [("partner_id", partner), ("outcome", verdict)]).increment()
        if state == "delivered" {
            Counter(label: "pacer_click_delivered_total", dimensions: [("partner_id", partner)]).increment(by: batch.rowCount)
        }
        logger.debug(
            "click batch attempted",
            metadata: [
                "batch.id": "\(batch.id)", "partner.id": "\(partner)", "click.outcome": "\(verdict)",
                "http.status": "\(outcome.httpStatus.map(String.init) ?? "-")", "batch.state": "\(state ?? "lease lost")",
            ])
    }

    /// Records an attempt's outcome, retrying a few times if the database is briefly away (the
    /// lease returns the batch to the queue if it never succeeds). Returns the batch's new state.
    @discardableResult
    private func finish(
        _ batch: ClaimedBatch, worker: String, verdict: String, outcome: DeliveryOutcome, retryAt: Date?, detail: String
    ) async -> String? {
        let now = clock.now()
        let parameters: [any PostgresEncodable] = [
            batch.id, batch.createdAt, worker, now, verdict, outcome.httpStatus, outcome.error, retryAt, detail,
        ]
        var state: String?
        for attempt in 0..<5 {
            do {
                state = try await pool.run { connection in
                    try connection.query("SELECT pacer.finish_click_batch($1, $2, $3, $4, $5, $6::int, $7, $8, $9::jsonb)", parameters)
                        .scalar(String?.self)
                }
                break
            } catch {
                // The lease returns the batch to the queue if this never succeeds.
                logger.warning("click outcome not recorded yet", metadata: ["db.error": "\(error)", "batch.id": "\(batch.id)"])
                try? await Task.sleep(for: .milliseconds(200 << attempt))
            }
        }
        return state
    }
}
