import Foundation
import Metrics
import ServiceLifecycle
import Synchronization

/// Turns measured decision latency into the pacing engine's load signal.
///
/// Every decision request adds its server-side latency; every `window` the mean latency of the
/// window is smoothed into the signal (`signal = (signal + mean) / 2`; a window without requests
/// halves it), and the signal is handed to every campaign. ADAPTIVE campaigns throttle harder while
/// it is above `PACER_SHED_LATENCY_MS`, by `limit / signal` (never below a tenth of their rate),
/// and recover as it falls; the other algorithms ignore it.
final class LoadMonitor: Service, Sendable {
    let store: CampaignStore
    let window: Duration
    private let totalNanoseconds = Atomic<Int64>(0)
    private let count = Atomic<Int64>(0)
    private let signal = Mutex<Double>(0)
    private let gauge = Gauge(label: "pacer_load_signal_seconds")

    init(store: CampaignStore, window: Duration = .milliseconds(250)) {
        self.store = store
        self.window = window
    }

    /// The current load signal, in seconds.
    var current: Double { signal.withLock { $0 } }

    /// Adds one decision request's latency.
    func record(nanoseconds: Int64) {
        totalNanoseconds.add(nanoseconds, ordering: .relaxed)
        count.add(1, ordering: .relaxed)
    }

    /// Closes the current window: updates the signal and hands it to the campaigns.
    @discardableResult
    func evaluate() -> Double {
        let total = totalNanoseconds.exchange(0, ordering: .relaxed)
        let requests = count.exchange(0, ordering: .relaxed)
        let value = signal.withLock { signal in
            if requests > 0 {
                signal = (signal + Double(total) / Double(requests) / 1e9) / 2
            } else {
                signal /= 2
            }
            if signal < 1e-7 { signal = 0 }
            return signal
        }
        gauge.record(value)
        store.setLoadSignal(value)
        return value
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.window) }
            evaluate()
        }
    }
}
