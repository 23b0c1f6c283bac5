import Foundation

extension CampaignPacer {
    /// A snapshot at `now`. If `now` is past the current day, the snapshot is of the new day
    /// (nothing spent yet); the pacer itself rolls over on its next mutating call.
    public func status(at now: Date) -> PacerStatus {
        var current = self
        if day == nil || now >= day!.end { _ = current.advanceDay(to: now) }
        return current.snapshot(at: now)
    }

    private func snapshot(at now: Date) -> PacerStatus {
        let day = self.day!
        let elapsed = day.elapsed(at: now)
        let target = (Double(ledger.dayBudget) * curve.share(atElapsed: elapsed)).rounded(.down)
        return PacerStatus(
            campaignID: config.id,
            day: day.date,
            dayStart: day.start,
            dayEnd: day.end,
            elapsedFraction: elapsed / day.length,
            dayBudget: ledger.dayBudget,
            ceiling: ledger.ceiling,
            spentToday: ledger.spent,
            reserved: ledger.reserved,
            remainingToday: ledger.remaining,
            targetSpent: Micros(target),
            totalSpent: totalSpentBeforeToday + ledger.spent,
            throttle: throttle,
            breaker: breaker.state,
            breakerRecovering: breaker.isRecovering,
            breakerOverride: breaker.override,
            pacing: config.pacing
        )
    }

    /// The share of bids currently held back, 0...1.
    public var throttle: Double { 1 - passThrough }

    /// Sets what was already spent, e.g. loaded from the database at start-up, and recomputes
    /// the day's budget from the flight total.
    /// - Returns: the breaker transition of a day rollover this call caused, if any.
    @discardableResult
    public mutating func seed(spentToday: Micros, totalSpentBeforeToday: Micros, now: Date) -> BreakerTransition? {
        let transition = advanceDay(to: now)
        self.totalSpentBeforeToday = max(0, totalSpentBeforeToday)
        if let day { ledger.setDayBudget(BudgetDay.budget(for: config, on: day.date, totalSpentBefore: self.totalSpentBeforeToday)) }
        ledger.seed(spent: spentToday)
        if breaker.isRecovering, Double(ledger.spent) < breaker.settings.tripRatio * Double(ledger.dayBudget) {
            breaker.clearRecovery()
        }
        refreshPassThrough()
        return transition
    }

    /// Whether this instance's lease is the limit and runs low after `decision`: an allowed bid
    /// left less than a quarter of the slice unused, or a bid was refused for want of slice while
    /// the day's budget still has room. The server then refreshes the lease early.
    public func leaseRunsLow(after decision: Decision) -> Bool {
        guard ledger.ceiling < ledger.dayBudget else { return false }
        if decision.allow { return ledger.available * 4 < ledger.ceiling - ledger.spent }
        return decision.reason == .budgetExhausted && ledger.spent < ledger.dayBudget
    }

    /// Forgets lapsed reservations a lease refresh has accounted for (see ``Ledger/lapsed``).
    public mutating func settleLapsed(_ amount: Micros) {
        ledger.settleLapsed(amount)
    }

    /// Sets the slice of today's budget this instance may commit (`spent + reserved` stays at or
    /// below it); nil for the whole day's budget. The lease keeper of a later issue sets it.
    public mutating func setLease(_ limit: Micros?, now: Date) {
        _ = advanceDay(to: now)
        ledger.setLease(limit)
    }

    /// Sets or clears an operator's override of the breaker.
    public mutating func setOverride(_ override: BreakerOverride) {
        breaker.override = override
        refreshPassThrough()
    }

    /// Takes over a breaker state decided by another instance (through the database and NOTIFY),
    /// without reporting a transition.
    public mutating func adoptBreaker(_ state: BreakerState, now: Date) {
        _ = advanceDay(to: now)
        let tripped = Double(ledger.spent) >= breaker.settings.tripRatio * Double(ledger.dayBudget)
        breaker.adopt(state, recovering: tripped, at: now)
        refreshPassThrough()
    }

    /// Applies a changed configuration mid-day, keeping today's spend, reservations and learning.
    /// The algorithm, budgets, flight, status, breaker settings and curve shape apply at once; a
    /// new time zone applies from the end of the current day, so today's spend is not split.
    public mutating func update(config newConfig: CampaignConfig, now: Date) {
        _ = advanceDay(to: now)
        if let zone = newConfig.timeZone { timeZone = zone }
        let algorithmChanged = newConfig.pacing != config.pacing
        config = newConfig
        breaker.settings = newConfig.breaker
        if algorithmChanged { controller = ThrottleController(algorithm: newConfig.pacing, settings: settings) }
        guard let day else { return }
        ledger.setDayBudget(BudgetDay.budget(for: newConfig, on: day.date, totalSpentBefore: totalSpentBeforeToday))
        curve = PacingCurve(algorithm: newConfig.pacing, frontLoadedShape: newConfig.frontLoadedShape, forecast: forecast)
        if breaker.isRecovering, Double(ledger.spent) < newConfig.breaker.tripRatio * Double(ledger.dayBudget) {
            breaker.clearRecovery()
        }
        refreshBlockedReason()
        nextControl = -Double.infinity
        refreshPassThrough()
    }

    /// Replaces the learned traffic, e.g. with history loaded from the database; takes effect
    /// for ADAPTIVE's curve from the next day.
    public mutating func setProfile(_ profile: TrafficProfile) {
        self.profile = profile
    }
}
