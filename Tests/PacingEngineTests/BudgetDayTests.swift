import Foundation
import PacingEngine
import Testing

@Suite("BudgetDay: local days and the day's budget")
struct BudgetDayTests {
    let newYork = TimeZone(identifier: "America/New_York")!

    @Test func ordinaryDayIs24HoursFromLocalMidnight() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let day = BudgetDay(date: try #require(LocalDate(iso: "2025-06-10")), in: berlin)
        #expect(day.length == 86_400)
        #expect(day.start == iso("2025-06-09T22:00:00Z"))
        #expect(day.hourLabels == Array(0..<24))
        #expect(day.elapsedFraction(at: iso("2025-06-10T10:00:00Z")) == 0.5)
    }

    @Test func springForwardDayHas23Hours() throws {
        let day = BudgetDay(date: try #require(LocalDate(iso: "2025-03-09")), in: newYork)
        #expect(day.length == 23 * 3600)
        #expect(day.start == iso("2025-03-09T05:00:00Z"))
        #expect(day.end == iso("2025-03-10T04:00:00Z"))
        #expect(day.hourLabels == [0, 1] + Array(3..<24))
    }

    @Test func fallBackDayHas25Hours() throws {
        let day = BudgetDay(date: try #require(LocalDate(iso: "2025-11-02")), in: newYork)
        #expect(day.length == 25 * 3600)
        #expect(day.hourLabels == [0, 1, 1] + Array(2..<24))
        #expect(day.slot(at: iso("2025-11-02T06:30:00Z")) == 2)
    }

    @Test func dayContainingAnInstantFollowsTheTimeZone() {
        // 03:30 UTC on 10 June is still 9 June in New York.
        let instant = iso("2025-06-10T03:30:00Z")
        #expect(BudgetDay(containing: instant, in: newYork).date.iso == "2025-06-09")
        #expect(BudgetDay(containing: instant, in: TimeZone(identifier: "UTC")!).date.iso == "2025-06-10")
        let tokyo = BudgetDay(containing: iso("2025-06-09T15:00:00Z"), in: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(tokyo.date.iso == "2025-06-10" && tokyo.start == iso("2025-06-09T15:00:00Z"))
    }

    @Test func dayWhoseMidnightIsSkippedStartsAtOneOClock() throws {
        // Santiago's clocks jump from 24:00 to 01:00 on 2024-09-08.
        let santiago = TimeZone(identifier: "America/Santiago")!
        let day = BudgetDay(date: try #require(LocalDate(iso: "2024-09-08")), in: santiago)
        #expect(day.length == 23 * 3600)
        #expect(day.hourLabels.first == 1)
    }

    @Test func budgetIsTheDailyBudgetWithoutATotal() {
        let config = CampaignConfig(name: "c", dailyBudget: 5_000_000, pacing: .even)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-10"), totalSpentBefore: 999_999_999) == 5_000_000)
    }

    @Test func totalBudgetIsSpreadOverTheRemainingFlightDays() {
        // 100 $ total over a 10-day flight, 20 $ a day at most.
        var config = CampaignConfig(name: "c", dailyBudget: 200_000_000, totalBudget: 1_000_000_000, pacing: .even)
        config.startDate = date("2025-06-01")
        config.endDate = date("2025-06-10")
        #expect(BudgetDay.budget(for: config, on: date("2025-06-01"), totalSpentBefore: 0) == 100_000_000)
        // Underspent so far: 4 days left including today share 70 $.
        #expect(BudgetDay.budget(for: config, on: date("2025-06-07"), totalSpentBefore: 300_000_000) == 175_000_000)
        // Far behind: the daily budget caps it.
        #expect(BudgetDay.budget(for: config, on: date("2025-06-09"), totalSpentBefore: 100_000_000) == 200_000_000)
        // Rounds down so the total is never passed: 10 micros over 3 days.
        #expect(BudgetDay.budget(for: config, on: date("2025-06-08"), totalSpentBefore: 999_999_990) == 3)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-10"), totalSpentBefore: 1_000_000_000) == 0)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-10"), totalSpentBefore: 1_200_000_000) == 0)
        // Outside the flight there is no budget.
        #expect(BudgetDay.budget(for: config, on: date("2025-05-31"), totalSpentBefore: 0) == 0)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-11"), totalSpentBefore: 0) == 0)
    }

    @Test func totalBudgetWithoutEndDateCapsTheDay() {
        let config = CampaignConfig(name: "c", dailyBudget: 200, totalBudget: 1_000, pacing: .even)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-10"), totalSpentBefore: 900) == 100)
        #expect(BudgetDay.budget(for: config, on: date("2025-06-10"), totalSpentBefore: 100) == 200)
    }
}

func iso(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

func date(_ text: String) -> LocalDate { LocalDate(iso: text)! }
