import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PostgresClient
import TestSupport
import Testing

/// Click delivery by real server processes sharing one database and one partner.
extension ServerProcessSuites {
@Suite(.serialized) struct ClickClusterTests {
    /// Creates a campaign and a partner directly in the database; returns their ids.
    static func setUp(_ database: TestDatabase, url: String, batchSize: Int, timeoutMilliseconds: Int = 5000) throws -> (String, String) {
        let connection = try BlockingConnection(database.url)
        let campaign = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('clicks', 1000000000, 'EVEN') RETURNING id::text"
        ).scalar(String.self)
        let partner = try connection.query(
            """
            INSERT INTO pacer.partners (name, endpoint_url, format, rate_limit_per_second, batch_size, timeout_ms)
            VALUES ('sink', $1, 'ndjson', 100000, $2, $3) RETURNING id::text
            """, [url, batchSize, timeoutMilliseconds]
        ).scalar(String.self)
        try connection.query("INSERT INTO pacer.partner_rate_buckets (partner_id, tokens) VALUES ($1::uuid, 100000)", [partner])
        return (campaign, partner)
    }

    /// Uploads NDJSON to a server; returns the dataset id.
    static func upload(_ server: URL, body: String, campaign: String, partner: String) async throws -> String {
        var components = URLComponents(url: server.appendingPathComponent("v1/datasets"), resolvingAgainstBaseURL: false)
        components?.queryItems = [
            .init(name: "campaign_id", value: campaign), .init(name: "partner_id", value: partner),
            .init(name: "format", value: "ndjson"), .init(name: "on_error", value: "reject"),
        ]
        var request = URLRequest(url: try #require(components?.url))
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("Bearer \(Cluster.token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201, "\(String(decoding: data, as: UTF8.self))")
        return object(String(decoding: data, as: UTF8.self))["id"] as? String ?? ""
    }

    /// The sum of the samples of `metric` whose labels include every one of `labels`.
    static func sum(_ text: String, metric: String, labels: [String]) -> Double {
        text.split(separator: "\n").filter { line in
            line.hasPrefix(metric + "{") && labels.allSatisfy { line.contains($0) }
        }.compactMap { line in line.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    static func remaining(_ database: TestDatabase, _ dataset: String) throws -> Int {
        let connection = try BlockingConnection(database.url)
        return try connection.query(
            "SELECT count(*)::int FROM pacer.click_batches WHERE dataset_id = $1::uuid AND state IN ('pending', 'leased', 'retrying')",
            [dataset]
        ).scalar(Int.self)
    }

    @Test func twoInstancesDeliverEveryBatchOnceAndNeverTogether() async throws {
        let sink = try await PartnerSink.start(fallback: .slow(milliseconds: 20))
        defer { sink.stop() }
        let database = try migratedDatabase()
        defer { database.drop() }
        let (campaign, partner) = try Self.setUp(database, url: sink.url, batchSize: 5)
        let cluster = try await Cluster(
            database: database, count: 2,
            environment: ["PACER_CLICK_WORKERS": "4", "PACER_CLICK_PARTNER_CONCURRENCY": "4", "PACER_CLICK_POLL_MS": "100"])
        let dataset = try await Self.upload(cluster.urls[0], body: clicks(400), campaign: campaign, partner: partner)
        #expect(try await PartnerSink.eventually(60) { try Self.remaining(database, dataset) == 0 })
        // Per-partner delivery figures in /metrics: the two instances' counters add up to the dataset.
        var delivered = 0.0
        var attempts = 0.0
        for index in 0..<2 {
            let (status, text) = try await cluster.text(index, "metrics")
            #expect(status == 200)
            delivered += Self.sum(text, metric: "pacer_click_delivered_total", labels: [#"partner_id="\#(partner)""#])
            attempts += Self.sum(text, metric: "pacer_click_batches_total", labels: [#"partner_id="\#(partner)""#, #"outcome="delivered""#])
        }
        #expect(delivered == 400)
        #expect(attempts == 80)
        await cluster.stopAll()

        let requests = sink.requests
        #expect(requests.allSatisfy { $0.status == 200 })
        #expect(requests.count == 80)
        #expect(Set(requests.map(\.key)).count == 80)
        #expect(requests.allSatisfy { $0.overlapping == 0 })
        #expect(Set(requests.flatMap(PartnerSink.clickIDs)).count == 400)
        let connection = try BlockingConnection(database.url)
        let instances = try connection.query(
            "SELECT count(DISTINCT split_part(worker, '/', 1))::int FROM pacer.batch_audit WHERE to_state = 'delivered'"
        ).scalar(Int.self)
        print("two instances delivered 80 batches; instances that delivered: \(instances)")
    }

    @Test func aBatchOfAKilledWorkerIsDeliveredAfterItsLeaseExpires() async throws {
        let sink = try await PartnerSink.start(script: [.slow(milliseconds: 60_000)])
        defer { sink.stop() }
        let database = try migratedDatabase()
        defer { database.drop() }
        let (campaign, partner) = try Self.setUp(database, url: sink.url, batchSize: 10, timeoutMilliseconds: 3000)
        let environment = [
            "DATABASE_URL": database.url, "PACER_PORT": "0", "PACER_ADMIN_TOKEN": Cluster.token, "PACER_LOG_LEVEL": "warning",
            "PACER_CLICK_WORKERS": "1", "PACER_CLICK_LEASE_SECONDS": "2", "PACER_CLICK_POLL_MS": "100",
        ]
        let doomed = try ServerProcess(environment: environment.merging(["PACER_INSTANCE_ID": "doomed"]) { $1 })
        let url = try await doomed.waitUntilListening()
        let dataset = try await Self.upload(url, body: clicks(10), campaign: campaign, partner: partner)
        #expect(await PartnerSink.eventually { sink.arrivals == 1 })
        doomed.signal(SIGKILL)
        _ = await doomed.waitForExit()

        let survivor = try ServerProcess(environment: environment.merging(["PACER_INSTANCE_ID": "survivor"]) { $1 })
        _ = try await survivor.waitUntilListening()
        #expect(try await PartnerSink.eventually(60) { try Self.remaining(database, dataset) == 0 })
        survivor.signal(SIGTERM)
        #expect(await survivor.waitForExit() == 0)

        let delivered = sink.delivered
        #expect(delivered.count == 1)
        #expect(Set(delivered.flatMap(PartnerSink.clickIDs)).count == 10)
        let connection = try BlockingConnection(database.url)
        let trail = try connection.query(
            "SELECT string_agg(worker || ':' || to_state, ',' ORDER BY id) FROM pacer.batch_audit WHERE dataset_id = $1::uuid", [dataset]
        ).scalar(String.self)
        #expect(trail == "ingest:pending,doomed/0:leased,lease-reaper:retrying,survivor/0:leased,survivor/0:delivered")
        // The killed attempt and the delivery carried the same key: the partner can drop the duplicate.
        #expect(delivered.first?.key == (try connection.query("SELECT id::text FROM pacer.click_batches").scalar(String.self)))
    }
}
}
