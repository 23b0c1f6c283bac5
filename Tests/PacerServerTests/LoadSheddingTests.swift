import Foundation
import PacingEngine
import Testing

@testable import PacerServer

/// Load shedding (SPEC section 5): decision latency above the limit makes ADAPTIVE campaigns
/// throttle harder until it falls; other algorithms do not shed.
@Suite struct LoadSheddingTests {
    let now = Date(timeIntervalSince1970: 1_781_524_800)  // 2026-06-15 12:00 UTC

    func store() -> (CampaignStore, adaptive: UUID, even: UUID) {
        var settings = PacerSettings.default
        settings.latencyLimit = 0.005
        let store = CampaignStore(seed: 7, settings: settings, leased: false, onBreakerChange: { _ in })
        let adaptive = CampaignConfig(name: "adaptive", dailyBudget: 1_000_000_000_000, pacing: .adaptive)
        let even = CampaignConfig(name: "even", dailyBudget: 1_000_000_000_000, pacing: .even)
        for config in [adaptive, even] {
            store.apply(CampaignRecord(config: config, createdAt: now, updatedAt: now), spentToday: 0, spentBefore: 0, now: now)
        }
        return (store, adaptive.id, even.id)
    }

    func throttle(_ store: CampaignStore, _ id: UUID) -> Double {
        store.decide(campaignID: id, bid: 10_000, requestID: nil, now: now).throttle
    }

    @Test func adaptiveThrottlesHarderWhileLatencyIsHighAndRecoversWhenItFalls() {
        let (store, adaptive, even) = store()
        let monitor = LoadMonitor(store: store)
        #expect(monitor.evaluate() == 0)
        let calmAdaptive = throttle(store, adaptive)
        let calmEven = throttle(store, even)

        // Four windows of 20 ms decisions: the signal climbs past the 5 ms limit.
        for _ in 0..<4 {
            for _ in 0..<100 { monitor.record(nanoseconds: 20_000_000) }
            monitor.evaluate()
        }
        #expect(monitor.current > 0.015)
        let loadedAdaptive = throttle(store, adaptive)
        // Pass-through scaled by limit / latency (here about a quarter) on top of the pacing throttle.
        #expect(1 - loadedAdaptive <= (1 - calmAdaptive) * 0.005 / 0.015 + 1e-9)
        #expect(loadedAdaptive > calmAdaptive)
        #expect(throttle(store, even) == calmEven)

        // Quiet windows of fast decisions: the signal falls below the limit and shedding stops.
        for _ in 0..<12 {
            for _ in 0..<100 { monitor.record(nanoseconds: 50_000) }
            monitor.evaluate()
        }
        #expect(monitor.current < 0.005)
        #expect(throttle(store, adaptive) == calmAdaptive)
    }

    @Test func windowsWithoutDecisionsLetTheSignalDecay() {
        let (store, _, _) = store()
        let monitor = LoadMonitor(store: store)
        for _ in 0..<100 { monitor.record(nanoseconds: 40_000_000) }
        let high = monitor.evaluate()
        #expect(high == 0.02)
        #expect(monitor.evaluate() == 0.01)
        for _ in 0..<40 { monitor.evaluate() }
        #expect(monitor.current == 0)
    }
}
