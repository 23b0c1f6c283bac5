/// Relative request volume per local hour (24 weights), from a CSV `hour,weight`.
public struct TrafficShape: Sendable, Hashable {
    /// The weight of each local hour 0...23.
    public let weights: [Double]

    /// A shape from 24 non-negative weights, not all zero.
    public init(weights: [Double]) throws {
        guard weights.count == 24, weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.contains(where: { $0 > 0 }) else {
            throw SimulationInputError("traffic needs 24 non-negative weights, not all zero")
        }
        self.weights = weights
    }

    /// Parses `hour,weight` with a header row and one row per hour 0...23.
    public init(csv text: String) throws {
        var weights = [Double?](repeating: nil, count: 24)
        for (number, line) in CSVLines(text).rows(expectingHeader: ["hour", "weight"]) {
            guard line.count == 2, let hour = Int(line[0]), (0..<24).contains(hour), let weight = Double(line[1]) else {
                throw SimulationInputError("traffic line \(number): expected hour (0-23),weight")
            }
            guard weights[hour] == nil else { throw SimulationInputError("traffic line \(number): hour \(hour) repeated") }
            weights[hour] = weight
        }
        guard weights.allSatisfy({ $0 != nil }) else { throw SimulationInputError("traffic must give every hour 0-23") }
        try self.init(weights: weights.map { $0! })
    }

    /// The largest weight divided by the smallest (infinite if an hour has none).
    public var swing: Double { weights.max()! / weights.min()! }

    /// The share of a day's requests that falls in `hour`.
    public func share(ofHour hour: Int) -> Double { weights[hour] / weights.reduce(0, +) }
}

/// The data rows of a small CSV text: comma-separated, no quoting, `#` comments and blank lines skipped.
struct CSVLines {
    let text: String

    init(_ text: String) { self.text = text }

    /// Rows after a header (checked case-insensitively), with their 1-based line numbers.
    func rows(expectingHeader header: [String]) -> [(Int, [String])] {
        var rows: [(Int, [String])] = []
        var sawHeader = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: " \t") }
            if !sawHeader {
                sawHeader = true
                if fields.map({ $0.lowercased() }) == header { continue }
            }
            rows.append((index + 1, fields))
        }
        return rows
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
