import Foundation

/// The pacing state machine of one campaign: its day, ledger, breaker, throttle and learned traffic.
///
/// A value type with no locks and no clock of its own: every call passes `now`, and randomness
/// comes from the caller's generator, so the same inputs always give the same decisions. The server
/// keeps one per campaign behind a `Mutex`; the simulator drives the same code on a simulated clock.
/// The day rolls over at the campaign's local midnight on the first call after it.
public struct CampaignPacer: Sendable {
    /// The campaign's configuration.
    public internal(set) var config: CampaignConfig
    /// Engine tuning.
    public let settings: PacerSettings
    /// Traffic learned from previous days (kept across days; ADAPTIVE's curve follows it).
    public internal(set) var profile: TrafficProfile
    /// What the campaign spent over its flight before today (for the total budget).
    public internal(set) var totalSpentBeforeToday: Micros
    /// The current local day, or nil before the first call.
    public internal(set) var day: BudgetDay?
    /// Today's money.
    public internal(set) var ledger: Ledger
    /// The circuit breaker.
    public internal(set) var breaker: CircuitBreaker
    /// Today's target curve.
    public internal(set) var curve: PacingCurve
    /// Today's expected traffic.
    public internal(set) var forecast: TrafficForecast

    /// Recent decision latency in seconds (e.g. a p99 over the last seconds). While it is above
    /// ``PacerSettings/latencyLimit``, ADAPTIVE scales its pass-through rate by `limit / latency`
    /// (never below ``PacerSettings/minimumLoadFactor``).
    public var loadSignal: Double = 0 {
        didSet { refreshPassThrough() }
    }

    var controller: ThrottleController
    var timeZone: TimeZone
    var dayStart = -Double.infinity
    var dayEnd = -Double.infinity
    var lastNow = -Double.infinity
    var blockedReason: DecisionReason?
    var slotCounts: [Int] = []
    var requestsToday = 0
    var observedFrom = 0.0
    var nextControl = -Double.infinity
    var passThrough = 1.0

    /// A pacer for `config`, with what the campaign spent before today and any learned traffic.
    public init(
        config: CampaignConfig,
        settings: PacerSettings = .default,
        totalSpentBeforeToday: Micros = 0,
        profile: TrafficProfile = TrafficProfile()
    ) {
        self.config = config
        self.settings = settings
        self.profile = profile
        self.totalSpentBeforeToday = totalSpentBeforeToday
        self.ledger = Ledger(dayBudget: 0)
        self.breaker = CircuitBreaker(settings: config.breaker)
        self.controller = ThrottleController(algorithm: config.pacing, settings: settings)
        self.timeZone = config.timeZone ?? TimeZone(identifier: "UTC")!
        self.forecast = .flat(length: 86_400)
        self.curve = PacingCurve(algorithm: config.pacing, frontLoadedShape: config.frontLoadedShape, forecast: forecast)
    }

    /// Decides whether the campaign may place `bid` now, reserving it if allowed.
    ///
    /// Denied, in this order: not active or outside the flight (`paused`, `not_running`), a bid
    /// that is not positive (`bid_invalid`), an open breaker (`breaker_open`), a bid that does not
    /// fit in the ceiling less spend and reservations (`budget_exhausted`, in every breaker state),
    /// and the pacing throttle (`throttled`). A HALF_OPEN breaker lets its probes through without
    /// throttling. Allocation-free unless the reservation buffer has to grow.
    public mutating func decide(
        bid: Micros,
        requestID: String? = nil,
        now: Date,
        random: inout some RandomNumberGenerator
    ) -> Decision {
        let seconds = now.timeIntervalSinceReferenceDate
        var transition = advanceDay(to: now)
        if let blockedReason {
            return Decision(allow: false, reason: blockedReason, throttle: 1, breaker: breaker.state, transition: transition)
        }
        guard bid > 0 else { return deny(.bidInvalid, transition) }
        ledger.expire(now: seconds)
        let slot = min(max(Int((seconds - dayStart) * (1.0 / 3600)), 0), slotCounts.count - 1)
        slotCounts[slot] += 1
        requestsToday += 1
        controller.pendingRequests += 1
        if seconds >= nextControl { updateControl(at: seconds) }
        if transition == nil {
            transition = breaker.advance(
                now: now, spent: ledger.spent, reserved: ledger.reserved, dayBudget: ledger.dayBudget, ceiling: ledger.ceiling)
            if transition != nil { refreshPassThrough() }
        }
        switch breaker.state {
        case .open:
            return deny(.breakerOpen, transition)
        case .halfOpen:
            guard ledger.fits(bid) else { return deny(.budgetExhausted, transition) }
            guard breaker.probesLeft > 0 else { return deny(.breakerOpen, transition) }
            breaker.consumeProbe()
        case .closed:
            guard ledger.fits(bid) else { return deny(.budgetExhausted, transition) }
            if passThrough < 1, random.nextUnit() >= passThrough { return deny(.throttled, transition) }
        }
        ledger.reserve(bid, until: seconds + settings.reservationLifetime, requestID: requestID)
        controller.pendingAllowed += 1
        return Decision(allow: true, reason: .ok, throttle: 1 - passThrough, breaker: breaker.state, transition: transition)
    }

