import Foundation
import PacingEngine
import PostgresClient

/// What the lease keeper reads of a campaign before a refresh.
struct LeaseSample: Sendable {
    var campaignID: UUID
    var reserved: Micros
    /// Amount of all bids decided so far (monotonic): the lease is sized from its rate.
    var demandTotal: Micros
    var largestBid: Micros
    var dayBudget: Micros
    var spentToday: Micros
    /// False for paused campaigns: they keep only what their reservations need.
    var active: Bool
    /// Until when (epoch seconds) the slice in force may commit new money; -infinity before the
    /// first grant, and for a grant of an earlier local day.
    var usableUntil: Double
}

/// A refreshed lease, as `pacer.refresh_leases` returned it.
struct LeaseGrant: Sendable {
    var campaignID: UUID
    var day: PostgresDate
    var dayBudget: Micros
    var spentToday: Micros
    var granted: Micros
    /// The part of `granted` nobody else held; the rest only covers reported reservations.
    var free: Micros
    var expiresAt: Date
    var spentBefore: Micros
}

/// Whether a grant's day (PostgreSQL's) is the campaign's local day.
private func isSameDay(_ granted: PostgresDate, _ local: LocalDate) -> Bool {
    granted.year == local.year && granted.month == local.month && granted.day == local.day
}

extension CampaignStore {
    /// Samples every campaign but archived ones (or only `ids`).
    func leaseSamples(only ids: Set<UUID>? = nil, now: Date) -> [LeaseSample] {
        allSlots.compactMap { slot -> LeaseSample? in
            if let ids, !ids.contains(slot.id) { return nil }
            return slot.state.withLock { state -> LeaseSample? in
                guard state.record.config.status != .archived else { return nil }
                let status = state.pacer.status(at: now)
                let current = state.grant.map { isSameDay($0.day, status.day) } ?? false
                return LeaseSample(
                    campaignID: slot.id, reserved: status.reserved,
                    demandTotal: state.demandTotal, largestBid: state.largestBid, dayBudget: status.dayBudget, spentToday: status.spentToday,
                    active: state.record.config.status == .active, usableUntil: current ? state.leaseUsableUntil : -.infinity)
            }
        }
    }

    /// Prepares a refresh of one campaign's lease, under its lock: what was reserved so far plus a
    /// bridge (at most the unused part of the current slice, at most what is wanted beyond the
    /// reservations) becomes the new local ceiling until the grant arrives, and is reported to
    /// PostgreSQL as the least the new slice must cover. Bids allowed while the refresh is in
    /// flight thus stay covered even if the old slice is handed to another instance meanwhile.
    /// - Returns: the amount to report as reserved and the lapsed amount the grant will settle,
    ///   or nil for an unknown campaign.
    func bridge(_ id: UUID, wanted: Micros, now: Date) -> (reported: Micros, lapsed: Micros)? {
        slot(id)?.state.withLock { state in
            let status = state.pacer.status(at: now)
            let lapsed = state.pacer.ledger.lapsed
            let headroom = max(0, status.ceiling - status.spentToday - status.reserved - lapsed)
            // A slice past its validity may already be another instance's: nothing of it is bridged.
            let usable = now.timeIntervalSince1970 <= state.leaseUsableUntil
            let bridge = usable ? min(headroom, max(0, wanted - status.reserved)) : 0
            state.pacer.setLease(status.spentToday + status.reserved + lapsed + bridge, now: now)
            state.sampling = true
            state.releasedSinceSample.removeAll(keepingCapacity: true)
            return (status.reserved + bridge, lapsed)
        }
    }

    /// Applies a grant: the ceiling becomes the spend PostgreSQL recorded at the grant plus the
    /// slice, less what of the reported reservations that spend already holds (see
    /// ``GrantAccount``). Today's spend becomes the larger of what this instance knew and what the
    /// grant saw: both are observations of the same growing counter (spend_daily), and the ledger
    /// already holds every spend this instance committed, each observed after its own commit.
    func apply(_ grant: LeaseGrant, settling lapsed: Micros, now: Date) {
        guard let slot = slot(grant.campaignID) else { return }
        slot.state.withLock { state in
            defer {
                state.sampling = false
                state.releasedSinceSample.removeAll(keepingCapacity: true)
            }
            let status = state.pacer.status(at: now)
            guard isSameDay(grant.day, status.day) else { return }
            state.pacer.seed(spentToday: max(status.spentToday, grant.spentToday), totalSpentBeforeToday: grant.spentBefore, now: now)
            state.pacer.settleLapsed(lapsed)
            // Own wins committed between the sample and the snapshot: reported as reservations and
            // counted in the snapshot's spend. spend_daily only grows, so a commit that observed
            // at most the snapshot's total came before it.
            var account = GrantAccount(day: grant.day, spent: grant.spentToday, free: grant.free, granted: grant.granted)
            for release in state.releasedSinceSample where release.observed <= grant.spentToday {
                account.doubleCounted += release.amount
            }
            state.grant = account
            state.pacer.setLease(account.ceiling, now: now)
            state.leaseUsableUntil = grant.expiresAt.timeIntervalSince1970 - reservationLifetime
            state.leaseFrozen = false
        }
    }

    /// Forgets the samples of a refresh that failed: its grants will not arrive.
    func abandonSamples() {
        for slot in allSlots {
            slot.state.withLock { state in
                state.sampling = false
                state.releasedSinceSample.removeAll()
            }
        }
    }

    /// Stops new commitments on every campaign: the ceiling drops to what is spent and reserved.
    /// Used when leases could not be renewed in time (PostgreSQL unreachable).
    func freezeLeases(now: Date) {
        for slot in allSlots {
            slot.state.withLock { state in
                let status = state.pacer.status(at: now)
                state.pacer.setLease(status.spentToday + status.reserved, now: now)
                state.leaseFrozen = true
            }
        }
    }

    /// Adopts a breaker state another instance persisted and broadcast.
    func adoptBreaker(_ id: UUID, state breaker: BreakerState, now: Date) {
        slot(id)?.state.withLock { $0.pacer.adoptBreaker(breaker, now: now) }
    }

    /// This instance's reservations, for giving leases back on shutdown: the campaigns that have
    /// any, with their amount.
    func reservations(now: Date) -> [(UUID, Micros)] {
        allSlots.compactMap { slot in
            let reserved = slot.state.withLock { $0.pacer.status(at: now).reserved }
            return reserved > 0 ? (slot.id, reserved) : nil
        }
    }
}
