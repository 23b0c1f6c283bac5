import Foundation
import PacingEngine
import Simulation
import Testing

@Suite("Reports")
struct ReportTests {
    @Test func jsonHasTheSpecifiedFields() async throws {
        let results = await ReplayTests.simulator().run()
        let json = try Report.json(results)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(objects.count == results.count)
        for key in ["campaign", "algorithm", "budget_cents", "delivered_ratio", "overspend_cents", "max_deviation_ratio", "rmse_ratio", "throttle_volatility", "exhausted_at"] {
            #expect(objects.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        #expect(json.contains("\"budget_cents\" : 4000"))
        #expect(objects.first { $0["algorithm"] as? String == "EVEN" }?["exhausted_at"] is NSNull
            || objects.first { $0["algorithm"] as? String == "EVEN" }?["exhausted_at"] is String)
    }

    @Test func tableHasARowPerAlgorithmAndTheComparison() async {
        let results = await ReplayTests.simulator().run()
        let table = Report.table(Summary(results), title: "test")
        for algorithm in PacingAlgorithm.allCases { #expect(table.contains(algorithm.rawValue)) }
        #expect(table.contains("ADAPTIVE vs MULTIPLICATIVE baseline (1 pairs"))
        #expect(Report.detail(results).split(separator: "\n").count == results.count + 1)
    }

    @Test func curvesHaveAMinuteLinePerReplay() async {
        let results = await ReplayTests.simulator().run()
        let lines = Report.curvesCSV(results).split(separator: "\n")
        #expect(lines.first == "seed,campaign,algorithm,minute,spent_cents,target_cents,throttle")
        #expect(lines.count == 1 + results.count * 1441)
        #expect(lines.last?.hasPrefix("1,ADAPTIVE [baseline],MULTIPLICATIVE,1440,") == true)
    }

    @Test func summaryComparesAdaptiveWithItsBaseline() async throws {
        let summary = Summary(await ReplayTests.simulator().run())
        let comparison = try #require(summary.comparison)
        #expect(comparison.pairs == 1)
        #expect(comparison.volatilityReduction > 0.5)
    }
}
