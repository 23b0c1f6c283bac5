import Foundation

/// The per-campaign circuit breaker of SPEC section 3 as a value-type state machine.
///
/// CLOSED trips OPEN when today's spend reaches `tripRatio` of the day's budget; OPEN denies every
/// bid for `cooldownSeconds`; then, if anything is left to allow, HALF_OPEN hands out `probeBids`
/// probes; after them it closes again in *recovery* (the pacer holds back at least
/// `recoveryThrottle` of the bids while spend is ahead of schedule) or reopens when nothing is left.
/// A recovering breaker reopens once the budget is fully spent. Each call to ``advance(now:spent:reserved:dayBudget:ceiling:)``
/// takes at most one step, so each transition is reported exactly once.
public struct CircuitBreaker: Sendable, Hashable {
    /// The campaign's settings.
    public var settings: BreakerSettings
    /// An operator's override; while set, the state machine does not move.
    public var override: BreakerOverride = .none
    /// The state machine's own state, regardless of the override.
    public private(set) var machineState: BreakerState = .closed
    /// Whether the breaker closed again after a trip today (the recovery throttle applies).
    public private(set) var isRecovering = false
    /// Probe bids still to hand out while HALF_OPEN.
    public private(set) var probesLeft = 0
    /// When the breaker last opened, in seconds since the reference date.
    private var openedAt: Double = 0

    /// A closed breaker with these settings.
    public init(settings: BreakerSettings = .default) {
        self.settings = settings
    }

    /// The state bids see: the override if one is set, else the state machine's.
    public var state: BreakerState {
        switch override {
        case .none: machineState
        case .forceOpen: .open
        case .forceClosed: .closed
        }
    }

    /// When an OPEN breaker may start probing.
    public var reopensAt: Date { Date(timeIntervalSinceReferenceDate: openedAt + settings.cooldownSeconds) }

    /// Takes at most one step of the state machine and returns the transition it made.
    /// - Parameters:
    ///   - spent: today's recorded spend.
    ///   - reserved: amounts reserved for allowed bids still awaiting their win notice.
    ///   - dayBudget: the day's budget, which the trip ratio applies to.
    ///   - ceiling: the most that `spent + reserved` may reach (the day's budget or this instance's lease).
    public mutating func advance(now: Date, spent: Micros, reserved: Micros, dayBudget: Micros, ceiling: Micros) -> BreakerTransition? {
        guard override == .none else { return nil }
        let seconds = now.timeIntervalSinceReferenceDate
        switch machineState {
        case .closed where !isRecovering:
            guard dayBudget > 0, Double(spent) >= settings.tripRatio * Double(dayBudget) else { return nil }
            openedAt = seconds
            return move(to: .open, cause: .tripped, at: now)
        case .closed:
            guard spent >= ceiling else { return nil }
            openedAt = seconds
            return move(to: .open, cause: .budgetGone, at: now)
        case .open:
            guard seconds >= openedAt + settings.cooldownSeconds, spent + reserved < ceiling else { return nil }
            probesLeft = max(1, settings.probeBids)
            return move(to: .halfOpen, cause: .cooldownElapsed, at: now)
        case .halfOpen:
            guard probesLeft == 0 else { return nil }
            if spent + reserved >= ceiling {
                openedAt = seconds
                return move(to: .open, cause: .budgetGone, at: now)
            }
            isRecovering = true
            return move(to: .closed, cause: .probesPassed, at: now)
        }
    }

    /// Uses one probe of a HALF_OPEN breaker; call it when a probe bid is allowed.
    public mutating func consumeProbe() {
        if probesLeft > 0 { probesLeft -= 1 }
    }

    /// Starts a new day closed and not recovering; returns the transition if the state changed.
    public mutating func startDay(at now: Date) -> BreakerTransition? {
        isRecovering = false
        probesLeft = 0
        guard machineState != .closed else { return nil }
        return move(to: .closed, cause: .dayRollover, at: now)
    }

    /// Takes over a state decided elsewhere (another instance, through the database) without
    /// reporting a transition. An adopted OPEN state starts its cool-down at `now`.
    public mutating func adopt(_ state: BreakerState, recovering: Bool, at now: Date) {
        machineState = state
        isRecovering = state == .closed && recovering
        switch state {
        case .open: openedAt = now.timeIntervalSinceReferenceDate
        case .halfOpen: probesLeft = max(1, settings.probeBids)
        case .closed: probesLeft = 0
        }
    }

    /// Leaves recovery, e.g. after the day's budget was raised above the trip threshold.
    public mutating func clearRecovery() {
        isRecovering = false
    }

    private mutating func move(to state: BreakerState, cause: BreakerTransition.Cause, at now: Date) -> BreakerTransition {
        let transition = BreakerTransition(from: machineState, to: state, cause: cause, at: now)
        machineState = state
        return transition
    }
}
