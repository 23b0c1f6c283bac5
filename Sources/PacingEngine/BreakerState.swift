import Foundation

/// The state of a campaign's circuit breaker, as stored and shown.
public enum BreakerState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Bids flow, subject to pacing and the budget.
    case closed
    /// Every bid is denied until the cool-down has passed.
    case open
    /// A few probe bids go through, each only if it fits in the budget.
    case halfOpen = "half_open"
}

/// An operator's override of the breaker: the kill switch and its opposite.
public enum BreakerOverride: String, Sendable, Hashable, CaseIterable, Codable {
    /// The state machine decides.
    case none
    /// Deny every bid (kill switch).
    case forceOpen = "force_open"
    /// Never trip; the budget still caps spend.
    case forceClosed = "force_closed"
}

/// One change of a breaker's state, to be persisted and broadcast once.
public struct BreakerTransition: Sendable, Hashable {
    /// Why the state changed.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// Today's spend reached the trip ratio of the day's budget.
        case tripped
        /// The cool-down passed with budget left: probing.
        case cooldownElapsed = "cooldown_elapsed"
        /// The probes went through and budget is left: closed with the recovery throttle.
        case probesPassed = "probes_passed"
        /// No budget is left after the probes or during recovery.
        case budgetGone = "budget_gone"
        /// A new local day began; the breaker starts closed.
        case dayRollover = "day_rollover"
    }

    /// The state before.
    public var from: BreakerState
    /// The state after.
    public var to: BreakerState
    /// Why.
    public var cause: Cause
    /// When, on the injected clock.
    public var at: Date

    /// A transition.
    public init(from: BreakerState, to: BreakerState, cause: Cause, at: Date) {
        self.from = from
        self.to = to
        self.cause = cause
        self.at = at
    }
}
