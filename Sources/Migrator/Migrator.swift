import ArgumentParser
import Foundation
import Migrations
import PostgresClient

/// Rolls the Pacer schema out: `db/migrations` once each, in order; `db/functions` whenever they change.
@main
struct Migrator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Migrator",
        abstract: "Roll the Pacer schema out to PostgreSQL.",
        discussion: """
            Migrations in DB_DIR/migrations (NNNN_name.sql) are applied once each, in version order, \
            each in its own transaction; a file whose leading comments contain \
            '\(MigrationFile.noTransactionMarker)' runs statement by statement outside a transaction. \
            Files in DB_DIR/functions are re-applied whenever their checksum changes. An advisory lock \
            keeps two migrators from running at once.
            """,
        subcommands: [Up.self, Status.self, Verify.self])

    struct Options: ParsableArguments {
        @Option(help: "libpq URI or conninfo of the database (default: $DATABASE_URL).")
        var databaseURL: String?

        @Option(help: "Folder holding migrations/ and functions/.")
        var dbDir: String = "./db"

        func connect() throws -> (BlockingConnection, MigrationSource) {
            guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw ValidationError("no database given: pass --database-url or set DATABASE_URL")
            }
            let source = try MigrationSource.load(directory: dbDir)
            do {
                return (try BlockingConnection(url, applicationName: "pacer-migrator"), source)
            } catch let error as PostgresError {
                throw CleanExit.message("cannot connect to the database: \(error.message)", code: 2)
            }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations, then changed function files.")

        @OptionGroup var options: Options

        @Flag(help: "Print what would be applied without changing anything.")
        var dryRun = false

        @Option(help: "Apply migrations up to and including this version only.")
        var to: Int?

        func run() throws {
            let (connection, source) = try options.connect()
            let migrator = SchemaMigrator(source: source, log: { print($0) })
            do {
                let outcome = try migrator.up(connection, to: to, dryRun: dryRun)
                if dryRun {
                    print("dry run: \(outcome.migrationsApplied.count) migration(s), \(outcome.functionsApplied.count) function file(s) would be applied")
                }
            } catch let error as MigrationError {
                throw CleanExit.message("error: \(error)", code: 1)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List migrations and function files with their state.")

        @OptionGroup var options: Options

        func run() throws {
            let (connection, source) = try options.connect()
            let status = try SchemaMigrator(source: source).status(connection)
            let applied = Dictionary(status.applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
            let changed = Set(status.changed.map(\.version))
            print("MIGRATION".padding(toLength: 44, withPad: " ", startingAt: 0) + "STATE     APPLIED AT                 DURATION")
            for file in source.migrations {
                let row = applied[file.version]
                let state = changed.contains(file.version) ? "CHANGED" : row == nil ? "pending" : "applied"
                let when = row.map { ISO8601DateFormatter().string(from: $0.appliedAt) } ?? "-"
                let duration = row.map { "\($0.durationMilliseconds) ms" } ?? "-"
                print(file.filename.padding(toLength: 44, withPad: " ", startingAt: 0)
                    + state.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + when.padding(toLength: 27, withPad: " ", startingAt: 0) + duration)
            }
            for missing in status.missing {
                print("\(missing.version)_\(missing.name) (file missing)".padding(toLength: 44, withPad: " ", startingAt: 0) + "MISSING")
            }
            let stale = Set(status.functionsToApply.map(\.filename))
            for function in source.functions {
                print(("functions/" + function.filename).padding(toLength: 44, withPad: " ", startingAt: 0)
                    + (stale.contains(function.filename) ? "to apply" : "current"))
            }
            print(status.summary)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit non-zero when the database differs from the files: drift or pending work.")

        @OptionGroup var options: Options

        func run() throws {
            let (connection, source) = try options.connect()
            let status = try SchemaMigrator(source: source).status(connection)
            for file in status.changed {
                print("error: migrations/\(file.filename) was changed after it was applied")
            }
            guard status.isCurrent else {
                throw CleanExit.message("verify failed: \(status.summary) (run: Migrator up)", code: 1)
            }
            print("ok: \(status.applied.count) migration(s) and \(source.functions.count) function file(s) are current")
        }
    }
}

extension CleanExit {
    /// Prints `text` to standard error and exits with `code`.
    static func message(_ text: String, code: Int32) -> any Error {
        FileHandle.standardError.write(Data((text + "\n").utf8))
        return ExitCode(code)
    }
}
