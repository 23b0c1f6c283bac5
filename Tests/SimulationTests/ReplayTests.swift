import Foundation
import PacingEngine
import Simulation
import Testing

@Suite("Replaying days")
struct ReplayTests {
    static let traffic = try! TrafficShape(weights: [3.2, 2.2, 1.5, 1.1, 1.0, 1.3, 2.0, 3.0, 4.2, 5.0, 5.5, 5.8, 6.2, 6.0, 5.8, 5.9, 6.3, 7.0, 8.0, 8.8, 9.0, 8.4, 6.6, 4.6])

    /// Small days: 30 000 requests, bids of 2 cents, supply about 8x the budget.
    static func campaigns(zone: String = "UTC", budgetCents: Micros = 4_000) -> [SimCampaign] {
        PacingAlgorithm.production.map { algorithm in
            SimCampaign(
                config: CampaignConfig(name: algorithm.rawValue, dailyBudget: budgetCents * 10_000, pacing: algorithm, timeZoneIdentifier: zone),
                bid: 20_000,
                dailyRequests: 30_000
            )
        }
    }

    static func simulator(seed: UInt64 = 1, zone: String = "UTC", date: String = "2025-06-10", budgetCents: Micros = 4_000) -> Simulator {
        var options = SimulationOptions()
        options.seed = seed
        options.warmupDays = 1
        options.date = LocalDate(iso: date)!
        options.recordCurves = true
        return Simulator(campaigns: campaigns(zone: zone, budgetCents: budgetCents), traffic: traffic, options: options)
    }

    static func figures(_ results: [CampaignResult]) -> [String] {
        results.map { "\($0.campaign) \($0.spent) \($0.maxDeviationRatio) \($0.rmseRatio) \($0.throttleVolatility) \($0.exhaustedAt ?? "-") \($0.requests) \($0.allowed)" }
    }

    @Test func sameSeedSameResult() async {
        let first = await Self.simulator(seed: 5).run()
        let second = await Self.simulator(seed: 5).run()
        #expect(Self.figures(first) == Self.figures(second))
        let other = await Self.simulator(seed: 6).run()
        #expect(Self.figures(first) != Self.figures(other))
    }

    @Test func neverOverspendsAndEvenFollowsItsCurve() async {
        let results = await Self.simulator().run()
        #expect(results.count == 5)  // four algorithms and ADAPTIVE's baseline twin
        for result in results {
            #expect(result.overspend == 0, "\(result.campaign)")
            #expect(result.spent <= result.budget)
        }
        let even = results.first { $0.algorithm == .even }!
        #expect(even.deliveredRatio >= 0.99)
        #expect(even.maxDeviationRatio <= 0.02)
        let asap = results.first { $0.algorithm == .asap }!
        #expect(asap.deliveredRatio >= 0.99 && asap.exhaustedAt != nil)
        // ASAP trips the breaker within seconds of when the traffic alone allowed it.
        #expect(asap.trippedAfter! - asap.earliestTrip! < 60)
    }

    @Test func tightSupplyStillNeverOverspends() async {
        // Supply about 1.3x the budget: everything winnable is needed.
        let results = await Self.simulator(budgetCents: 25_000).run()
        for result in results {
            #expect(result.overspend == 0, "\(result.campaign)")
        }
    }

    @Test func baselineTwinSeesTheSameRequests() async {
        let results = await Self.simulator().run()
        let adaptive = results.first { $0.algorithm == .adaptive }!
        let twin = results.first { $0.algorithm == .multiplicative }!
        #expect(twin.baselineOf == adaptive.campaign && twin.campaign == "ADAPTIVE [baseline]")
        #expect(twin.requests == adaptive.requests && twin.supplyRatio == adaptive.supplyRatio)
        #expect(twin.budget == adaptive.budget)
    }

    @Test(arguments: [("2025-03-09", 23), ("2025-11-02", 25)])
    func replaysDaylightSavingDays(date: String, hours: Int) async {
        let results = await Self.simulator(zone: "America/New_York", date: date).run()
        for result in results {
            #expect(result.overspend == 0)
            #expect(result.curve!.elapsed.count == hours * 60 + 1)
            #expect(result.curve!.elapsed.last == Double(hours * 3600))
        }
        let even = results.first { $0.algorithm == .even }!
        #expect(even.deliveredRatio >= 0.99 && even.maxDeviationRatio <= 0.02)
    }
}
