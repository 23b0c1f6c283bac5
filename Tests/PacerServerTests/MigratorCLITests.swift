import Foundation
import PostgresClient
import TestSupport
import Testing

/// The Migrator executable itself: exit codes and messages operators see.
@Suite struct MigratorCLITests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        let process = try ServerProcess(executable: "Migrator", arguments: arguments, environment: environment)
        let status = await process.waitForExit()
        return (status, process.printed)
    }

    @Test func verifyFailsUntilUpAndAgainAfterAnAppliedMigrationChanges() async throws {
        try await withTestDatabase { database in
            let (pending, pendingText) = try await run(["verify", "--database-url", database.url])
            #expect(pending == 1)
            #expect(pendingText.contains("pending"))

            let (up, upText) = try await run(["up"], environment: ["DATABASE_URL": database.url])
            #expect(up == 0)
            #expect(upText.contains("applied migrations/0001_core_schema.sql"))
            let (again, againText) = try await run(["up", "--database-url", database.url])
            #expect(again == 0)
            #expect(againText.contains("nothing to do"))
            #expect(try await run(["verify", "--database-url", database.url]).0 == 0)

            // Pretend the first migration's file changed after it was applied.
            let connection = try BlockingConnection(database.url)
            try connection.query("UPDATE pacer_meta.schema_migrations SET checksum = 'edited' WHERE version = 1")
            let (drift, driftText) = try await run(["verify", "--database-url", database.url])
            #expect(drift == 1)
            #expect(driftText.contains("migrations/0001_core_schema.sql"))
            let (refused, refusedText) = try await run(["up", "--database-url", database.url])
            #expect(refused == 1)
            #expect(refusedText.contains("migrations/0001_core_schema.sql"))
        }
    }

    @Test func badConnectionStringIsAClearError() async throws {
        let (status, text) = try await run(["status", "--database-url", "host=127.0.0.1 port=1 connect_timeout=2"])
        #expect(status == 2)
        #expect(text.contains("cannot connect to the database"))
    }
}
