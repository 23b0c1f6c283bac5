/// How a campaign spreads its day's budget over the day.
///
/// The four production algorithms are the ones the API accepts; ``multiplicative`` exists only as
/// the simulator's baseline for judging ``adaptive``.
public enum PacingAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// Spend follows the clock evenly through the day.
    case even = "EVEN"
    /// No throttling: spend as fast as traffic allows until the budget or the breaker stops it.
    case asap = "ASAP"
    /// Spend more early in the day, along `1 - (1 - x)^shape`.
    case frontLoaded = "FRONT_LOADED"
    /// Spend follows the day's expected traffic, learned from recent days, with feedback control
    /// and load shedding.
    case adaptive = "ADAPTIVE"
    /// Not for production: the plain multiplicative controller (pass-through rate × (1 ± 10 %) each
    /// minute) on ADAPTIVE's curve, as the simulator's baseline.
    case multiplicative = "MULTIPLICATIVE"

    /// The algorithms a campaign may name through the API.
    public static var production: [PacingAlgorithm] { [.even, .asap, .frontLoaded, .adaptive] }

    /// Whether the API accepts this algorithm for a campaign.
    public var isProduction: Bool { self != .multiplicative }

    /// Parses an API value; only production algorithms are accepted.
    public init?(apiValue: some StringProtocol) {
        guard let algorithm = PacingAlgorithm(rawValue: String(apiValue)), algorithm.isProduction else { return nil }
        self = algorithm
    }
}
