import Foundation
import Hashing

/// One file of `db/migrations`: `NNNN_snake_description.sql`, applied once, in version order.
public struct MigrationFile: Sendable, Equatable {
    /// The number the file name starts with.
    public var version: Int
    /// The rest of the file name, without the `.sql` extension.
    public var name: String
    /// The file name.
    public var filename: String
    public var sql: String
    /// SHA-256 of the file's bytes, in hex.
    public var checksum: String
    /// True when the file's header carries `-- pacer:no-transaction`: its statements then run one
    /// by one outside a transaction (needed for `CREATE INDEX CONCURRENTLY` and the like).
    public var runsOutsideTransaction: Bool

    /// The marker that, in a migration's leading comment lines, makes it run outside a transaction.
    public static let noTransactionMarker = "-- pacer:no-transaction"

    public init(filename: String, sql: String) throws {
        guard filename.hasSuffix(".sql"),
            let underscore = filename.firstIndex(of: "_"),
            let version = Int(filename[..<underscore]), version > 0
        else {
            throw MigrationError(
                file: filename,
                message: "migration file names must look like 0001_description.sql")
        }
        self.version = version
        self.filename = filename
        self.name = String(filename[filename.index(after: underscore)...].dropLast(4))
        self.sql = sql
        self.checksum = Checksum.sha256(sql)
        self.runsOutsideTransaction = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { $0.hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
            .contains { $0.trimmingCharacters(in: .whitespaces) == Self.noTransactionMarker }
    }
}

/// One file of `db/functions`: re-runnable `CREATE OR REPLACE` SQL, re-applied when it changes.
public struct FunctionFile: Sendable, Equatable {
    public var filename: String
    public var sql: String
    public var checksum: String

    public init(filename: String, sql: String) {
        self.filename = filename
        self.sql = sql
        self.checksum = Checksum.sha256(sql)
    }
}

enum Checksum {
    static func sha256(_ text: String) -> String {
        SHA256.hexDigest(text)
    }
}
