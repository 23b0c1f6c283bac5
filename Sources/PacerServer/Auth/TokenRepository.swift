import Foundation
import PostgresClient

/// A token as listed: never its secret or hash.
struct TokenRecord: Sendable {
    var id: UUID
    var name: String
    var role: Role
    var createdAt: Date
    var revokedAt: Date?

    static let columns = "id, name, role, created_at, revoked_at"

    init(row: Row) throws {
        id = try row[0]
        name = try row[1]
        role = Role(rawValue: try row.decode(String.self, at: 2)) ?? .readOnly
        createdAt = try row[3]
        revokedAt = try row[4]
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id.uuidString.lowercased())
        json.key("name"); json.string(name)
        json.key("role"); json.string(role.rawValue)
        json.key("created_at"); json.string(CampaignRecord.timestamp(createdAt))
        json.key("revoked_at"); json.optionalString(revokedAt.map(CampaignRecord.timestamp))
        json.endObject()
    }
}

/// Rows of `pacer.api_tokens`: only SHA-256 digests of the tokens are stored.
struct TokenRepository: Sendable {
    let pool: PostgresPool

    func insert(name: String, role: Role, digest: [UInt8]) async throws -> TokenRecord {
        let hex = TokenCache.hex(digest)
        return try await pool.run { connection in
            try TokenRecord(row: connection.query(
                """
                INSERT INTO pacer.api_tokens (name, role, token_hash) VALUES ($1, $2, decode($3, 'hex'))
                RETURNING \(TokenRecord.columns)
                """, [name, role.rawValue, hex]
            ).single())
        }
    }

    /// Tokens in creation order, revoked ones included, `limit` of them after the token `after`.
    func list(limit: Int, after: UUID?) async throws -> [TokenRecord] {
        try await pool.run { connection in
            try connection.query(
                """
                SELECT \(TokenRecord.columns) FROM pacer.api_tokens
                WHERE $1::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM pacer.api_tokens WHERE id = $1)
                ORDER BY created_at, id LIMIT $2
                """, [after, limit]
            ).rows.map(TokenRecord.init(row:))
        }
    }

    /// Revokes a live token; nil when there is no such token or it was already revoked.
    func revoke(_ id: UUID) async throws -> TokenRecord? {
        try await pool.run { connection in
            try connection.query(
                "UPDATE pacer.api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING \(TokenRecord.columns)",
                [id]
            ).rows.first.map(TokenRecord.init(row:))
        }
    }
}
