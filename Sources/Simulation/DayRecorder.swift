import Foundation
import PacingEngine

/// Samples a campaign's measured day at every minute and turns the samples into its figures.
struct DayRecorder {
    let day: BudgetDay
    let budget: Double
    let bid: Micros
    private(set) var marks: [Double] = []
    private(set) var spent: [Double] = []
    private(set) var target: [Double] = []
    private(set) var throttle: [Double] = []
    /// Seconds into the day of the next mark.
    private(set) var nextMark = 0.0
    var exhaustedAfter: Double?
    var supply: Micros = 0
    var earliestExhaustion: Double?
    /// Seconds into the day of the breaker's first trip.
    var trippedAfter: Double?
    /// Seconds into the day at which the winnable requests alone reached the trip threshold.
    var earliestTrip: Double?
    let tripThreshold: Double
    var decidedSpend: Micros = 0
    var requests = 0
    var allowed = 0
    var transitions = 0

    init(day: BudgetDay, budget: Micros, bid: Micros, tripRatio: Double) {
        self.day = day
        self.tripThreshold = tripRatio * Double(budget)
        self.budget = Double(budget)
        self.bid = bid
        let count = Int(day.length / 60) + 1
        marks.reserveCapacity(count)
        spent.reserveCapacity(count)
        target.reserveCapacity(count)
        throttle.reserveCapacity(count)
    }

    /// Seconds since the reference date of the next mark, or infinity after the last.
    var nextMarkTime: Double {
        nextMark <= day.length ? day.start.timeIntervalSinceReferenceDate + nextMark : .infinity
    }

    /// Records the pacer's state at the next mark.
    mutating func sample(_ pacer: CampaignPacer) {
        marks.append(nextMark)
        spent.append(Double(pacer.ledger.spent))
        target.append(budget * pacer.curve.share(atElapsed: nextMark))
        throttle.append(pacer.throttle)
        nextMark = nextMark < day.length ? min(nextMark + 60, day.length) : .infinity
    }

    /// Notes a breaker transition.
    mutating func noteTransition(_ transition: BreakerTransition) {
        transitions += 1
        if trippedAfter == nil, transition.cause == .tripped {
            trippedAfter = transition.at.timeIntervalSince(day.start)
        }
    }

    /// Notes a recorded win and whether it left less than one bid of budget.
    mutating func noteSpend(_ pacer: CampaignPacer, at seconds: Double) {
        if exhaustedAfter == nil, pacer.ledger.spent > pacer.ledger.dayBudget - bid {
            exhaustedAfter = seconds - day.start.timeIntervalSinceReferenceDate
        }
    }

    /// Notes a winnable request: how much the day's traffic could have spent.
    mutating func noteSupply(_ price: Micros, at seconds: Double) {
        supply += price
        if earliestTrip == nil, Double(supply) >= tripThreshold {
            earliestTrip = seconds - day.start.timeIntervalSinceReferenceDate
        }
        if earliestExhaustion == nil, Double(supply) > budget - Double(bid) {
            earliestExhaustion = seconds - day.start.timeIntervalSinceReferenceDate
        }
    }

    /// The day's figures.
    func result(campaign: SimCampaign, seed: UInt64, baselineOf: String?, keepCurve: Bool, timeZone: TimeZone) -> CampaignResult {
        let budgetMicros = Micros(budget)
        let maxDeviation = zip(spent, target).map { abs($0 - $1) }.max() ?? 0
        // Hour boundaries are the day's hour-long slots (23 or 25 of them on DST days).
        let hourMarks = (0...day.hourLabels.count).map { min($0 * 60, marks.count - 1) }
        var squares = 0.0
        for hour in 0..<day.hourLabels.count {
            let (from, to) = (hourMarks[hour], hourMarks[hour + 1])
            let error = (spent[to] - spent[from]) - (target[to] - target[from])
            squares += error * error
        }
        let hours = Double(day.hourLabels.count)
        let rmse = budget > 0 ? (squares / hours).squareRoot() / (budget / hours) : 0
        let activeMarks = exhaustedAfter.map { min(marks.count, Int($0 / 60) + 1) } ?? marks.count
        var changes = 0.0
        for index in stride(from: 1, to: activeMarks, by: 1) { changes += abs(throttle[index] - throttle[index - 1]) }
        let volatility = activeMarks > 1 ? changes / Double(activeMarks - 1) : 0
        let spentMicros = decidedSpend
        return CampaignResult(
            campaign: campaign.config.name + (baselineOf == nil ? "" : " [baseline]"),
            algorithm: baselineOf == nil ? campaign.config.pacing : .multiplicative,
            baselineOf: baselineOf,
            seed: seed,
            budget: budgetMicros,
            spent: spentMicros,
            overspend: max(0, max(spentMicros, Micros(spent.last ?? 0)) - budgetMicros),
            deliveredRatio: budget > 0 ? Double(spentMicros) / budget : 0,
            maxDeviationRatio: budget > 0 ? maxDeviation / budget : 0,
            rmseRatio: rmse,
            throttleVolatility: volatility,
            exhaustedAfter: exhaustedAfter,
            exhaustedAt: exhaustedAfter.map { localTime($0, timeZone) },
            earliestExhaustion: earliestExhaustion.map { localTime($0, timeZone) },
            trippedAfter: trippedAfter,
            earliestTrip: earliestTrip,
            supplyRatio: budget > 0 ? Double(supply) / budget : 0,
            requests: requests,
            allowed: allowed,
            breakerTransitions: transitions,
            curve: keepCurve ? CurveTrace(elapsed: marks, spent: spent, target: target, throttle: throttle) : nil
        )
    }

    private func localTime(_ elapsed: Double, _ timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second], from: day.start.addingTimeInterval(elapsed))
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }
}
