import Foundation

/// The share of the day's budget an algorithm means to have spent at each moment of the day.
///
/// - EVEN: `x`, the elapsed share of the day.
/// - ASAP: 1 from the first moment (the whole budget is available at once).
/// - FRONT_LOADED: `1 - (1 - x)^k` with the campaign's shape `k` (k = 2 spends 75 % by midday).
/// - ADAPTIVE (and the MULTIPLICATIVE baseline): the expected share of the day's traffic seen by
///   then, from the campaign's learned ``TrafficProfile``; `x` when nothing is learned.
public struct PacingCurve: Sendable, Hashable {
    /// The form of a curve.
    public enum Kind: Sendable, Hashable {
        /// `x`.
        case linear
        /// 1 everywhere.
        case immediate
        /// `1 - (1 - x)^k`.
        case frontLoaded(shape: Double)
        /// The cumulative share of expected traffic.
        case traffic(TrafficForecast)
    }

    /// The curve's form.
    public let kind: Kind
    /// The day's length in seconds.
    public let length: Double

    /// The curve of `algorithm` over a day of `length` seconds.
    public init(algorithm: PacingAlgorithm, frontLoadedShape: Double, forecast: TrafficForecast) {
        self.length = forecast.length
        switch algorithm {
        case .even: kind = .linear
        case .asap: kind = .immediate
        case .frontLoaded: kind = .frontLoaded(shape: max(1, frontLoadedShape))
        case .adaptive, .multiplicative: kind = .traffic(forecast)
        }
    }

    /// A curve of the given form.
    public init(kind: Kind, length: Double) {
        self.kind = kind
        self.length = length
    }

    /// The target share of the budget spent by `elapsed` seconds into the day, 0...1.
    public func share(atElapsed elapsed: Double) -> Double {
        let x = min(max(elapsed / length, 0), 1)
        switch kind {
        case .linear: return x
        case .immediate: return 1
        case .frontLoaded(let shape): return 1 - pow(1 - x, shape)
        case .traffic(let forecast): return forecast.share(atElapsed: elapsed)
        }
    }
}
