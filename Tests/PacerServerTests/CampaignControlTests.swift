import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PacerServer
import Testing

/// Pause, resume, the campaign and global kill switches, and optimistic concurrency (409).
@Suite struct CampaignControlTests {
    static func decide(_ client: any TestClientProtocol, _ id: String) async throws -> (allow: Bool, reason: String, breaker: String) {
        let response = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":0.01}"#)
        let body = object(response.body)
        return (body["allow"] as? Bool ?? false, body["reason"] as? String ?? "", body["breaker"] as? String ?? "")
    }

    @Test func pauseResumeAndKillSwitchApplyAtOnce() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"Switch","daily_budget_cents":1000,"pacing":"ASAP"}"#)
            #expect(try await Self.decide(client, id).allow)

            let paused = try await client.send(.post, "/v1/campaigns/\(id)/pause", headers: [.ifMatch: "\"1\""])
            #expect(paused.status == .ok)
            #expect(object(paused.body)["status"] as? String == "paused")
            #expect(paused.headers[.eTag] == "\"2\"")
            #expect(try await Self.decide(client, id).reason == "paused")
            let resumed = try await client.send(.post, "/v1/campaigns/\(id)/resume")
            #expect(object(resumed.body)["status"] as? String == "active")
            #expect(try await Self.decide(client, id).allow)

            let killed = try await client.send(.put, "/v1/campaigns/\(id)/kill-switch", json: #"{"override":"open"}"#)
            #expect(killed.status == .ok)
            #expect((object(killed.body)["breaker"] as? [String: Any])?["override"] as? String == "open")
            let denied = try await Self.decide(client, id)
            #expect(!denied.allow && denied.reason == "breaker_open" && denied.breaker == "open")
            let status = object(try await client.send(.get, "/v1/budget/status/\(id)").body)
            #expect(status["breaker_override"] as? String == "open")
            _ = try await client.send(.put, "/v1/campaigns/\(id)/kill-switch", json: #"{"override":"none"}"#)
            #expect(try await Self.decide(client, id).allow)

            // The global switch wins over every campaign's own, and lets go again.
            let other = try await client.createCampaign(#"{"name":"Other","daily_budget_cents":1000,"pacing":"ASAP"}"#)
            let global = try await client.send(.put, "/v1/kill-switch", json: #"{"override":"open"}"#)
            #expect(global.status == .ok)
            #expect(object(global.body)["override"] as? String == "open")
            #expect(try await Self.decide(client, id).reason == "breaker_open")
            #expect(try await Self.decide(client, other).reason == "breaker_open")
            #expect(object(try await client.send(.get, "/v1/kill-switch").body)["override"] as? String == "open")
            // A campaign created while the global switch is set follows it too.
            let third = try await client.createCampaign(#"{"name":"Third","daily_budget_cents":1000,"pacing":"ASAP"}"#)
            #expect(try await Self.decide(client, third).reason == "breaker_open")
            _ = try await client.send(.put, "/v1/kill-switch", json: #"{"override":"none"}"#)
            #expect(try await Self.decide(client, other).allow)
            #expect(try await Self.decide(client, third).allow)

            // Bad input and unknown campaigns.
            let bad = try await client.send(.put, "/v1/campaigns/\(id)/kill-switch", json: #"{"override":"sideways"}"#)
            #expect(bad.status == .badRequest && bad.body.contains("override"))
            #expect(try await client.send(.post, "/v1/campaigns/\(UUID())/pause").status == .notFound)
            #expect(try await client.send(.post, "/v1/campaigns/not-a-uuid/resume").status == .notFound)
            _ = try await client.send(.delete, "/v1/campaigns/\(other)")
            let archived = try await client.send(.post, "/v1/campaigns/\(other)/resume")
            #expect(archived.status == .unprocessableContent)
            #expect(archived.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func staleVersionsGet409() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"V","daily_budget_cents":100,"pacing":"EVEN"}"#)
            let edit = #"{"name":"V2","daily_budget_cents":100,"pacing":"EVEN"}"#
            #expect(try await client.send(.put, "/v1/campaigns/\(id)", json: edit, headers: [.ifMatch: "\"1\""]).status == .ok)
            // Both editors read version 1; the second one's write must not pass silently.
            let stale = try await client.send(.put, "/v1/campaigns/\(id)", json: edit, headers: [.ifMatch: "\"1\""])
            #expect(stale.status == .conflict)
            #expect(stale.headers[.contentType] == "application/problem+json")
            #expect(try await client.send(.post, "/v1/campaigns/\(id)/pause", headers: [.ifMatch: "\"1\""]).status == .conflict)
            #expect(try await client.send(.put, "/v1/campaigns/\(id)/kill-switch", json: #"{"override":"open","version":1}"#).status == .conflict)
            let global = object(try await client.send(.get, "/v1/kill-switch").body)["version"] as? Int ?? 0
            #expect(try await client.send(.put, "/v1/kill-switch", json: #"{"override":"open","version":\#(global + 5)}"#).status == .conflict)
            #expect(try await client.send(.put, "/v1/campaigns/\(id)", json: edit, headers: [.ifMatch: "\"x\""]).status == .badRequest)
        }
    }

    @Test func concurrentEditsWithTheSameVersionLetExactlyOneThrough() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"Race","daily_budget_cents":100,"pacing":"EVEN"}"#)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.send(
                            .put, "/v1/campaigns/\(id)", json: #"{"name":"Editor \#(index)","daily_budget_cents":100,"pacing":"EVEN"}"#,
                            headers: [.ifMatch: "\"1\""]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 7)
            let final = object(try await client.send(.get, "/v1/campaigns/\(id)").body)
            #expect(final["version"] as? Int == 2)
        }
    }
}
