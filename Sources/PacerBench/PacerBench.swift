import Foundation
import PacingEngine

/// Runs the pure decision function `CampaignPacer.decide` N times in a loop, for counting
/// instructions per decision under callgrind (`valgrind --tool=callgrind PacerBench N`).
///
/// One EVEN campaign with a budget that never runs out; simulated time advances 1 ms per bid, so
/// reservations expire and the throttle is recomputed as in production. Two runs with different N
/// give the cost of one decision as the difference of their totals over the difference of N.
@main
enum PacerBench {
    static func main() {
        let arguments = CommandLine.arguments
        let count = arguments.count > 1 ? Int(arguments[1]) ?? 0 : 0
        guard count > 0 else {
            FileHandle.standardError.write(Data("usage: PacerBench DECISIONS\n".utf8))
            exit(2)
        }
        let config = CampaignConfig(name: "bench", dailyBudget: 1_000_000_000_000_000, pacing: .even)
        var pacer = CampaignPacer(config: config)
        var random = Xoshiro256StarStar(seed: 1)
        let start = Date(timeIntervalSinceReferenceDate: 771_552_000)  // 2025-06-13T00:00:00Z
        var allowed = 0
        for index in 0..<count {
            let now = start.addingTimeInterval(Double(index) * 0.001)
            if pacer.decide(bid: 2_500, now: now, random: &random).allow { allowed += 1 }
        }
        print("decisions \(count) allowed \(allowed)")
    }
}
