import Foundation
import HummingbirdTesting
@testable import PacerServer
import PostgresClient
import TestSupport
import Testing

/// The claim function's pacing rules, leases and operator controls, on a manual clock.
@Suite struct ClickPacingTests {
    static let noon = Date(timeIntervalSince1970: 1_781_524_800)  // 2026-06-15 12:00 UTC

    /// Claims one batch as `worker` at `date`; returns its id and size.
    static func claim(_ harness: ClickHarness, at date: Date, worker: String = "test/0") throws -> (id: UUID, rows: Int, createdAt: Date)? {
        let connection = try harness.connection()
        guard let row = try connection.query(
            "SELECT batch_id, row_count, batch_created_at FROM pacer.claim_click_batch($1, $2, 30)", [worker, date]
        ).rows.first else { return nil }
        return (try row[0], try row[1], try row[2])
    }

    static func finish(_ harness: ClickHarness, _ batch: (id: UUID, rows: Int, createdAt: Date), at date: Date, worker: String = "test/0") throws -> String? {
        let connection = try harness.connection()
        return try connection.query(
            "SELECT pacer.finish_click_batch($1, $2, $3, $4, 'delivered', 200)", [batch.id, batch.createdAt, worker, date]
        ).scalar(String?.self)
    }

    @Test func capsAndBudgetStopClaimsUntilTheNextDay() async throws {
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 0, clock: clock)
        try await harness.run { client in
            let plain = try await client.createCampaign(simpleCampaign)
            let capped = try await client.createCampaign(simpleCampaign)
            // 10 cents a click, 1 dollar a day, 20 cents already spent on RTB today: 8 clicks' room.
            let paying = try await client.createCampaign(#"{"name":"cpc","daily_budget_cents":100,"pacing":"EVEN","cost_per_click_cents":10}"#)
            let connection = try harness.connection()
            try connection.query("UPDATE pacer.campaigns SET daily_click_cap = 10 WHERE id = $1", [UUID(uuidString: capped)])
            try connection.query("INSERT INTO pacer.spend_daily (campaign_id, day, spent_micros) VALUES ($1, '2026-06-15', 200000)", [UUID(uuidString: paying)])

            let partnerCapped = try await client.createPartner(url: "http://127.0.0.1:9/a", batchSize: 5, extra: #","daily_cap":10"#)
            let free = try await client.createPartner(url: "http://127.0.0.1:9/b", batchSize: 5)
            let cases = [(plain, partnerCapped, 10), (capped, free, 10), (paying, free, 5)]
            for (campaign, partner, expected) in cases {
                try connection.query("UPDATE pacer.datasets SET status = 'paused' WHERE status = 'queued'")
                #expect(try await client.upload(clicks(20), campaign: campaign, partner: partner).status == .created)
                var delivered = 0
                while let batch = try Self.claim(harness, at: clock.now()) {
                    #expect(try Self.finish(harness, batch, at: clock.now()) == "delivered")
                    delivered += batch.rows
                }
                #expect(delivered == expected, "campaign \(campaign)")
            }
            // Next day every limit has room again (the paused datasets stay out of the way).
            clock.advance(by: 86_400)
            try connection.query("UPDATE pacer.datasets SET status = 'queued' WHERE status = 'paused'")
            var delivered = 0
            while let batch = try Self.claim(harness, at: clock.now()) {
                _ = try Self.finish(harness, batch, at: clock.now())
                delivered += batch.rows
            }
            #expect(delivered == 10 + 10 + 10)
        }
    }

    @Test func workersStopAtTheCapAndResumeTheNextDay() async throws {
        let sink = try await PartnerSink.start()
        defer { sink.stop() }
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 2, clock: clock)
        try await harness.run { client in
            let campaign = try await client.createCampaign(#"{"name":"cpc","daily_budget_cents":100,"pacing":"EVEN","cost_per_click_cents":10}"#)
            let partner = try await client.createPartner(url: sink.url, batchSize: 5, extra: #","daily_cap":15"#)
            let dataset = try await client.upload(clicks(40), campaign: campaign, partner: partner).object["id"] as? String ?? ""
            // Each day the budget (10 clicks) binds before the partner's cap (15).
            for day in 1...3 {
                #expect(try await PartnerSink.eventually {
                    try await client.getObject("/v1/datasets/\(dataset)")["rows_delivered"] as? Int == 10 * day
                })
                #expect(try Self.claim(harness, at: clock.now()) == nil, "day \(day)")
                clock.advance(by: 86_400)
            }
            let done = try await ClickDeliveryTests.finished(client, dataset)
            #expect(done["status"] as? String == "completed")
            #expect(done["rows_delivered"] as? Int == 40)
            #expect(Set(sink.delivered.flatMap(PartnerSink.clickIDs)).count == 40)
        }
    }

