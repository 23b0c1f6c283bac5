import Foundation
import PacingEngine
import PostgresClient

/// The global kill switch as stored in `pacer.global_controls`.
struct GlobalControls: Sendable {
    var breakerOverride: BreakerOverride
    var updatedAt: Date
    var version: Int64
}

extension CampaignRepository {
    /// Sets a campaign's status (active or paused). With `expectedVersion`, only if the row still
    /// has it. Nil when there is no such non-archived campaign or the version moved on.
    func setStatus(_ id: UUID, to status: CampaignStatus, expectedVersion: Int64?) async throws -> CampaignRecord? {
        try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.campaigns SET status = $2, updated_at = now(), version = version + 1
                WHERE id = $1 AND status <> 'archived' AND ($3::bigint IS NULL OR version = $3)
                RETURNING \(CampaignRecord.columns)
                """, [id, status.rawValue, expectedVersion]
            ).rows.first.map(CampaignRecord.init(row:))
        }
    }

    /// Sets a campaign's kill switch (`breaker_override`), as `setStatus` does the status.
    func setOverride(_ id: UUID, to override: BreakerOverride, expectedVersion: Int64?) async throws -> CampaignRecord? {
        try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.campaigns SET breaker_override = $2, updated_at = now(), version = version + 1
                WHERE id = $1 AND status <> 'archived' AND ($3::bigint IS NULL OR version = $3)
                RETURNING \(CampaignRecord.columns)
                """, [id, CampaignRecord.column(for: override), expectedVersion]
            ).rows.first.map(CampaignRecord.init(row:))
        }
    }

    func globalControls() async throws -> GlobalControls {
        try await pool.run { connection in
            try Self.controls(connection.query("SELECT breaker_override, updated_at, version FROM pacer.global_controls").single())
        }
    }

    /// Sets the global kill switch; its trigger tells every instance (`pacer_campaigns`, `*`).
    /// Nil when `expectedVersion` is given and the row has moved on.
    func setGlobalOverride(_ override: BreakerOverride, expectedVersion: Int64?) async throws -> GlobalControls? {
        try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.global_controls SET breaker_override = $1, updated_at = now(), version = version + 1
                WHERE $2::bigint IS NULL OR version = $2
                RETURNING breaker_override, updated_at, version
                """, [CampaignRecord.column(for: override), expectedVersion]
            ).rows.first.map(Self.controls)
        }
    }

    private static func controls(_ row: Row) throws -> GlobalControls {
        GlobalControls(breakerOverride: CampaignRecord.override(fromColumn: try row[0]), updatedAt: try row[1], version: try row[2])
    }
}
