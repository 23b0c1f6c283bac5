/// Why a bid was allowed or denied, as the API reports it.
public enum DecisionReason: String, Sendable, Hashable, CaseIterable, Codable {
    /// Allowed.
    case ok
    /// Held back by pacing (or by the breaker's recovery throttle).
    case throttled
    /// The circuit breaker is open, or half-open with its probes handed out.
    case breakerOpen = "breaker_open"
    /// The bid does not fit in what is left of the budget after reservations.
    case budgetExhausted = "budget_exhausted"
    /// The campaign is paused.
    case paused
    /// The campaign is archived or outside its flight dates.
    case notRunning = "not_running"
    /// No campaign has this id (answered by the server; the engine never produces it).
    case unknownCampaign = "unknown_campaign"
    /// The bid is not a positive amount.
    case bidInvalid = "bid_invalid"
}

/// The answer to one bid.
public struct Decision: Sendable, Hashable {
    /// Whether the bid may go ahead; if so its amount is reserved until its win notice or expiry.
    public var allow: Bool
    /// Why.
    public var reason: DecisionReason
    /// The share of bids currently held back, 0...1.
    public var throttle: Double
    /// The breaker's state after this decision.
    public var breaker: BreakerState
    /// The breaker transition this call made, if any: persist and broadcast it once.
    public var transition: BreakerTransition?

    /// A decision.
    public init(allow: Bool, reason: DecisionReason, throttle: Double, breaker: BreakerState, transition: BreakerTransition? = nil) {
        self.allow = allow
        self.reason = reason
        self.throttle = throttle
        self.breaker = breaker
        self.transition = transition
    }
}
