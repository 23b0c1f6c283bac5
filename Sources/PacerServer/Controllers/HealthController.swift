import Hummingbird
import Logging
import PostgresClient

/// `/healthz` (the process is up) and `/readyz` (the database answers and its schema is current).
struct HealthController: Sendable {
    let pool: PostgresPool
    let schema: SchemaCheck
    let logger: Logger

    struct Readiness: ResponseEncodable {
        var status: String
        var database: String
        var schema: String
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
        do {
            let status = try await schema.status(pool)
            if status.isCurrent {
                return EditedResponse(status: .ok, response: Readiness(status: "ready", database: "ok", schema: "current"))
            }
            return EditedResponse(
                status: .serviceUnavailable,
                response: Readiness(status: "not_ready", database: "ok", schema: status.summary + " (run: Migrator up)"))
        } catch let error as PostgresError {
            logger.warning("readiness check failed", metadata: ["db.error": "\(error)"])
            return EditedResponse(
                status: .serviceUnavailable, response: Readiness(status: "not_ready", database: "unreachable", schema: "unknown"))
        }
    }
}
