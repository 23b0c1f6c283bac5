import Foundation
import PacingEngine
import PostgresClient
import Testing

@testable import PacerServer

/// How an instance turns lease grants into its ceiling (SPEC section 4) when its own wins race
/// the refresh: a reservation it reported may already be spend in the grant's snapshot.
@Suite struct LeaseAccountingTests {
    let now = Date(timeIntervalSince1970: 1_781_524_800)  // 2026-06-15 12:00 UTC
    let day = PostgresDate(year: 2026, month: 6, day: 15)
    let cent: Micros = 10_000

    /// A 1-dollar campaign with 97 cents spent; its breaker trips only at the cap.
    func store() -> (CampaignStore, UUID) {
        let store = CampaignStore(seed: 7, leased: true, onBreakerChange: { _ in })
        var breaker = BreakerSettings.default
        breaker.tripRatio = 1.0
        let config = CampaignConfig(name: "race", dailyBudget: 100 * cent, pacing: .asap, breaker: breaker)
        store.apply(CampaignRecord(config: config, createdAt: now, updatedAt: now), spentToday: 97 * cent, spentBefore: 0, now: now)
        return (store, config.id)
    }

    func grant(_ id: UUID, spent: Micros, granted: Micros, free: Micros) -> LeaseGrant {
        LeaseGrant(
            campaignID: id, day: day, dayBudget: 100 * cent, spentToday: spent, granted: granted, free: free,
            expiresAt: now.addingTimeInterval(35), spentBefore: 0)
    }

    func allows(_ store: CampaignStore, _ id: UUID, _ request: String) -> Bool {
        store.decide(campaignID: id, bid: cent, requestID: request, now: now).allow
    }

    /// The instance holds one cent of slice and uses it; another instance holds the last two
    /// cents. Its win is committed after the refresh sampled the reservation but before the
    /// refresh's snapshot: PostgreSQL sees 98 cents spent and nothing free, and grants one cent
    /// only to cover the reported reservation. That cent is the win itself, not new money.
    @Test(arguments: [false, true])
    func aWinCommittedBeforeTheSnapshotIsNotNewMoney(resultArrivesAfterTheGrant: Bool) {
        let (store, id) = store()
        store.apply(grant(id, spent: 97 * cent, granted: cent, free: cent), settling: 0, now: now)
        #expect(allows(store, id, "a"))
        #expect(!allows(store, id, "b"))

        let sample = store.bridge(id, wanted: 5 * cent, now: now)
        #expect(sample?.reported == cent)
        let win = { store.recordSpend(campaignID: id, amount: self.cent, requestID: "a", observed: (self.day, 98 * self.cent), now: self.now) }
        if !resultArrivesAfterTheGrant { win() }
        store.apply(grant(id, spent: 98 * cent, granted: cent, free: 0), settling: 0, now: now)
        if resultArrivesAfterTheGrant { win() }

        #expect(!allows(store, id, "c"), "98 cents spent and 2 held elsewhere: nothing is left")
        #expect(store.status(id, now: now)?.0.spentToday == 98 * cent)
    }

    /// The same race when the win is committed after the snapshot: the grant's spend does not hold
    /// it, the reservation was real, and the next grant's free money is usable in full.
    @Test func aWinCommittedAfterTheSnapshotLeavesTheFreeSliceUsable() {
        let (store, id) = store()
        store.apply(grant(id, spent: 97 * cent, granted: cent, free: cent), settling: 0, now: now)
        #expect(allows(store, id, "a"))
        _ = store.bridge(id, wanted: 5 * cent, now: now)
        store.apply(grant(id, spent: 97 * cent, granted: cent, free: 0), settling: 0, now: now)
        store.recordSpend(campaignID: id, amount: cent, requestID: "a", observed: (day, 98 * cent), now: now)
        #expect(!allows(store, id, "b"))

        // The other instance gave its two cents back: the next refresh grants them as free money.
        _ = store.bridge(id, wanted: 5 * cent, now: now)
        store.apply(grant(id, spent: 98 * cent, granted: 2 * cent, free: 2 * cent), settling: 0, now: now)
        #expect(allows(store, id, "c"))
        #expect(allows(store, id, "d"))
        #expect(!allows(store, id, "e"))
    }

    /// A grant that was not raised to cover reservations is free money as a whole, whatever the
    /// snapshot already holds of this instance's wins.
    @Test func anUnraisedGrantIsUsableInFull() {
        let (store, id) = store()
        store.apply(grant(id, spent: 97 * cent, granted: cent, free: cent), settling: 0, now: now)
        #expect(allows(store, id, "a"))
        _ = store.bridge(id, wanted: 5 * cent, now: now)
        store.recordSpend(campaignID: id, amount: cent, requestID: "a", observed: (day, 98 * cent), now: now)
        store.apply(grant(id, spent: 98 * cent, granted: 2 * cent, free: 2 * cent), settling: 0, now: now)
        #expect(allows(store, id, "b"))
        #expect(allows(store, id, "c"))
        #expect(!allows(store, id, "d"))
    }
}
