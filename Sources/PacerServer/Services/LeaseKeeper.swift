import Foundation
import Logging
import Metrics
import PacingEngine
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Keeps this instance's budget leases: every `interval` a `pacer.refresh_leases` round trip (also
/// the instance's heartbeat) for the campaigns that are due, slices sized from each campaign's
/// recent demand, and the leases given back on shutdown.
///
/// A slice is used for at most `validity` after its refresh; PostgreSQL holds it for
/// `validity + reservationLifetime`, so bids allowed under it can still win and be charged before
/// anyone else is granted that money. If refreshes fail past `validity`, the instance stops
/// committing new money (decisions go on and deny with `budget_exhausted`).
final class LeaseKeeper: Service, Sendable {
    struct Timing: Sendable {
        var interval: Duration = .milliseconds(500)
        var validity: Double = 5
        var reservationLifetime: Double = 30
        /// Seconds of spend at the recent rate a slice should cover.
        var horizon: Double = 3
    }

    private struct Rate {
        var demandTotal: Micros
        var at: Date
        var perSecond: Double
    }

    private struct State {
        var rates: [UUID: Rate] = [:]
        var liveInstances = 1
        /// Set when the number of live instances changed: every share is sized anew next round.
        var renewAll = false
        var lastSuccess: Date?
        var frozen = false
    }

    let pool: PostgresPool
    let store: CampaignStore
    let clock: any PacerClock
    let instanceID: String
    let address: String?
    let timing: Timing
    let logger: Logger
    /// Told of failed refreshes; while it reports an outage, failures are logged at debug level.
    let health: DatabaseHealth?
    private let state = Mutex(State())
    private let nudged = Atomic<Bool>(false)
    /// One refresh at a time: a grant applied after a newer one would restore a slice PostgreSQL
    /// has already cut, and each campaign keeps the accounting of one sample only.
    private let refreshing = AsyncLock()
    /// Campaigns per `pacer.refresh_leases` call (and transaction).
    static let campaignsPerCall = 500
    private let refreshDuration = Metrics.Timer(label: "pacer_lease_refresh_seconds", preferredDisplayUnit: .seconds)
    private let refreshFailures = Counter(label: "pacer_lease_refresh_failures_total")

    init(
        pool: PostgresPool, store: CampaignStore, clock: any PacerClock, instanceID: String, address: String?, timing: Timing, logger: Logger,
        health: DatabaseHealth? = nil
    ) {
        self.health = health
        self.pool = pool
        self.store = store
        self.clock = clock
        self.instanceID = instanceID
        self.address = address
        self.timing = timing
        self.logger = logger
    }

    /// Whether leases are current (false once refreshes failed for longer than their validity).
    var isHealthy: Bool { state.withLock { !$0.frozen } }

    /// Asks for an early refresh: a campaign used most of its slice. Refreshes stay at least
    /// `interval / 5` apart.
    func nudge() {
        nudged.store(true, ordering: .relaxed)
    }

