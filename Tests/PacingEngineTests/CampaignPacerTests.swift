import Foundation
import PacingEngine
import Testing

@Suite("Campaign pacer: decisions, ledger, breaker")
struct CampaignPacerTests {
    let noon = iso("2025-06-10T12:00:00Z")

    func config(_ pacing: PacingAlgorithm = .asap, daily: Micros = 1_000_000, zone: String = "UTC") -> CampaignConfig {
        CampaignConfig(name: "test", dailyBudget: daily, pacing: pacing, timeZoneIdentifier: zone)
    }

    @Test func deniesWhenNotRunning() {
        var random = SplitMix64(seed: 1)
        var paused = CampaignPacer(config: { var c = config(); c.status = .paused; return c }())
        #expect(paused.decide(bid: 10, now: noon, random: &random).reason == .paused)
        var archived = CampaignPacer(config: { var c = config(); c.status = .archived; return c }())
        #expect(archived.decide(bid: 10, now: noon, random: &random).reason == .notRunning)
        var future = CampaignPacer(config: { var c = config(); c.startDate = date("2025-06-11"); return c }())
        #expect(future.decide(bid: 10, now: noon, random: &random).reason == .notRunning)
        var ended = CampaignPacer(config: { var c = config(); c.endDate = date("2025-06-09"); return c }())
        let decision = ended.decide(bid: 10, now: noon, random: &random)
        #expect(!decision.allow && decision.reason == .notRunning && decision.throttle == 1)
    }

