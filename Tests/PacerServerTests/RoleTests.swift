import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresClient
@testable import PacerServer
import Testing

/// Tokens with roles: every documented `/v1` route is tried with every role, and a refused one
/// is a 403 problem while an unknown or revoked token is a 401.
@Suite struct RoleTests {
    /// Creates a token of `role` through the API; returns (id, token).
    static func token(_ client: any TestClientProtocol, role: String, name: String = "t") async throws -> (String, String) {
        let response = try await client.send(.post, "/v1/tokens", json: #"{"name":"\#(name)","role":"\#(role)"}"#)
        #expect(response.status == .created, "\(response.body)")
        let body = object(response.body)
        return (body["id"] as? String ?? "", body["token"] as? String ?? "")
    }

    @Test func everyRoleIsAllowedItsRoutesAndRefusedTheRest() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let campaign = try await client.createCampaign(#"{"name":"Roles","daily_budget_cents":1000,"pacing":"ASAP"}"#)
            var tokens: [Role: String] = [:]
            for role in Role.allCases { tokens[role] = try await Self.token(client, role: role.rawValue, name: role.rawValue).1 }
            let routes = APIOperation.all.filter { $0.path.hasPrefix("/v1/") }
            #expect(routes.count >= 20)
            for role in Role.allCases {
                for route in routes {
                    // Routes that would change state get an unknown id or a malformed body: the check
                    // is the role, not the effect.
                    let method = HTTPRequest.Method(route.method)!
                    let harmless = method == .delete || route.path.hasSuffix("/pause") || route.path.hasSuffix("/kill-switch")
                    let path = route.path.replacingOccurrences(of: "{id}", with: harmless ? UUID().uuidString : campaign)
                    let response = try await client.send(method, path, json: harmless ? "{" : nil, token: tokens[role])
                    if role.allows(method, path: path) {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(role) \(route.method) \(path): \(response.status)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) \(route.method) \(path): \(response.status)")
                        #expect(response.headers[.contentType] == "application/problem+json")
                        #expect(response.body.contains(role.rawValue))
                    }
                }
            }
            // The ones that matter most, spelled out.
            let bidder = tokens[.bidder], reader = tokens[.readOnly]
            let decide = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(campaign)","bid_cents":1}"#, token: bidder)
            #expect(decide.status == .ok)
            let spend = try await client.send(.post, "/v1/spend", json: #"{"event_id":"r1","campaign_id":"\#(campaign)","spend_cents":1}"#, token: bidder)
            #expect(spend.status == .ok)
            #expect(try await client.send(.get, "/v1/campaigns", token: bidder).status == .forbidden)
            #expect(try await client.send(.get, "/v1/budget/status/\(campaign)", token: bidder).status == .forbidden)
            #expect(try await client.send(.get, "/v1/campaigns", token: reader).status == .ok)
            #expect(try await client.send(.get, "/v1/instances", token: reader).status == .ok)
            #expect(try await client.send(.get, "/v1/tokens", token: reader).status == .forbidden)
            #expect(try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(campaign)","bid_cents":1}"#, token: reader).status == .forbidden)
            #expect(try await client.send(.post, "/v1/campaigns/\(campaign)/pause", token: reader).status == .forbidden)
            #expect(try await client.send(.post, "/v1/tokens", json: #"{"name":"x","role":"admin"}"#, token: reader).status == .forbidden)
            #expect(try await client.send(.get, "/v1/tokens", token: tokens[.admin]).status == .ok)
            // Other spellings of a refused path reach the same route and the same refusal.
            for path in ["/v1//tokens", "/v1/tokens/", "/v1/%74okens"] {
                let response = try await client.send(.get, path, token: reader)
                #expect(response.status == .forbidden || response.status == .notFound, "\(path): \(response.status)")
            }
            // Health stays open; metrics and the API's description need a token.
            #expect(try await client.send(.get, "/healthz", token: nil).status == .ok)
            #expect(try await client.send(.get, "/metrics", token: nil).status == .unauthorized)
            #expect(try await client.send(.get, "/openapi.json", token: nil).status == .unauthorized)
            #expect(try await client.send(.get, "/metrics", token: reader).status == .ok)
            #expect(try await client.send(.get, "/metrics", token: tokens[.bidder]).status == .forbidden)
            #expect(try await client.send(.get, "/openapi.json", token: tokens[.bidder]).status == .ok)
        }
    }

    @Test func rolesAreGenericOverPathsAddedLater() {
        #expect(Role.readOnly.allows(.get, path: "/v1/partners"))
        #expect(Role.readOnly.allows(.head, path: "/v1/batches/abc/events"))
        #expect(!Role.readOnly.allows(.post, path: "/v1/datasets"))
        #expect(!Role.readOnly.allows(.get, path: "/v1/tokens/"))
        #expect(!Role.bidder.allows(.get, path: "/v1/partners"))
        #expect(!Role.bidder.allows(.post, path: "/v1/decide/direct"))
        #expect(Role.bidder.allows(.post, path: "/v1/spend/"))
        #expect(Role.admin.allows(.delete, path: "/v1/partners/x"))
    }

    @Test func unknownMissingAndRevokedTokensAre401() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            for token in [nil, "", "nope", testToken + "x"] as [String?] {
                let response = try await client.send(.get, "/v1/campaigns", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate] != nil)
            }
            let (id, token) = try await Self.token(client, role: "read_only")
            #expect(token.hasPrefix("pacer_") && token.count == 70)
            #expect(try await client.send(.get, "/v1/campaigns", token: token).status == .ok)
            let list = try await client.send(.get, "/v1/tokens")
            #expect(list.status == .ok)
            #expect(!list.body.contains(token) && !list.body.contains("hash"))
            // Only the SHA-256 digest is stored.
            let connection = try harness.connection()
            let stored = try connection.query(
                "SELECT token_hash = sha256(convert_to($1, 'UTF8')) FROM pacer.api_tokens WHERE id = $2", [token, UUID(uuidString: id)!]
            ).single()
            #expect(try stored.decode(Bool.self, at: 0))
            let revoked = try await client.send(.delete, "/v1/tokens/\(id)")
            #expect(revoked.status == .ok)
            #expect(object(revoked.body)["revoked_at"] is String)
            #expect(try await client.send(.get, "/v1/campaigns", token: token).status == .unauthorized)
            #expect(try await client.send(.delete, "/v1/tokens/\(id)").status == .notFound)
            // Bad input names the field.
            let bad = try await client.send(.post, "/v1/tokens", json: #"{"name":"","role":"root"}"#)
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("\"role\"") && bad.body.contains("\"name\""))
        }
    }

    @Test func aTokenCreatedThroughAnotherInstanceIsAcceptedHere() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            // Written straight into the table, as another instance would.
            let token = "pacer_from_elsewhere"
            let connection = try harness.connection()
            _ = try connection.query(
                "INSERT INTO pacer.api_tokens (name, role, token_hash) VALUES ('other', 'bidder', sha256(convert_to($1, 'UTF8')))", [token])
            #expect(try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(UUID())","bid_cents":1}"#, token: token).status == .ok)
            #expect(try await client.send(.get, "/v1/campaigns", token: token).status == .forbidden)
        }
    }
}
