import PacingEngine

/// Replays a day of traffic for a set of campaigns through ``CampaignPacer`` and measures each.
///
/// Campaigns are independent (each has its own budget), so they are replayed concurrently; every
/// random stream is seeded, so the same inputs and seed always give the same results.
public struct Simulator: Sendable {
    /// The campaigns.
    public var campaigns: [SimCampaign]
    /// Relative request volume per local hour.
    public var traffic: TrafficShape
    /// Clearing prices.
    public var prices: PriceModel
    /// How to replay.
    public var options: SimulationOptions

    /// A simulator.
    public init(campaigns: [SimCampaign], traffic: TrafficShape, prices: PriceModel = .standard, options: SimulationOptions = .init()) {
        self.campaigns = campaigns
        self.traffic = traffic
        self.prices = prices
        self.options = options
    }

    /// Replays every campaign (and the baseline twin of each ADAPTIVE one when enabled).
    /// - Returns: one result per replay: the campaigns in order, each twin right after its campaign.
    public func run() async -> [CampaignResult] {
        var jobs: [(index: Int, baseline: Bool)] = []
        for (index, campaign) in campaigns.enumerated() {
            jobs.append((index, false))
            if options.baselineTwins, campaign.config.pacing == .adaptive { jobs.append((index, true)) }
        }
        let replays = jobs.map { job in
            CampaignReplay(
                campaign: campaigns[job.index], index: job.index, traffic: traffic, prices: prices,
                options: options, asBaseline: job.baseline)
        }
        return await withTaskGroup(of: (Int, CampaignResult).self) { group in
            for (position, replay) in replays.enumerated() {
                group.addTask { (position, replay.run()) }
            }
            var results = [CampaignResult?](repeating: nil, count: replays.count)
            for await (position, result) in group { results[position] = result }
            return results.map { $0! }
        }
    }

    /// Replays one campaign synchronously (for tests and single runs).
    public func run(campaignAt index: Int, asBaseline: Bool = false) -> CampaignResult {
        CampaignReplay(
            campaign: campaigns[index], index: index, traffic: traffic, prices: prices,
            options: options, asBaseline: asBaseline
        ).run()
    }
}
