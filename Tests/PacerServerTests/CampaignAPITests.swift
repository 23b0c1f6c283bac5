import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PacerServer
import TestSupport
import Testing

@Suite struct CampaignAPITests {
    @Test func createdCampaignIsDecidedAtOnce() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let created = try await client.send(.post, "/v1/campaigns", json: """
                {"name":"Shoes","daily_budget_cents":1000.0001,"pacing":"ASAP","timezone":"Europe/Berlin","currency":"EUR",
                 "breaker":{"trip_ratio":0.9,"cooldown_seconds":10,"probe_bids":1,"recovery_throttle":0.5}}
                """)
            #expect(created.status == .created)
            let body = object(created.body)
            #expect(body["daily_budget_cents"] as? Double == 1000.0001)
            #expect(created.body.contains("\"daily_budget_cents\":1000.0001"))
            #expect(body["pacing"] as? String == "ASAP")
            #expect(body["timezone"] as? String == "Europe/Berlin")
            #expect(body["status"] as? String == "active")
            let createdAt = try #require(body["created_at"] as? String)
            #expect(createdAt.hasPrefix("20") && createdAt.contains("T") && createdAt.hasSuffix("Z"), "\(createdAt)")
            #expect((body["breaker"] as? [String: Any])?["trip_ratio"] as? Double == 0.9)
            let id = try #require(body["id"] as? String)

            let decision = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":2.5,"request_id":"r1"}"#)
            #expect(decision.status == .ok)
            #expect(object(decision.body)["allow"] as? Bool == true)
            #expect(object(decision.body)["reason"] as? String == "ok")

            let stored = try harness.connection().query(
                "SELECT daily_budget_micros, currency FROM pacer.campaigns WHERE id = $1", [UUID(uuidString: id)]).single()
            #expect(try stored.decode(Int64.self, at: 0) == 10_000_001)

