import Foundation
import PacingEngine

/// What one campaign's measured day came to.
public struct CampaignResult: Sendable {
    /// The campaign's name (a baseline twin's name ends in ` [baseline]`).
    public var campaign: String
    /// Its algorithm.
    public var algorithm: PacingAlgorithm
    /// For a baseline twin, the ADAPTIVE campaign it shadows.
    public var baselineOf: String?
    /// The seed of the run.
    public var seed: UInt64
    /// The measured day's budget.
    public var budget: Micros
    /// What the day's allowed bids spent.
    public var spent: Micros
    /// Spend above the budget (must be 0).
    public var overspend: Micros
    /// `spent / budget`.
    public var deliveredRatio: Double
    /// Largest gap between cumulative spend and the target curve at any minute, as a share of budget.
    public var maxDeviationRatio: Double
    /// Root-mean-square of each hour's spend minus its planned spend, over the mean hourly plan.
    public var rmseRatio: Double
    /// Mean absolute change of the throttle from one minute to the next, until the budget ran out.
    public var throttleVolatility: Double
    /// Seconds into the day when the remaining budget fell below one bid; nil if it never did.
    public var exhaustedAfter: Double?
    /// Local time of ``exhaustedAfter``, `HH:MM:SS`.
    public var exhaustedAt: String?
    /// Local time at which the day's winnable requests alone could have spent the budget.
    public var earliestExhaustion: String?
    /// Seconds into the day at which the breaker first tripped; nil if it did not.
    public var trippedAfter: Double?
    /// Seconds into the day at which the day's winnable requests alone reached the trip threshold.
    public var earliestTrip: Double?
    /// Winnable spend of all the day's requests (every bid let through) over the budget.
    public var supplyRatio: Double
    /// Requests on the measured day.
    public var requests: Int
    /// Bids allowed on the measured day.
    public var allowed: Int
    /// Breaker transitions on the measured day.
    public var breakerTransitions: Int
    /// Per-minute trace, when recorded.
    public var curve: CurveTrace?
}

/// Cumulative spend, target and throttle at each minute of the measured day.
public struct CurveTrace: Sendable {
    /// Seconds into the day of each mark (0, 60, 120, …, day length).
    public var elapsed: [Double]
    /// Spend recorded by then, in micros.
    public var spent: [Double]
    /// The target curve's spend by then, in micros.
    public var target: [Double]
    /// The throttle in force then.
    public var throttle: [Double]
}

extension CampaignResult: Encodable {
    private enum Keys: String, CodingKey {
        case campaign, algorithm, seed
        case baselineOf = "baseline_of"
        case budgetCents = "budget_cents", spentCents = "spent_cents", overspendCents = "overspend_cents"
        case deliveredRatio = "delivered_ratio", maxDeviationRatio = "max_deviation_ratio", rmseRatio = "rmse_ratio"
        case throttleVolatility = "throttle_volatility", exhaustedAt = "exhausted_at"
        case earliestExhaustion = "earliest_exhaustion", supplyRatio = "supply_ratio"
        case trippedAfter = "tripped_after_seconds", earliestTrip = "earliest_trip_seconds"
        case requests, allowed
        case breakerTransitions = "breaker_transitions"
    }

    /// Encodes the fields of SPEC section 10 (snake_case, cents as exact JSON numbers) and extras.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        func cents(_ micros: Micros) -> Decimal { Decimal(string: Money.cents(fromMicros: micros))! }
        try container.encode(campaign, forKey: .campaign)
        try container.encode(algorithm.rawValue, forKey: .algorithm)
        try container.encode(seed, forKey: .seed)
        try container.encodeIfPresent(baselineOf, forKey: .baselineOf)
        try container.encode(cents(budget), forKey: .budgetCents)
        try container.encode(cents(spent), forKey: .spentCents)
        try container.encode(cents(overspend), forKey: .overspendCents)
        try container.encode(deliveredRatio, forKey: .deliveredRatio)
        try container.encode(maxDeviationRatio, forKey: .maxDeviationRatio)
        try container.encode(rmseRatio, forKey: .rmseRatio)
        try container.encode(throttleVolatility, forKey: .throttleVolatility)
        try container.encode(exhaustedAt, forKey: .exhaustedAt)
        try container.encode(earliestExhaustion, forKey: .earliestExhaustion)
        try container.encode(supplyRatio, forKey: .supplyRatio)
        try container.encode(trippedAfter, forKey: .trippedAfter)
        try container.encode(earliestTrip, forKey: .earliestTrip)
        try container.encode(requests, forKey: .requests)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(breakerTransitions, forKey: .breakerTransitions)
    }
}
