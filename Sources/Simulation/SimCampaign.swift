import Foundation
import PacingEngine

/// One campaign of a simulation: its configuration, the bid it places and how many eligible
/// requests it sees in a day.
///
/// Decoded from the campaign fields of `POST /v1/campaigns` (snake_case, money in cents, exact)
/// plus `bid_cents` and `daily_requests`; `pacing` may also be the baseline `MULTIPLICATIVE`.
public struct SimCampaign: Sendable {
    /// The campaign's configuration.
    public var config: CampaignConfig
    /// The bid placed on every request.
    public var bid: Micros
    /// Eligible requests per day, spread over the day by the traffic shape.
    public var dailyRequests: Int

    /// A simulated campaign.
    public init(config: CampaignConfig, bid: Micros, dailyRequests: Int) {
        self.config = config
        self.bid = bid
        self.dailyRequests = dailyRequests
    }

    /// Reads a JSON array of campaigns.
    public static func decodeList(from data: Data) throws -> [SimCampaign] {
        let raw = try JSONDecoder().decode([RawCampaign].self, from: data)
        return try raw.enumerated().map { index, campaign in try campaign.resolve(index: index) }
    }
}

/// Why a campaigns file was not accepted.
public struct SimulationInputError: Error, CustomStringConvertible {
    /// What is wrong, naming the file's entry or line.
    public var description: String

    /// An error with a message.
    public init(_ description: String) { self.description = description }
}

private struct RawCampaign: Decodable {
    struct RawBreaker: Decodable {
        var trip_ratio: Double?
        var cooldown_seconds: Double?
        var probe_bids: Int?
        var recovery_throttle: Double?
    }

    var name: String
    var daily_budget_cents: Decimal
    var total_budget_cents: Decimal?
    var pacing: String
    var timezone: String?
    var currency: String?
    var start_date: LocalDate?
    var end_date: LocalDate?
    var status: CampaignStatus?
    var cost_per_click_cents: Decimal?
    var breaker: RawBreaker?
    var front_loaded_shape: Double?
    var bid_cents: Decimal
    var daily_requests: Int

    func resolve(index: Int) throws -> SimCampaign {
        func micros(_ value: Decimal, _ field: String) throws -> Micros {
            do { return try Money.micros(fromCents: value.description) } catch {
                throw SimulationInputError("campaign \(index) (\(name)): \(field) \(error)")
            }
        }
        guard let algorithm = PacingAlgorithm(rawValue: pacing) else {
            throw SimulationInputError("campaign \(index) (\(name)): unknown pacing \(pacing)")
        }
        var settings = BreakerSettings()
        if let breaker {
            settings = BreakerSettings(
                tripRatio: breaker.trip_ratio ?? settings.tripRatio,
                cooldownSeconds: breaker.cooldown_seconds ?? settings.cooldownSeconds,
                probeBids: breaker.probe_bids ?? settings.probeBids,
                recoveryThrottle: breaker.recovery_throttle ?? settings.recoveryThrottle
            )
        }
        let config = CampaignConfig(
            name: name,
            dailyBudget: try micros(daily_budget_cents, "daily_budget_cents"),
            totalBudget: try total_budget_cents.map { try micros($0, "total_budget_cents") },
            pacing: algorithm,
            timeZoneIdentifier: timezone ?? "UTC",
            currency: currency ?? "USD",
            startDate: start_date,
            endDate: end_date,
            status: status ?? .active,
            costPerClick: try cost_per_click_cents.map { try micros($0, "cost_per_click_cents") },
            breaker: settings,
            frontLoadedShape: front_loaded_shape ?? 2
        )
        // The baseline is not an API algorithm, so only the other fields are checked here.
        let problems = config.problems.filter { $0.field != "pacing" }
        if let problem = problems.first {
            throw SimulationInputError("campaign \(index) (\(name)): \(problem)")
        }
        let bid = try micros(bid_cents, "bid_cents")
        guard bid > 0 else { throw SimulationInputError("campaign \(index) (\(name)): bid_cents must be greater than 0") }
        guard daily_requests >= 0 else {
            throw SimulationInputError("campaign \(index) (\(name)): daily_requests must not be negative")
        }
        return SimCampaign(config: config, bid: bid, dailyRequests: daily_requests)
    }
}
