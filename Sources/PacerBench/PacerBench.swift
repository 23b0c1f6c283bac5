import Foundation
import PacingEngine

/// Runs the pure decision function `CampaignPacer.decide` N times in a loop, for counting
/// instructions per decision under callgrind (`valgrind --tool=callgrind PacerBench N`).
///
/// One EVEN campaign with a budget that never runs out; simulated time advances 1 ms per bid, so
/// reservations expire and the throttle is recomputed as in production. Two runs with different N
/// give the cost of one decision as the difference of their totals over the difference of N.
///
/// `PacerBench memory N` instead holds N pacers (one decision each) and prints the resident
/// memory they add, per pacer: the pacing engine's share of a server's memory per campaign.
@main
enum PacerBench {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count > 2, arguments[1] == "memory", let count = Int(arguments[2]), count > 0 {
            memory(count)
            return
        }
        let count = arguments.count > 1 ? Int(arguments[1]) ?? 0 : 0
        guard count > 0 else {
            FileHandle.standardError.write(Data("usage: PacerBench DECISIONS | PacerBench memory PACERS\n".utf8))
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

    /// Prints the resident memory that `count` pacers, each after one decision, add.
    static func memory(_ count: Int) {
        var random = Xoshiro256StarStar(seed: 1)
        let now = Date(timeIntervalSinceReferenceDate: 771_552_000)
        let before = residentBytes()
        var pacers: [CampaignPacer] = []
        pacers.reserveCapacity(count)
        for index in 0..<count {
            var pacer = CampaignPacer(config: CampaignConfig(name: "bench \(index)", dailyBudget: 1_000_000_000_000, pacing: .asap))
            _ = pacer.decide(bid: 2_500, now: now, random: &random)
            pacers.append(pacer)
        }
        let after = residentBytes()
        print("pacers \(pacers.count) bytes_per_pacer \((after - before) / count)")
    }

    /// VmRSS from /proc/self/status, in bytes (0 where there is no /proc).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
        }
        return 0
    }
}
