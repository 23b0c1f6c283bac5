import Foundation
import PostgresClient
@testable import PacerServer
import Testing

/// The dashboard's click figures per partner, from the queue, the audit trail and the daily counters.
@Suite struct ClickSummaryTests {
    @Test func queueDepthDeliveredPerMinuteAndDeadLettersPerPartner() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let campaign = try await client.createCampaign(#"{"name":"Clicks","daily_budget_cents":1000,"pacing":"EVEN"}"#)
            let connection = try harness.connection()
            let partner = UUID(), dataset = UUID(), delivered = UUID()
            let now = harness.clock.now()
            _ = try connection.query(
                "INSERT INTO pacer.partners (id, name, endpoint_url, format, rate_limit_per_second, batch_size) VALUES ($1, 'Acme <clicks>', 'http://127.0.0.1:9/', 'json', 10, 5)",
                [partner])
            _ = try connection.query(
                "INSERT INTO pacer.datasets (id, campaign_id, partner_id, format, on_error, status) VALUES ($1, $2, $3, 'ndjson', 'reject', 'queued')",
                [dataset, UUID(uuidString: campaign)!, partner])
            for (id, state, rows) in [(UUID(), "pending", 5), (UUID(), "retrying", 3), (UUID(), "dead", 2), (delivered, "delivered", 4)] {
                _ = try connection.query(
                    """
                    INSERT INTO pacer.click_batches (id, created_at, dataset_id, campaign_id, partner_id, seq, row_count, first_line, last_line, state, payload)
                    VALUES ($1, $2, $3, $4, $5, 1, $6, 1, $6, $7, '[]')
                    """, [id, now.addingTimeInterval(-600), dataset, UUID(uuidString: campaign)!, partner, rows, state])
            }
            _ = try connection.query(
                """
                INSERT INTO pacer.batch_audit (batch_id, batch_created_at, dataset_id, campaign_id, partner_id, at, from_state, to_state)
                VALUES ($1, $2, $3, $4, $5, $6, 'leased', 'delivered')
                """, [delivered, now.addingTimeInterval(-600), dataset, UUID(uuidString: campaign)!, partner, now.addingTimeInterval(-30)])
            _ = try connection.query(
                "INSERT INTO pacer.partner_delivery_daily (partner_id, day, clicks_delivered, batches_delivered) VALUES ($1, '2026-06-15', 40, 8)", [partner])

            let response = try await client.send(.get, "/v1/dashboard/clicks")
            #expect(response.status == .ok)
            let partners = object(response.body)["partners"] as? [[String: Any]] ?? []
            #expect(partners.count == 1)
            let row = partners.first ?? [:]
            #expect(row["name"] as? String == "Acme <clicks>")
            #expect(row["batches_waiting"] as? Int == 2)
            #expect(row["clicks_waiting"] as? Int == 8)
            #expect(row["batches_dead"] as? Int == 1)
            #expect(row["batches_in_flight"] as? Int == 0)
            #expect(row["delivered_last_minute"] as? Int == 4)
            #expect(row["delivered_today"] as? Int == 40)

            // The same figures through the reporting view, as an analyst sees them.
            _ = try connection.query("SET ROLE pacer_reporting")
            let queue = try connection.query(
                "SELECT batches_waiting, clicks_waiting, batches_dead FROM reporting.partner_queue WHERE partner_id = $1", [partner]
            ).single()
            #expect(try queue.decode(Int64.self, at: 0) == 2)
            #expect(try queue.decode(Int64.self, at: 1) == 8)
            #expect(try queue.decode(Int64.self, at: 2) == 1)
        }
    }
}
