import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PacerServer
import PostgresClient
import TestSupport
import Testing

@Suite struct SpendAPITests {
    @Test func spendIsDurableOnceEvenWhenSentTwiceConcurrently() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"S","daily_budget_cents":10000,"pacing":"EVEN"}"#)
            let first = try await client.send(.post, "/v1/spend", json: #"{"event_id":"ev-1","campaign_id":"\#(id)","spend_cents":12.3456,"impressions":2,"clicks":1}"#)
            #expect(first.status == .ok)
            #expect(object(first.body)["recorded"] as? Bool == true)
            // Visible in PostgreSQL as soon as the 200 arrived.
            let connection = try harness.connection()
            #expect(try connection.query("SELECT spent_micros FROM pacer.spend_daily WHERE campaign_id = $1", [UUID(uuidString: id)]).scalar(Int64.self) == 123_456)

            let again = try await client.send(.post, "/v1/spend", json: #"{"event_id":"ev-1","campaign_id":"\#(id)","spend_cents":12.3456}"#)
            #expect(object(again.body)["duplicate"] as? Bool == true)
            #expect(object(again.body)["recorded"] as? Bool == false)

            // The same new event from 8 bidders at once: counted exactly once.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.send(.post, "/v1/spend", json: #"{"event_id":"ev-2","campaign_id":"\#(id)","spend_cents":1}"#)
                        return object(response.body)["recorded"] as? Bool ?? false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let row = try connection.query("SELECT spent_micros, events, impressions, clicks FROM pacer.spend_daily WHERE campaign_id = $1", [UUID(uuidString: id)]).single()
            #expect(try row.decode(Int64.self, at: 0) == 133_456)
            #expect(try row.decode(Int64.self, at: 1) == 2)
            #expect(try row.decode(Int64.self, at: 2) == 3)
            #expect(try row.decode(Int64.self, at: 3) == 1)

            let status = object(try await client.send(.get, "/v1/budget/status/\(id)").body)
            #expect(status["spent_today_cents"] as? Double == 13.3456)
            #expect(status["daily_budget_cents"] as? Double == 10000)
        }
    }

    @Test func batchSpendReportsEachEvent() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"S","daily_budget_cents":10000,"pacing":"EVEN"}"#)
            let response = try await client.send(.post, "/v1/spend", json: """
                {"events":[{"event_id":"a","campaign_id":"\(id)","spend_cents":1},{"event_id":"b","campaign_id":"\(id)","spend_cents":2},
                           {"event_id":"a","campaign_id":"\(id)","spend_cents":1},{"event_id":"c","campaign_id":"\(UUID())","spend_cents":1}]}
                """)
            #expect(response.status == .ok)
            let results = try #require(object(response.body)["results"] as? [[String: Any]])
            #expect(results.map { $0["recorded"] as? Bool } == [true, true, false, false])
            #expect(results.map { $0["duplicate"] as? Bool } == [false, false, true, false])
            #expect(results[3]["error"] as? String == "unknown_campaign")
            let single = try await client.send(.post, "/v1/spend", json: #"{"event_id":"z","campaign_id":"\#(UUID())","spend_cents":1}"#)
            #expect(single.status == .notFound)
        }
    }

    @Test func countersRollOverAtTheCampaignsLocalMidnight() async throws {
        // 2026-06-15 23:59:00 in New York is 03:59 UTC on the 16th.
        let harness = try APIHarness(start: Date(timeIntervalSince1970: 1_781_582_340))
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"NY","daily_budget_cents":500,"pacing":"ASAP","timezone":"America/New_York"}"#)
            #expect(try await client.send(.post, "/v1/spend", json: #"{"event_id":"before","campaign_id":"\#(id)","spend_cents":100}"#).status == .ok)
            let before = object(try await client.send(.get, "/v1/budget/status/\(id)").body)
            #expect(before["day"] as? String == "2026-06-15")
            #expect(before["spent_today_cents"] as? Double == 100)

            harness.clock.advance(by: 120)  // 00:01 local on the 16th
            let after = object(try await client.send(.get, "/v1/budget/status/\(id)").body)
            #expect(after["day"] as? String == "2026-06-16")
            #expect(after["spent_today_cents"] as? Double == 0)
            #expect(try await client.send(.post, "/v1/spend", json: #"{"event_id":"after","campaign_id":"\#(id)","spend_cents":30}"#).status == .ok)

            let days = try harness.connection().query(
                "SELECT day::text, spent_micros FROM pacer.spend_daily WHERE campaign_id = $1 ORDER BY day", [UUID(uuidString: id)])
            #expect(try days.rows.map { try $0.decode(String.self, at: 0) } == ["2026-06-15", "2026-06-16"])
            #expect(try days.rows.map { try $0.decode(Int64.self, at: 1) } == [1_000_000, 300_000])
            let hours = try harness.connection().query(
                "SELECT hour FROM pacer.spend_hourly WHERE campaign_id = $1 ORDER BY day, hour", [UUID(uuidString: id)])
            #expect(try hours.rows.map { try $0.decode(Int32.self, at: 0) } == [23, 0])
            let status = object(try await client.send(.get, "/v1/budget/status/\(id)").body)
            #expect(status["spent_today_cents"] as? Double == 30)
            #expect(status["total_spent_cents"] as? Double == 130)
        }
    }
}
