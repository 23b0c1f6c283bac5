import Foundation
import PacingEngine
import PostgresClient
import Synchronization

/// The lease grant in force for a campaign, as this instance accounts for it.
///
/// PostgreSQL grants a slice beyond the spend it had recorded when the refresh ran (`spent`).
/// The part nobody else held (`free`) is this instance's to use. A slice above that was granted
/// only to keep covering the reservations this instance reported (bids it allowed that may still
/// win); a reservation whose win was committed before the refresh's snapshot is then counted
/// twice, once in `spent` and once in the slice. `doubleCounted` collects those as their wins
/// come back, and the ceiling leaves them out.
struct GrantAccount: Sendable {
    var day: PostgresDate
    var spent: Micros
    var free: Micros
    var granted: Micros
    var doubleCounted: Micros = 0

    /// The most that spend and reservations may reach under this grant.
    var ceiling: Micros { spent + max(free, granted - doubleCounted) }
}

/// One cached campaign: its pacer, random generator and decision tally behind one lock.
///
/// The lock is held only for the few hundred nanoseconds of a decision or a spend update,
/// never across an await.
final class CampaignSlot: Sendable {
    struct State: Sendable {
        var record: CampaignRecord
        var pacer: CampaignPacer
        var random: Xoshiro256StarStar
        var tally = DecisionTally()
        /// Amount of all bids this instance was asked to decide (monotonic), to size its lease
        /// from its demand.
        var demandTotal: Micros = 0
        /// The largest bid seen recently: a slice smaller than one bid is of no use.
        var largestBid: Micros = 0
        /// Under a lease: until when (epoch seconds) the current slice may commit new money, i.e.
        /// the start of the refresh that granted it plus the lease validity. PostgreSQL holds the
        /// slice only for that long plus the reservation lifetime, so a slice used later could
        /// already belong to another instance: past this time the ceiling is frozen.
        var leaseUsableUntil: Double = -.infinity
        /// True once the ceiling was frozen for want of a timely refresh.
        var leaseFrozen = false
        /// The grant in force (nil before the first one).
        var grant: GrantAccount?
        /// Set when a refresh sampled this campaign and its grant has not arrived yet.
        var sampling = false
        /// Reservations released by this instance's own spend commits since the refresh in flight
        /// sampled them: the day's spend PostgreSQL reported right after each commit, and the
        /// amount released. Those committed before the refresh's snapshot are counted twice in its grant.
        var releasedSinceSample: [(observed: Micros, amount: Micros)] = []
    }

    let id: UUID
    let state: Mutex<State>

    init(record: CampaignRecord, pacer: CampaignPacer, seed: UInt64) {
        id = record.config.id
        // Each campaign draws from its own stream of the server's seed, so a seeded server
        // decides the same way every run whatever the order campaigns load in.
        let bytes = record.config.id.uuid
        let stream = withUnsafeBytes(of: bytes) { raw in raw.load(fromByteOffset: 0, as: UInt64.self) ^ raw.load(fromByteOffset: 8, as: UInt64.self) }
        state = Mutex(State(record: record, pacer: pacer, random: Xoshiro256StarStar(seed: seed, stream: stream)))
    }
}
