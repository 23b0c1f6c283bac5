import Foundation
import PacingEngine
import Simulation
import Testing

@Suite("Simulation inputs")
struct SimulationInputTests {
    @Test func decodesCampaignsWithExactCents() throws {
        let json = """
            [{"name": "a", "daily_budget_cents": 1234.5678, "total_budget_cents": 1e5, "pacing": "FRONT_LOADED",
              "timezone": "Europe/Berlin", "bid_cents": 2.5, "daily_requests": 1000, "front_loaded_shape": 3,
              "start_date": "2025-06-01", "breaker": {"trip_ratio": 0.9, "probe_bids": 5}},
             {"name": "b", "daily_budget_cents": 10, "pacing": "MULTIPLICATIVE", "bid_cents": 0.0001, "daily_requests": 0}]
            """
        let campaigns = try SimCampaign.decodeList(from: Data(json.utf8))
        #expect(campaigns.count == 2)
        let a = campaigns[0]
        #expect(a.config.dailyBudget == 12_345_678 && a.config.totalBudget == 1_000_000_000)
        #expect(a.bid == 25_000 && a.dailyRequests == 1_000 && a.config.frontLoadedShape == 3)
        #expect(a.config.timeZoneIdentifier == "Europe/Berlin" && a.config.startDate?.iso == "2025-06-01")
        #expect(a.config.breaker == BreakerSettings(tripRatio: 0.9, probeBids: 5))
        #expect(campaigns[1].config.pacing == .multiplicative && campaigns[1].bid == 1)
    }

    @Test(arguments: [
        (#"[{"name":"x","daily_budget_cents":1.00001,"pacing":"EVEN","bid_cents":1,"daily_requests":1}]"#, "4 decimal"),
        (#"[{"name":"x","daily_budget_cents":1,"pacing":"SLOW","bid_cents":1,"daily_requests":1}]"#, "unknown pacing"),
        (#"[{"name":"x","daily_budget_cents":1,"pacing":"EVEN","bid_cents":0,"daily_requests":1}]"#, "bid_cents"),
        (#"[{"name":"x","daily_budget_cents":1,"pacing":"EVEN","timezone":"Mars/Base","bid_cents":1,"daily_requests":1}]"#, "timezone"),
    ])
    func rejectsBadCampaigns(json: String, message: String) {
        #expect {
            try SimCampaign.decodeList(from: Data(json.utf8))
        } throws: { error in
            String(describing: error).contains(message)
        }
    }

    @Test func readsTheTrafficShape() throws {
        let csv = "hour,weight\n" + (0..<24).map { "\($0),\($0 == 4 ? 1 : 9)" }.joined(separator: "\n") + "\n"
        let shape = try TrafficShape(csv: csv)
        #expect(shape.swing == 9)
        #expect(abs(shape.share(ofHour: 4) - 1.0 / 208) < 1e-12)
        #expect(throws: SimulationInputError.self) { try TrafficShape(csv: "hour,weight\n0,1\n") }
        #expect(throws: SimulationInputError.self) { try TrafficShape(csv: csv + "3,4\n") }
    }

    @Test func readsPricesExactly() throws {
        let prices = try PriceModel(csv: "price_cents\n1.5\n0.0001\n# a comment\n\n3\n")
        #expect(prices.prices == [15_000, 1, 30_000])
        #expect(throws: SimulationInputError.self) { try PriceModel(csv: "price_cents\n1.00001\n") }
        #expect(throws: SimulationInputError.self) { try PriceModel(csv: "price_cents\n") }
    }

    @Test func defaultPricesAreLogNormalAroundOneAndAHalfCents() {
        let prices = PriceModel.standard.prices.sorted()
        #expect(prices.count == 4096)
        #expect(abs(Double(prices[2048]) - 15_000) < 50)
        #expect(prices.first! > 2_000 && prices.last! < 100_000)
    }
}
