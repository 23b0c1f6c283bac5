/// A campaign's expected requests per local hour, learned from its recent days.
///
/// Each local hour keeps an exponentially weighted average of the requests seen in it, so recent
/// days count most. ADAPTIVE spreads its budget along this shape; with nothing learned the shape
/// is flat. The server can seed it from stored history.
public struct TrafficProfile: Sendable, Hashable {
    /// Expected requests in each local hour 0...23 (meaningful where ``learned`` is true).
    public private(set) var hourly: [Double]
    /// Which local hours have been seen on at least one day.
    public private(set) var learned: [Bool]
    /// Weight of the newest day in the average, 0...1; default 0.5.
    public var learningRate: Double

    /// A profile with nothing learned. Its arrays are shared with every other such profile until
    /// one learns (a server holds many campaigns, most of them with nothing learned yet).
    public init(learningRate: Double = 0.5) {
        self.hourly = Self.nothingLearned.hourly
        self.learned = Self.nothingLearned.learned
        self.learningRate = learningRate
    }

    private static let nothingLearned = (hourly: [Double](repeating: 0, count: 24), learned: [Bool](repeating: false, count: 24))

    /// A profile seeded with expected requests per local hour (24 values, e.g. from stored history).
    public init(hourlyRequests: [Double], learningRate: Double = 0.5) {
        precondition(hourlyRequests.count == 24, "one value per local hour")
        self.hourly = hourlyRequests.map { max(0, $0) }
        self.learned = Array(repeating: true, count: 24)
        self.learningRate = learningRate
    }

    /// Whether no hour has been learned yet.
    public var isEmpty: Bool { !learned.contains(true) }

    /// Folds one day's request counts into the profile.
    /// - Parameters:
    ///   - slotCounts: requests per hour-long slot of the day.
    ///   - hourLabels: the local hour of each slot (``BudgetDay/hourLabels``).
    ///   - firstObservedSlot: slots before it were not (fully) observed and are not learned.
    public mutating func learn(slotCounts: [Int], hourLabels: [Int], firstObservedSlot: Int) {
        var counts = Array(repeating: 0.0, count: 24)
        var slots = Array(repeating: 0, count: 24)
        for slot in max(0, firstObservedSlot)..<min(slotCounts.count, hourLabels.count) {
            counts[hourLabels[slot]] += Double(slotCounts[slot])
            slots[hourLabels[slot]] += 1
        }
        for hour in 0..<24 where slots[hour] > 0 {
            let rate = counts[hour] / Double(slots[hour])
            hourly[hour] = learned[hour] ? (1 - learningRate) * hourly[hour] + learningRate * rate : rate
            learned[hour] = true
        }
    }

    /// The expected traffic of `day`: flat when nothing is learned; hours not yet learned are
    /// assumed to carry the average of the learned ones.
    public func forecast(for day: BudgetDay) -> TrafficForecast {
        let known = (0..<24).filter { learned[$0] }
        // Nothing learned: the flat shape of a day this long, one shared copy per length.
        guard !known.isEmpty else { return Self.unlearned.value(for: day.length) { forecast(for: day, known: known) } }
        return forecast(for: day, known: known)
    }

    private func forecast(for day: BudgetDay, known: [Int]) -> TrafficForecast {
        let length = day.length
        let fill = known.isEmpty ? 1 : known.map { hourly[$0] }.reduce(0, +) / Double(known.count)
        var weights = day.hourLabels.enumerated().map { slot, hour in
            let slotLength = min(3600, length - Double(slot) * 3600) / 3600
            return (learned[hour] ? hourly[hour] : fill) * slotLength
        }
        let total = weights.reduce(0, +)
        let expected: Double? = known.isEmpty ? nil : total
        if !(total > 0) {
            weights = day.hourLabels.indices.map { min(3600, length - Double($0) * 3600) / 3600 }
        }
        return TrafficForecast(slotWeights: weights, length: length, expectedRequests: expected)
    }

    private static let unlearned = SharedValues<Double, TrafficForecast>(limit: 64)
}