    func run() async throws {
        let minimumSpacing = timing.interval / 5
        var last = ContinuousClock.now
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Wait for the interval, or a nudge, checking every `minimumSpacing`.
            repeat {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: minimumSpacing) }
            } while !Task.isShuttingDownGracefully && ContinuousClock.now - last < timing.interval
                && !nudged.exchange(false, ordering: .relaxed)
            guard !Task.isShuttingDownGracefully else { break }
            last = ContinuousClock.now
            // During an outage, and until its journaled spend is recorded, a refresh could be
            // granted money that spend already used: slices are left to run out instead.
            if let health, !health.mayRefreshLeases { continue }
            do {
                try await refresh()
            } catch is CancellationError where Task.isShuttingDownGracefully {
                break
            } catch {
                refreshFailures.increment()
                let now = clock.now()
                let expired = state.withLock { state -> Bool in
                    guard let last = state.lastSuccess, now.timeIntervalSince(last) < timing.validity else {
                        let first = !state.frozen
                        state.frozen = true
                        return first
                    }
                    return false
                }
                health?.reportFailure(error)
                if expired {
                    store.freezeLeases(now: now)
                    logger.error("leases could not be renewed; no new spend is committed until they are", metadata: ["db.error": "\(error)"])
                } else if health?.isDegraded == true {
                    logger.debug("lease refresh failed", metadata: ["db.error": "\(error)"])
                } else {
                    logger.warning("lease refresh failed", metadata: ["db.error": "\(error)"])
                }
            }
        }
        await release()
    }

    /// Refreshes the leases of the campaigns that are due (see ``isDue(_:rates:now:)``), or of
    /// exactly `ids`, in transactions of ``campaignsPerCall`` campaigns.
    func refresh(only ids: Set<UUID>? = nil) async throws {
        try await refreshing.withLock {
            do {
                try await refreshOnce(only: ids)
            } catch {
                store.abandonSamples()
                throw error
            }
        }
    }

    private func refreshOnce(only ids: Set<UUID>?) async throws {
        let now = clock.now()
        let sampled = store.leaseSamples(only: ids, now: now)
        // The slices that run out first go first: a large refresh takes seconds.
        let samples = ids != nil ? sampled : state.withLock { state in
            state.renewAll ? sampled : sampled.filter { isDue($0, rates: state.rates, now: now) }
        }.sorted { $0.usableUntil < $1.usableUntil }
        let wanted = state.withLock { state in
            samples.map { sample -> Micros in
                let previous = state.rates[sample.campaignID]
                var rate = previous?.perSecond ?? 0
                if let previous, now > previous.at {
                    let observed = Double(sample.demandTotal - previous.demandTotal) / now.timeIntervalSince(previous.at)
                    rate = 0.5 * rate + 0.5 * observed
                }
                state.rates[sample.campaignID] = Rate(demandTotal: sample.demandTotal, at: now, perSecond: rate)
                guard sample.active else { return sample.reserved }
                let remaining = max(0, sample.dayBudget - sample.spentToday)
                // A lone instance takes what is left; among several, an idle one keeps a quarter
                // of its fair share, so that its first bids are not refused, and a busy one asks
                // for what it will spend over the horizon.
                let share = state.liveInstances <= 1 ? remaining : remaining / Micros(4 * state.liveInstances)
                // …but never less than one bid, or an idle slice could never be used at all.
                let floor = max(share, min(remaining, sample.largestBid))
                let busy = Micros(min(Double(Int64.max / 4), rate * timing.horizon))
                return sample.reserved + max(floor, busy)
            }
        }
        // Under each campaign's lock: shrink to reservations plus a bridge, and report that.
        var reported: [Micros] = []
        var kept: [LeaseSample] = []
        var keptWanted: [Micros] = []
        var lapsed: [UUID: Micros] = [:]
        for (sample, want) in zip(samples, wanted) {
            guard let bridged = store.bridge(sample.campaignID, wanted: want, now: now) else { continue }
            reported.append(bridged.reported)
            lapsed[sample.campaignID] = bridged.lapsed
            kept.append(sample)
            keptWanted.append(max(want, bridged.reported))
        }
        let (ids, floors, wants) = (kept.map(\.campaignID), reported, keptWanted)
        let started = ContinuousClock.now
        let instanceID = self.instanceID
        let address = self.address
        let ttl = timing.validity + timing.reservationLifetime
        let host = ProcessInfo.processInfo.hostName
        let pid = Int64(ProcessInfo.processInfo.processIdentifier)
        // One transaction per chunk: each campaign's lease is taken under an advisory lock held
        // to the end of its transaction, and PostgreSQL's lock table is sized for dozens per
        // transaction, not for every campaign of a large server at once.
        var live: Int?
        var offset = 0
        repeat {
            // A large refresh stops between chunks on shutdown: the leases are given back next.
            if offset > 0, Task.isShuttingDownGracefully { throw CancellationError() }
            let end = min(ids.count, offset + Self.campaignsPerCall)
            let (chunkIDs, chunkFloors, chunkWants) = (Array(ids[offset..<end]), Array(floors[offset..<end]), Array(wants[offset..<end]))
            let grants = try await pool.run { connection in
                try connection.query(
                    "SELECT campaign_id, day, day_budget_micros, spent_today_micros, granted_micros, expires_at, live_instances, spent_before_micros, free_micros FROM pacer.refresh_leases($1, $2, $3::int, $4, $5, $6, $7, $8, $9)",
                    [instanceID, host, pid, address, now, chunkIDs, chunkFloors, chunkWants, ttl]
                ).rows.map { row in
                    (
                        LeaseGrant(
                            campaignID: try row[0], day: try row[1], dayBudget: try row[2], spentToday: try row[3],
                            granted: try row[4], free: try row[8], expiresAt: try row[5], spentBefore: try row[7]),
                        try row.decode(Int.self, at: 6)
                    )
                }
            }
            let applied = clock.now()
            for (grant, _) in grants {
                store.apply(grant, settling: lapsed[grant.campaignID] ?? 0, now: applied)
            }
            live = live ?? grants.first?.1
            offset = end
        } while offset < ids.count
        refreshDuration.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
        state.withLock { state in
            if ids == nil { state.renewAll = false }
            if let live, max(1, live) != state.liveInstances {
                state.liveInstances = max(1, live)
                state.renewAll = true
            }
            state.lastSuccess = now
            state.frozen = false
        }
    }

    /// Whether a round should renew a campaign's lease: it was asked for bids since its last
    /// refresh or its slice is still sized for earlier ones, it holds no slice for today, or its
    /// slice has less than half its validity left. An idle campaign is thus renewed about every
    /// `validity / 2` instead of every round, and a server holding many campaigns does not
    /// rewrite all their leases twice a second.
    private func isDue(_ sample: LeaseSample, rates: [UUID: Rate], now: Date) -> Bool {
        guard let rate = rates[sample.campaignID] else { return true }
        if sample.demandTotal != rate.demandTotal || rate.perSecond * timing.horizon >= 1 { return true }
        return sample.usableUntil - now.timeIntervalSince1970 < timing.validity / 2
    }

    /// Gives every lease back, keeping only what outstanding reservations may still spend.
    func release() async {
        let now = clock.now()
        let reservations = store.reservations(now: now)
        let instanceID = self.instanceID
        let hold = timing.reservationLifetime
        do {
            let released = try await pool.run { connection in
                try connection.query(
                    "SELECT pacer.release_leases($1, $2, $3, $4, $5)",
                    [instanceID, now, reservations.map(\.0), reservations.map(\.1), hold]
                ).scalar(Int64.self)
            }
            logger.info("leases returned", metadata: ["leases.count": "\(released)"])
        } catch {
            logger.warning("leases not returned; they expire by themselves", metadata: ["db.error": "\(error)"])
        }
    }
}
