import Foundation
import ServiceLifecycle

/// Moves every campaign's pacer forward once a second even without bids, so that breakers
/// reopen for probes, days roll over and their transitions are persisted on time.
struct PacerTicker: Service {
    let store: CampaignStore
    let clock: any PacerClock
    let interval: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            store.tick(now: clock.now())
        }
    }
}
