import Foundation

/// One local day of a campaign: its date, where it starts and ends on the clock, and its hours.
///
/// Days follow the campaign's IANA time zone, so a day is 23 or 25 hours long when daylight saving
/// starts or ends. Built only at day rollover; the hot path compares instants with ``end``.
public struct BudgetDay: Sendable, Hashable {
    /// The local date.
    public let date: LocalDate
    /// The first instant of the day (local midnight, or the first instant after it if midnight is skipped).
    public let start: Date
    /// The first instant of the next day.
    public let end: Date
    /// The local hour (0...23) of each hour-long slot from ``start``: 24 entries on an ordinary
    /// day, 23 when an hour is skipped, 25 when one repeats.
    public let hourLabels: [Int]

    /// The day that contains `instant` in `timeZone`.
    public init(containing instant: Date, in timeZone: TimeZone) {
        let calendar = BudgetDay.calendar(timeZone)
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        let date = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
        self.init(date: date, in: timeZone)
    }

    /// The day `date` in `timeZone`. Days are computed once per time zone and date and shared
    /// (with their hour labels) by every campaign that rolls over to them.
    public init(date: LocalDate, in timeZone: TimeZone) {
        self = Self.days.value(for: DayKey(timeZone: timeZone.identifier, date: date)) { BudgetDay(computing: date, in: timeZone) }
    }

    private struct DayKey: Hashable {
        var timeZone: String
        var date: LocalDate
    }

    private static let days = SharedValues<DayKey, BudgetDay>(limit: 4096)

    private init(computing date: LocalDate, in timeZone: TimeZone) {
        let calendar = BudgetDay.calendar(timeZone)
        self.date = date
        let start = BudgetDay.startOfDay(date, calendar)
        let end = BudgetDay.startOfDay(date.adding(days: 1), calendar)
        self.start = start
        self.end = end
        let length = end.timeIntervalSince(start)
        let slots = Int((length / 3600).rounded(.up))
        // The middle of each slot names its hour, which also copes with half-hour offsets.
        self.hourLabels = (0..<slots).map { slot in
            let middle = start.addingTimeInterval(Double(slot) * 3600 + min(1800, (length - Double(slot) * 3600) / 2))
            return calendar.component(.hour, from: middle)
        }
    }

    /// The day's length in seconds: 86 400, or 82 800 / 90 000 on daylight-saving days.
    public var length: TimeInterval { end.timeIntervalSince(start) }

    /// Whether `instant` falls within the day.
    public func contains(_ instant: Date) -> Bool { instant >= start && instant < end }

    /// Seconds since the day started, clamped to the day.
    public func elapsed(at instant: Date) -> TimeInterval {
        min(max(instant.timeIntervalSince(start), 0), length)
    }

    /// The share of the day that has passed at `instant`, 0...1.
    public func elapsedFraction(at instant: Date) -> Double { elapsed(at: instant) / length }

    /// The hour-long slot (index into ``hourLabels``) that `instant` falls in.
    public func slot(at instant: Date) -> Int {
        min(max(Int(instant.timeIntervalSince(start) / 3600), 0), hourLabels.count - 1)
    }

    /// The day's budget: the daily budget, or less when a total budget over a flight allows less.
    ///
    /// With a total budget it is the lesser of the daily budget and what remains of the total,
    /// divided evenly (rounded down) over the remaining flight days including `date`; without an
    /// end date, the lesser of the daily budget and the remaining total. Zero outside the flight.
    /// - Parameter totalSpentBefore: what the campaign spent over its flight before `date`.
    public static func budget(for config: CampaignConfig, on date: LocalDate, totalSpentBefore: Micros) -> Micros {
        guard config.isInFlight(on: date) else { return 0 }
        guard let total = config.totalBudget else { return max(0, config.dailyBudget) }
        let remaining = max(0, total - totalSpentBefore)
        guard let endDate = config.endDate else { return max(0, min(config.dailyBudget, remaining)) }
        let days = Int64(date.days(to: endDate) + 1)
        return max(0, min(config.dailyBudget, remaining / days))
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private static func startOfDay(_ date: LocalDate, _ calendar: Calendar) -> Date {
        // Noon exists on every day, even where midnight is skipped by a daylight-saving change.
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        return calendar.startOfDay(for: noon)
    }
}
