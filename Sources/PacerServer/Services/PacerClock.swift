import Foundation
import Synchronization

/// Where the server's "now" comes from: the system clock in production, a manual one in tests.
protocol PacerClock: Sendable {
    func now() -> Date
}

/// Wall-clock time.
struct SystemClock: PacerClock {
    func now() -> Date { Date() }
}

/// A clock that moves only when told to, for deterministic tests.
final class ManualClock: PacerClock {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}
