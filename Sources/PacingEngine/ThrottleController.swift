import Foundation

/// Turns "ahead of or behind the target curve" into a pass-through rate: the probability that a
/// bid which fits in the budget is let through.
///
/// EVEN, FRONT_LOADED and ADAPTIVE use one predictive controller. Over the next `horizon` it wants
/// the curve's planned spend plus a share of the current gap (`gap × horizon / correctionTime`),
/// and divides that by the spend it expects if every bid went through: expected requests × spend
/// per allowed bid. EVEN and FRONT_LOADED expect requests at the recent observed rate; ADAPTIVE
/// expects them along its learned traffic forecast, scaled to today's observed volume, and moves
/// its rate smoothly toward the result. ASAP always passes everything. MULTIPLICATIVE (baseline
/// only) multiplies the rate by 0.9 when the last minute spent more than its allocation and by
/// 1.1 otherwise, where a minute's allocation is the remaining budget spread over the remaining
/// expected traffic (LinkedIn's pacer).
public struct ThrottleController: Sendable {
    /// What spend, time and traffic look like at an update.
    public struct Inputs: Sendable {
        /// Seconds since the reference date.
        public var now: Double
        /// Seconds since the day started.
        public var elapsed: Double
        /// The day's budget.
        public var budget: Double
        /// Today's recorded spend.
        public var spent: Double
        /// The algorithm's target curve for today.
        public var curve: PacingCurve
        /// Today's expected traffic.
        public var forecast: TrafficForecast
        /// Requests seen today since ``observedFrom``.
        public var requestsToday: Double
        /// Seconds into the day from which today's requests were observed.
        public var observedFrom: Double

        /// Inputs for an update.
        public init(
            now: Double, elapsed: Double, budget: Double, spent: Double, curve: PacingCurve,
            forecast: TrafficForecast, requestsToday: Double, observedFrom: Double
        ) {
            self.now = now
            self.elapsed = elapsed
            self.budget = budget
            self.spent = spent
            self.curve = curve
            self.forecast = forecast
            self.requestsToday = requestsToday
            self.observedFrom = observedFrom
        }
    }

    /// The algorithm this controller paces for.
    public let algorithm: PacingAlgorithm
    /// The current pass-through rate, 0...1.
    public private(set) var passThrough: Double = 1
    /// Requests since the last update.
    public var pendingRequests = 0
    /// Allowed bids since the last update.
    public var pendingAllowed = 0
    /// Spend recorded since the last update.
    public var pendingSpend: Micros = 0

    private let settings: PacerSettings
    private var requestMass = 0.0
    private var timeMass = 0.0
    private var allowedMass = 0.0
    private var spendMass = 0.0
    private var lastUpdate: Double?
    private var lastBaselineStep: Double?
    private var baselineSpentAtStep = 0.0
    private var baselineAllocation: Double?

    /// A controller starting at full pass-through.
    public init(algorithm: PacingAlgorithm, settings: PacerSettings) {
        self.algorithm = algorithm
        self.settings = settings
    }

    /// Recent requests per second, or nil before any time has been observed.
    public var requestRate: Double? { timeMass > 0 ? requestMass / timeMass : nil }

    /// Recent spend per allowed bid in micros, or nil before enough bids were allowed.
    public var spendPerAllowed: Double? { allowedMass >= 3 ? spendMass / allowedMass : nil }

