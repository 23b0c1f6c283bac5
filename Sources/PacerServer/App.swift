import Foundation
import Hummingbird
import Logging
import Migrations
import PostgresClient

/// The Pacer server: bid decisions from memory, durable spend, PostgreSQL write-behind.
@main
struct App {
    static func main() async {
        var logger = Logger(label: "pacer")
        logger.logLevel = ProcessInfo.processInfo.environment["PACER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        do {
            let configuration = try ServerConfiguration.fromEnvironment()
            let app = try await buildApplication(configuration, logger: logger)
            try await app.runService()
        } catch {
            logger.critical("PacerServer cannot start: \(error)")
            exit(1)
        }
    }
}

/// Why the server refuses to start.
struct StartupError: Error, CustomStringConvertible {
    var description: String
}

/// Builds the server: connection pool, schema check, routes and services. Tests call it too.
func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let pool = PostgresPool(
        conninfo: configuration.databaseURL, maxConnections: configuration.poolSize,
        applicationName: "pacer-server", logger: logger)
    let schema = try SchemaCheck(dbDirectory: configuration.dbDirectory)
    let status: SchemaStatus
    do {
        status = try await schema.status(pool)
    } catch let error as PostgresError {
        await pool.close()
        throw StartupError(description: "cannot reach PostgreSQL at DATABASE_URL: \(error.message)")
    }
    guard status.isCurrent else {
        await pool.close()
        throw StartupError(
            description: "the database schema is not current (\(status.summary)); run `Migrator up --database-url …` (or `swift run Migrator up`) first")
    }

    let router = Router()
    HealthController(pool: pool, schema: schema, logger: logger).addRoutes(to: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Pacer"),
        onServerRunning: { channel in
            // Scripts and tests wait for this line; with PACER_PORT=0 it is how they learn the port.
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("PacerServer listening", metadata: ["http.url": "http://\(configuration.host):\(port)"])
            FileHandle.standardOutput.write(Data("PacerServer listening on http://\(configuration.host):\(port)\n".utf8))
        },
        logger: logger)
    app.addServices(DatabaseService(pool: pool, logger: logger))
    return app
}
