import Foundation
import PacingEngine
import Testing

@Suite("Day rollover at local midnight")
struct DayRolloverTests {
    @Test func rollsOverAtLocalMidnightAndResetsTheDay() throws {
        var random = SplitMix64(seed: 1)
        let config = CampaignConfig(name: "ny", dailyBudget: 1_000, pacing: .asap, timeZoneIdentifier: "America/New_York")
        var pacer = CampaignPacer(config: config)
        // 23:59:59 on 9 June in New York is 03:59:59 UTC on 10 June.
        let lastSecond = iso("2025-06-10T03:59:59Z")
        var transitions: [BreakerTransition] = []
        for _ in 0..<100 {
            let decision = pacer.decide(bid: 10, now: lastSecond, random: &random)
            if let transition = decision.transition { transitions.append(transition) }
            if decision.allow { pacer.recordSpend(10, now: lastSecond) }
        }
        #expect(pacer.day?.date.iso == "2025-06-09")
        #expect(pacer.breaker.state == .open)
        let midnight = iso("2025-06-10T04:00:00Z")
        let decision = pacer.decide(bid: 10, now: midnight, random: &random)
        #expect(decision.allow && decision.breaker == .closed)
        #expect(decision.transition == BreakerTransition(from: .open, to: .closed, cause: .dayRollover, at: midnight))
        #expect(pacer.day?.date.iso == "2025-06-10")
        #expect(pacer.ledger.spent == 0 && pacer.ledger.reserved == 10)
        #expect(pacer.totalSpentBeforeToday == 950)
    }

    @Test(arguments: [
        ("2025-03-09", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z", 23.0),  // spring forward
        ("2025-11-02", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z", 25.0),  // fall back
    ])
    func daylightSavingDaysRollOverAtTheirOwnMidnight(day: String, start: String, end: String, hours: Double) {
        var random = SplitMix64(seed: 1)
        let config = CampaignConfig(name: "ny", dailyBudget: 864_000, pacing: .even, timeZoneIdentifier: "America/New_York")
        var pacer = CampaignPacer(config: config)
        _ = pacer.decide(bid: 1, now: iso(start), random: &random)
        #expect(pacer.day?.date.iso == day)
        #expect(pacer.day?.length == hours * 3600)
        // EVEN's target at the middle of the day is half, however long the day.
        let middle = iso(start).addingTimeInterval(hours * 1800)
        #expect(pacer.status(at: middle).targetSpent == 432_000)
        _ = pacer.decide(bid: 1, now: iso(end).addingTimeInterval(-0.001), random: &random)
        #expect(pacer.day?.date.iso == day)
        _ = pacer.decide(bid: 1, now: iso(end), random: &random)
        #expect(pacer.day?.date == date(day).adding(days: 1))
    }

    @Test func keepsLearnedTrafficAcrossDays() {
        var random = SplitMix64(seed: 1)
        var pacer = CampaignPacer(config: CampaignConfig(name: "a", dailyBudget: 1_000_000, pacing: .adaptive))
        var now = iso("2025-06-10T00:00:00Z")
        // Three times as many requests in the afternoon as in the morning.
        while now < iso("2025-06-11T00:00:00Z") {
            let hour = Int(now.timeIntervalSince(iso("2025-06-10T00:00:00Z")) / 3600)
            _ = pacer.decide(bid: 1, now: now, random: &random)
            now = now.addingTimeInterval(hour < 12 ? 30 : 10)
        }
        #expect(pacer.profile.isEmpty)
        _ = pacer.decide(bid: 1, now: now, random: &random)
        #expect(!pacer.profile.isEmpty)
        #expect(pacer.profile.hourly[3] == 120 && pacer.profile.hourly[15] == 360)
        // Today's curve follows it: a quarter of the budget by noon.
        #expect(abs(pacer.curve.share(atElapsed: 43_200) - 0.25) < 1e-9)
    }

    @Test func flightBudgetFollowsTotalSpendAcrossDays() {
        var random = SplitMix64(seed: 1)
        var config = CampaignConfig(name: "f", dailyBudget: 1_000, totalBudget: 2_500, pacing: .asap)
        config.startDate = date("2025-06-10")
        config.endDate = date("2025-06-12")
        var pacer = CampaignPacer(config: config)
        let day1 = iso("2025-06-10T12:00:00Z")
        _ = pacer.decide(bid: 1, now: day1, random: &random)
        #expect(pacer.ledger.dayBudget == 833)  // 2 500 / 3 days
        pacer.recordSpend(400, now: day1)
        _ = pacer.decide(bid: 1, now: iso("2025-06-11T12:00:00Z"), random: &random)
        #expect(pacer.ledger.dayBudget == 1_000)  // 2 100 / 2 days, capped by the daily budget
        _ = pacer.decide(bid: 1, now: iso("2025-06-13T12:00:00Z"), random: &random)
        #expect(pacer.decide(bid: 1, now: iso("2025-06-13T12:00:01Z"), random: &random).reason == .notRunning)
    }
}