    /// Folds the pending counts into the estimates and recomputes the pass-through rate.
    public mutating func update(_ inputs: Inputs) {
        let dt = max(0, inputs.now - (lastUpdate ?? inputs.now))
        lastUpdate = inputs.now
        let rateDecay = exp(-dt / settings.rateTimeConstant)
        requestMass = requestMass * rateDecay + Double(pendingRequests)
        timeMass = timeMass * rateDecay + dt
        // The spend per allowed bid only ages while bids are allowed: a rate held at 0 must not
        // forget what a bid costs, or it could never open again.
        let valueDecay = pendingAllowed > 0 ? exp(-dt / settings.valueTimeConstant) : 1
        allowedMass = allowedMass * valueDecay + Double(pendingAllowed)
        spendMass = spendMass * valueDecay + Double(pendingSpend)
        pendingRequests = 0
        pendingAllowed = 0
        pendingSpend = 0

        switch algorithm {
        case .asap:
            passThrough = 1
        case .multiplicative:
            stepBaseline(inputs)
        case .even, .frontLoaded:
            if let target = predictedPassThrough(inputs, adaptive: false) { passThrough = target }
        case .adaptive:
            guard let target = predictedPassThrough(inputs, adaptive: true) else { return }
            let follow = 1 - exp(-dt / settings.adaptiveSmoothing)
            passThrough = min(1, max(0, passThrough + follow * (target - passThrough)))
        }
    }

    /// Starts a new day; the learned rates carry over and the next call updates at once.
    public mutating func startDay() {
        lastBaselineStep = nil
        baselineAllocation = nil
    }

    private func predictedPassThrough(_ inputs: Inputs, adaptive: Bool) -> Double? {
        guard let value = spendPerAllowed, let rate = requestRate else { return nil }
        let remainingTime = inputs.curve.length - inputs.elapsed
        guard remainingTime > 1, value > 0 else { return 1 }
        let horizon = min(settings.horizon, remainingTime)
        let targetNow = inputs.budget * inputs.curve.share(atElapsed: inputs.elapsed)
        let targetAhead = inputs.budget * inputs.curve.share(atElapsed: inputs.elapsed + horizon)
        let gap = targetNow - inputs.spent
        let wanted = (targetAhead - targetNow) + gap * min(1, horizon / settings.correctionTime)
        guard wanted > 0 else { return 0 }
        let requests: Double
        if adaptive, let volume = expectedDailyRequests(inputs) {
            let forecast = inputs.forecast
            requests = volume * (forecast.share(atElapsed: inputs.elapsed + horizon) - forecast.share(atElapsed: inputs.elapsed))
        } else {
            requests = rate * horizon
        }
        let supply = requests * value
        guard supply > 0 else { return 1 }
        return min(1, wanted / supply)
    }

    /// Today's volume: the learned daily volume, corrected by what today has shown so far.
    private func expectedDailyRequests(_ inputs: Inputs) -> Double? {
        guard let learned = inputs.forecast.expectedRequests, learned > 0 else { return nil }
        let forecast = inputs.forecast
        let observedShare = max(0, forecast.share(atElapsed: inputs.elapsed) - forecast.share(atElapsed: inputs.observedFrom))
        let prior = settings.forecastPriorWeight
        return (inputs.requestsToday + prior * learned) / (observedShare + prior)
    }

    /// LinkedIn's pacer (Agarwal et al., KDD 2014): each minute's allocation is the remaining
    /// budget spread over the remaining expected traffic; when the last minute spent more than its
    /// allocation the rate is multiplied by 0.9, otherwise by 1.1.
    private mutating func stepBaseline(_ inputs: Inputs) {
        if let last = lastBaselineStep, inputs.now - last < settings.baselineInterval { return }
        if let last = lastBaselineStep, let allocation = baselineAllocation {
            let minuteSpend = inputs.spent - baselineSpentAtStep
            let step = settings.baselineStep * min(1, (inputs.now - last) / settings.baselineInterval)
            passThrough = minuteSpend > allocation
                ? max(settings.baselineFloor, passThrough * (1 - step))
                : min(1, passThrough * (1 + step))
        }
        lastBaselineStep = inputs.now
        baselineSpentAtStep = inputs.spent
        let curve = inputs.curve
        let done = curve.share(atElapsed: inputs.elapsed)
        let next = curve.share(atElapsed: inputs.elapsed + settings.baselineInterval)
        baselineAllocation = done < 1 ? max(0, inputs.budget - inputs.spent) * (next - done) / (1 - done) : 0
    }
}
