import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresClient

/// `GET /v1/dashboard/clicks`: click delivery per partner for the dashboard — the queue now
/// (`reporting.partner_queue`), clicks delivered in the last minute (from the batch audit) and
/// today in the partner's time zone.
struct ClickSummaryController: Sendable {
    let pool: PostgresPool
    let clock: any PacerClock
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.get("/dashboard/clicks") { _, _ in try await summary() }
    }

    func summary() async throws -> Response {
        let now = clock.now()
        let rows: [Row]
        do {
            rows = try await pool.run { connection in
                try connection.query(
                    """
                    SELECT q.partner_id, q.partner_name, q.partner_status, q.batches_waiting, q.clicks_waiting::bigint,
                           q.batches_in_flight, q.batches_dead,
                           coalesce((SELECT sum(b.row_count) FROM pacer.batch_audit a
                                       JOIN pacer.click_batches b ON b.id = a.batch_id AND b.created_at = a.batch_created_at
                                      WHERE a.partner_id = q.partner_id AND a.to_state = 'delivered'
                                        AND a.at >= $1::timestamptz - interval '1 minute' AND a.at <= $1), 0)::bigint,
                           coalesce((SELECT d.clicks_delivered FROM pacer.partner_delivery_daily d
                                      WHERE d.partner_id = q.partner_id AND d.day = ($1::timestamptz AT TIME ZONE p.timezone)::date), 0)::bigint
                      FROM reporting.partner_queue q JOIN pacer.partners p ON p.id = q.partner_id
                     ORDER BY q.partner_name, q.partner_id
                    """, [now]
                ).rows
            }
        } catch let error as PostgresError {
            logger.error("click summary query failed", metadata: ["db.error": "\(error)"])
            throw Problem.databaseUnavailable
        }
        var json = JSONWriter(capacity: 256 * rows.count + 32)
        json.beginObject()
        json.key("partners")
        json.beginArray()
        for row in rows {
            json.beginObject()
            json.key("partner_id"); json.string((try row.decode(UUID.self, at: 0)).uuidString.lowercased())
            json.key("name"); json.string(try row[1])
            json.key("status"); json.string(try row[2])
            for (index, name) in ["batches_waiting", "clicks_waiting", "batches_in_flight", "batches_dead", "delivered_last_minute", "delivered_today"].enumerated() {
                json.key(name); json.integer(try row.decode(Int64.self, at: 3 + index))
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
