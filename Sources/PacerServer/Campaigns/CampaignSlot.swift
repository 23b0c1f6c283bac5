import Foundation
import PacingEngine
import Synchronization

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
