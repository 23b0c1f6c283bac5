import Hummingbird
import Logging
import PostgresClient

/// `/healthz` (the process is up) and `/readyz` (the database answers and its schema is current).
/// In degraded mode (PostgreSQL unreachable) `/readyz` answers 503 with `mode: "degraded"`, since
/// when, and how many spend events wait in the journal, without waiting for the database.
struct HealthController: Sendable {
    let pool: PostgresPool
    let schema: SchemaCheck
    var health: DatabaseHealth? = nil
    var journal: SpendJournal? = nil
    let logger: Logger

    struct Readiness: ResponseEncodable {
        var status: String
        var mode: String = "normal"
        var database: String
        var schema: String
        var degradedSince: String? = nil
        var journalPendingEvents: Int? = nil

        enum CodingKeys: String, CodingKey {
            case status, mode, database, schema
            case degradedSince = "degraded_since"
            case journalPendingEvents = "journal_pending_events"
        }
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            ["status": "ok"]
        }
        router.get("/readyz") { _, _ in
            try await readiness()
        }
    }

    func readiness() async throws -> EditedResponse<Readiness> {
        let pending = journal?.pendingEvents
        if let outage = health?.outage {
            return EditedResponse(
                status: .serviceUnavailable,
                response: Readiness(
                    status: "not_ready", mode: "degraded", database: "unreachable", schema: "unknown",
                    degradedSince: CampaignRecord.timestamp(outage.since), journalPendingEvents: pending))
        }
        do {
            let status = try await schema.status(pool)
            if status.isCurrent {
                return EditedResponse(
                    status: .ok, response: Readiness(status: "ready", database: "ok", schema: "current", journalPendingEvents: pending))
            }
            return EditedResponse(
                status: .serviceUnavailable,
                response: Readiness(
                    status: "not_ready", database: "ok", schema: status.summary + " (run: Migrator up)", journalPendingEvents: pending))
        } catch {
            logger.warning("readiness check failed", metadata: ["db.error": "\(error)"])
            health?.reportFailure(error)
            return EditedResponse(
                status: .serviceUnavailable,
                response: Readiness(
                    status: "not_ready", mode: health?.isDegraded == true ? "degraded" : "normal", database: "unreachable",
                    schema: "unknown", journalPendingEvents: pending))
        }
    }
}
