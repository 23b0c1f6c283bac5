import PacingEngine

/// Figures per algorithm over a set of results, and ADAPTIVE against its baseline twins.
public struct Summary: Sendable {
    /// One algorithm's figures.
    public struct Row: Sendable {
        /// The algorithm.
        public var algorithm: PacingAlgorithm
        /// Campaign replays.
        public var campaigns: Int
        /// Lowest and median delivered share.
        public var deliveredMin: Double, deliveredMedian: Double
        /// Total overspend in micros (must be 0).
        public var overspend: Micros
        /// Median and largest max-deviation ratio.
        public var deviationMedian: Double, deviationMax: Double
        /// Mean hourly RMSE ratio.
        public var rmseMean: Double
        /// Mean throttle volatility.
        public var volatilityMean: Double
        /// Median seconds into the day at which budgets ran out (nil if fewer than half did).
        public var exhaustedMedian: Double?
        /// Campaigns whose budget ran out.
        public var exhausted: Int
        /// Median supply ratio.
        public var supplyMedian: Double
        /// Median and largest delay, in seconds, between the moment the traffic alone could have
        /// reached the breaker's trip threshold and the first trip (campaigns that tripped).
        public var tripLagMedian: Double?, tripLagMax: Double?
    }

    /// ADAPTIVE against the MULTIPLICATIVE baseline on the same replays.
    public struct Comparison: Sendable {
        /// Pairs compared.
        public var pairs: Int
        /// Mean hourly RMSE ratio of ADAPTIVE and of the baseline.
        public var adaptiveRMSE: Double, baselineRMSE: Double
        /// Mean throttle volatility of ADAPTIVE and of the baseline.
        public var adaptiveVolatility: Double, baselineVolatility: Double
        /// How much lower ADAPTIVE's RMSE is, as a share of the baseline's.
        public var rmseReduction: Double { baselineRMSE > 0 ? 1 - adaptiveRMSE / baselineRMSE : 0 }
        /// How much lower ADAPTIVE's volatility is, as a share of the baseline's.
        public var volatilityReduction: Double { baselineVolatility > 0 ? 1 - adaptiveVolatility / baselineVolatility : 0 }
        /// Pairs in which ADAPTIVE's RMSE was lower / its volatility was lower.
        public var pairsWithLowerRMSE: Int, pairsWithLowerVolatility: Int
    }

    /// Rows in the order EVEN, ASAP, FRONT_LOADED, ADAPTIVE, MULTIPLICATIVE (those present).
    public var rows: [Row]
    /// The comparison, when the results hold baseline twins.
    public var comparison: Comparison?

    /// Summarises results.
    public init(_ results: [CampaignResult]) {
        rows = PacingAlgorithm.allCases.compactMap { algorithm in
            let group = results.filter { $0.algorithm == algorithm }
            guard !group.isEmpty else { return nil }
            let exhaustedTimes = group.compactMap(\.exhaustedAfter).sorted()
            let tripLags = group.compactMap { result in
                result.trippedAfter.flatMap { tripped in result.earliestTrip.map { tripped - $0 } }
            }
            return Row(
                algorithm: algorithm,
                campaigns: group.count,
                deliveredMin: group.map(\.deliveredRatio).min()!,
                deliveredMedian: median(group.map(\.deliveredRatio)),
                overspend: group.map(\.overspend).reduce(0, +),
                deviationMedian: median(group.map(\.maxDeviationRatio)),
                deviationMax: group.map(\.maxDeviationRatio).max()!,
                rmseMean: mean(group.map(\.rmseRatio)),
                volatilityMean: mean(group.map(\.throttleVolatility)),
                exhaustedMedian: exhaustedTimes.count * 2 >= group.count ? median(exhaustedTimes) : nil,
                exhausted: exhaustedTimes.count,
                supplyMedian: median(group.map(\.supplyRatio)),
                tripLagMedian: tripLags.isEmpty ? nil : median(tripLags),
                tripLagMax: tripLags.max()
            )
        }
        let pairs: [(CampaignResult, CampaignResult)] = results.compactMap { twin in
            guard let name = twin.baselineOf,
                let adaptive = results.first(where: { $0.campaign == name && $0.seed == twin.seed && $0.algorithm == .adaptive })
            else { return nil }
            return (adaptive, twin)
        }
        comparison = pairs.isEmpty ? nil : Comparison(
            pairs: pairs.count,
            adaptiveRMSE: mean(pairs.map(\.0.rmseRatio)),
            baselineRMSE: mean(pairs.map(\.1.rmseRatio)),
            adaptiveVolatility: mean(pairs.map(\.0.throttleVolatility)),
            baselineVolatility: mean(pairs.map(\.1.throttleVolatility)),
            pairsWithLowerRMSE: pairs.filter { $0.0.rmseRatio < $0.1.rmseRatio }.count,
            pairsWithLowerVolatility: pairs.filter { $0.0.throttleVolatility < $0.1.throttleVolatility }.count
        )
    }
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
