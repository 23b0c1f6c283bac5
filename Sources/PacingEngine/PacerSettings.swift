/// Tuning of the pacing engine shared by all campaigns; the defaults are the measured ones
/// (see docs/pacing.md). Times are in seconds.
public struct PacerSettings: Sendable, Hashable {
    /// How often the throttle is recomputed (lazily, on the next call after it is due); default 10.
    public var controlInterval: Double = 10
    /// How long an allowed bid's amount stays reserved without a win notice; default 30.
    public var reservationLifetime: Double = 30
    /// How far ahead the controller plans the spend it lets through; default 900.
    public var horizon: Double = 900
    /// How quickly a gap between spend and the target curve is closed; default 900.
    public var correctionTime: Double = 900
    /// Time constant of the recent request rate (EVEN, FRONT_LOADED); default 300.
    public var rateTimeConstant: Double = 300
    /// Time constant of the spend per allowed bid; default 1800.
    public var valueTimeConstant: Double = 1800
    /// Time constant with which ADAPTIVE's pass-through rate follows its controller; default 120.
    public var adaptiveSmoothing: Double = 120
    /// Weight of the learned daily volume against today's observed volume, as a share of the
    /// day's expected traffic (ADAPTIVE); default 0.1.
    public var forecastPriorWeight: Double = 0.1
    /// Decision latency above which ADAPTIVE sheds load (see ``CampaignPacer/loadSignal``); default 0.005.
    public var latencyLimit: Double = 0.005
    /// The least share of its pass-through rate ADAPTIVE keeps under load; default 0.1.
    public var minimumLoadFactor: Double = 0.1
    /// The MULTIPLICATIVE baseline's step interval; default 60.
    public var baselineInterval: Double = 60
    /// The MULTIPLICATIVE baseline's relative step; default 0.1.
    public var baselineStep: Double = 0.1
    /// The MULTIPLICATIVE baseline's lowest pass-through rate; default 0.001.
    public var baselineFloor: Double = 0.001

    /// The defaults.
    public init() {}

    /// The defaults.
    public static let `default` = PacerSettings()
}
