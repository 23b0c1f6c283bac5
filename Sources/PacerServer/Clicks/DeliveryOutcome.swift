import Foundation

/// What one delivery attempt came to, and what happens to the batch next.
struct DeliveryOutcome: Sendable, Equatable {
    enum Verdict: String, Sendable {
        /// 2xx: the partner has the clicks.
        case delivered
        /// 429, 408, 5xx, a timeout or a connection failure: try again later.
        case retry
        /// Any other status: the partner refuses the batch; it goes to dead-letter.
        case dead
    }

    var verdict: Verdict
    var httpStatus: Int?
    var error: String?
    /// Seconds the partner asked to wait (`Retry-After`), if it did.
    var retryAfter: Double?

    /// Classifies an HTTP answer.
    static func response(status: Int, retryAfter: String?, now: Date) -> DeliveryOutcome {
        switch status {
        case 200..<300:
            return DeliveryOutcome(verdict: .delivered, httpStatus: status)
        case 408, 429, 500..<600:
            return DeliveryOutcome(
                verdict: .retry, httpStatus: status, error: "HTTP \(status)",
                retryAfter: retryAfter.flatMap { parseRetryAfter($0, now: now) })
        default:
            return DeliveryOutcome(verdict: .dead, httpStatus: status, error: "HTTP \(status): the partner refused the batch")
        }
    }

    /// A request that got no answer (timeout, refused connection, reset).
    static func failure(_ description: String) -> DeliveryOutcome {
        DeliveryOutcome(verdict: .retry, error: description)
    }

    /// `Retry-After` as seconds from now: delta-seconds or an HTTP date; nil when unreadable.
    static func parseRetryAfter(_ text: String, now: Date) -> Double? {
        let trimmed = text.trimmingWhitespace
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

/// When a failed batch is tried again: exponential backoff with jitter after the attempt'th
/// failure, or the partner's `Retry-After` when it gave one (bounded by `maximum`).
struct RetryPolicy: Sendable {
    /// Delay after the first failure; doubled after each further one.
    var base: Double = 1
    /// Longest delay.
    var maximum: Double = 300

    /// Seconds to wait; `unit` is a random number in [0, 1) for the jitter.
    func delay(attempt: Int, retryAfter: Double?, unit: Double) -> Double {
        if let retryAfter { return min(retryAfter, max(maximum, 3600)) }
        let exponential = min(maximum, base * pow(2, Double(max(0, min(attempt - 1, 30)))))
        // Equal jitter: half fixed, half random, so retries of many batches spread out.
        return exponential / 2 + exponential / 2 * unit
    }
}
