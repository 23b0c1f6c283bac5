import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PacerServer
import PostgresClient
import TestSupport
import Testing

@Suite struct DecisionAPITests {
    @Test func batchDecisionsComeBackInOrderAndUnknownCampaignsAreNotErrors() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"B","daily_budget_cents":3,"pacing":"ASAP"}"#)
            let unknown = UUID().uuidString
            let response = try await client.send(.post, "/v1/decide", json: """
                {"requests":[{"campaign_id":"\(id)","bid_cents":1},{"campaign_id":"\(unknown)","bid_cents":1},
                             {"campaign_id":"\(id)","bid_cents":1.5},{"campaign_id":"\(id)","bid_cents":1}]}
                """)
            #expect(response.status == .ok)
            let decisions = try #require(object(response.body)["decisions"] as? [[String: Any]])
            #expect(decisions.map { $0["reason"] as? String } == ["ok", "unknown_campaign", "ok", "budget_exhausted"])
            #expect(decisions.map { $0["allow"] as? Bool } == [true, false, true, false])
        }
    }

    @Test func breakerOpensAtTheTripRatioAndItsTransitionIsStored() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let listener = PostgresListener.notifications(conninfo: harness.database.url, channels: ["pacer_breaker"])
            var events = listener.makeAsyncIterator()
            guard case .listening = try await events.next() else { Issue.record("no listener"); return }
            let id = try await client.createCampaign(#"{"name":"T","daily_budget_cents":100,"pacing":"ASAP","breaker":{"trip_ratio":0.5}}"#)
            var allowed = 0
            for index in 0..<6 {
                let decision = object(try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":10,"request_id":"r\#(index)"}"#).body)
                if decision["allow"] as? Bool == true {
                    allowed += 1
                    let spend = try await client.send(.post, "/v1/spend", json: #"{"event_id":"e\#(index)","campaign_id":"\#(id)","spend_cents":10,"request_id":"r\#(index)"}"#)
                    #expect(spend.status == .ok)
                }
            }
            // 50 cents of 100 trips the breaker: five bids of 10 went through, the sixth is denied.
            #expect(allowed == 5)
            let denied = object(try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":10}"#).body)
            #expect(denied["reason"] as? String == "breaker_open")
            #expect(denied["breaker"] as? String == "open")

            guard case .notification(let note) = try await events.next() else { Issue.record("no notification"); return }
            #expect(note.payload.hasPrefix("\(id):open"))
            let stored = try harness.connection().query(
                "SELECT from_state, to_state, reason, spent_micros FROM pacer.breaker_events WHERE campaign_id = $1", [UUID(uuidString: id)]).single()
            #expect(try stored.decode(String.self, at: 0) == "closed")
            #expect(try stored.decode(String.self, at: 1) == "open")
            #expect(try stored.decode(String.self, at: 2) == "tripped")
            #expect(try harness.connection().query("SELECT state FROM pacer.breaker_state WHERE campaign_id = $1", [UUID(uuidString: id)]).scalar(String.self) == "open")
        }
    }

    @Test func decisionCountsAreWrittenBehindPerMinute() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"W","daily_budget_cents":2,"pacing":"ASAP","breaker":{"trip_ratio":1}}"#)
            for _ in 0..<3 {
                try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":1}"#)
            }
            let connection = try harness.connection()
            try await connection.waitForRow(
                "SELECT allowed, denied_budget FROM pacer.decision_stats WHERE campaign_id = $1 AND allowed + denied_budget = 3",
                [UUID(uuidString: id)])
            let row = try connection.query("SELECT allowed, denied_budget, allowed_bid_micros FROM pacer.decision_stats WHERE campaign_id = $1", [UUID(uuidString: id)]).single()
            #expect(try row.decode(Int64.self, at: 0) == 2)
            #expect(try row.decode(Int64.self, at: 1) == 1)
            #expect(try row.decode(Int64.self, at: 2) == 20_000)
        }
    }
}

extension BlockingConnection {
    /// Waits for the write-behind flusher: checks after each of its flush intervals (50 ms in
    /// these tests), failing after 10 s. The flush has no event to await from outside.
    func waitForRow(_ sql: String, _ parameters: [any PostgresEncodable]) async throws {
        for _ in 0..<200 {
            if try !query(sql, parameters).rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no row for \(sql)")
    }
}