    @Test func rejectsBidsThatAreNotPositive() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config())
        #expect(pacer.decide(bid: 0, now: noon, random: &random).reason == .bidInvalid)
        #expect(pacer.decide(bid: -5, now: noon, random: &random).reason == .bidInvalid)
        #expect(pacer.decide(bid: 5, now: noon, random: &random).reason == .ok)
    }

    @Test func aBidThatDoesNotFitIsDeniedAndReservationsExpire() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(daily: 100))
        #expect(pacer.decide(bid: 60, requestID: "a", now: noon, random: &random).allow)
        #expect(pacer.decide(bid: 60, now: noon, random: &random).reason == .budgetExhausted)
        #expect(pacer.decide(bid: 40, requestID: "b", now: noon, random: &random).allow)
        #expect(pacer.ledger.reserved == 100)
        // Both lose (no win notice): after the reservation lifetime the budget is free again.
        let later = noon.addingTimeInterval(pacer.settings.reservationLifetime)
        #expect(pacer.decide(bid: 100, now: later, random: &random).allow)
    }

    @Test func winNoticeTurnsTheReservationIntoSpend() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(daily: 100))
        _ = pacer.decide(bid: 60, requestID: "a", now: noon, random: &random)
        pacer.recordSpend(25, requestID: "a", now: noon.addingTimeInterval(0.1))
        #expect(pacer.ledger.spent == 25 && pacer.ledger.reserved == 0)
        #expect(pacer.decide(bid: 75, now: noon.addingTimeInterval(0.2), random: &random).allow)
        #expect(pacer.decide(bid: 1, now: noon.addingTimeInterval(0.2), random: &random).reason == .budgetExhausted)
    }

    @Test(arguments: PacingAlgorithm.allCases)
    func neverOverspendsUnderABurst(algorithm: PacingAlgorithm) {
        // Every allowed bid wins at its full bid; a burst of 20 000 bids at one second each.
        var random = Xoshiro256StarStar(seed: 7)
        var pacer = CampaignPacer(config: config(algorithm, daily: 5_000_000))
        var now = iso("2025-06-10T00:00:00Z")
        for index in 0..<20_000 {
            let bid = Micros(1_000 + random.next() % 50_000)
            let decision = pacer.decide(bid: bid, requestID: "\(index)", now: now, random: &random)
            if decision.allow { pacer.recordSpend(bid, requestID: "\(index)", now: now) }
            #expect(pacer.ledger.spent + pacer.ledger.reserved <= 5_000_000)
            now = now.addingTimeInterval(1)
        }
        #expect(pacer.ledger.spent <= 5_000_000)
    }

    @Test func breakerTripsProbesAndRecoversInsideThePacer() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(.asap, daily: 1_000))
        var now = iso("2025-06-10T06:00:00Z")
        var transitions: [BreakerTransition] = []
        func bid(_ amount: Micros = 10) -> Decision {
            let decision = pacer.decide(bid: amount, now: now, random: &random)
            if let transition = decision.transition { transitions.append(transition) }
            if decision.allow { pacer.recordSpend(amount, now: now) }
            return decision
        }
        for _ in 0..<95 { #expect(bid().allow) }
        // 950 of 1 000 spent: the next bid trips the breaker.
        let tripped = bid()
        #expect(tripped.reason == .breakerOpen && tripped.breaker == .open)
        now = now.addingTimeInterval(29)
        #expect(bid().reason == .breakerOpen)
        now = now.addingTimeInterval(1)
        // Cool-down over: two probes, not throttled.
        let probe = bid()
        #expect(probe.allow && probe.breaker == .halfOpen)
        #expect(bid().allow)
        // The next call takes the HALF_OPEN → CLOSED step: closed again, recovering. ASAP is ahead
        // of the clock at 06:00, so 90 % of the bids are held back.
        let closing = bid(1)
        #expect(closing.breaker == .closed && closing.transition?.cause == .probesPassed)
        #expect(abs(closing.throttle - 0.9) < 1e-12)
        var allowed = 0
        var throttled = 0
        for _ in 0..<200 {
            let decision = bid(1)
            if decision.allow { allowed += 1 }
            if decision.reason == .throttled { throttled += 1 }
        }
        #expect(pacer.breaker.isRecovering)
        #expect(abs(pacer.throttle - 0.9) < 1e-12)
        #expect(throttled > 150 && allowed > 5)
        #expect(transitions.map(\.to) == [.open, .halfOpen, .closed])
        #expect(transitions.map(\.cause) == [.tripped, .cooldownElapsed, .probesPassed])
    }

    @Test func recoveringPacerReopensWhenTheBudgetIsGoneAndStaysOpen() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(.asap, daily: 1_000))
        var now = iso("2025-06-10T23:00:00Z")  // late: ASAP is behind the clock, no recovery throttle
        var causes: [BreakerTransition.Cause] = []
        for _ in 0..<400 {
            let decision = pacer.decide(bid: 10, now: now, random: &random)
            if let transition = decision.transition { causes.append(transition.cause) }
            if decision.allow { pacer.recordSpend(10, now: now) }
            now = now.addingTimeInterval(1)
        }
        #expect(pacer.ledger.spent == 1_000)
        #expect(causes == [.tripped, .cooldownElapsed, .probesPassed, .budgetGone])
        #expect(pacer.breaker.state == .open)
    }

    @Test func forcedOverrides() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(.asap, daily: 1_000))
        pacer.setOverride(.forceOpen)
        #expect(pacer.decide(bid: 10, now: noon, random: &random).reason == .breakerOpen)
        pacer.setOverride(.forceClosed)
        for _ in 0..<100 {
            let decision = pacer.decide(bid: 10, now: noon, random: &random)
            #expect(decision.breaker == .closed && decision.transition == nil)
            if decision.allow { pacer.recordSpend(10, now: noon) }
        }
        // Forced closed never trips, but the budget still caps spend.
        #expect(pacer.ledger.spent == 1_000)
        #expect(pacer.decide(bid: 10, now: noon, random: &random).reason == .budgetExhausted)
    }

    @Test func evenThrottlesToItsCurveAndReportsTheThrottle() {
        var random = Xoshiro256StarStar(seed: 3)
        // 86.4 cents a day = 10 micros a second; 10 requests a second of 10 micros each would spend 10x.
        var pacer = CampaignPacer(config: config(.even, daily: 864_000))
        var now = iso("2025-06-10T00:00:00Z")
        var reasons: [DecisionReason: Int] = [:]
        for _ in 0..<(6 * 3600 * 10) {
            let decision = pacer.decide(bid: 10, now: now, random: &random)
            reasons[decision.reason, default: 0] += 1
            if decision.allow { pacer.recordSpend(10, now: now) }
            now = now.addingTimeInterval(0.1)
        }
        let status = pacer.status(at: now)
        #expect(abs(status.throttle - 0.9) < 0.05)
        #expect(abs(Double(status.spentToday - status.targetSpent)) < 864_000 * 0.01)
        #expect(status.targetSpent == 216_000)
        #expect(reasons[.throttled, default: 0] > reasons[.ok, default: 0] * 5)
    }

    @Test func sameSeedSameDecisions() {
        func run(seed: UInt64) -> [Bool] {
            var random = Xoshiro256StarStar(seed: seed)
            var pacer = CampaignPacer(config: config(.adaptive, daily: 100_000))
            var now = iso("2025-06-10T00:00:00Z")
            return (0..<20_000).map { _ in
                now = now.addingTimeInterval(0.5)
                let decision = pacer.decide(bid: 20, now: now, random: &random)
                if decision.allow { pacer.recordSpend(10, now: now) }
                return decision.allow
            }
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
    }

    @Test func loadSignalMakesAdaptiveThrottleHarder() {
        var random = SplitMix64(seed: 1)
        var adaptive = CampaignPacer(config: config(.adaptive, daily: 1_000_000_000))
        var even = CampaignPacer(config: config(.even, daily: 1_000_000_000))
        _ = adaptive.decide(bid: 10, now: noon, random: &random)
        _ = even.decide(bid: 10, now: noon, random: &random)
        let before = adaptive.throttle
        adaptive.loadSignal = 0.020  // 20 ms against a 5 ms limit: a quarter of the rate
        even.loadSignal = 0.020
        #expect(abs((1 - adaptive.throttle) - (1 - before) * 0.25) < 1e-12)
        #expect(even.throttle == 0)
        adaptive.loadSignal = 0.001
        #expect(adaptive.throttle == before)
    }

    @Test func seedLeaseAndStatus() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(.asap, daily: 1_000))
        pacer.seed(spentToday: 900, totalSpentBeforeToday: 5_000, now: noon)
        #expect(pacer.decide(bid: 101, now: noon, random: &random).reason == .budgetExhausted)
        pacer.setLease(950, now: noon)
        #expect(pacer.decide(bid: 51, now: noon, random: &random).reason == .budgetExhausted)
        #expect(pacer.decide(bid: 50, now: noon, random: &random).allow)
        let status = pacer.status(at: noon)
        #expect(status.spentToday == 900 && status.reserved == 50 && status.remainingToday == 100)
        #expect(status.totalSpent == 5_900 && status.ceiling == 950 && status.dayBudget == 1_000)
        #expect(status.day.iso == "2025-06-10" && status.elapsedFraction == 0.5 && status.breaker == .closed)
        // A snapshot after midnight shows the new day without changing the pacer.
        let tomorrow = pacer.status(at: iso("2025-06-11T00:00:01Z"))
        #expect(tomorrow.day.iso == "2025-06-11" && tomorrow.spentToday == 0 && tomorrow.totalSpent == 5_900)
        #expect(pacer.ledger.spent == 900)
    }

    @Test func configChangesApplyMidDay() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: config(.asap, daily: 1_000))
        _ = pacer.decide(bid: 10, now: noon, random: &random)
        var changed = pacer.config
        changed.status = .paused
        pacer.update(config: changed, now: noon)
        #expect(pacer.decide(bid: 10, now: noon, random: &random).reason == .paused)
        changed.status = .active
        changed.dailyBudget = 5
        pacer.update(config: changed, now: noon)
        #expect(pacer.decide(bid: 10, now: noon, random: &random).reason == .budgetExhausted)
    }
}
