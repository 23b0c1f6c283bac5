import Foundation
import Logging
import PacingEngine
import PostgresClient
import TestSupport
import Testing

@testable import PacerServer

/// Which leases a round of the lease keeper renews (SPEC section 4), against a real PostgreSQL:
/// campaigns asked for bids every round, idle ones at half their validity, and all of them when
/// the number of live instances changes.
@Suite struct LeaseRenewalTests {
    let start = Date(timeIntervalSince1970: 1_781_524_800)  // 2026-06-15 12:00 UTC

    /// Seconds after `start` at which each campaign's lease was last renewed, by campaign name.
    func renewals(_ connection: BlockingConnection) throws -> [String: Double] {
        var result: [String: Double] = [:]
        for row in try connection.query(
            "SELECT c.name, l.renewed_at FROM pacer.budget_leases l JOIN pacer.campaigns c ON c.id = l.campaign_id WHERE l.instance_id = 'renewal'"
        ).rows {
            let renewed: Date = try row[1]
            result[try row[0]] = (renewed.timeIntervalSince(start) * 1000).rounded() / 1000
        }
        return result
    }

    @Test func busyCampaignsAreRenewedEveryRoundAndIdleOnesAtHalfTheirValidity() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let connection = try BlockingConnection(database.url)
        let busy: UUID = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('busy', 100000000, 'ASAP') RETURNING id"
        ).scalar(UUID.self)
        _ = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('idle-a', 100000000, 'ASAP'), ('idle-b', 100000000, 'ASAP')")

        let clock = ManualClock(start)
        let pool = PostgresPool(conninfo: database.url, maxConnections: 2)
        let store = CampaignStore(seed: 1, onBreakerChange: { _ in })
        _ = try await loadCampaigns(into: store, repository: CampaignRepository(pool: pool), now: clock.now())
        let keeper = LeaseKeeper(
            pool: pool, store: store, clock: clock, instanceID: "renewal", address: nil,
            timing: .init(interval: .milliseconds(500), validity: 5, reservationLifetime: 30), logger: Logger(label: "test"))
        func round(at seconds: Double) async throws -> [String: Double] {
            clock.set(start.addingTimeInterval(seconds))
            try await keeper.refresh()
            return try renewals(connection)
        }

        #expect(try await round(at: 0) == ["busy": 0, "idle-a": 0, "idle-b": 0])
        // Bids on one campaign: only its lease is renewed, every round while its rate decays.
        clock.set(start.addingTimeInterval(0.4))
        #expect(store.decide(campaignID: busy, bid: 1_000, requestID: "r1", now: clock.now()).allow)
        #expect(try await round(at: 0.5) == ["busy": 0.5, "idle-a": 0, "idle-b": 0])
        #expect(try await round(at: 1) == ["busy": 1, "idle-a": 0, "idle-b": 0])
        // The idle slices are usable until 5 s: at 2.6 s less than half of that is left.
        #expect(try await round(at: 2.4) == ["busy": 2.4, "idle-a": 0, "idle-b": 0])
        #expect(try await round(at: 2.6) == ["busy": 2.6, "idle-a": 2.6, "idle-b": 2.6])

        // A second live instance changes every campaign's share: the round after the keeper
        // learns of it renews them all.
        _ = try connection.query(
            "INSERT INTO pacer.instances (id, host, pid, started_at, last_heartbeat, status) VALUES ('other', 'host', 2, $1, $1, 'running')",
            [start.addingTimeInterval(2.9)])
        #expect(store.decide(campaignID: busy, bid: 1_000, requestID: "r2", now: start.addingTimeInterval(2.9)).allow)
        #expect(try await round(at: 3) == ["busy": 3, "idle-a": 2.6, "idle-b": 2.6])
        #expect(try await round(at: 3.5) == ["busy": 3.5, "idle-a": 3.5, "idle-b": 3.5])
        await pool.close()
    }
}
