import Foundation
import PacingEngine
import PostgresClient

/// A campaign as stored: its configuration plus bookkeeping.
struct CampaignRecord: Sendable {
    var config: CampaignConfig
    var createdAt: Date
    var updatedAt: Date
    var version: Int64
    var breakerOverride: BreakerOverride

    /// The columns `CampaignRepository` selects, in the order `init(row:)` reads them.
    static let columns = """
        id, name, daily_budget_micros, total_budget_micros, pacing, timezone, currency, start_date, end_date, status,
        cost_per_click_micros, front_loaded_shape, breaker_trip_ratio, breaker_cooldown_seconds, breaker_probe_bids,
        breaker_recovery_throttle, breaker_override, created_at, updated_at, version
        """

    init(config: CampaignConfig, createdAt: Date, updatedAt: Date, version: Int64 = 1, breakerOverride: BreakerOverride = .none) {
        self.config = config
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.breakerOverride = breakerOverride
    }

    init(row: Row) throws {
        let startDate: PostgresDate? = try row[7]
        let endDate: PostgresDate? = try row[8]
        let pacing = try PacingAlgorithm(rawValue: row.decode(String.self, at: 4)) ?? .even
        let status = try CampaignStatus(rawValue: row.decode(String.self, at: 9)) ?? .paused
        config = CampaignConfig(
            id: try row[0], name: try row[1], dailyBudget: try row[2], totalBudget: try row[3], pacing: pacing,
            timeZoneIdentifier: try row[5], currency: try row[6],
            startDate: startDate.flatMap { LocalDate(year: $0.year, month: $0.month, day: $0.day) },
            endDate: endDate.flatMap { LocalDate(year: $0.year, month: $0.month, day: $0.day) },
            status: status, costPerClick: try row[10],
            breaker: BreakerSettings(
                tripRatio: try row[12], cooldownSeconds: Double(try row.decode(Int64.self, at: 13)),
                probeBids: try row[14], recoveryThrottle: try row[15]),
            frontLoadedShape: try row.decode(Double?.self, at: 11) ?? 2)
        breakerOverride = Self.override(fromColumn: try row[16])
        createdAt = try row[17]
        updatedAt = try row[18]
        version = try row[19]
    }

    /// The API's JSON for this campaign (SPEC section 10 field names).
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(config.id.uuidString.lowercased())
        json.key("name"); json.string(config.name)
        json.key("daily_budget_cents"); json.cents(config.dailyBudget)
        json.key("total_budget_cents"); json.optionalCents(config.totalBudget)
        json.key("pacing"); json.string(config.pacing.rawValue)
        json.key("timezone"); json.string(config.timeZoneIdentifier)
        json.key("currency"); json.string(config.currency)
        json.key("start_date"); json.optionalString(config.startDate?.iso)
        json.key("end_date"); json.optionalString(config.endDate?.iso)
        json.key("status"); json.string(config.status.rawValue)
        json.key("cost_per_click_cents"); json.optionalCents(config.costPerClick)
        json.key("front_loaded_shape"); json.double(config.frontLoadedShape)
        json.key("breaker")
        json.beginObject()
        json.key("trip_ratio"); json.double(config.breaker.tripRatio)
        json.key("cooldown_seconds"); json.double(config.breaker.cooldownSeconds)
        json.key("probe_bids"); json.integer(Int64(config.breaker.probeBids))
        json.key("recovery_throttle"); json.double(config.breaker.recoveryThrottle)
        json.key("override"); json.string(Self.column(for: breakerOverride))
        json.endObject()
        json.key("created_at"); json.string(Self.timestamp(createdAt))
        json.key("updated_at"); json.string(Self.timestamp(updatedAt))
        json.key("version"); json.integer(version)
        json.endObject()
    }

    static func timestamp(_ date: Date) -> String {
        date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `campaigns.breaker_override` holds none/open/closed.
    static func override(fromColumn text: String) -> BreakerOverride {
        switch text {
        case "open": return .forceOpen
        case "closed": return .forceClosed
        default: return .none
        }
    }

    static func column(for override: BreakerOverride) -> String {
        switch override {
        case .forceOpen: return "open"
        case .forceClosed: return "closed"
        case .none: return "none"
        }
    }
}
