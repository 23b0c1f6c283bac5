import PacingEngine

/// How a simulation replays its days.
public struct SimulationOptions: Sendable {
    /// Seed of every random stream (arrivals, prices, throttling).
    public var seed: UInt64 = 1
    /// The measured local day; the warm-up days come before it.
    public var date: LocalDate = LocalDate(year: 2025, month: 6, day: 10)!
    /// Days replayed before the measured one, so ADAPTIVE has learned traffic (default 3).
    public var warmupDays = 3
    /// Seconds from an allowed, won bid to its win notice (default 0.2).
    public var winNoticeDelay = 0.2
    /// Standard deviation of each hour's volume from its shape, per day (default 0.05).
    public var hourNoise = 0.05
    /// Standard deviation of each day's total volume (default 0.05).
    public var dayNoise = 0.05
    /// Replay a MULTIPLICATIVE baseline twin of every ADAPTIVE campaign on the same requests (default true).
    public var baselineTwins = true
    /// Keep the per-minute spend, target and throttle of the measured day (for `--curves`).
    public var recordCurves = false
    /// Engine tuning.
    public var settings = PacerSettings()

    /// The defaults.
    public init() {}
}
