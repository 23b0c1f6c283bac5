import Foundation
import PacingEngine
import Testing

@Suite("Pacing curves and learned traffic")
struct PacingCurveTests {
    let day = 86_400.0
    var flat: TrafficForecast { .flat(length: day) }

    @Test func evenFollowsTheClock() {
        let curve = PacingCurve(algorithm: .even, frontLoadedShape: 2, forecast: flat)
        #expect(curve.share(atElapsed: 0) == 0)
        #expect(curve.share(atElapsed: day / 4) == 0.25)
        #expect(curve.share(atElapsed: day) == 1)
        #expect(curve.share(atElapsed: -5) == 0 && curve.share(atElapsed: day * 2) == 1)
    }

    @Test func asapWantsEverythingAtOnce() {
        let curve = PacingCurve(algorithm: .asap, frontLoadedShape: 2, forecast: flat)
        #expect(curve.share(atElapsed: 0) == 1 && curve.share(atElapsed: day / 2) == 1)
    }

    @Test(arguments: [1.0, 1.5, 2.0, 3.0])
    func frontLoadedIsOneMinusPower(shape: Double) {
        let curve = PacingCurve(algorithm: .frontLoaded, frontLoadedShape: shape, forecast: flat)
        #expect(curve.share(atElapsed: 0) == 0 && curve.share(atElapsed: day) == 1)
        let midday = curve.share(atElapsed: day / 2)
        #expect(abs(midday - (1 - pow(0.5, shape))) < 1e-12)
        // Never behind the even curve, further ahead the larger the shape.
        for hour in 1..<24 {
            let x = Double(hour) / 24
            #expect(curve.share(atElapsed: x * day) >= x - 1e-12)
        }
    }

    @Test func frontLoadedShapeTwoSpendsThreeQuartersByMidday() {
        let curve = PacingCurve(algorithm: .frontLoaded, frontLoadedShape: 2, forecast: flat)
        #expect(curve.share(atElapsed: day / 2) == 0.75)
    }

    @Test func adaptiveIsFlatWithoutHistory() {
        let forecast = TrafficProfile().forecast(for: BudgetDay(date: date("2025-06-10"), in: .gmt))
        #expect(forecast.expectedRequests == nil)
        let curve = PacingCurve(algorithm: .adaptive, frontLoadedShape: 2, forecast: forecast)
        #expect(abs(curve.share(atElapsed: day / 3) - 1.0 / 3) < 1e-12)
    }

    @Test func adaptiveFollowsLearnedTraffic() {
        // Night hours carry 1, the rest 3.
        let weights = (0..<24).map { $0 < 6 ? 1.0 : 3.0 }
        let profile = TrafficProfile(hourlyRequests: weights)
        let forecast = profile.forecast(for: BudgetDay(date: date("2025-06-10"), in: .gmt))
        #expect(forecast.expectedRequests == 60)
        let curve = PacingCurve(algorithm: .adaptive, frontLoadedShape: 2, forecast: forecast)
        #expect(abs(curve.share(atElapsed: 6 * 3600) - 6.0 / 60) < 1e-12)
        #expect(abs(curve.share(atElapsed: 6.5 * 3600) - 7.5 / 60) < 1e-12)
        #expect(curve.share(atElapsed: day) == 1)
        // The baseline paces along the same curve.
        let baseline = PacingCurve(algorithm: .multiplicative, frontLoadedShape: 2, forecast: forecast)
        #expect(baseline == curve)
    }

    @Test func learningAveragesDaysAndSkipsUnobservedHours() {
        var profile = TrafficProfile(learningRate: 0.5)
        let labels = Array(0..<24)
        profile.learn(slotCounts: Array(repeating: 100, count: 24), hourLabels: labels, firstObservedSlot: 12)
        #expect(profile.learned == (0..<24).map { $0 >= 12 })
        #expect(profile.hourly[12] == 100)
        profile.learn(slotCounts: Array(repeating: 200, count: 24), hourLabels: labels, firstObservedSlot: 0)
        #expect(profile.hourly[0] == 200)  // first time seen: taken as is
        #expect(profile.hourly[12] == 150)  // seen before: averaged
        // Unlearned hours are filled with the learned average in a forecast.
        var partial = TrafficProfile()
        partial.learn(slotCounts: Array(repeating: 10, count: 24), hourLabels: labels, firstObservedSlot: 20)
        #expect(partial.forecast(for: BudgetDay(date: date("2025-06-10"), in: .gmt)).expectedRequests == 240)
    }

    @Test func learningMapsDSTSlotsToLocalHours() {
        let newYork = TimeZone(identifier: "America/New_York")!
        let fallBack = BudgetDay(date: date("2025-11-02"), in: newYork)
        var profile = TrafficProfile()
        // 25 slots, hour 1 twice: its two slots average to one hour's rate.
        profile.learn(slotCounts: [10, 20, 40] + Array(repeating: 10, count: 22), hourLabels: fallBack.hourLabels, firstObservedSlot: 0)
        #expect(profile.hourly[1] == 30)
        let springForward = BudgetDay(date: date("2025-03-09"), in: newYork)
        let forecast = profile.forecast(for: springForward)
        #expect(forecast.cumulative.count == 24)  // 23 slots, no 02:00
        #expect(forecast.expectedRequests == 250.0)  // 10 + 30 + 21 × 10
    }
}
