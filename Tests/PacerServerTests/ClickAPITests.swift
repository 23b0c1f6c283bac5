import Foundation
import HummingbirdTesting
@testable import PacerServer
import Testing

/// Partners CRUD and dataset uploads through the routes, with no worker delivering.
@Suite struct ClickAPITests {
    @Test func partnersAreValidatedAndNeverEchoHeaderValues() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let bad = try await client.send(
                .post, "/v1/partners",
                json: #"{"name":"","endpoint_url":"ftp://x","format":"xml","rate_limit_per_second":0,"batch_size":0,"headers":{"Host":"x"},"colour":1}"#)
            #expect(bad.status == .badRequest)
            let fields = Set((object(bad.body)["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["name", "endpoint_url", "format", "rate_limit_per_second", "batch_size", "headers.Host", "colour"]))

            let created = try await client.send(
                .post, "/v1/partners",
                json: #"{"name":"p","endpoint_url":"http://127.0.0.1:9/x","format":"ndjson","rate_limit_per_second":50,"daily_cap":1000,"batch_size":100,"headers":{"X-Api-Key":"s3cret-value"}}"#)
            #expect(created.status == .created)
            #expect(!created.body.contains("s3cret-value"))
            let partner = object(created.body)
            let id = partner["id"] as? String ?? ""
            #expect(partner["header_names"] as? [String] == ["X-Api-Key"])
            #expect(partner["timeout_ms"] as? Int == 5000)
            #expect(partner["max_attempts"] as? Int == 8)
            #expect(partner["status"] as? String == "active")

            let listed = try await client.send(.get, "/v1/partners")
            #expect(listed.body.contains(id) && !listed.body.contains("s3cret-value"))
            let replaced = try await client.send(
                .put, "/v1/partners/\(id)",
                json: #"{"name":"p2","endpoint_url":"http://127.0.0.1:9/y","format":"csv","rate_limit_per_second":5,"batch_size":10,"version":1}"#)
            #expect(replaced.status == .ok)
            #expect(object(replaced.body)["name"] as? String == "p2")
            #expect(object(replaced.body)["header_names"] as? [String] == [])
            let stale = try await client.send(
                .put, "/v1/partners/\(id)",
                json: #"{"name":"p3","endpoint_url":"http://127.0.0.1:9/y","format":"csv","rate_limit_per_second":5,"batch_size":10,"version":1}"#)
            #expect(stale.status == .conflict)

            #expect(object(try await client.send(.post, "/v1/partners/\(id)/pause").body)["status"] as? String == "paused")
            #expect(object(try await client.send(.post, "/v1/partners/\(id)/resume").body)["status"] as? String == "active")
            #expect(try await client.send(.delete, "/v1/partners/\(id)").status == .ok)
            #expect(try await client.send(.get, "/v1/partners").body.contains(id) == false)
            #expect(try await client.send(.get, "/v1/partners/\(UUID().uuidString)").status == .notFound)
            #expect(try await client.send(.post, "/v1/partners/\(id)/resume").status == .notFound)
        }
    }

    @Test func ndjsonUploadIsSlicedIntoBatchesOfThePartnersSize() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/x", batchSize: 10)
            let (status, answer) = try await client.upload(clicks(25), campaign: campaign, partner: partner)
            #expect(status == .created)
            #expect(answer["rows_accepted"] as? Int == 25)
            #expect(answer["rows_rejected"] as? Int == 0)
            #expect(answer["batch_count"] as? Int == 3)
            let id = answer["id"] as? String ?? ""
            let dataset = try await client.getObject("/v1/datasets/\(id)")
            #expect(dataset["status"] as? String == "queued")
            #expect((dataset["batches"] as? [String: Any])?["pending"] as? Int == 3)
            let batches = try await client.getObject("/v1/batches?dataset_id=\(id)&state=pending")["batches"] as? [[String: Any]] ?? []
            #expect(batches.map { $0["row_count"] as? Int ?? 0 }.sorted() == [5, 10, 10])
            #expect(try harness.scalar("SELECT count(*)::text FROM pacer.click_rows") == "0")
            let lines = try harness.scalar("SELECT string_agg(first_line || '-' || last_line, ',' ORDER BY seq) FROM pacer.click_batches")
            #expect(lines == "1-10,11-20,21-25")
            let listed = try await client.getObject("/v1/datasets?campaign_id=\(campaign)")["datasets"] as? [[String: Any]] ?? []
            #expect(listed.count == 1)
            let events = try await client.getObject("/v1/batches/\(text(batches.first?["id"]))/events")["events"] as? [[String: Any]] ?? []
            #expect(events.first?["to_state"] as? String == "pending")
        }
    }

    /// Partners, datasets and batches are listed page by page: every item exactly once, in a
    /// stable order, `next_cursor` null on the last page, and a bad cursor is a 400.
    @Test func clickListsArePagedWithCursors() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            var partners: [String] = []
            for _ in 0..<5 { partners.append(try await client.createPartner(url: "http://127.0.0.1:9/x", batchSize: 2)) }
            var datasets: [String] = []
            for index in 0..<3 {
                let (status, answer) = try await client.upload(clicks(7, prefix: "d\(index)"), campaign: campaign, partner: partners[0])
                #expect(status == .created)
                datasets.append(answer["id"] as? String ?? "")
            }

            func walk(_ path: String, _ key: String) async throws -> [String] {
                var ids: [String] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let separator = path.contains("?") ? "&" : "?"
                    let object = try await client.getObject(path + separator + "limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                    let items = object[key] as? [[String: Any]] ?? []
                    #expect(items.count <= 2)
                    ids += items.map { text($0["id"]) }
                    cursor = object["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 20
                return ids
            }

            #expect(try await walk("/v1/partners", "partners") == partners)
            #expect(try await walk("/v1/datasets?campaign_id=\(campaign)", "datasets") == datasets.reversed())
            // 3 datasets of 7 rows in batches of 2: 4 batches each.
            let batches = try await walk("/v1/batches", "batches")
            #expect(batches.count == 12)
            #expect(Set(batches).count == 12)
            #expect(try await walk("/v1/batches?dataset_id=\(datasets[1])", "batches").count == 4)

            // A partner edit with a malformed If-Match is refused, not applied unconditionally.
            let edit = #"{"name":"renamed","endpoint_url":"http://127.0.0.1:9/x","format":"json","rate_limit_per_second":10,"batch_size":2}"#
            let malformed = try await client.send(.put, "/v1/partners/\(partners[1])", json: edit, headers: [.ifMatch: "\"x\""])
            #expect(malformed.status == .badRequest)
            #expect(try await client.getObject("/v1/partners/\(partners[1])")["name"] as? String == "sink")

            let bad = try await client.send(.get, "/v1/batches?cursor=nonsense&limit=0")
            #expect(bad.status == .badRequest)
            #expect(bad.body.contains("cursor") && bad.body.contains("limit"))
        }
    }

    @Test func malformedRowsAreReportedByLineNumberUnderBothPolicies() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/x", batchSize: 2)
            let file = "{\"click_id\":\"a\"}\n{\"click_id\":\"b\"}\n{\"click_id\": oops}\n\n[1,2]\n{\"click_id\":\"f\"}"
            let skipped = try await client.upload(file, campaign: campaign, partner: partner, onError: "skip")
            #expect(skipped.status == .created)
            #expect(skipped.object["rows_accepted"] as? Int == 3)
            #expect(skipped.object["rows_rejected"] as? Int == 2)
            let errors = skipped.object["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0["line"] as? Int ?? 0 } == [3, 5])
            let said = text(errors.first?["message"])
            #expect(said.contains("malformed JSON"))

            let rejected = try await client.upload(file, campaign: campaign, partner: partner, onError: "reject")
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.object["rows_accepted"] as? Int == 0)
            #expect(rejected.object["rows_rejected"] as? Int == 2)
            #expect((rejected.object["errors"] as? [[String: Any]] ?? []).map { $0["line"] as? Int ?? 0 } == [3, 5])
            let id = rejected.object["id"] as? String ?? ""
            #expect(try await client.getObject("/v1/datasets/\(id)")["status"] as? String == "failed")
            #expect(try harness.scalar("SELECT count(*)::text FROM pacer.click_batches WHERE dataset_id = $1", [UUID(uuidString: id)]) == "0")
            #expect(try harness.scalar("SELECT count(*)::text FROM pacer.click_rows") == "0")
        }
    }

    @Test func csvUploadsKeepTheirColumnsAndReportBadRecords() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let partner = try await client.createPartner(url: "http://127.0.0.1:9/x", format: "csv", batchSize: 10)
            let file = "click_id,ua,price\r\nx1,\"Mozilla, 5.0\",1.5\r\nx2,\"two\nlines\",2\r\nx3,only-two\r\nx4,\"say \"\"hi\"\"\",4\r\n"
            let (status, answer) = try await client.upload(file, campaign: campaign, partner: partner, format: "csv", onError: "skip")
            #expect(status == .created)
            #expect(answer["rows_accepted"] as? Int == 3)
            #expect((answer["errors"] as? [[String: Any]] ?? []).map { $0["line"] as? Int ?? 0 } == [5])
            let payload = try harness.scalar("SELECT payload::text FROM pacer.click_batches") ?? ""
            let rows = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [[String: String]] ?? []
            #expect(rows.map { $0["click_id"] ?? "" } == ["x1", "x2", "x4"])
            #expect(rows.first?["ua"] == "Mozilla, 5.0")
            #expect(rows.count == 3 && rows[1]["ua"] == "two\nlines")
            #expect(rows.last?["ua"] == "say \"hi\"")
            #expect(try harness.scalar("SELECT array_to_string(columns, '|') FROM pacer.datasets") == "click_id|ua|price")

            let badHeader = try await client.upload("a,,b\n1,2,3\n", campaign: campaign, partner: partner, format: "csv", onError: "skip")
            #expect(badHeader.status == .unprocessableContent)
            #expect((badHeader.object["errors"] as? [[String: Any]])?.first?["line"] as? Int == 1)
        }
    }

    @Test func uploadParametersAreValidated() async throws {
        let harness = try ClickHarness(workers: 0)
        try await harness.run { client in
            let campaign = try await client.createCampaign(simpleCampaign)
            let missing = try await client.send(.post, "/v1/datasets?format=xml&on_error=maybe", json: "{}")
            #expect(missing.status == .badRequest)
            let fields = Set((object(missing.body)["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["campaign_id", "partner_id", "format", "on_error"])
            let unknown = try await client.upload(clicks(1), campaign: campaign, partner: UUID().uuidString)
            #expect(unknown.status == .notFound)
            #expect(try await client.send(.get, "/v1/batches?state=lost").status == .badRequest)
            #expect(try await client.send(.get, "/v1/datasets/\(UUID().uuidString)").status == .notFound)
            #expect(try await client.send(.get, "/v1/batches/\(UUID().uuidString)/events").status == .notFound)
        }
    }
}
