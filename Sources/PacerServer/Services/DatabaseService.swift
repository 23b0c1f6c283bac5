import Logging
import PostgresClient
import ServiceLifecycle

/// Owns the connection pool: keeps it open while the server runs and closes it on shutdown,
/// after the HTTP server (started later, stopped earlier) has finished its requests.
struct DatabaseService: Service {
    let pool: PostgresPool
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("closing database pool", metadata: ["db.open_connections": "\(pool.openConnections)"])
        await pool.close()
    }
}
