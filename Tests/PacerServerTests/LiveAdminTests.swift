import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PostgresClient
import TestSupport
import Testing

/// Over real sockets with two server processes: the kill switches reach the other instance by
/// NOTIFY, and `/metrics` exports the figures operators watch.
@Suite struct LiveAdminTests {
    /// Polls instance `index` until a decision's reason satisfies `done`, or 10 s pass.
    static func waitForReason(_ cluster: Cluster, _ index: Int, _ campaign: String, _ done: (String) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        var round = 0
        while ContinuousClock.now < deadline {
            round += 1
            let (_, reason) = try await cluster.decide(index, campaign: campaign, bidCents: "0.01", requestID: "w\(round)")
            if done(reason) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func status(_ base: URL, _ path: String, token: String) async throws -> Int {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test func killSwitchesAndRevocationsReachEveryInstanceAndMetricsAreExported() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let connection = try BlockingConnection(database.url)
        let campaign = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('live', 100000000, 'ASAP') RETURNING id::text"
        ).scalar(String.self)
        let cluster = try await Cluster(database: database, count: 2, environment: ["PACER_FLUSH_INTERVAL_MS": "100"])
        #expect(try await Self.waitForReason(cluster, 1, campaign) { $0 == "ok" })

        let switched = ContinuousClock.now
        #expect(try await cluster.put(0, "v1/kill-switch", #"{"override":"open"}"#) == 200)
        #expect(try await Self.waitForReason(cluster, 1, campaign) { $0 == "breaker_open" }, "the global kill switch never reached instance 1")
        print("global kill switch reached the other instance in \(ContinuousClock.now - switched)")
        #expect(try await cluster.put(0, "v1/kill-switch", #"{"override":"none"}"#) == 200)
        #expect(try await Self.waitForReason(cluster, 1, campaign) { $0 == "ok" })

        #expect(try await cluster.put(0, "v1/campaigns/\(campaign)/kill-switch", #"{"override":"open"}"#) == 200)
        #expect(try await Self.waitForReason(cluster, 1, campaign) { $0 == "breaker_open" }, "the campaign kill switch never reached instance 1")
        #expect(try await cluster.decide(0, campaign: campaign, bidCents: "0.01", requestID: "k0").1 == "breaker_open")
        let (paused, _) = try await cluster.post(0, "v1/campaigns/\(campaign)/pause", "{}")
        #expect(paused == 200)
        #expect(try await Self.waitForReason(cluster, 1, campaign) { $0 == "paused" })

        // A token revoked through instance 0 is refused by instance 1 (NOTIFY pacer_tokens; the
        // time it took is printed, the deadline is generous for slow machines).
        let (created, body) = try await cluster.post(0, "v1/tokens", #"{"name":"live","role":"read_only"}"#)
        #expect(created == 201)
        let token = body["token"] as? String ?? ""
        #expect(try await Self.status(cluster.urls[1], "v1/campaigns", token: token) == 200)
        let revoked = ContinuousClock.now
        var request = URLRequest(url: cluster.urls[0].appendingPathComponent("v1/tokens/\(body["id"] as? String ?? "")"))
        request.httpMethod = "DELETE"
        request.setValue("Bearer \(Cluster.token)", forHTTPHeaderField: "Authorization")
        _ = try await URLSession.shared.data(for: request)
        var refused = false
        while ContinuousClock.now - revoked < .seconds(10) {
            if try await Self.status(cluster.urls[1], "v1/campaigns", token: token) == 401 { refused = true; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(refused, "instance 1 still accepted a revoked token after 10 s")
        print("token revocation reached the other instance in \(ContinuousClock.now - revoked)")

        let (spent, _) = try await cluster.post(0, "v1/spend", #"{"event_id":"m1","campaign_id":"\#(campaign)","spend_cents":1}"#)
        #expect(spent == 200)
        var text = ""
        let names = [
            "pacer_decision_latency_seconds_bucket", "pacer_decisions_total{outcome=\"breaker_open\"}", "pacer_spend_events_total{result=\"recorded\"}",
            "pacer_decision_flush_seconds", "pacer_spend_commit_seconds", "pacer_leases_held", "pacer_breakers{state=\"open\"}",
            "pacer_database_up 1", "pacer_click_queue_batches{state=\"pending\"}", "pacer_click_queue_clicks_waiting",
        ]
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let (status, body) = try await cluster.text(0, "metrics")
            #expect(status == 200)
            text = body
            if names.allSatisfy(text.contains) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for name in names { #expect(text.contains(name), "\(name) missing from /metrics") }
        #expect(!text.contains(Cluster.token))
        await cluster.stopAll()
    }
}