    @Test func expiredLeasesAreClaimedAgainAndTheLateWorkerIsIgnored() async throws {
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 0, clock: clock)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/a", batchSize: 10, extra: #","timeout_ms":1000"#)
            _ = try await client.upload(clicks(10), campaign: campaign, partner: partner)
            let first = try #require(try Self.claim(harness, at: Self.noon, worker: "a/0"))
            #expect(try Self.claim(harness, at: Self.noon.addingTimeInterval(29), worker: "b/0") == nil)
            #expect(try harness.scalar("SELECT pacer.expire_click_leases($1)::text", [Self.noon.addingTimeInterval(29)]) == "0")
            #expect(try harness.scalar("SELECT pacer.expire_click_leases($1)::text", [Self.noon.addingTimeInterval(31)]) == "1")
            let again = try #require(try Self.claim(harness, at: Self.noon.addingTimeInterval(31), worker: "b/0"))
            #expect(again.id == first.id)
            #expect(try Self.finish(harness, first, at: Self.noon.addingTimeInterval(32), worker: "a/0") == nil)
            #expect(try Self.finish(harness, again, at: Self.noon.addingTimeInterval(32), worker: "b/0") == "delivered")
            let events = try await ClickDeliveryTests.events(client, first.id.uuidString)
            #expect(events.map { $0["worker"] as? String ?? "" } == ["ingest", "a/0", "lease-reaper", "b/0", "b/0"])
            #expect(events.map { $0["to_state"] as? String ?? "" } == ["pending", "leased", "retrying", "leased", "delivered"])
        }
    }

    @Test func concurrentClaimsNeverShareABatch() async throws {
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 0, clock: clock)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            for _ in 0..<3 {
                let partner = try await client.createPartner(url: "http://127.0.0.1:9/a", rate: 1_000_000, batchSize: 2)
                _ = try await client.upload(clicks(100), campaign: campaign, partner: partner)
            }
            let url = harness.database.url
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        let connection = try await PostgresConnection.connect(url)
                        var mine: [UUID] = []
                        var misses = 0
                        while misses < 3 {
                            let row = try await connection.query(
                                "SELECT batch_id FROM pacer.claim_click_batch($1, $2, 30)", ["w/\(worker)", Self.noon]
                            ).rows.first
                            if let row { mine.append(try row[0]); misses = 0 } else { misses += 1 }
                        }
                        await connection.close()
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 150)
            #expect(Set(claimed).count == 150)
        }
    }

    @Test func pausedPartnersCampaignsAndDatasetsAreSkippedAndCancelStopsADataset() async throws {
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 0, clock: clock)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/a", batchSize: 5)
            let dataset = try await client.upload(clicks(20), campaign: campaign, partner: partner).object["id"] as? String ?? ""
            let connection = try harness.connection()

            #expect(try await client.send(.post, "/v1/datasets/\(dataset)/pause").status == .ok)
            #expect(try await client.send(.post, "/v1/datasets/\(dataset)/pause").status == .conflict)
            #expect(try Self.claim(harness, at: clock.now()) == nil)
            #expect(try await client.send(.post, "/v1/datasets/\(dataset)/resume").status == .ok)

            #expect(try await client.send(.post, "/v1/partners/\(partner)/pause").status == .ok)
            #expect(try Self.claim(harness, at: clock.now()) == nil)
            #expect(try await client.send(.post, "/v1/partners/\(partner)/resume").status == .ok)

            try connection.query("UPDATE pacer.campaigns SET status = 'paused' WHERE id = $1", [UUID(uuidString: campaign)])
            #expect(try Self.claim(harness, at: clock.now()) == nil)
            try connection.query("UPDATE pacer.campaigns SET status = 'active' WHERE id = $1", [UUID(uuidString: campaign)])

            let batch = try #require(try Self.claim(harness, at: clock.now()))
            let cancelled = try await client.send(.post, "/v1/datasets/\(dataset)/cancel")
            #expect(cancelled.status == .ok)
            #expect(object(cancelled.body)["status"] as? String == "cancelled")
            #expect((object(cancelled.body)["batches"] as? [String: Int])?["cancelled"] == 3)
            #expect(try Self.claim(harness, at: clock.now()) == nil)
            #expect(try Self.finish(harness, batch, at: clock.now()) == "delivered")
            #expect(try await client.send(.post, "/v1/datasets/\(dataset)/cancel").status == .conflict)
        }
    }

    @Test func finishedBatchPartitionsAreDroppedAfterRetentionAndTheAuditStays() async throws {
        let clock = ManualClock(Self.noon)
        let harness = try ClickHarness(workers: 0, clock: clock)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/a", batchSize: 5)
            _ = try harness.scalar("SELECT pacer.ensure_all_partitions('2026-06-15', 1)::text")
            _ = try await client.upload(clicks(10), campaign: campaign, partner: partner)
            let pool = PostgresPool(conninfo: harness.database.url, maxConnections: 1)
            defer { Task { await pool.close() } }
            let retention = ClickRetention(pool: pool, clock: clock, days: 14, logger: .init(label: "test"))
            let later = Self.noon.addingTimeInterval(15 * 86_400)
            clock.set(later)
            // Undelivered batches keep their partition.
            #expect(await retention.dropExpired() == 0)
            while let batch = try Self.claim(harness, at: later) { _ = try Self.finish(harness, batch, at: later) }
            #expect(await retention.dropExpired() == 1)
            #expect(try harness.scalar("SELECT count(*)::text FROM pacer.click_batches") == "0")
            #expect(try harness.scalar("SELECT to_regclass('pacer.click_batches_p20260615')::text") == nil)
            #expect(try harness.scalar("SELECT count(*)::text FROM pacer.batch_audit") == "6")
        }
    }
}
