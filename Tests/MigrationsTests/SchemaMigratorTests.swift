import Foundation
import Migrations
import PostgresClient
import TestSupport
import Testing

@Suite struct SchemaMigratorTests {
    static let createAccounts = """
        -- accounts, and a log that shows how often a migration body ran
        CREATE TABLE applied_log (what text);
        CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);

        """
    static let addBalance = """
        -- balances
        ALTER TABLE accounts ADD COLUMN balance bigint NOT NULL DEFAULT 0;
        INSERT INTO applied_log VALUES ('0002');

        """

    func fixture() throws -> MigrationFixture {
        try MigrationFixture(
            migrations: ["0001_create_accounts.sql": Self.createAccounts, "0002_add_balance.sql": Self.addBalance],
            functions: ["010_names.sql": "CREATE OR REPLACE FUNCTION account_name(int) RETURNS text LANGUAGE sql AS $$ SELECT name FROM accounts WHERE id = $1 $$;\n"])
    }

    @Test func upTwiceAppliesNothingTheSecondTime() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let first = try fixture.migrator().up(connection)
            #expect(first.migrationsApplied == ["0001_create_accounts.sql", "0002_add_balance.sql"])
            #expect(first.functionsApplied == ["010_names.sql"])
            let second = try fixture.migrator().up(connection)
            #expect(second == SchemaMigrator.Outcome())
            #expect(try connection.query("SELECT count(*) FROM applied_log").scalar(Int64.self) == 1)
            let recorded = try connection.query(
                "SELECT version, name, length(checksum), applied_at IS NOT NULL, duration_ms >= 0 FROM pacer_meta.schema_migrations ORDER BY version")
            #expect(recorded.rows.count == 2)
            #expect(try recorded.rows[1].decode(String.self, at: 1) == "add_balance")
            #expect(try recorded.rows[1].decode(Int64.self, at: 2) == 64)
            #expect(try fixture.migrator().status(connection).isCurrent)
        }
    }

    @Test func editedAppliedMigrationFailsVerifyAndUpNamingTheFile() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try fixture.migrator().up(connection)
            try fixture.write(migration: "0002_add_balance.sql", Self.addBalance + "-- an innocent edit\n")
            try fixture.write(migration: "0003_later.sql", "CREATE TABLE later (id int);\n")
            let status = try fixture.migrator().status(connection)
            #expect(status.hasDrift)
            #expect(!status.isCurrent)
            #expect(status.changed.map(\.filename) == ["0002_add_balance.sql"])
            let error = #expect(throws: MigrationError.self) { try fixture.migrator().up(connection) }
            #expect(error?.description.contains("migrations/0002_add_balance.sql") == true)
            // Nothing after the drift was applied.
            #expect(try connection.query("SELECT to_regclass('later') IS NULL").scalar(Bool.self))
        }
    }

    @Test func brokenSQLReportsFileAndPositionAndLeavesTheDatabaseAsItWas() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try fixture.migrator().up(connection)
            try fixture.write(migration: "0003_broken.sql", """
                -- creates two tables, the second with a typo
                CREATE TABLE first_half (id int);
                INSERT INTO accounts (id, name) VALUES (1, 'kept?');
                CREATE TABLE second_half (id innt);
                """)
            let error = #expect(throws: MigrationError.self) { try fixture.migrator().up(connection) }
            #expect(error?.file == "migrations/0003_broken.sql")
            #expect(error?.line == 4)
            #expect(error?.column == 30)
            #expect(error?.message.contains("innt") == true)
            #expect(try connection.query("SELECT to_regclass('first_half') IS NULL").scalar(Bool.self))
            #expect(try connection.query("SELECT count(*) FROM accounts").scalar(Int64.self) == 0)
            #expect(try connection.query("SELECT max(version) FROM pacer_meta.schema_migrations").scalar(Int64.self) == 2)
        }
    }

    @Test func changedFunctionFileIsReappliedAndUnchangedIsNot() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try fixture.write(function: "020_other.sql", "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 41 $$;\n")
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try fixture.migrator().up(connection)
            #expect(try connection.query("SELECT answer()").scalar(Int64.self) == 41)
            let before = try connection.query("SELECT applied_at FROM pacer_meta.schema_functions WHERE filename = '010_names.sql'").scalar(Date.self)
            try fixture.write(function: "020_other.sql", "CREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$;\n")
            #expect(try fixture.migrator().status(connection).functionsToApply.map(\.filename) == ["020_other.sql"])
            let outcome = try fixture.migrator().up(connection)
            #expect(outcome.functionsApplied == ["020_other.sql"])
            #expect(outcome.migrationsApplied.isEmpty)
            #expect(try connection.query("SELECT answer()").scalar(Int64.self) == 42)
            let after = try connection.query("SELECT applied_at FROM pacer_meta.schema_functions WHERE filename = '010_names.sql'").scalar(Date.self)
            #expect(before == after)
        }
    }

    @Test func brokenFunctionFileNamesTheFileAndKeepsTheOldDefinition() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try fixture.migrator().up(connection)
            try fixture.write(function: "010_names.sql", "CREATE OR REPLACE FUNCTION account_name(int) RETURNS text LANGUAGE sql AS $$ SELECT nme FROM accounts WHERE id = $1 $$;\n")
            let error = #expect(throws: MigrationError.self) { try fixture.migrator().up(connection) }
            #expect(error?.file == "functions/010_names.sql")
            try connection.query("INSERT INTO accounts (id, name) VALUES (7, 'seven')")
            #expect(try connection.query("SELECT account_name(7)").scalar(String.self) == "seven")
        }
    }

    @Test func twoMigratorsAtOnceApplyEachMigrationOnce() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try await withTestDatabase { database in
            let migrator = try fixture.migrator()
            let outcomes = try await withThrowingTaskGroup(of: SchemaMigrator.Outcome.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let connection = try await PostgresConnection.connect(database.url)
                        defer { Task { await connection.close() } }
                        return try await connection.run { try migrator.up($0) }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.flatMap(\.migrationsApplied).sorted() == ["0001_create_accounts.sql", "0002_add_balance.sql"])
            #expect(outcomes.flatMap(\.functionsApplied) == ["010_names.sql"])
            let connection = try BlockingConnection(database.url)
            #expect(try connection.query("SELECT count(*) FROM applied_log").scalar(Int64.self) == 1)
        }
    }

    @Test func targetVersionDryRunAndNoTransactionMarker() async throws {
        let fixture = try fixture()
        defer { fixture.remove() }
        try fixture.write(migration: "0003_index.sql", """
            -- pacer:no-transaction
            -- CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
            CREATE INDEX CONCURRENTLY accounts_name_idx ON accounts (name);
            CREATE INDEX CONCURRENTLY accounts_balance_idx ON accounts (balance);
            """)
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let dry = try fixture.migrator().up(connection, dryRun: true)
            #expect(dry.migrationsApplied.count == 3)
            #expect(try connection.query("SELECT to_regclass('pacer_meta.schema_migrations') IS NULL").scalar(Bool.self))

            let partial = try fixture.migrator().up(connection, to: 1)
            #expect(partial.migrationsApplied == ["0001_create_accounts.sql"])
            #expect(partial.functionsApplied.isEmpty)  // functions wait for the remaining migrations
            #expect(try fixture.migrator().status(connection).pending.map(\.version) == [2, 3])

            try fixture.migrator().up(connection)
            #expect(try connection.query("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'accounts_%_idx'").scalar(Int64.self) == 2)
        }
    }

    @Test func theRepositorySchemaAppliesAndVerifies() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let migrator = SchemaMigrator(source: try MigrationSource.load(directory: TestDatabase.dbDirectory))
            let outcome = try migrator.up(connection)
            #expect(!outcome.migrationsApplied.isEmpty)
            #expect(try migrator.status(connection).isCurrent)
            #expect(try migrator.up(connection) == SchemaMigrator.Outcome())
        }
    }
}
