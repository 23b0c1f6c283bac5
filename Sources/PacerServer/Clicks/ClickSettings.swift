/// How this instance delivers clicks (`PACER_CLICK_*`, see docs/configuration.md).
struct ClickSettings: Sendable {
    /// `PACER_CLICK_WORKERS` (default 4): concurrent deliveries; 0 disables delivery here.
    var workers = 4
    /// `PACER_CLICK_LEASE_SECONDS` (default 30): how long a claim holds a batch (at least the
    /// partner's timeout plus a second); a batch whose worker died is claimable again after it.
    var leaseSeconds: Double = 30
    /// `PACER_CLICK_POLL_MS` (default 1000): how often an idle worker looks for due batches when
    /// no notification woke it (retries falling due, tokens refilled, missed notifications).
    var pollInterval: Duration = .milliseconds(1000)
    /// `PACER_CLICK_PARTNER_CONCURRENCY` (default: half the workers, at least 1): most deliveries
    /// to one partner at a time in this instance, so a slow partner cannot hold every worker.
    var partnerConcurrency: Int?
    /// `PACER_CLICK_BACKOFF_BASE_MS` (default 1000) and `PACER_CLICK_BACKOFF_MAX_MS` (default
    /// 300000): retry delays double from the base up to the maximum, with jitter.
    var retry = RetryPolicy()
    /// `PACER_CLICK_METRICS_MS` (default 5000): how often queue depth and lag per partner are read
    /// for `/metrics`.
    var metricsInterval: Duration = .seconds(5)
    /// `PACER_CLICK_RETENTION_DAYS` (default 14; 0 keeps everything): days after which finished
    /// batches are dropped with their day partition; the audit trail is kept.
    var retentionDays = 14

    var effectivePartnerConcurrency: Int { max(1, partnerConcurrency ?? workers / 2) }

    /// Reads the `PACER_CLICK_*` variables; throws naming the variable on a bad value.
    static func fromEnvironment(_ environment: [String: String]) throws -> ClickSettings {
        var settings = ClickSettings()
        func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw ServerConfiguration.Invalid(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(text.debugDescription)")
            }
            return value
        }
        if let value = try integer("PACER_CLICK_WORKERS", 0...256) { settings.workers = value }
        if let value = try integer("PACER_CLICK_LEASE_SECONDS", 1...3600) { settings.leaseSeconds = Double(value) }
        if let value = try integer("PACER_CLICK_POLL_MS", 10...60_000) { settings.pollInterval = .milliseconds(value) }
        if let value = try integer("PACER_CLICK_PARTNER_CONCURRENCY", 1...256) { settings.partnerConcurrency = value }
        if let value = try integer("PACER_CLICK_BACKOFF_BASE_MS", 1...3_600_000) { settings.retry.base = Double(value) / 1000 }
        if let value = try integer("PACER_CLICK_BACKOFF_MAX_MS", 1...86_400_000) { settings.retry.maximum = Double(value) / 1000 }
        if let value = try integer("PACER_CLICK_METRICS_MS", 100...600_000) { settings.metricsInterval = .milliseconds(value) }
        if let value = try integer("PACER_CLICK_RETENTION_DAYS", 0...3650) { settings.retentionDays = value }
        return settings
    }
}
