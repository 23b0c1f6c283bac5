/// Whether a campaign is meant to spend.
public enum CampaignStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Spending within its flight.
    case active
    /// Stopped by an operator; decisions answer `paused`.
    case paused
    /// Retired; decisions answer `not_running`.
    case archived
}