            let read = try await client.send(.get, "/v1/campaigns/\(id)")
            #expect(read.status == .ok)
            let list = try await client.send(.get, "/v1/campaigns")
            #expect((object(list.body)["campaigns"] as? [Any])?.count == 1)
        }
    }

    @Test func invalidCampaignsNameEveryBadField() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let response = try await client.send(.post, "/v1/campaigns", json: """
                {"name":"","daily_budget_cents":-5,"total_budget_cents":1.23456,"pacing":"FAST","timezone":"Mars/Olympus",
                 "currency":"usd","start_date":"2026-06-10","end_date":"2026-06-01","status":"running",
                 "breaker":{"trip_ratio":1.5,"probe_bids":-1},"colour":"red"}
                """)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            let fields = Set(((object(response.body)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            for field in ["name", "daily_budget_cents", "total_budget_cents", "pacing", "timezone", "currency", "end_date",
                          "status", "breaker.trip_ratio", "breaker.probe_bids", "colour"] {
                #expect(fields.contains(field), "missing \(field) in \(response.body)")
            }
            let missing = try await client.send(.post, "/v1/campaigns", json: "{}")
            let missingFields = Set(((object(missing.body)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(missingFields == ["name", "daily_budget_cents", "pacing"])
        }
    }

    @Test func badRequestsGetTheirStatusAndAProblemDocument() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let noToken = try await client.send(.get, "/v1/campaigns", token: nil)
            #expect(noToken.status == .unauthorized)
            #expect(noToken.headers[.contentType] == "application/problem+json")
            #expect(try await client.send(.get, "/v1/campaigns", token: "wrong").status == .unauthorized)
            #expect(try await client.send(.post, "/v1/decide", json: "{}", token: nil).status == .unauthorized)

            let malformed = try await client.send(.post, "/v1/campaigns", json: "{\"name\": ")
            #expect(malformed.status == .badRequest)
            #expect(object(malformed.body)["detail"] as? String != nil)

            let wrongType = try await client.send(.post, "/v1/decide", json: "campaign_id=1", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(wrongType.headers[.contentType] == "application/problem+json")
            #expect(object(wrongType.body)["status"] as? Int == 415)

            // NUL cannot be stored in PostgreSQL text: refused up front, not by a failed batch.
            let nul = try await client.send(.post, "/v1/spend", json: #"{"event_id":"a\u0000b","campaign_id":"\#(UUID())","spend_cents":1}"#)
            #expect(nul.status == .badRequest)
            let cooldown = try await client.send(.post, "/v1/campaigns", json: #"{"name":"c","daily_budget_cents":1,"pacing":"EVEN","breaker":{"cooldown_seconds":0.5}}"#)
            #expect(cooldown.status == .badRequest)
            #expect(cooldown.body.contains("breaker.cooldown_seconds"))

            let huge = "{\"name\":\"" + String(repeating: "x", count: 1_100_000) + "\"}"
            let tooLarge = try await client.send(.post, "/v1/campaigns", json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.headers[.contentType] == "application/problem+json")

            #expect(try await client.send(.get, "/v1/campaigns/not-a-uuid").status == .notFound)
            #expect(try await client.send(.get, "/v1/campaigns/\(UUID())").status == .notFound)
            #expect(try await client.send(.get, "/v1/budget/status/\(UUID())").status == .notFound)

            let badDecide = try await client.send(.post, "/v1/decide", json: #"{"requests":[{"campaign_id":"x","bid_cents":"1"},{"bid_cents":0.00001}]}"#)
            #expect(badDecide.status == .badRequest)
            let fields = Set(((object(badDecide.body)["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["requests[0].campaign_id", "requests[0].bid_cents"]))

            let badSpend = try await client.send(.post, "/v1/spend", json: #"{"events":[{"event_id":"","campaign_id":"x","spend_cents":-1}]}"#)
            #expect(badSpend.status == .badRequest)
            #expect(badSpend.body.contains("events[0].spend_cents"))
            #expect(badSpend.body.contains("events[0].event_id"))
            // Garbage of every kind never takes the server down.
            for garbage in ["", "[]", "null", "{\"requests\":5}", "{\"requests\":[1]}", "\u{0}", "{\"campaign_id\":\"\\ud800\"}"] {
                let response = try await client.send(.post, "/v1/decide", json: garbage)
                #expect(response.status == .badRequest, "\(garbage.debugDescription) -> \(response.status)")
            }
            #expect(try await client.send(.get, "/healthz", token: nil).status == .ok)
        }
    }

    @Test func editsApplyAtOnceAndConflictingEditsAreRefused() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"A","daily_budget_cents":100,"pacing":"ASAP"}"#)
            let paused = try await client.send(.put, "/v1/campaigns/\(id)", json: #"{"name":"A","daily_budget_cents":100,"pacing":"ASAP","status":"paused","version":1}"#)
            #expect(paused.status == .ok)
            #expect(object(paused.body)["version"] as? Int == 2)
            let decision = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":1}"#)
            #expect(object(decision.body)["reason"] as? String == "paused")
            let stale = try await client.send(.put, "/v1/campaigns/\(id)", json: #"{"name":"B","daily_budget_cents":100,"pacing":"ASAP","version":1}"#)
            #expect(stale.status == .conflict)

            let archived = try await client.send(.delete, "/v1/campaigns/\(id)")
            #expect(object(archived.body)["status"] as? String == "archived")
            let afterArchive = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":1}"#)
            #expect(object(afterArchive.body)["allow"] as? Bool == false)
            // Late win notices for an archived campaign are still recorded.
            let late = try await client.send(.post, "/v1/spend", json: #"{"event_id":"late-1","campaign_id":"\#(id)","spend_cents":0.5}"#)
            #expect(late.status == .ok)
            #expect(object(late.body)["recorded"] as? Bool == true)
            #expect(try await client.send(.delete, "/v1/campaigns/\(id)").status == .notFound)
        }
    }
}
