import Foundation
import PostgresClient

/// Partners in PostgreSQL. A new partner gets its token bucket, full, in the same transaction.
struct PartnerRepository: Sendable {
    let pool: PostgresPool

    private static func parameters(_ input: PartnerInput) -> [any PostgresEncodable] {
        [
            input.name, input.endpointURL, input.format, input.headersJSON, input.rateLimitPerSecond, input.dailyCap,
            input.batchSize, input.timeoutMilliseconds, input.maxAttempts, input.timezone, input.status,
        ]
    }

    func insert(_ input: PartnerInput, now: Date) async throws -> PartnerRecord {
        let parameters = Self.parameters(input) + [now]
        return try await pool.transaction { connection in
            let record = try PartnerRecord(row: connection.query(
                """
                INSERT INTO pacer.partners (name, endpoint_url, format, headers, rate_limit_per_second, daily_cap, batch_size,
                                            timeout_ms, max_attempts, timezone, status, created_at, updated_at)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $12)
                RETURNING \(PartnerRecord.columns)
                """, parameters).single())
            try connection.query(
                "INSERT INTO pacer.partner_rate_buckets (partner_id, tokens, refilled_at) VALUES ($1, greatest($2, 1), $3)",
                [record.id, input.rateLimitPerSecond, now])
            return record
        }
    }

    /// Replaces a partner's settings; nil when it does not exist or its version is not `expectedVersion`.
    func update(_ id: UUID, _ input: PartnerInput, expectedVersion: Int64?, now: Date) async throws -> PartnerRecord? {
        let parameters = Self.parameters(input) + [now, id, expectedVersion]
        return try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.partners
                   SET name = $1, endpoint_url = $2, format = $3, headers = $4::jsonb, rate_limit_per_second = $5,
                       daily_cap = $6, batch_size = $7, timeout_ms = $8, max_attempts = $9, timezone = $10, status = $11,
                       updated_at = $12, version = version + 1
                 WHERE id = $13 AND status <> 'archived' AND ($14::bigint IS NULL OR version = $14)
                RETURNING \(PartnerRecord.columns)
                """, parameters
            ).rows.first.map(PartnerRecord.init(row:))
        }
    }

    /// Sets `status` (active, paused, archived) of a partner that is not archived; nil if none.
    /// Making it active wakes idle workers.
    func setStatus(_ id: UUID, _ status: String, now: Date) async throws -> PartnerRecord? {
        try await pool.transaction { connection in
            let record = try connection.query(
                """
                UPDATE pacer.partners SET status = $2, updated_at = $3, version = version + 1
                 WHERE id = $1 AND status <> 'archived'
                RETURNING \(PartnerRecord.columns)
                """, [id, status, now]
            ).rows.first.map(PartnerRecord.init(row:))
            if record != nil, status == "active" {
                try connection.query("SELECT pg_notify('pacer_clicks', $1)", [id.uuidString.lowercased()])
            }
            return record
        }
    }

    func find(_ id: UUID) async throws -> PartnerRecord? {
        try await pool.run { connection in
            try connection.query("SELECT \(PartnerRecord.columns) FROM pacer.partners WHERE id = $1", [id])
                .rows.first.map(PartnerRecord.init(row:))
        }
    }

    /// Every partner that is not archived, oldest first.
    /// Partners in creation order (archived ones left out), `limit` of them after the partner `after`.
    func page(limit: Int, after: UUID?) async throws -> [PartnerRecord] {
        try await pool.run { connection in
            try connection.query(
                """
                SELECT \(PartnerRecord.columns) FROM pacer.partners
                 WHERE status <> 'archived'
                   AND ($1::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM pacer.partners WHERE id = $1))
                 ORDER BY created_at, id LIMIT $2
                """, [after, limit]
            ).rows.map(PartnerRecord.init(row:))
        }
    }

    func all() async throws -> [PartnerRecord] {
        try await pool.run { connection in
            try connection.query(
                "SELECT \(PartnerRecord.columns) FROM pacer.partners WHERE status <> 'archived' ORDER BY created_at, id"
            ).rows.map(PartnerRecord.init(row:))
        }
    }
}
