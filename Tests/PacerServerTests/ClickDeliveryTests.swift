import Foundation
import HummingbirdTesting
@testable import PacerServer
import Testing

/// Click delivery by the workers of an in-process server to real local HTTP partners.
@Suite struct ClickDeliveryTests {
    /// Waits until the dataset has no batch left to deliver; returns its JSON.
    static func finished(_ client: any TestClientProtocol, _ dataset: String, seconds: Double = 30) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        _ = try await PartnerSink.eventually(seconds) {
            last = try await client.getObject("/v1/datasets/\(dataset)")
            let batches = last["batches"] as? [String: Int] ?? [:]
            return (batches["pending"] ?? 1) + (batches["leased"] ?? 1) + (batches["retrying"] ?? 1) == 0
        }
        return last
    }

    static func events(_ client: any TestClientProtocol, _ batch: String) async throws -> [[String: Any]] {
        try await client.getObject("/v1/batches/\(batch)/events")["events"] as? [[String: Any]] ?? []
    }

    @Test func everyClickArrivesInThePartnersFormatKeyedByItsBatch() async throws {
        let sink = try await PartnerSink.start()
        defer { sink.stop() }
        let harness = try ClickHarness(workers: 3)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            var expected: Set<String> = []
            var datasets: [String] = []
            for format in ["json", "ndjson", "csv"] {
                let partner = try await client.createPartner(
                    url: sink.url, format: format, batchSize: 5, extra: #","headers":{"X-Api-Key":"k-\#(format)"}"#)
                let (status, answer) = try await client.upload(clicks(23, prefix: format), campaign: campaign, partner: partner)
                #expect(status == .created)
                datasets.append(text(answer["id"]))
                expected.formUnion((1...23).map { "\(format)-\($0)" })
            }
            for dataset in datasets {
                let done = try await Self.finished(client, dataset)
                #expect(done["status"] as? String == "completed")
                #expect(done["rows_delivered"] as? Int == 23)
            }
            let delivered = sink.delivered
            #expect(Set(delivered.flatMap(PartnerSink.clickIDs)) == expected)
            #expect(delivered.flatMap(PartnerSink.clickIDs).count == expected.count)
            let batchIDs = try harness.scalar("SELECT string_agg(id::text, ',') FROM pacer.click_batches") ?? ""
            #expect(Set(delivered.map(\.key)) == Set(batchIDs.split(separator: ",").map(String.init)))
            #expect(Set(delivered.map(\.contentType)) == ["application/json", "application/x-ndjson", "text/csv; charset=utf-8"])
            #expect(delivered.allSatisfy { $0.headers["x-api-key"]?.hasPrefix("k-") == true })
        }
    }

    @Test func retriesCarryTheSameKeyAndHonourRetryAfter() async throws {
        let sink = try await PartnerSink.start(script: [.status(500), .tooMany(retryAfter: 1)])
        defer { sink.stop() }
        let harness = try ClickHarness(workers: 2)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: sink.url, batchSize: 10)
            let dataset = try await client.upload(clicks(10), campaign: campaign, partner: partner).object["id"] as? String ?? ""
            #expect(try await Self.finished(client, dataset)["status"] as? String == "completed")
            let requests = sink.requests
            try #require(requests.map(\.status) == [500, 429, 200])
            #expect(Set(requests.map(\.key)).count == 1)
            #expect(requests[2].start.timeIntervalSince(requests[1].end) >= 0.9)
            let events = try await Self.events(client, requests[0].key)
            try #require(events.map { $0["to_state"] as? String ?? "" } == ["pending", "leased", "retrying", "leased", "retrying", "leased", "delivered"])
            #expect(events.compactMap { $0["http_status"] as? Int } == [500, 429, 200])
            #expect((events[4]["detail"] as? [String: Any])?["retry_after_seconds"] as? Double == 1)
            #expect(events.map { $0["attempt"] as? Int ?? -1 } == [0, 1, 1, 2, 2, 3, 3])
        }
    }

    @Test func clientErrorsGoToDeadLetterAndCanBeRetried() async throws {
        let sink = try await PartnerSink.start(fallback: .status(400))
        defer { sink.stop() }
        let harness = try ClickHarness(workers: 2)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: sink.url, batchSize: 10)
            let dataset = try await client.upload(clicks(10), campaign: campaign, partner: partner).object["id"] as? String ?? ""
            let done = try await Self.finished(client, dataset)
            #expect((done["batches"] as? [String: Int])?["dead"] == 1)
            #expect(sink.requests.count == 1)
            let dead = try await client.getObject("/v1/batches?state=dead")["batches"] as? [[String: Any]] ?? []
            let batch = dead.first?["id"] as? String ?? ""
            #expect(dead.first?["last_http_status"] as? Int == 400)
            let last = try await Self.events(client, batch).last ?? [:]
            #expect(last["to_state"] as? String == "dead")
            #expect(last["http_status"] as? Int == 400)
            #expect(text(last["worker"]).hasPrefix(harness.configuration.instanceID))

            sink.answer(fallback: .ok)
            #expect(try await client.send(.post, "/v1/batches/\(batch)/retry").status == .ok)
            #expect(try await client.send(.post, "/v1/batches/\(UUID().uuidString)/retry").status == .notFound)
            #expect(try await Self.finished(client, dataset)["status"] as? String == "completed")
            #expect(sink.delivered.map(\.key) == [batch])
        }
    }

    @Test func serverErrorsPastMaxAttemptsAndTimeoutsAreRetriedThenDead() async throws {
        let failing = try await PartnerSink.start(fallback: .status(503))
        let slow = try await PartnerSink.start(script: [.slow(milliseconds: 1500)])
        defer { failing.stop(); slow.stop() }
        let harness = try ClickHarness(workers: 2)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let down = try await client.createPartner(url: failing.url, batchSize: 10, extra: #","max_attempts":3"#)
            let lagging = try await client.createPartner(url: slow.url, batchSize: 10, extra: #","timeout_ms":300"#)
            let first = try await client.upload(clicks(10), campaign: campaign, partner: down).object["id"] as? String ?? ""
            let second = try await client.upload(clicks(10), campaign: campaign, partner: lagging).object["id"] as? String ?? ""
            #expect((try await Self.finished(client, first)["batches"] as? [String: Int])?["dead"] == 1)
            try #require(failing.requests.count == 3)
            let events = try await Self.events(client, failing.requests[0].key)
            let said = text(events.last?["error"])
            #expect(said.contains("out of attempts"))
            #expect(try await Self.finished(client, second)["status"] as? String == "completed")
            let retried = try await Self.events(client, slow.requests.first?.key ?? "").filter { $0["to_state"] as? String == "retrying" }
            let reason = text(retried.first?["error"])
            #expect(reason.contains("timeout"))
        }
    }

    @Test func aSlowPartnerDoesNotHoldUpAnother() async throws {
        // Partner A never answers while the test runs; B must get everything regardless.
        let slow = try await PartnerSink.start(fallback: .slow(milliseconds: 300_000))
        let fast = try await PartnerSink.start()
        defer { slow.stop(); fast.stop() }
        var harness = try ClickHarness(workers: 2)
        harness.configuration.clicks.partnerConcurrency = 1
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let a = try await client.createPartner(url: slow.url, batchSize: 2, extra: #","timeout_ms":600000"#)
            let b = try await client.createPartner(url: fast.url, batchSize: 2)
            _ = try await client.upload(clicks(20), campaign: campaign, partner: a)
            #expect(await PartnerSink.eventually { slow.arrivals == 1 })
            let dataset = try await client.upload(clicks(20), campaign: campaign, partner: b).object["id"] as? String ?? ""
            #expect(try await Self.finished(client, dataset, seconds: 120)["status"] as? String == "completed")
            #expect(fast.delivered.count == 10)
            #expect(slow.requests.isEmpty)
            #expect(slow.arrivals == 1)
        }
    }

    @Test func deliveryStaysWithinThePartnersRateLimit() async throws {
        let sink = try await PartnerSink.start()
        defer { sink.stop() }
        let harness = try ClickHarness(workers: 4)
        let rate = 40.0
        let batchSize = 5
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: sink.url, rate: rate, batchSize: batchSize)
            let dataset = try await client.upload(clicks(160), campaign: campaign, partner: partner).object["id"] as? String ?? ""
            #expect(try await Self.finished(client, dataset, seconds: 60)["status"] as? String == "completed")
            let requests = sink.delivered.sorted { $0.start < $1.start }
            guard let first = requests.first else { return }
            var sent = 0
            for request in requests {
                sent += PartnerSink.clickIDs(request).count
                // Tokens: a full bucket (one second's worth) plus the rate since; one batch of
                // overdraft and 0.5 s of HTTP latency as slack.
                let allowed = rate + Double(batchSize) + rate * (request.start.timeIntervalSince(first.start) + 0.5)
                #expect(Double(sent) <= allowed, "\(sent) clicks after \(request.start.timeIntervalSince(first.start)) s")
            }
            #expect(sent == 160)
        }
    }
}
