import Foundation
import Logging
import PacingEngine
import PostgresClient
import Synchronization

/// What a breaker transition needs to be persisted.
struct BreakerChange: Sendable {
    var campaignID: UUID
    var transition: BreakerTransition
    var day: LocalDate
    var spent: Micros
    var dayBudget: Micros
}

/// Every campaign in memory, so that decisions never wait for PostgreSQL.
///
/// The map of slots is behind one lock (taken for a lookup only); each slot has its own.
final class CampaignStore: Sendable {
    private let slots = Mutex<[UUID: CampaignSlot]>([:])
    /// The global kill switch (`pacer.global_controls`); when set it wins over each campaign's own.
    let globalOverride = Mutex<BreakerOverride>(.none)
    private let seed: UInt64
    private let settings: PacerSettings
    /// Called (outside any lock) when an allowed bid left less than a quarter of a campaign's
    /// lease unused, or a bid was refused for want of lease while budget remains: the lease
    /// keeper refreshes early then.
    private let leaseLow = Mutex<(@Sendable () -> Void)?>(nil)

    func onLeaseLow(_ action: @escaping @Sendable () -> Void) {
        leaseLow.withLock { $0 = action }
    }

    /// Receives every breaker transition a decision or spend causes (persisted by `BreakerRecorder`).
    private let onBreakerChange: @Sendable (BreakerChange) -> Void

    /// When true, a campaign's ceiling is its lease (zero until the first grant); when false the
    /// whole day's budget (a single instance without lease keeping, as in some tests).
    let leased: Bool

    init(
        seed: UInt64, settings: PacerSettings = .default, leased: Bool = true,
        onBreakerChange: @escaping @Sendable (BreakerChange) -> Void
    ) {
        self.seed = seed
        self.settings = settings
        self.leased = leased
        self.onBreakerChange = onBreakerChange
    }

    var count: Int { slots.withLock { $0.count } }

    /// How long an allowed bid stays reserved (seconds); a lease is held that much beyond its validity.
    var reservationLifetime: Double { settings.reservationLifetime }

    func slot(_ id: UUID) -> CampaignSlot? {
        slots.withLock { $0[id] }
    }

    var allSlots: [CampaignSlot] {
        slots.withLock { Array($0.values) }
    }

    /// Adds or replaces a campaign. A new campaign starts from the spend PostgreSQL holds; an
    /// existing one keeps its in-memory day (spend, reservations, breaker) under the new config.
    func apply(_ record: CampaignRecord, spentToday: Micros, spentBefore: Micros, now: Date) {
        if let existing = slot(record.config.id) {
            existing.state.withLock { state in
                // A reload that read the row before a newer change must not undo it.
                guard record.version >= state.record.version else { return }
                state.record = record
                state.pacer.update(config: record.config, now: now)
                state.pacer.setOverride(effectiveOverride(record.breakerOverride))
            }
            return
        }
        var pacer = CampaignPacer(config: record.config, settings: settings)
        pacer.setOverride(effectiveOverride(record.breakerOverride))
        let transition = pacer.seed(spentToday: spentToday, totalSpentBeforeToday: spentBefore, now: now)
        // Nothing may be committed before PostgreSQL granted a slice.
        if leased { pacer.setLease(spentToday, now: now) }
        let slot = CampaignSlot(record: record, pacer: pacer, seed: seed)
        slots.withLock { $0[record.config.id] = slot }
        if let transition { report(transition, slot: slot, now: now) }
    }

    /// Decides one bid from memory.
    func decide(campaignID: UUID, bid: Micros, requestID: String?, now: Date) -> Decision {
        guard let slot = slot(campaignID) else {
            return Decision(allow: false, reason: .unknownCampaign, throttle: 1, breaker: .closed)
        }
        let epochSeconds = now.timeIntervalSince1970
        let leased = self.leased
        let (decision, change, low) = slot.state.withLock { state -> (Decision, BreakerChange?, Bool) in
            if leased, epochSeconds > state.leaseUsableUntil, !state.leaseFrozen {
                // The slice is past its validity (its refresh is late): no new money until the next grant.
                state.leaseFrozen = true
                let status = state.pacer.status(at: now)
                state.pacer.setLease(status.spentToday + status.reserved, now: now)
            }
            let decision = state.pacer.decide(bid: bid, requestID: requestID, now: now, random: &state.random)
            let low = state.pacer.leaseRunsLow(after: decision)
            state.tally.add(decision, bid: bid, at: epochSeconds)
            if decision.reason != .unknownCampaign, decision.reason != .paused, decision.reason != .notRunning {
                state.demandTotal &+= bid
                state.largestBid = max(bid, state.largestBid - state.largestBid / 64)
            }
            return (decision, decision.transition.map { Self.change($0, state: state) }, low)
        }
        if let change { onBreakerChange(change) }
        if low, let action = leaseLow.withLock({ $0 }) { action() }
        return decision
    }

