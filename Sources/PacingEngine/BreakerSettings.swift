/// The circuit breaker's parameters for one campaign (SPEC section 3), each with its default.
public struct BreakerSettings: Sendable, Hashable, Codable {
    /// Share of the day's budget at which a CLOSED breaker trips OPEN; default 0.95.
    public var tripRatio: Double
    /// Seconds an OPEN breaker denies every bid before it probes; default 30.
    public var cooldownSeconds: Double
    /// Bids a HALF_OPEN breaker lets through (each only if it fits) before deciding; default 2.
    public var probeBids: Int
    /// Least share of bids held back after recovery while spend is ahead of schedule; default 0.90.
    public var recoveryThrottle: Double

    /// Settings with the SPEC's defaults unless given.
    public init(tripRatio: Double = 0.95, cooldownSeconds: Double = 30, probeBids: Int = 2, recoveryThrottle: Double = 0.90) {
        self.tripRatio = tripRatio
        self.cooldownSeconds = cooldownSeconds
        self.probeBids = probeBids
        self.recoveryThrottle = recoveryThrottle
    }

    /// The defaults: 95 %, 30 s, 2 probes, 90 % recovery throttle.
    public static let `default` = BreakerSettings()

    /// What is wrong with these settings, by field (snake_case as in the API); empty when valid.
    public var problems: [FieldProblem] {
        var problems: [FieldProblem] = []
        if !(tripRatio > 0 && tripRatio <= 1) {
            problems.append(FieldProblem(field: "trip_ratio", message: "must be greater than 0 and at most 1"))
        }
        if !(cooldownSeconds >= 0 && cooldownSeconds <= 86_400) {
            problems.append(FieldProblem(field: "cooldown_seconds", message: "must be between 0 and 86400"))
        }
        if !(1...1000).contains(probeBids) {
            problems.append(FieldProblem(field: "probe_bids", message: "must be between 1 and 1000"))
        }
        if !(recoveryThrottle >= 0 && recoveryThrottle <= 1) {
            problems.append(FieldProblem(field: "recovery_throttle", message: "must be between 0 and 1"))
        }
        return problems
    }
}

/// One invalid field of a configuration, named as in the API.
public struct FieldProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field's snake_case name, dotted for nested fields (`breaker.trip_ratio`).
    public var field: String
    /// What is wrong with it.
    public var message: String

    /// A problem with a field.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// `field message`.
    public var description: String { "\(field) \(message)" }
}
