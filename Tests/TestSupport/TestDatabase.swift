import Foundation
import PostgresClient

/// A database of its own for one test, on the cluster that `DATABASE_URL` points at.
///
/// Each test creates one and drops it afterwards, so tests run in parallel and in any order.
/// `make test` starts a throwaway cluster and exports `DATABASE_URL`.
public struct TestDatabase: Sendable {
    /// The new database's name.
    public let name: String
    /// A libpq URI or conninfo for the new database.
    public let url: String
    let adminURL: String

    /// The cluster's URL from the environment; fails with an explanation when it is not set.
    public static func clusterURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw PostgresError(
                kind: .connection,
                message: "DATABASE_URL is not set: run the tests with `make test`, which starts a PostgreSQL for them")
        }
        return url
    }

    /// The repository's `db` directory.
    public static var dbDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("db").path
    }

    /// Creates an empty database on the cluster of `DATABASE_URL`, or of `cluster` when given.
    public static func create(prefix: String = "pacer_test", cluster: String? = nil) throws -> TestDatabase {
        let adminURL = try cluster ?? clusterURL()
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try BlockingConnection(adminURL)
        try admin.execute(unsafeSQL: "CREATE DATABASE \(BlockingConnection.quoteIdentifier(name)) TEMPLATE template0")
        return TestDatabase(name: name, url: Self.url(adminURL, database: name), adminURL: adminURL)
    }

    /// Drops the database, disconnecting whoever still uses it.
    public func drop() {
        guard let admin = try? BlockingConnection(adminURL) else { return }
        try? admin.execute(unsafeSQL: "DROP DATABASE IF EXISTS \(BlockingConnection.quoteIdentifier(name)) WITH (FORCE)")
    }

    /// `url` pointed at another database of the same cluster.
    public static func url(_ url: String, database: String) -> String {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://"), var components = URLComponents(string: url) {
            components.path = "/" + database
            if let text = components.string { return text }
        }
        return url + " dbname=\(database)"
    }
}

/// Runs `body` with a fresh database and drops it afterwards, whatever happens.
public func withTestDatabase<T>(_ body: (TestDatabase) async throws -> T) async throws -> T {
    let database = try TestDatabase.create()
    do {
        let value = try await body(database)
        database.drop()
        return value
    } catch {
        database.drop()
        throw error
    }
}
