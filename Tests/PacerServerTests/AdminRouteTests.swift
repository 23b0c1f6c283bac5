import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresClient
@testable import PacerServer
import Synchronization
import TestSupport
import Testing

/// Pagination, performance analytics, the OpenAPI document against the router, and the dashboard files.
@Suite struct AdminRouteTests {
    @Test func listsArePagedWithAnOpaqueCursor() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            var created: [String] = []
            for index in 0..<5 {
                created.append(try await client.createCampaign(#"{"name":"P\#(index)","daily_budget_cents":10,"pacing":"EVEN"}"#))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let response = try await client.send(.get, "/v1/campaigns?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(response.status == .ok)
                let body = object(response.body)
                seen += (body["campaigns"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = body["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(seen == created)
            #expect(pages == 3)
            let all = object(try await client.send(.get, "/v1/campaigns").body)
            #expect((all["campaigns"] as? [Any])?.count == 5)
            #expect(all["next_cursor"] is NSNull)
            for query in ["limit=0", "limit=1001", "limit=x", "cursor=nonsense"] {
                let response = try await client.send(.get, "/v1/campaigns?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.body.contains(query.hasPrefix("limit") ? "\"limit\"" : "\"cursor\""))
            }
            let tokens = object(try await client.send(.get, "/v1/tokens?limit=1").body)
            #expect(tokens["tokens"] is [Any])
        }
    }

    @Test func performanceSumsSpendAndDecisionsOverARange() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let id = try await client.createCampaign(#"{"name":"Perf","daily_budget_cents":100000,"pacing":"ASAP"}"#)
            for index in 0..<3 {
                _ = try await client.send(.post, "/v1/decide", json: #"{"campaign_id":"\#(id)","bid_cents":1}"#)
                _ = try await client.send(.post, "/v1/spend", json: #"{"event_id":"p\#(index)","campaign_id":"\#(id)","spend_cents":0.5}"#)
            }
            let range = "from=2026-06-15T00:00:00Z&to=2026-06-16T00:00:00Z"
            // Decisions are written behind; wait for the flush to reach the database.
            var body: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(20)
            repeat {
                let response = try await client.send(.get, "/v1/campaigns/\(id)/performance?\(range)&granularity=hour")
                #expect(response.status == .ok, "\(response.body)")
                body = object(response.body)
                if (body["totals"] as? [String: Any])?["allowed"] as? Int == 3 { break }
                try await Task.sleep(for: .milliseconds(50))
            } while ContinuousClock.now < deadline
            let totals = body["totals"] as? [String: Any] ?? [:]
            #expect(totals["allowed"] as? Int == 3)
            #expect(totals["spent_cents"] as? Double == 1.5)
            #expect(totals["spend_events"] as? Int == 3)
            let series = body["series"] as? [[String: Any]] ?? []
            #expect(series.count == 1)
            #expect(series.first?["start"] as? String == "2026-06-15T12:00:00.000Z")
            let daily = object(try await client.send(.get, "/v1/campaigns/\(id)/performance?\(range)&granularity=day").body)
            #expect((daily["series"] as? [[String: Any]])?.first?["start"] as? String == "2026-06-15T00:00:00.000Z")
            // A range without data, bad input, an unknown campaign.
            let empty = object(try await client.send(.get, "/v1/campaigns/\(id)/performance?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z").body)
            #expect((empty["series"] as? [Any])?.isEmpty == true)
            let bad = try await client.send(.get, "/v1/campaigns/\(id)/performance?from=yesterday&granularity=week")
            #expect(bad.status == .badRequest && bad.body.contains("\"from\"") && bad.body.contains("\"granularity\""))
            let backwards = try await client.send(.get, "/v1/campaigns/\(id)/performance?from=2026-06-16T00:00:00Z&to=2026-06-15T00:00:00Z")
            #expect(backwards.status == .badRequest)
            #expect(try await client.send(.get, "/v1/campaigns/\(UUID())/performance").status == .notFound)
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheRoutesOfTheRouter() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let captured = CapturedRoutes()
        var configuration = testConfiguration(database)
        configuration.adminToken = testToken
        let app = try await buildApplication(configuration, logger: Logger(label: "test"), onRoutes: { routes in captured.routes.withLock { $0 = routes } })
        let routes = Set(captured.routes.withLock { $0 })
        let documented = OpenAPIDocument.routes
        let missing = routes.subtracting(documented).sorted()
        let extra = documented.subtracting(routes).sorted()
        #expect(missing.isEmpty, "routes the OpenAPI document lacks (add them to APIOperation.all): \(missing)")
        #expect(extra.isEmpty, "operations in the OpenAPI document that the router does not serve: \(extra)")
        try await app.test(.router) { client in
            #expect(try await client.send(.get, "/openapi.json", token: nil).status == .unauthorized)
            let response = try await client.send(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = object(response.body)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as? [String: [String: Any]] ?? [:]
            #expect(paths.values.reduce(0) { $0 + $1.count } == documented.count)
            #expect(paths["/v1/campaigns/{id}"]?["put"] != nil)
            #expect((paths["/v1/decide"]?["post"] as? [String: Any])?["x-roles"] as? [String] == ["admin", "bidder"])
            #expect((paths["/v1/tokens"]?["get"] as? [String: Any])?["x-roles"] as? [String] == ["admin"])
            #expect((paths["/v1/campaigns"]?["get"] as? [String: Any])?["x-roles"] as? [String] == ["admin", "read_only"])
            #expect((paths["/metrics"]?["get"] as? [String: Any])?["x-roles"] as? [String] == ["admin", "read_only"])
            #expect((paths["/openapi.json"]?["get"] as? [String: Any])?["x-roles"] as? [String] == ["admin", "read_only", "bidder"])
            // Every schema an operation names exists.
            let schemas = Set(((document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]).keys)
            let references = Set(response.body.split(separator: "\"").filter { $0.hasPrefix("#/components/schemas/") }.map { String($0.dropFirst(21)) })
            #expect(references.subtracting(schemas).isEmpty, "\(references.subtracting(schemas))")
        }
    }

    @Test func theDashboardAndChartJSAreServed() async throws {
        var harness = try APIHarness()
        let root = URL(fileURLWithPath: TestDatabase.dbDirectory).deletingLastPathComponent().path
        harness.configuration.dashboardDirectory = root + "/dashboard"
        harness.configuration.chartJSPath = root + "/no-such-chart.js"
        try await harness.run { client in
            let page = try await client.send(.get, "/", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.body.contains("/vendor/chart.js"))
            #expect(try await client.send(.get, "/dashboard/app.js", token: nil).status == .ok)
            #expect(try await client.send(.get, "/dashboard/..%2FPackage.swift", token: nil).status == .notFound)
            #expect(try await client.send(.get, "/dashboard/.hidden.js", token: nil).status == .notFound)
            // Without Chart.js the server still runs; the page says so.
            let chart = try await client.send(.get, "/vendor/chart.js", token: nil)
            #expect(chart.status == .notFound)
            #expect(page.body.contains("libjs-chart.js"))
            let clicks = try await client.send(.get, "/v1/dashboard/clicks")
            #expect(clicks.status == .ok)
            #expect(object(clicks.body)["partners"] is [Any])
        }
    }
}

/// What `buildApplication` reports through `onRoutes`.
final class CapturedRoutes: Sendable {
    let routes = Mutex<[String]>([])
}
