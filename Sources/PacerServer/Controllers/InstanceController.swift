import Foundation
import Hummingbird
import NIOCore
import PacingEngine
import PostgresClient

/// `GET /v1/instances`: the instances sharing the database, their last heartbeat and leases.
struct InstanceController: Sendable {
    let pool: PostgresPool
    let clock: any PacerClock

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.get("/instances") { _, _ in try await list() }
    }

    func list() async throws -> Response {
        let now = clock.now()
        let (instances, leases) = try await {
            do {
                return try await pool.run { connection in
                    (
                        try connection.query(
                            "SELECT id, host, pid, address, status, started_at, last_heartbeat FROM pacer.instances ORDER BY id"
                        ).rows,
                        try connection.query(
                            """
                            SELECT instance_id, campaign_id, day::text, granted_micros, expires_at, renewed_at
                            FROM pacer.budget_leases WHERE expires_at > $1 ORDER BY instance_id, campaign_id
                            """, [now]
                        ).rows
                    )
                }
            } catch is PostgresError {
                throw Problem.databaseUnavailable
            }
        }()
        var byInstance: [String: [Row]] = [:]
        for lease in leases { byInstance[try lease.decode(String.self, at: 0), default: []].append(lease) }
        var json = JSONWriter(capacity: 256 * (instances.count + leases.count) + 32)
        json.beginObject()
        json.key("instances")
        json.beginArray()
        for row in instances {
            let id: String = try row[0]
            let heartbeat: Date = try row[6]
            json.beginObject()
            json.key("id"); json.string(id)
            json.key("host"); json.string(try row[1])
            json.key("pid"); json.integer(try row[2])
            json.key("address"); json.optionalString(try row[3])
            json.key("status"); json.string(try row[4])
            json.key("started_at"); json.string(CampaignRecord.timestamp(try row[5]))
            json.key("last_heartbeat"); json.string(CampaignRecord.timestamp(heartbeat))
            json.key("heartbeat_age_seconds"); json.double((now.timeIntervalSince(heartbeat) * 1000).rounded() / 1000)
            json.key("leases")
            json.beginArray()
            for lease in byInstance[id] ?? [] {
                json.beginObject()
                json.key("campaign_id"); json.string((try lease.decode(UUID.self, at: 1)).uuidString.lowercased())
                json.key("day"); json.string(try lease[2])
                json.key("granted_cents"); json.cents(try lease[3])
                json.key("expires_at"); json.string(CampaignRecord.timestamp(try lease[4]))
                json.key("renewed_at"); json.string(CampaignRecord.timestamp(try lease[5]))
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
