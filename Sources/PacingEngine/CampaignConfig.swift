import Foundation

/// Everything the pacing engine needs to know about a campaign.
///
/// Money is in micros. Field names of ``problems`` are the API's snake_case names.
public struct CampaignConfig: Sendable, Hashable {
    /// The campaign's id.
    public var id: UUID
    /// A human name.
    public var name: String
    /// The most the campaign may spend in one local day.
    public var dailyBudget: Micros
    /// The most the campaign may spend over its whole flight; nil for no total cap.
    public var totalBudget: Micros?
    /// How the day's budget is spread over the day.
    public var pacing: PacingAlgorithm
    /// The IANA time zone whose local days the budget follows (`"UTC"`, `"Europe/Berlin"`).
    public var timeZoneIdentifier: String
    /// ISO 4217 currency of every amount (`"USD"`).
    public var currency: String
    /// First local day of the flight; nil when it has no start.
    public var startDate: LocalDate?
    /// Last local day of the flight (inclusive); nil when open-ended.
    public var endDate: LocalDate?
    /// Whether the campaign should spend.
    public var status: CampaignStatus
    /// Cost of one delivered click for click pacing; nil when the campaign does not buy clicks.
    public var costPerClick: Micros?
    /// The circuit breaker's parameters.
    public var breaker: BreakerSettings
    /// FRONT_LOADED's exponent `k` in `1 - (1 - x)^k`: 1 is even, larger spends earlier. Default 2.
    public var frontLoadedShape: Double

    /// A campaign configuration; everything but id, name, budget and pacing has the API's default.
    public init(
        id: UUID = UUID(),
        name: String,
        dailyBudget: Micros,
        totalBudget: Micros? = nil,
        pacing: PacingAlgorithm,
        timeZoneIdentifier: String = "UTC",
        currency: String = "USD",
        startDate: LocalDate? = nil,
        endDate: LocalDate? = nil,
        status: CampaignStatus = .active,
        costPerClick: Micros? = nil,
        breaker: BreakerSettings = .default,
        frontLoadedShape: Double = 2
    ) {
        self.id = id
        self.name = name
        self.dailyBudget = dailyBudget
        self.totalBudget = totalBudget
        self.pacing = pacing
        self.timeZoneIdentifier = timeZoneIdentifier
        self.currency = currency
        self.startDate = startDate
        self.endDate = endDate
        self.status = status
        self.costPerClick = costPerClick
        self.breaker = breaker
        self.frontLoadedShape = frontLoadedShape
    }

    /// The campaign's time zone, or nil if the identifier is unknown.
    public var timeZone: TimeZone? { TimeZone(identifier: timeZoneIdentifier) }

    /// Whether `date` lies within the flight.
    public func isInFlight(on date: LocalDate) -> Bool {
        if let startDate, date < startDate { return false }
        if let endDate, date > endDate { return false }
        return true
    }

    /// What is wrong with this configuration, by API field name; empty when valid.
    public var problems: [FieldProblem] {
        var problems: [FieldProblem] = []
        if name.isEmpty { problems.append(.init(field: "name", message: "must not be empty")) }
        if dailyBudget <= 0 { problems.append(.init(field: "daily_budget_cents", message: "must be greater than 0")) }
        if let totalBudget, totalBudget <= 0 {
            problems.append(.init(field: "total_budget_cents", message: "must be greater than 0"))
        }
        if !pacing.isProduction {
            problems.append(.init(field: "pacing", message: "must be one of EVEN, ASAP, FRONT_LOADED, ADAPTIVE"))
        }
        if timeZone == nil { problems.append(.init(field: "timezone", message: "must be an IANA time zone name")) }
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append(.init(field: "currency", message: "must be an ISO 4217 code such as USD"))
        }
        if let startDate, let endDate, endDate < startDate {
            problems.append(.init(field: "end_date", message: "must not be before start_date"))
        }
        if let costPerClick, costPerClick <= 0 {
            problems.append(.init(field: "cost_per_click_cents", message: "must be greater than 0"))
        }
        if !(frontLoadedShape >= 1 && frontLoadedShape <= 10) {
            problems.append(.init(field: "front_loaded_shape", message: "must be between 1 and 10"))
        }
        problems += breaker.problems.map { FieldProblem(field: "breaker.\($0.field)", message: $0.message) }
        return problems
    }
}
