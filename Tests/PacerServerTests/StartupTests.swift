import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Logging
import Migrations
import PostgresClient
@testable import PacerServer
import TestSupport
import Testing

/// A database with the repository's schema applied.
func migratedDatabase() throws -> TestDatabase {
    let database = try TestDatabase.create()
    let connection = try BlockingConnection(database.url)
    try SchemaMigrator(source: MigrationSource.load(directory: TestDatabase.dbDirectory)).up(connection)
    return database
}

func testConfiguration(_ database: TestDatabase) -> ServerConfiguration {
    var configuration = ServerConfiguration(databaseURL: database.url, instanceID: "test-\(UUID().uuidString.prefix(8))")
    configuration.port = 0
    configuration.dbDirectory = TestDatabase.dbDirectory
    configuration.poolSize = 4
    // A journal folder of its own: a folder is locked by one server at a time.
    configuration.journalDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("pacer-test-journal-\(UUID().uuidString)").path
    // No click delivery unless a test asks for it: fewer connections when every test runs at once.
    configuration.clicks.workers = 0
    return configuration
}

@Suite struct StartupTests {
    @Test func healthAndReadinessOnACurrentSchema() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let app = try await buildApplication(testConfiguration(database), logger: Logger(label: "test"))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"schema\":\"current\""))
            }
            // A function file the database no longer matches makes the instance not ready.
            let connection = try BlockingConnection(database.url)
            try connection.query("UPDATE pacer_meta.schema_functions SET checksum = 'stale'")
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("Migrator up"))
            }
        }
    }

    @Test func refusesToStartOnASchemaThatIsBehind() async throws {
        try await withTestDatabase { database in
            let error = await #expect(throws: StartupError.self) {
                _ = try await buildApplication(testConfiguration(database), logger: Logger(label: "test"))
            }
            #expect(error?.description.contains("Migrator up") == true)
            #expect(error?.description.contains("pending") == true)
        }
    }

    @Test func unreachableDatabaseIsAClearStartupError() async throws {
        var configuration = ServerConfiguration(databaseURL: "host=127.0.0.1 port=1 connect_timeout=2")
        configuration.dbDirectory = TestDatabase.dbDirectory
        let error = await #expect(throws: StartupError.self) {
            _ = try await buildApplication(configuration, logger: Logger(label: "test"))
        }
        #expect(error?.description.contains("cannot reach PostgreSQL") == true)
    }

    @Test func environmentIsValidatedByName() throws {
        #expect(throws: ServerConfiguration.Invalid.self) { try ServerConfiguration.fromEnvironment([:]) }
        let badPort = #expect(throws: ServerConfiguration.Invalid.self) {
            try ServerConfiguration.fromEnvironment(["DATABASE_URL": "x", "PACER_PORT": "80a"])
        }
        #expect(badPort?.description.contains("PACER_PORT") == true)
        let configuration = try ServerConfiguration.fromEnvironment([
            "DATABASE_URL": "postgresql://x", "PACER_PORT": "9090", "PACER_HOST": "0.0.0.0", "PACER_INSTANCE_ID": "a1",
        ])
        #expect(configuration.port == 9090)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.instanceID == "a1")
        #expect(try ServerConfiguration.fromEnvironment(["DATABASE_URL": "x"]).port == 8080)
    }

    @Test func sigtermShutsTheServerDownCleanly() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let server = try ServerProcess(environment: [
            "DATABASE_URL": database.url, "PACER_PORT": "0", "PACER_ADMIN_TOKEN": "t",
        ])
        let url = try await server.waitUntilListening()
        let (body, response) = try await URLSession.shared.data(from: url.appendingPathComponent("readyz"))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("ready"))
        server.signal(SIGTERM)
        #expect(await server.waitForExit() == 0)
        #expect(server.printed.contains("closing database pool"))
    }
}
