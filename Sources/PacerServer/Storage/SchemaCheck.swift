import Migrations
import PostgresClient

/// Compares the database's schema with the migrations and functions this server was shipped with.
struct SchemaCheck: Sendable {
    let source: MigrationSource

    init(dbDirectory: String) throws {
        source = try MigrationSource.load(directory: dbDirectory)
    }

    /// The database's state against the files.
    func status(_ pool: PostgresPool) async throws -> SchemaStatus {
        let migrator = SchemaMigrator(source: source)
        return try await pool.run { try migrator.status($0) }
    }
}
