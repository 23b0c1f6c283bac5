import Foundation
import PacingEngine

/// Clearing prices to sample from: the `price_cents` column of a CSV, or a default log-normal
/// distribution (median 1.5 cents, σ 0.5) tabulated as 4096 quantiles.
public struct PriceModel: Sendable {
    /// The prices sampled uniformly, in micros.
    public let prices: [Micros]

    /// A model drawing uniformly from these prices.
    public init(prices: [Micros]) throws {
        guard !prices.isEmpty, prices.allSatisfy({ $0 >= 0 }) else {
            throw SimulationInputError("prices need at least one non-negative price")
        }
        self.prices = prices
    }

    /// Parses a CSV with one column `price_cents` (header row, decimal cents, up to 4 places).
    public init(csv text: String) throws {
        var prices: [Micros] = []
        for (number, fields) in CSVLines(text).rows(expectingHeader: ["price_cents"]) {
            guard fields.count == 1, let micros = try? Money.micros(fromCents: fields[0]) else {
                throw SimulationInputError("prices line \(number): expected a price in cents with at most 4 decimals")
            }
            prices.append(micros)
        }
        try self.init(prices: prices)
    }

    /// The default log-normal model.
    public static let standard: PriceModel = logNormal(medianCents: 1.5, sigma: 0.5)

    /// A log-normal price model tabulated at 4096 quantiles.
    public static func logNormal(medianCents: Double, sigma: Double) -> PriceModel {
        let count = 4096
        let prices = (0..<count).map { index -> Micros in
            let z = inverseNormal((Double(index) + 0.5) / Double(count))
            return Micros((medianCents * exp(sigma * z) * Double(Money.microsPerCent)).rounded())
        }
        return try! PriceModel(prices: prices)
    }

    /// One clearing price.
    @inline(__always)
    public func sample(_ random: inout some RandomNumberGenerator) -> Micros {
        prices[Int(random.next() % UInt64(prices.count))]
    }

    /// Expected spend of one bid of `bid` that goes through: mean of the prices at or below it.
    public func expectedSpend(bid: Micros) -> Double {
        Double(prices.lazy.filter { $0 <= bid }.reduce(0, +)) / Double(prices.count)
    }

    /// Acklam's rational approximation of the standard normal quantile (error < 1.2e-9).
    static func inverseNormal(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = sqrt(-2 * log(p))
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low {
            let q = sqrt(-2 * log(1 - p))
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
