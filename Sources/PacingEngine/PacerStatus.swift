import Foundation

/// A read-only snapshot of a campaign's pacing, for `GET /v1/budget/status/{id}` and the dashboard.
public struct PacerStatus: Sendable, Hashable {
    /// The campaign's id.
    public var campaignID: UUID
    /// The local day.
    public var day: LocalDate
    /// When the day started and ends.
    public var dayStart: Date, dayEnd: Date
    /// Share of the day that has passed, 0...1.
    public var elapsedFraction: Double
    /// The day's budget (the daily budget, or less under a total budget).
    public var dayBudget: Micros
    /// The most this instance may commit today (the day's budget or its lease).
    public var ceiling: Micros
    /// Spend recorded today.
    public var spentToday: Micros
    /// Reserved for allowed bids awaiting their win notice.
    public var reserved: Micros
    /// The day's budget less today's spend.
    public var remainingToday: Micros
    /// What the pacing curve says should have been spent by now.
    public var targetSpent: Micros
    /// Spend over the flight before today plus today's.
    public var totalSpent: Micros
    /// Share of bids currently held back, 0...1.
    public var throttle: Double
    /// The breaker's state as bids see it.
    public var breaker: BreakerState
    /// Whether the breaker has tripped today and closed again (recovery throttle in force).
    public var breakerRecovering: Bool
    /// An operator's override, if any.
    public var breakerOverride: BreakerOverride
    /// The campaign's pacing algorithm.
    public var pacing: PacingAlgorithm
}
