import Foundation

/// The migrations and function files of a db directory (`db/migrations`, `db/functions`).
public struct MigrationSource: Sendable {
    public var migrations: [MigrationFile]
    public var functions: [FunctionFile]

    public init(migrations: [MigrationFile], functions: [FunctionFile]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.functions = functions.sorted { $0.filename < $1.filename }
    }

    /// Reads `directory/migrations/*.sql` and `directory/functions/*.sql`.
    /// Fails on a malformed file name or two migrations with one version.
    public static func load(directory: String) throws -> MigrationSource {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationError(message: "database directory \(directory) not found (pass --db-dir, or run from the repository root)")
        }
        func sqlFiles(_ folder: String) throws -> [(String, String)] {
            let path = (directory as NSString).appendingPathComponent(folder)
            guard manager.fileExists(atPath: path) else { return [] }
            return try manager.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".sql") }.sorted().map { name in
                let text = try String(contentsOfFile: (path as NSString).appendingPathComponent(name), encoding: .utf8)
                return (name, text)
            }
        }
        let migrations = try sqlFiles("migrations").map { try MigrationFile(filename: $0.0, sql: $0.1) }
        var seen: [Int: String] = [:]
        for migration in migrations {
            if let other = seen[migration.version] {
                throw MigrationError(
                    file: "migrations/\(migration.filename)",
                    message: "version \(migration.version) is also used by \(other)")
            }
            seen[migration.version] = migration.filename
        }
        let functions = try sqlFiles("functions").map { FunctionFile(filename: $0.0, sql: $0.1) }
        return MigrationSource(migrations: migrations, functions: functions)
    }
}
