import Foundation
import PacingEngine

/// Decision outcomes of one campaign in one minute.
struct MinuteCounts: Sendable, Equatable {
    var minute: Int64 = 0
    var allowed: Int64 = 0
    var allowedBidMicros: Int64 = 0
    var throttled: Int64 = 0
    var deniedBudget: Int64 = 0
    var deniedBreaker: Int64 = 0
    var deniedPaused: Int64 = 0
    var deniedNotRunning: Int64 = 0
    var deniedOther: Int64 = 0

    var isEmpty: Bool {
        allowed + throttled + deniedBudget + deniedBreaker + deniedPaused + deniedNotRunning + deniedOther == 0
    }

    mutating func add(_ decision: Decision, bid: Micros) {
        switch decision.reason {
        case .ok:
            allowed += 1
            allowedBidMicros += bid
        case .throttled: throttled += 1
        case .budgetExhausted: deniedBudget += 1
        case .breakerOpen: deniedBreaker += 1
        case .paused: deniedPaused += 1
        case .notRunning: deniedNotRunning += 1
        default: deniedOther += 1
        }
    }
}

/// Counts decisions per minute in memory until the write-behind flusher takes them.
struct DecisionTally: Sendable {
    private(set) var current = MinuteCounts()
    private(set) var finished: [MinuteCounts] = []

    /// Counts `decision` in the minute of `now` (seconds since 1970).
    mutating func add(_ decision: Decision, bid: Micros, at epochSeconds: Double) {
        let minute = Int64((epochSeconds / 60).rounded(.down))
        if minute != current.minute {
            if !current.isEmpty { finished.append(current) }
            current = MinuteCounts(minute: minute)
        }
        current.add(decision, bid: bid)
    }

    /// Everything counted so far, emptied.
    mutating func drain() -> [MinuteCounts] {
        var taken = finished
        if !current.isEmpty { taken.append(current) }
        finished = []
        current = MinuteCounts(minute: current.minute)
        return taken
    }
}
