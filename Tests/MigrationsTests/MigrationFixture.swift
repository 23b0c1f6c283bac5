import Foundation
import Migrations

/// A db directory of its own for one test, under the system's temporary folder.
struct MigrationFixture {
    let directory: URL

    init(migrations: [String: String] = [:], functions: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("functions"), withIntermediateDirectories: true)
        for (name, sql) in migrations { try write(migration: name, sql) }
        for (name, sql) in functions { try write(function: name, sql) }
    }

    func write(migration name: String, _ sql: String) throws {
        try sql.write(to: directory.appendingPathComponent("migrations/\(name)"), atomically: true, encoding: .utf8)
    }

    func write(function name: String, _ sql: String) throws {
        try sql.write(to: directory.appendingPathComponent("functions/\(name)"), atomically: true, encoding: .utf8)
    }

    func migrator(log: @escaping @Sendable (String) -> Void = { _ in }) throws -> SchemaMigrator {
        SchemaMigrator(source: try MigrationSource.load(directory: directory.path), log: log)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
