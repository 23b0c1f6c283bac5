import Foundation
import PacingEngine

/// Text, JSON and CSV renderings of simulation results.
public enum Report {
    /// The per-algorithm table and the ADAPTIVE-versus-baseline line.
    public static func table(_ summary: Summary, title: String) -> String {
        var lines = [title]
        let header = ["algorithm", "n", "supply", "delivered min/med", "overspend", "max dev med/max", "RMSE", "volatility", "ran out", "at (median)"]
        var rows: [[String]] = [header]
        for row in summary.rows {
            // ASAP's target is the whole budget from the first moment, so curve figures say nothing.
            let curveless = row.algorithm == .asap
            rows.append([
                row.algorithm.rawValue,
                "\(row.campaigns)",
                fixed(row.supplyMedian, 1) + "x",
                percent(row.deliveredMin, 2) + " / " + percent(row.deliveredMedian, 2),
                Money.cents(fromMicros: row.overspend),
                curveless ? "n/a" : percent(row.deviationMedian, 2) + " / " + percent(row.deviationMax, 2),
                curveless ? "n/a" : fixed(row.rmseMean, 4),
                fixed(row.volatilityMean, 5),
                "\(row.exhausted)/\(row.campaigns)",
                row.exhaustedMedian.map(clock) ?? "-",
            ])
        }
        lines += align(rows)
        if let asap = summary.rows.first(where: { $0.algorithm == .asap }), let lag = asap.tripLagMedian {
            lines.append(
                "ASAP reached the breaker's trip point a median \(fixed(lag, 1)) s (max \(fixed(asap.tripLagMax ?? 0, 1)) s) after "
                    + "the traffic alone could have; the rest ran under the recovery throttle"
                    + (asap.exhaustedMedian.map { ", budget out at a median \(clock($0))" } ?? ""))
        }
        if let comparison = summary.comparison {
            lines.append(
                "ADAPTIVE vs MULTIPLICATIVE baseline (\(comparison.pairs) pairs, same requests): "
                    + "hourly RMSE \(fixed(comparison.adaptiveRMSE, 4)) vs \(fixed(comparison.baselineRMSE, 4)) "
                    + "(\(percent(comparison.rmseReduction, 1)) lower, \(comparison.pairsWithLowerRMSE)/\(comparison.pairs) pairs), "
                    + "volatility \(fixed(comparison.adaptiveVolatility, 5)) vs \(fixed(comparison.baselineVolatility, 5)) "
                    + "(\(percent(comparison.volatilityReduction, 1)) lower, \(comparison.pairsWithLowerVolatility)/\(comparison.pairs) pairs)"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// One line per campaign.
    public static func detail(_ results: [CampaignResult]) -> String {
        var rows = [["campaign", "algorithm", "budget", "supply", "delivered", "overspend", "max dev", "RMSE", "volatility", "ran out", "earliest", "breaker"]]
        for result in results {
            rows.append([
                result.campaign, result.algorithm.rawValue, Money.cents(fromMicros: result.budget),
                fixed(result.supplyRatio, 1) + "x", percent(result.deliveredRatio, 2), Money.cents(fromMicros: result.overspend),
                percent(result.maxDeviationRatio, 2), fixed(result.rmseRatio, 4), fixed(result.throttleVolatility, 5),
                result.exhaustedAt ?? "-", result.earliestExhaustion ?? "-", "\(result.breakerTransitions)",
            ])
        }
        return align(rows).joined(separator: "\n")
    }

    /// A JSON array with one object per campaign replay (keys sorted, so output is stable).
    public static func json(_ results: [CampaignResult]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(results), as: UTF8.self)
    }

    /// `seed,campaign,algorithm,minute,spent_cents,target_cents,throttle` for every minute of every replay.
    public static func curvesCSV(_ results: [CampaignResult]) -> String {
        var out = "seed,campaign,algorithm,minute,spent_cents,target_cents,throttle\n"
        for result in results {
            guard let curve = result.curve else { continue }
            let name = result.campaign.contains(",") ? "\"\(result.campaign)\"" : result.campaign
            for index in curve.elapsed.indices {
                out += "\(result.seed),\(name),\(result.algorithm.rawValue),\(fixed(curve.elapsed[index] / 60, 0)),"
                out += Money.cents(fromMicros: Micros(curve.spent[index].rounded())) + ","
                out += Money.cents(fromMicros: Micros(curve.target[index].rounded())) + ","
                out += fixed(curve.throttle[index], 4) + "\n"
            }
        }
        return out
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func percent(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f%%", value * 100) }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d", total / 3600, total % 3600 / 60)
    }

    private static func align(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }
    }
}
