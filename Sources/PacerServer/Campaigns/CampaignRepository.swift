import Foundation
import PacingEngine
import PostgresClient

/// Campaign rows in PostgreSQL. Writes bump `version`; the NOTIFY trigger tells other instances.
struct CampaignRepository: Sendable {
    let pool: PostgresPool

    private static func parameters(_ config: CampaignConfig) -> [any PostgresEncodable] {
        [
            config.id, config.name, config.dailyBudget, config.totalBudget, config.pacing.rawValue,
            config.timeZoneIdentifier, config.currency, config.startDate.map(Self.date), config.endDate.map(Self.date),
            config.status.rawValue, config.costPerClick, config.frontLoadedShape, config.breaker.tripRatio,
            Int64(config.breaker.cooldownSeconds.rounded()), Int64(config.breaker.probeBids), config.breaker.recoveryThrottle,
        ]
    }

    static func date(_ date: LocalDate) -> PostgresDate {
        PostgresDate(year: date.year, month: date.month, day: date.day)
    }

    func insert(_ config: CampaignConfig) async throws -> CampaignRecord {
        let parameters = Self.parameters(config)
        return try await pool.run { connection in
            try CampaignRecord(row: connection.query(
                """
                INSERT INTO pacer.campaigns (id, name, daily_budget_micros, total_budget_micros, pacing, timezone, currency,
                    start_date, end_date, status, cost_per_click_micros, front_loaded_shape, breaker_trip_ratio,
                    breaker_cooldown_seconds, breaker_probe_bids, breaker_recovery_throttle)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                RETURNING \(CampaignRecord.columns)
                """, parameters
            ).single())
        }
    }

    /// Replaces a campaign's configuration. With `expectedVersion`, only if the row still has it.
    /// Returns nil when there is no such (non-archived) campaign or the version moved on.
    func update(_ config: CampaignConfig, expectedVersion: Int64?) async throws -> CampaignRecord? {
        let parameters = Self.parameters(config) + [expectedVersion]
        return try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.campaigns SET name = $2, daily_budget_micros = $3, total_budget_micros = $4, pacing = $5,
                    timezone = $6, currency = $7, start_date = $8, end_date = $9, status = $10, cost_per_click_micros = $11,
                    front_loaded_shape = $12, breaker_trip_ratio = $13, breaker_cooldown_seconds = $14,
                    breaker_probe_bids = $15, breaker_recovery_throttle = $16, updated_at = now(), version = version + 1
                WHERE id = $1 AND status <> 'archived' AND ($17::bigint IS NULL OR version = $17)
                RETURNING \(CampaignRecord.columns)
                """, parameters
            ).rows.first.map(CampaignRecord.init(row:))
        }
    }

    /// Archives a campaign (DELETE): it is no longer decided, but late spend is still recorded.
    func archive(_ id: UUID) async throws -> CampaignRecord? {
        try await pool.run { connection in
            try connection.query(
                """
                UPDATE pacer.campaigns SET status = 'archived', updated_at = now(), version = version + 1
                WHERE id = $1 AND status <> 'archived'
                RETURNING \(CampaignRecord.columns)
                """, [id]
            ).rows.first.map(CampaignRecord.init(row:))
        }
    }

    func find(_ id: UUID) async throws -> CampaignRecord? {
        try await pool.run { connection in
            try connection.query("SELECT \(CampaignRecord.columns) FROM pacer.campaigns WHERE id = $1", [id])
                .rows.first.map(CampaignRecord.init(row:))
        }
    }

    /// Every campaign, archived ones included (they still record spend), in creation order.
    func all() async throws -> [CampaignRecord] {
        try await pool.run { connection in
            try connection.query("SELECT \(CampaignRecord.columns) FROM pacer.campaigns ORDER BY created_at, id")
                .rows.map(CampaignRecord.init(row:))
        }
    }

    /// One page of campaigns in creation order: `limit` of them after the campaign `after`.
    func page(limit: Int, after: UUID?) async throws -> [CampaignRecord] {
        try await pool.run { connection in
            try connection.query(
                """
                SELECT \(CampaignRecord.columns) FROM pacer.campaigns
                WHERE $1::uuid IS NULL OR (created_at, id) > (SELECT created_at, id FROM pacer.campaigns WHERE id = $1)
                ORDER BY created_at, id LIMIT $2
                """, [after, limit]
            ).rows.map(CampaignRecord.init(row:))
        }
    }

    /// Today's and earlier spend of one campaign in its time zone at `now`.
    func spend(of id: UUID, at now: Date) async throws -> (Micros, Micros) {
        try await pool.run { connection in
            guard let row = try connection.query(
                "SELECT spent_today_micros, spent_before_today_micros FROM pacer.campaign_spend($1, $2)", [id, now]
            ).rows.first else { return (0, 0) }
            return (try row[0], try row[1])
        }
    }

    /// Today's and earlier spend of every campaign, each in its own time zone at `now`.
    func spend(at now: Date) async throws -> [UUID: (today: Micros, before: Micros)] {
        try await pool.run { connection in
            var result: [UUID: (Micros, Micros)] = [:]
            for row in try connection.query(
                """
                SELECT c.id, s.spent_today_micros, s.spent_before_today_micros
                FROM pacer.campaigns c CROSS JOIN LATERAL pacer.campaign_spend(c.id, $1) s
                """, [now]
            ).rows {
                result[try row[0]] = (try row[1], try row[2])
            }
            return result
        }
    }
}
