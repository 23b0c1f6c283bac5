import Foundation
import PacingEngine
import Testing

@Suite("Throttle controller")
struct ThrottleControllerTests {
    // 10 requests/s, 10 000 micros per allowed bid: letting everything through would spend
    // 100 000 micros/s, ten times the even rate of this budget.
    let budget = 864_000_000.0
    let length = 86_400.0

    func inputs(_ algorithm: PacingAlgorithm, now: Double, spent: Double, forecast: TrafficForecast? = nil, requestsToday: Double = 0) -> ThrottleController.Inputs {
        let forecast = forecast ?? .flat(length: length)
        return .init(
            now: now, elapsed: now, budget: budget, spent: spent,
            curve: PacingCurve(algorithm: algorithm, frontLoadedShape: 2, forecast: forecast),
            forecast: forecast, requestsToday: requestsToday, observedFrom: 0)
    }

    /// A controller that has seen 100 s of traffic ending at `now`.
    func warmed(_ algorithm: PacingAlgorithm, now: Double, spent: Double, forecast: TrafficForecast? = nil, requestsToday: Double = 0) -> ThrottleController {
        var controller = ThrottleController(algorithm: algorithm, settings: .default)
        controller.update(inputs(algorithm, now: now - 100, spent: spent, forecast: forecast, requestsToday: requestsToday))
        controller.pendingRequests = 1_000
        controller.pendingAllowed = 100
        controller.pendingSpend = 1_000_000
        controller.update(inputs(algorithm, now: now, spent: spent, forecast: forecast, requestsToday: requestsToday))
        return controller
    }

    @Test func estimatesRateAndSpendPerBid() {
        let controller = warmed(.even, now: 43_200, spent: budget / 2)
        #expect(controller.requestRate == 10)
        #expect(controller.spendPerAllowed == 10_000)
    }

    @Test func evenOnTheCurvePassesThePlannedShare() {
        #expect(abs(warmed(.even, now: 43_200, spent: budget / 2).passThrough - 0.1) < 1e-9)
    }

    @Test func evenBehindTheCurvePassesMoreAndAheadPassesNothing() {
        let behind = warmed(.even, now: 43_200, spent: budget / 2 - budget / 100).passThrough
        #expect(abs(behind - 0.196) < 1e-9)
        #expect(warmed(.even, now: 43_200, spent: budget / 2 + budget / 50).passThrough == 0)
        #expect(warmed(.even, now: 43_200, spent: 0).passThrough == 1)
    }

    @Test func frontLoadedWantsMoreInTheMorning() {
        let even = warmed(.even, now: 21_600, spent: budget * 0.25).passThrough
        let front = warmed(.frontLoaded, now: 21_600, spent: budget * 0.4375).passThrough  // on 1-(1-x)^2 at x = 0.25
        #expect(front > even * 1.4)
    }

    @Test func asapAlwaysPassesEverything() {
        #expect(warmed(.asap, now: 43_200, spent: budget).passThrough == 1)
    }

    @Test func adaptiveUsesTheForecastAndMovesSmoothly() {
        // Learned: 864 000 requests a day, flat; at noon half have been seen.
        let forecast = TrafficForecast(slotWeights: Array(repeating: 1, count: 24), length: length, expectedRequests: 864_000)
        let controller = warmed(.adaptive, now: 43_200, spent: budget / 2, forecast: forecast, requestsToday: 432_000)
        // The target is 0.1; starting from 1 it moves 1 - e^(-100/120) of the way in 100 s.
        let expected = 1 - (1 - exp(-100.0 / 120)) * 0.9
        #expect(abs(controller.passThrough - expected) < 1e-9)
    }

    @Test func adaptiveScalesTheForecastToTodaysVolume() {
        // Learned 432 000 requests a day, but today runs at 864 000 a day: the learned volume only
        // weighs in as a prior worth 10 % of a day, so the controller lets about half as much through.
        let forecast = TrafficForecast(slotWeights: Array(repeating: 1, count: 24), length: length, expectedRequests: 432_000)
        var controller = ThrottleController(algorithm: .adaptive, settings: .default)
        var now = 43_200.0
        controller.update(inputs(.adaptive, now: now, spent: budget / 2, forecast: forecast, requestsToday: 432_000))
        for _ in 1...200 {
            now += 10
            controller.pendingRequests = 100
            controller.pendingAllowed = 10
            controller.pendingSpend = 100_000
            controller.update(inputs(.adaptive, now: now, spent: budget * now / length, forecast: forecast, requestsToday: 10 * now))
        }
        let share = now / length
        let volume = (10 * now + 0.1 * 432_000) / (share + 0.1)
        let expected = (budget * 900 / length) / (volume * 900 / length * 10_000)
        #expect(abs(controller.passThrough - expected) < 1e-3)
        #expect(abs(expected - 0.1) < 0.01)
    }

    @Test func multiplicativeStepsTenPercentAMinute() {
        var controller = ThrottleController(algorithm: .multiplicative, settings: .default)
        controller.update(inputs(.multiplicative, now: 0, spent: 0))
        #expect(controller.passThrough == 1)
        // The minute spent more than its allocation (budget/1440): down 10 %.
        controller.update(inputs(.multiplicative, now: 60, spent: budget / 1000))
        #expect(abs(controller.passThrough - 0.9) < 1e-12)
        // Not a minute yet: no change.
        controller.update(inputs(.multiplicative, now: 90, spent: budget / 1000))
        #expect(abs(controller.passThrough - 0.9) < 1e-12)
        // The next minute spent nothing: up 10 %.
        controller.update(inputs(.multiplicative, now: 120, spent: budget / 1000))
        #expect(abs(controller.passThrough - 0.99) < 1e-12)
    }

    @Test func rateHeldAtZeroOpensAgainWhenBehind() {
        var controller = warmed(.even, now: 43_200, spent: budget * 0.6)
        #expect(controller.passThrough == 0)
        // Hours pass with requests but nothing allowed; the spend per bid is not forgotten.
        for hour in 1...5 {
            controller.pendingRequests = 36_000
            controller.update(inputs(.even, now: 43_200 + Double(hour) * 3600, spent: budget * 0.6))
        }
        #expect(controller.spendPerAllowed == 10_000)
        #expect(controller.passThrough > 0)
    }
}
