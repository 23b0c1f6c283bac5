import Foundation
import PostgresClient
import TestSupport
import Testing

/// `pacer.refresh_leases` (SPEC section 4) against a real PostgreSQL: how a campaign's budget is
/// shared between instances, when a slice is raised to cover reported reservations, and that time
/// never goes backwards for a campaign.
@Suite struct LeaseFunctionTests {
    let start = Date(timeIntervalSince1970: 1_781_524_800)  // 2026-06-15 12:00 UTC
    let cent: Int64 = 10_000
    let ttl = 15.0

    struct Grant: Equatable {
        var granted: Int64
        var free: Int64
    }

    func refresh(_ connection: BlockingConnection, _ instance: String, at now: Date, campaign: UUID, reserved: Int64, wanted: Int64) throws -> Grant {
        let row = try connection.query(
            "SELECT granted_micros, free_micros FROM pacer.refresh_leases($1, 'host', 1, NULL, $2, $3, $4, $5, $6)",
            [instance, now, [campaign], [reserved], [wanted], ttl]
        ).rows[0]
        return Grant(granted: try row[0], free: try row[1])
    }

    func record(_ connection: BlockingConnection, campaign: UUID, event: String, amount: Int64, at now: Date) throws {
        _ = try connection.query(
            "SELECT * FROM pacer.record_spend(ARRAY[$1], ARRAY[$2::uuid], ARRAY[$3::bigint], ARRAY[1], ARRAY[0], ARRAY[$1], ARRAY[$4::timestamptz], 'test')",
            [event, campaign, amount, now])
    }

    @Test func slicesShareTheBudgetAndCoverReportedReservations() throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let connection = try BlockingConnection(database.url)
        let campaign: UUID = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('shared', $1, 'ASAP') RETURNING id", [100 * cent]
        ).scalar(UUID.self)

        #expect(try refresh(connection, "a", at: start, campaign: campaign, reserved: 0, wanted: 60 * cent) == Grant(granted: 60 * cent, free: 60 * cent))
        #expect(try refresh(connection, "b", at: start, campaign: campaign, reserved: 0, wanted: 60 * cent) == Grant(granted: 40 * cent, free: 40 * cent))

        // b's win of one cent is recorded, then b reports 45 cents of reservations: only 39 are
        // free, the slice is raised to the 45 its live slice covered.
        try record(connection, campaign: campaign, event: "w1", amount: cent, at: start)
        let later = start.addingTimeInterval(1)
        #expect(try refresh(connection, "b", at: later, campaign: campaign, reserved: 45 * cent, wanted: 50 * cent) == Grant(granted: 45 * cent, free: 39 * cent))

        // a's next slice is what the recorded spend and b's slice leave.
        #expect(try refresh(connection, "a", at: later, campaign: campaign, reserved: 0, wanted: 60 * cent) == Grant(granted: 54 * cent, free: 54 * cent))
    }

    @Test func anExpiredSliceNoLongerCoversReservationsEvenForALateCaller() throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let connection = try BlockingConnection(database.url)
        let campaign: UUID = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('late', $1, 'ASAP') RETURNING id", [100 * cent]
        ).scalar(UUID.self)

        #expect(try refresh(connection, "a", at: start, campaign: campaign, reserved: 0, wanted: 50 * cent).granted == 50 * cent)
        // After a's slice expired, b takes the whole budget.
        let afterExpiry = start.addingTimeInterval(ttl + 1)
        #expect(try refresh(connection, "b", at: afterExpiry, campaign: campaign, reserved: 0, wanted: 100 * cent).granted == 100 * cent)
        // a's next refresh began before that but reaches PostgreSQL later, still reporting
        // reservations: its slice is judged at the later time, expired, and covers nothing.
        let stale = start.addingTimeInterval(ttl - 1)
        #expect(try refresh(connection, "a", at: stale, campaign: campaign, reserved: 30 * cent, wanted: 50 * cent) == Grant(granted: 0, free: 0))
    }
}
