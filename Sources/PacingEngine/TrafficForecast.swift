/// The expected traffic of one day: its cumulative shape over the day and, when learned, its volume.
public struct TrafficForecast: Sendable, Hashable {
    /// Cumulative share of the day's requests at the start of each hour-long slot, and 1 at the end.
    public let cumulative: [Double]
    /// The day's length in seconds.
    public let length: Double
    /// Requests expected over the whole day; nil when nothing has been learned.
    public let expectedRequests: Double?

    /// A forecast from relative weights per hour-long slot.
    public init(slotWeights: [Double], length: Double, expectedRequests: Double?) {
        let total = slotWeights.reduce(0, +)
        var cumulative = [0.0]
        cumulative.reserveCapacity(slotWeights.count + 1)
        var running = 0.0
        for weight in slotWeights {
            running += weight
            cumulative.append(total > 0 ? running / total : Double(cumulative.count) / Double(slotWeights.count))
        }
        cumulative[cumulative.count - 1] = 1
        self.cumulative = cumulative
        self.length = length
        self.expectedRequests = expectedRequests
    }

    /// A flat forecast (traffic spread evenly over the clock) for a day of `length` seconds.
    /// Computed once per day length and shared: a server's campaigns mostly have flat days.
    public static func flat(length: Double) -> TrafficForecast {
        flatForecasts.value(for: length) {
            let slots = Int((length / 3600).rounded(.up))
            return TrafficForecast(
                slotWeights: (0..<slots).map { min(3600, length - Double($0) * 3600) },
                length: length,
                expectedRequests: nil
            )
        }
    }

    private static let flatForecasts = SharedValues<Double, TrafficForecast>(limit: 64)

    /// The share of the day's requests expected by `elapsed` seconds into the day, 0...1.
    public func share(atElapsed elapsed: Double) -> Double {
        guard elapsed > 0 else { return 0 }
        guard elapsed < length else { return 1 }
        let slot = min(Int(elapsed / 3600), cumulative.count - 2)
        let slotStart = Double(slot) * 3600
        let slotLength = min(3600, length - slotStart)
        let within = min(1, (elapsed - slotStart) / slotLength)
        return cumulative[slot] + within * (cumulative[slot + 1] - cumulative[slot])
    }
}
