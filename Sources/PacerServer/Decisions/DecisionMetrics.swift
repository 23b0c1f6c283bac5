import Foundation
import Metrics

/// `pacer_decisions_total{outcome=…}`: decisions by outcome, counted from the per-minute tallies
/// when the write-behind flusher takes them (so the hot path pays nothing extra).
struct DecisionMetrics: Sendable {
    private let allowed = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "ok")])
    private let throttled = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "throttled")])
    private let budget = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "budget_exhausted")])
    private let breaker = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "breaker_open")])
    private let paused = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "paused")])
    private let notRunning = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "not_running")])
    private let other = Counter(label: "pacer_decisions_total", dimensions: [("outcome", "other")])

    func count(_ tallies: [(UUID, [MinuteCounts])]) {
        var sum = MinuteCounts()
        for (_, minutes) in tallies {
            for counts in minutes {
                sum.allowed += counts.allowed
                sum.throttled += counts.throttled
                sum.deniedBudget += counts.deniedBudget
                sum.deniedBreaker += counts.deniedBreaker
                sum.deniedPaused += counts.deniedPaused
                sum.deniedNotRunning += counts.deniedNotRunning
                sum.deniedOther += counts.deniedOther
            }
        }
        for (counter, value) in [
            (allowed, sum.allowed), (throttled, sum.throttled), (budget, sum.deniedBudget), (breaker, sum.deniedBreaker),
            (paused, sum.deniedPaused), (notRunning, sum.deniedNotRunning), (other, sum.deniedOther),
        ] where value > 0 {
            counter.increment(by: value)
        }
    }
}