    /// Applies committed spend to the in-memory ledger (releasing the bid's reservation).
    /// `observed` is the campaign's spend for the day as PostgreSQL counted it right after the
    /// commit (spend through other instances included); the ledger takes the larger value.
    func recordSpend(campaignID: UUID, amount: Micros, requestID: String?, observed: (day: PostgresDate, spent: Micros)? = nil, now: Date) {
        guard let slot = slot(campaignID) else { return }
        let leased = self.leased
        let change = slot.state.withLock { state -> BreakerChange? in
            let before = state.pacer.status(at: now)
            var transition = state.pacer.recordSpend(amount, requestID: requestID, now: now)
            if let observed, before.day.year == observed.day.year, before.day.month == observed.day.month,
                before.day.day == observed.day.day {
                // The observed total already holds this event (and every commit before it); adding
                // the amount on top could count it twice when a lease refresh saw it first.
                transition = state.pacer.seed(
                    spentToday: max(before.spentToday, observed.spent), totalSpentBeforeToday: state.pacer.totalSpentBeforeToday,
                    now: now) ?? transition
                let released = before.reserved - state.pacer.ledger.reserved
                if leased, released > 0 { Self.noteRelease(released, observed: observed, state: &state, now: now) }
            }
            return transition.map { Self.change($0, state: state) }
        }
        if let change { onBreakerChange(change) }
    }

    /// A reservation this instance reported to a lease refresh was released by its own win. If the
    /// win was committed before the snapshot of the grant in force, that grant counts it twice
    /// (as spend and as reservation): the ceiling drops accordingly. If a refresh is in flight, its
    /// grant is corrected the same way when it arrives.
    private static func noteRelease(_ amount: Micros, observed: (day: PostgresDate, spent: Micros), state: inout CampaignSlot.State, now: Date) {
        if state.sampling { state.releasedSinceSample.append((observed.spent, amount)) }
        guard var grant = state.grant, grant.day == observed.day, observed.spent <= grant.spent else { return }
        grant.doubleCounted += amount
        state.grant = grant
        if let limit = state.pacer.ledger.leaseLimit, grant.ceiling < limit { state.pacer.setLease(grant.ceiling, now: now) }
    }

    /// Lets time-driven breaker steps happen without bids (OPEN → HALF_OPEN, day rollover).
    func tick(now: Date) {
        for slot in allSlots {
            let change = slot.state.withLock { state -> BreakerChange? in
                state.pacer.tick(now: now).map { Self.change($0, state: state) }
            }
            if let change { onBreakerChange(change) }
        }
    }

    /// Hands the load signal (recent decision latency, seconds) to every ADAPTIVE campaign.
    func setLoadSignal(_ seconds: Double) {
        for slot in allSlots {
            slot.state.withLock { state in
                guard state.record.config.pacing == .adaptive, state.pacer.loadSignal != seconds else { return }
                state.pacer.loadSignal = seconds
            }
        }
    }

    /// A snapshot for budget status.
    func status(_ id: UUID, now: Date) -> (PacerStatus, CampaignRecord)? {
        slot(id)?.state.withLock { ($0.pacer.status(at: now), $0.record) }
    }

    /// Takes every slot's counted decisions, for the write-behind flusher.
    func drainTallies() -> [(UUID, [MinuteCounts])] {
        allSlots.compactMap { slot in
            let counts = slot.state.withLock { $0.tally.drain() }
            return counts.isEmpty ? nil : (slot.id, counts)
        }
    }

    private func report(_ transition: BreakerTransition, slot: CampaignSlot, now: Date) {
        let change = slot.state.withLock { Self.change(transition, state: $0) }
        onBreakerChange(change)
    }

    private static func change(_ transition: BreakerTransition, state: CampaignSlot.State) -> BreakerChange {
        let status = state.pacer.status(at: transition.at)
        return BreakerChange(
            campaignID: state.record.config.id, transition: transition, day: status.day, spent: status.spentToday,
            dayBudget: status.dayBudget)
    }
}
