import Foundation
import PostgresClient

/// Rolls `db/migrations` and `db/functions` out to a database.
///
/// Bookkeeping lives in schema `pacer_meta`: `schema_migrations` (version, name, checksum,
/// applied_at, duration) and `schema_functions` (file, checksum, applied_at, duration). A
/// session-level advisory lock keeps two migrators from running at once; the second waits and
/// then finds nothing left to do.
public struct SchemaMigrator: Sendable {
    public var source: MigrationSource
    /// Receives one line per step ("applied migrations/0001_core.sql in 12 ms").
    public var log: @Sendable (String) -> Void

    /// The advisory lock key ("pacer migrations").
    public static let lockKey: Int64 = 0x7061_6365_726d_6967

    public init(source: MigrationSource, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.source = source
        self.log = log
    }

    /// Compares the database with the files without changing anything.
    public func status(_ connection: BlockingConnection) throws -> SchemaStatus {
        let bookkept = try connection.query(
            "SELECT to_regclass('pacer_meta.schema_migrations') IS NOT NULL AND to_regclass('pacer_meta.schema_functions') IS NOT NULL"
        ).scalar(Bool.self)
        var applied: [SchemaStatus.Applied] = []
        var functionChecksums: [String: String] = [:]
        if bookkept {
            applied = try connection.query(
                "SELECT version, name, checksum, applied_at, duration_ms FROM pacer_meta.schema_migrations ORDER BY version"
            ).rows.map { row in
                SchemaStatus.Applied(
                    version: try row[0], name: try row[1], checksum: try row[2], appliedAt: try row[3],
                    durationMilliseconds: try row[4])
            }
            for row in try connection.query("SELECT filename, checksum FROM pacer_meta.schema_functions").rows {
                functionChecksums[try row[0]] = try row[1]
            }
        }
        let appliedByVersion = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        let files = Dictionary(source.migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        return SchemaStatus(
            applied: applied,
            pending: source.migrations.filter { appliedByVersion[$0.version] == nil },
            changed: source.migrations.filter { file in
                appliedByVersion[file.version].map { $0.checksum != file.checksum } ?? false
            },
            missing: applied.filter { files[$0.version] == nil },
            functionsToApply: source.functions.filter { functionChecksums[$0.filename] != $0.checksum })
    }

    /// What `up` did, or would do under `dryRun`.
    public struct Outcome: Sendable, Equatable {
        public var migrationsApplied: [String] = []
        public var functionsApplied: [String] = []

        public init(migrationsApplied: [String] = [], functionsApplied: [String] = []) {
            self.migrationsApplied = migrationsApplied
            self.functionsApplied = functionsApplied
        }
    }

    /// Applies pending migrations up to `target` (all when nil), each in its own transaction, then
    /// the function files whose checksum changed, when no migration is left pending.
    /// Refuses to run when an applied migration's file changed or vanished.
    @discardableResult
    public func up(_ connection: BlockingConnection, to target: Int? = nil, dryRun: Bool = false) throws -> Outcome {
        try connection.execute(unsafeSQL: "SET lock_timeout = 0")
        try connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
        if !dryRun { try createBookkeeping(connection) }

        let status = try status(connection)
        if let changed = status.changed.first {
            throw MigrationError(
                file: "migrations/\(changed.filename)",
                message: "this migration was changed after it was applied; migrations are never edited once applied — add a new one instead")
        }
        if let missing = status.missing.first {
            throw MigrationError(message: "migration \(missing.version) (\(missing.name)) is applied but its file is missing")
        }
        if let latest = status.applied.last?.version, let early = status.pending.first(where: { $0.version < latest }) {
            throw MigrationError(
                file: "migrations/\(early.filename)",
                message: "version \(early.version) is older than the applied version \(latest); renumber it after \(latest)")
        }

        var outcome = Outcome()
        let pending = status.pending.filter { migration in target.map { migration.version <= $0 } ?? true }
        for migration in pending {
            outcome.migrationsApplied.append(migration.filename)
            if dryRun {
                log("would apply migrations/\(migration.filename)")
                continue
            }
            let started = ContinuousClock.now
            try apply(migration, on: connection, started: started)
            log("applied migrations/\(migration.filename) in \(Self.milliseconds(since: started)) ms")
        }

        let remaining = status.pending.count - pending.count
        guard remaining == 0 else {
            log("\(remaining) migration(s) after version \(target ?? 0) left pending; function files wait for them")
            return outcome
        }
        for function in status.functionsToApply {
            outcome.functionsApplied.append(function.filename)
            if dryRun {
                log("would apply functions/\(function.filename)")
                continue
            }
            let started = ContinuousClock.now
            try apply(function, on: connection, started: started)
            log("applied functions/\(function.filename) in \(Self.milliseconds(since: started)) ms")
        }
        if outcome == Outcome() { log("nothing to do: schema is current") }
        return outcome
    }

    private func createBookkeeping(_ connection: BlockingConnection) throws {
        try connection.execute(unsafeSQL: """
            CREATE SCHEMA IF NOT EXISTS pacer_meta;
            CREATE TABLE IF NOT EXISTS pacer_meta.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms double precision NOT NULL
            );
            CREATE TABLE IF NOT EXISTS pacer_meta.schema_functions (
                filename    text PRIMARY KEY,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms double precision NOT NULL
            );
            """)
    }

    private func apply(_ migration: MigrationFile, on connection: BlockingConnection, started: ContinuousClock.Instant) throws {
        let file = "migrations/\(migration.filename)"
        let record = "INSERT INTO pacer_meta.schema_migrations (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)"
        if migration.runsOutsideTransaction {
            for statement in SQLSplitter.split(migration.sql) {
                do {
                    try connection.execute(unsafeSQL: statement.sql)
                } catch let error as PostgresError {
                    throw Self.locate(error, file: file, sql: migration.sql, offset: statement.offset)
                }
            }
            try connection.query(record, [Int64(migration.version), migration.name, migration.checksum, Self.milliseconds(since: started)])
            return
        }
        do {
            try connection.transaction { connection in
                try connection.execute(unsafeSQL: migration.sql)
                try connection.query(record, [Int64(migration.version), migration.name, migration.checksum, Self.milliseconds(since: started)])
            }
        } catch let error as PostgresError {
            throw Self.locate(error, file: file, sql: migration.sql, offset: 0)
        }
    }

    private func apply(_ function: FunctionFile, on connection: BlockingConnection, started: ContinuousClock.Instant) throws {
        do {
            try connection.transaction { connection in
                try connection.execute(unsafeSQL: function.sql)
                try connection.query(
                    """
                    INSERT INTO pacer_meta.schema_functions (filename, checksum, duration_ms) VALUES ($1, $2, $3)
                    ON CONFLICT (filename) DO UPDATE SET checksum = excluded.checksum, applied_at = now(), duration_ms = excluded.duration_ms
                    """, [function.filename, function.checksum, Self.milliseconds(since: started)])
            }
        } catch let error as PostgresError {
            throw Self.locate(error, file: "functions/\(function.filename)", sql: function.sql, offset: 0)
        }
    }

    static func locate(_ error: PostgresError, file: String, sql: String, offset: Int) -> MigrationError {
        var message = error.message
        if let sqlState = error.sqlState { message = "\(message) (SQLSTATE \(sqlState))" }
        if let detail = error.detail { message += "; \(detail)" }
        guard let position = error.position else { return MigrationError(file: file, message: message) }
        let (line, column) = MigrationError.location(of: position + offset, in: sql)
        return MigrationError(file: file, message: message, line: line, column: column)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let value = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return (value * 10).rounded() / 10
    }
}
