import Foundation
import PacingEngine
import Testing

@Suite("Circuit breaker transitions")
struct CircuitBreakerTests {
    let t0 = Date(timeIntervalSinceReferenceDate: 1_000_000)
    let budget: Micros = 1_000_000

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @Test func defaultsAreTheSpecs() {
        let settings = BreakerSettings()
        #expect(settings.tripRatio == 0.95 && settings.cooldownSeconds == 30)
        #expect(settings.probeBids == 2 && settings.recoveryThrottle == 0.90)
        #expect(settings.problems.isEmpty)
        #expect(BreakerState.halfOpen.rawValue == "half_open")
    }

    @Test func closedTripsOpenAtTheTripRatio() {
        var breaker = CircuitBreaker()
        #expect(breaker.advance(now: t0, spent: 949_999, reserved: 40_000, dayBudget: budget, ceiling: budget) == nil)
        let transition = breaker.advance(now: t0, spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget)
        #expect(transition == BreakerTransition(from: .closed, to: .open, cause: .tripped, at: t0))
        #expect(breaker.state == .open)
        // Reported once.
        #expect(breaker.advance(now: t0, spent: 960_000, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
    }

    @Test func openWaitsForTheCooldownThenProbes() {
        var breaker = tripped()
        #expect(breaker.advance(now: at(29.9), spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
        let transition = breaker.advance(now: at(30), spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget)
        #expect(transition?.to == .halfOpen && transition?.cause == .cooldownElapsed)
        #expect(breaker.probesLeft == 2)
    }

    @Test func openStaysOpenWhileNothingCanBeAllowed() {
        var breaker = tripped()
        #expect(breaker.advance(now: at(60), spent: 990_000, reserved: 10_000, dayBudget: budget, ceiling: budget) == nil)
        #expect(breaker.state == .open)
        // Once a reservation expires there is room to probe again.
        #expect(breaker.advance(now: at(61), spent: 990_000, reserved: 0, dayBudget: budget, ceiling: budget)?.to == .halfOpen)
    }

    @Test func halfOpenClosesIntoRecoveryAfterItsProbes() {
        var breaker = halfOpen()
        breaker.consumeProbe()
        #expect(breaker.advance(now: at(31), spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
        breaker.consumeProbe()
        let transition = breaker.advance(now: at(32), spent: 952_000, reserved: 0, dayBudget: budget, ceiling: budget)
        #expect(transition?.from == .halfOpen && transition?.to == .closed && transition?.cause == .probesPassed)
        #expect(breaker.isRecovering)
        // Recovering: spend above the trip ratio does not trip again.
        #expect(breaker.advance(now: at(33), spent: 980_000, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
    }

    @Test func halfOpenReopensWhenTheProbesUsedUpTheBudget() {
        var breaker = halfOpen()
        breaker.consumeProbe()
        breaker.consumeProbe()
        let transition = breaker.advance(now: at(40), spent: 990_000, reserved: 10_000, dayBudget: budget, ceiling: budget)
        #expect(transition?.to == .open && transition?.cause == .budgetGone)
        #expect(breaker.reopensAt == at(70))
    }

    @Test func recoveringBreakerReopensWhenTheBudgetIsSpent() {
        var breaker = halfOpen()
        breaker.consumeProbe()
        breaker.consumeProbe()
        _ = breaker.advance(now: at(31), spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget)
        let transition = breaker.advance(now: at(100), spent: budget, reserved: 0, dayBudget: budget, ceiling: budget)
        #expect(transition?.from == .closed && transition?.to == .open && transition?.cause == .budgetGone)
    }

    @Test func newDayClosesTheBreaker() {
        var breaker = tripped()
        let transition = breaker.startDay(at: at(500))
        #expect(transition?.to == .closed && transition?.cause == .dayRollover)
        #expect(!breaker.isRecovering)
        var closed = CircuitBreaker()
        #expect(closed.startDay(at: t0) == nil)
    }

    @Test func forcedOpenAndClosedOverrideTheMachine() {
        var breaker = CircuitBreaker()
        breaker.override = .forceOpen
        #expect(breaker.state == .open)
        #expect(breaker.advance(now: t0, spent: budget, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
        breaker.override = .forceClosed
        #expect(breaker.state == .closed)
        #expect(breaker.advance(now: t0, spent: 990_000, reserved: 0, dayBudget: budget, ceiling: budget) == nil)
        breaker.override = .none
        #expect(breaker.advance(now: t0, spent: 990_000, reserved: 0, dayBudget: budget, ceiling: budget)?.to == .open)
    }

    @Test func adoptsAStateFromElsewhereWithoutATransition() {
        var breaker = CircuitBreaker()
        breaker.adopt(.open, recovering: false, at: t0)
        #expect(breaker.state == .open && breaker.reopensAt == at(30))
        breaker.adopt(.closed, recovering: true, at: t0)
        #expect(breaker.state == .closed && breaker.isRecovering)
    }

    @Test func settingsAreValidated() {
        let bad = BreakerSettings(tripRatio: 1.5, cooldownSeconds: -1, probeBids: 0, recoveryThrottle: 2)
        #expect(bad.problems.map(\.field) == ["trip_ratio", "cooldown_seconds", "probe_bids", "recovery_throttle"])
    }

    private func tripped() -> CircuitBreaker {
        var breaker = CircuitBreaker()
        _ = breaker.advance(now: t0, spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget)
        return breaker
    }

    private func halfOpen() -> CircuitBreaker {
        var breaker = tripped()
        _ = breaker.advance(now: at(30), spent: 950_000, reserved: 0, dayBudget: budget, ceiling: budget)
        return breaker
    }
}