    /// Records a win notice: adds `amount` to today's spend and releases its bid's reservation
    /// (matched by `requestID`, or else the oldest reservation at least as large).
    /// - Returns: the breaker transition of a day rollover this call caused, if any.
    @discardableResult
    public mutating func recordSpend(_ amount: Micros, requestID: String? = nil, now: Date) -> BreakerTransition? {
        let transition = advanceDay(to: now)
        ledger.recordSpend(max(0, amount), requestID: requestID)
        controller.pendingSpend += max(0, amount)
        return transition
    }

    /// Moves time forward without a bid: rolls the day over, expires reservations, recomputes the
    /// throttle when due and lets the breaker take a time-driven step (OPEN → HALF_OPEN).
    /// - Returns: the breaker transition made, if any.
    @discardableResult
    public mutating func tick(now: Date) -> BreakerTransition? {
        let seconds = now.timeIntervalSinceReferenceDate
        if let transition = advanceDay(to: now) { return transition }
        guard blockedReason == nil else { return nil }
        ledger.expire(now: seconds)
        if seconds >= nextControl { updateControl(at: seconds) }
        let transition = breaker.advance(
            now: now, spent: ledger.spent, reserved: ledger.reserved, dayBudget: ledger.dayBudget, ceiling: ledger.ceiling)
        if transition != nil { refreshPassThrough() }
        return transition
    }

    private func deny(_ reason: DecisionReason, _ transition: BreakerTransition?) -> Decision {
        Decision(allow: false, reason: reason, throttle: 1 - passThrough, breaker: breaker.state, transition: transition)
    }

    /// Rolls over to the day containing `now` if it has ended; returns the breaker's reset.
    @inline(__always)
    mutating func advanceDay(to now: Date) -> BreakerTransition? {
        let seconds = now.timeIntervalSinceReferenceDate
        lastNow = max(lastNow, seconds)
        guard seconds >= dayEnd else { return nil }
        return startDay(containing: now)
    }

    mutating func startDay(containing now: Date) -> BreakerTransition? {
        let newDay = BudgetDay(containing: now, in: timeZone)
        if let old = day {
            profile.learn(slotCounts: slotCounts, hourLabels: old.hourLabels, firstObservedSlot: firstObservedSlot)
            totalSpentBeforeToday += ledger.spent
            observedFrom = 0
        } else {
            // A pacer that starts mid-hour has not seen that hour whole: learn from the next one.
            let elapsed = newDay.elapsed(at: now)
            observedFrom = elapsed < 60 ? 0 : (elapsed / 3600).rounded(.up) * 3600
        }
        day = newDay
        dayStart = newDay.start.timeIntervalSinceReferenceDate
        dayEnd = newDay.end.timeIntervalSinceReferenceDate
        slotCounts = Array(repeating: 0, count: newDay.hourLabels.count)
        requestsToday = 0
        ledger.startDay(budget: BudgetDay.budget(for: config, on: newDay.date, totalSpentBefore: totalSpentBeforeToday))
        forecast = profile.forecast(for: newDay)
        curve = PacingCurve(algorithm: config.pacing, frontLoadedShape: config.frontLoadedShape, forecast: forecast)
        controller.startDay()
        nextControl = -Double.infinity
        refreshBlockedReason()
        let transition = breaker.startDay(at: now)
        refreshPassThrough()
        return transition
    }

    /// The first hour-long slot of today that was observed from its start.
    private var firstObservedSlot: Int { Int((observedFrom / 3600).rounded(.up)) }

    mutating func refreshBlockedReason() {
        guard let day else { return }
        switch config.status {
        case .paused: blockedReason = .paused
        case .archived: blockedReason = .notRunning
        case .active: blockedReason = config.isInFlight(on: day.date) ? nil : .notRunning
        }
    }

    private mutating func updateControl(at seconds: Double) {
        nextControl = seconds + settings.controlInterval
        // Requests counted before `observedFrom` (the first, partial hour) do not scale the forecast.
        controller.update(
            ThrottleController.Inputs(
                now: seconds,
                elapsed: max(0, seconds - dayStart),
                budget: Double(ledger.dayBudget),
                spent: Double(ledger.spent),
                curve: curve,
                forecast: forecast,
                requestsToday: Double(observedRequests()),
                observedFrom: observedFrom
            )
        )
        refreshPassThrough()
    }

    private func observedRequests() -> Int {
        guard observedFrom > 0 else { return requestsToday }
        let first = firstObservedSlot
        return first < slotCounts.count ? slotCounts[first...].reduce(0, +) : 0
    }

    /// The pass-through rate bids see: the controller's, less load shedding (ADAPTIVE) and the
    /// breaker's recovery throttle while spend is ahead of schedule.
    mutating func refreshPassThrough() {
        var rate = controller.passThrough
        if config.pacing == .adaptive, loadSignal > settings.latencyLimit {
            rate *= max(settings.minimumLoadFactor, settings.latencyLimit / loadSignal)
        }
        if breaker.isRecovering, breaker.override == .none, breaker.machineState == .closed, isAheadOfSchedule() {
            rate = min(rate, 1 - breaker.settings.recoveryThrottle)
        }
        passThrough = rate
    }

    /// Whether spend is at or ahead of the campaign's schedule: its target curve, or for ASAP
    /// (whose target is the whole budget at once) the clock.
    private func isAheadOfSchedule() -> Bool {
        let elapsed = min(max(lastNow - dayStart, 0), curve.length)
        let share = config.pacing == .asap ? elapsed / curve.length : curve.share(atElapsed: elapsed)
        return Double(ledger.spent) >= share * Double(ledger.dayBudget)
    }
}
