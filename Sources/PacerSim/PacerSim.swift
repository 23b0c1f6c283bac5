import ArgumentParser
import Foundation
import PacingEngine
import Simulation

/// Replays a day of traffic through the pacing engine and prints how each algorithm paced.
@main
struct PacerSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PacerSim",
        abstract: "Replay a day of traffic through the pacing engine and measure each campaign.",
        discussion: "Campaigns come from a JSON array (the fields of POST /v1/campaigns plus bid_cents and "
            + "daily_requests); the traffic shape from a CSV hour,weight. Warm-up days run first so ADAPTIVE has "
            + "learned traffic; every ADAPTIVE campaign is also replayed as a MULTIPLICATIVE baseline twin on the "
            + "same requests. See docs/pacing.md."
    )

    @Option(help: "Campaigns JSON file.")
    var campaigns: String

    @Option(help: "Traffic shape CSV (hour,weight).")
    var traffic: String

    @Option(help: "Clearing prices CSV (price_cents); default: log-normal, median 1.5 cents.")
    var prices: String?

    @Option(help: "Seed of every random stream.")
    var seed: UInt64 = 1

    @Option(help: "Replay this many seeds: seed, seed+1, …")
    var runs: Int = 1

    @Option(help: "The measured local day (YYYY-MM-DD).")
    var date: String = "2025-06-10"

    @Option(help: "Warm-up days replayed before the measured day.")
    var warmupDays: Int = 3

    @Option(help: "Win notice delay in milliseconds.")
    var winDelayMs: Double = 200

    @Flag(help: "Do not replay MULTIPLICATIVE baseline twins of ADAPTIVE campaigns.")
    var noBaseline = false

    @Flag(help: "Print one object per campaign replay as JSON.")
    var json = false

    @Flag(help: "Also print one line per campaign.")
    var detail = false

    @Option(help: "Write cumulative spend, target and throttle per minute to this CSV file.")
    var curves: String?

    func run() async throws {
        let campaignList = try SimCampaign.decodeList(from: Data(contentsOf: URL(fileURLWithPath: campaigns)))
        let shape = try TrafficShape(csv: String(contentsOfFile: traffic, encoding: .utf8))
        let priceModel = try prices.map { try PriceModel(csv: String(contentsOfFile: $0, encoding: .utf8)) } ?? .standard
        guard let day = LocalDate(iso: date) else { throw ValidationError("--date must be YYYY-MM-DD") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }

        var all: [CampaignResult] = []
        var tables: [String] = []
        let clock = ContinuousClock()
        for run in 0..<runs {
            var options = SimulationOptions()
            options.seed = seed &+ UInt64(run)
            options.date = day
            options.warmupDays = max(0, warmupDays)
            options.winNoticeDelay = winDelayMs / 1000
            options.baselineTwins = !noBaseline
            options.recordCurves = curves != nil
            let simulator = Simulator(campaigns: campaignList, traffic: shape, prices: priceModel, options: options)
            let started = clock.now
            let results = await simulator.run()
            let elapsed = clock.now - started
            let requests = results.map(\.requests).reduce(0, +)
            let title = "seed \(options.seed): \(results.count) campaign replays, \(requests) requests on \(day.iso) "
                + "(+\(options.warmupDays) warm-up days), traffic swing \(String(format: "%.1f", shape.swing))x, \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))"
            tables.append(Report.table(Summary(results), title: title) + (detail ? "\n" + Report.detail(results) : ""))
            all += results
        }
        if let curves {
            try Report.curvesCSV(all).write(toFile: curves, atomically: true, encoding: .utf8)
        }
        if json {
            print(try Report.json(all))
            return
        }
        print(tables.joined(separator: "\n\n"))
        if runs > 1 {
            print("\n" + Report.table(Summary(all), title: "all \(runs) seeds together"))
        }
    }
}
