import Foundation

/// Where a database stands against a `MigrationSource`.
public struct SchemaStatus: Sendable {
    /// A migration row from the bookkeeping table.
    public struct Applied: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var checksum: String
        public var appliedAt: Date
        public var durationMilliseconds: Double
    }

    /// Every migration that was applied, in version order.
    public var applied: [Applied]
    /// Files not yet applied, in version order.
    public var pending: [MigrationFile]
    /// Applied migrations whose file changed since (drift: fatal).
    public var changed: [MigrationFile]
    /// Applied versions whose file is gone (drift: fatal).
    public var missing: [Applied]
    /// Function files never applied, or changed since they were last applied.
    public var functionsToApply: [FunctionFile]

    /// True when the database matches the files exactly.
    public var isCurrent: Bool {
        pending.isEmpty && changed.isEmpty && missing.isEmpty && functionsToApply.isEmpty
    }

    /// True when an applied migration no longer matches its file.
    public var hasDrift: Bool { !changed.isEmpty || !missing.isEmpty }

    /// One line for logs and readiness checks, e.g. "2 migrations pending, 1 function file changed".
    public var summary: String {
        var parts: [String] = []
        if !changed.isEmpty { parts.append("changed after apply: " + changed.map(\.filename).joined(separator: ", ")) }
        if !missing.isEmpty { parts.append("applied but missing: " + missing.map { String($0.version) }.joined(separator: ", ")) }
        if !pending.isEmpty { parts.append("\(pending.count) migration(s) pending") }
        if !functionsToApply.isEmpty { parts.append("\(functionsToApply.count) function file(s) to apply") }
        return parts.isEmpty ? "schema is current" : parts.joined(separator: "; ")
    }
}
