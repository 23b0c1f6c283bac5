import Foundation
import Logging
import PacingEngine
import PostgresClient
import ServiceLifecycle

/// Keeps the campaign cache in step with other instances: a dedicated LISTEN connection on
/// `pacer_campaigns` (payload: a campaign id, or `*` for the global kill switch),
/// `pacer_breaker` (`CAMPAIGN:STATE:INSTANCE`) and `pacer_tokens` (the token cache). Each time
/// the listener (re)connects it reloads every campaign and token, because notifications sent
/// while it was away are lost; a full reload every `fullRefresh` is the safety net.
struct CampaignSync: Service {
    let conninfo: String
    let repository: CampaignRepository
    let store: CampaignStore
    let keeper: LeaseKeeper?
    let clock: any PacerClock
    let instanceID: String
    let logger: Logger
    var fullRefresh: Duration = .seconds(60)
    /// Reloaded on `pacer_tokens` (a token was created or revoked) and on every reconnect.
    var tokens: TokenCache? = nil

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await listen() }
            group.addTask {
                while !Task.isShuttingDownGracefully, !Task.isCancelled {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.fullRefresh) }
                    guard !Task.isShuttingDownGracefully else { break }
                    try? await reloadAll()
                }
            }
        }
    }

    private func listen() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let events = PostgresListener.notifications(conninfo: conninfo, channels: ["pacer_campaigns", "pacer_breaker", "pacer_tokens"])
                for try await event in events.cancelOnGracefulShutdown() {
                    switch event {
                    case .listening:
                        try await tokens?.refresh()
                        try await reloadAll()
                        backoff = .milliseconds(100)
                    case .notification(let notification):
                        await handle(notification)
                    }
                }
            } catch {
                // Once per outage at warning level; the retries that follow at debug level.
                let level: Logger.Level = backoff == .milliseconds(100) ? .warning : .debug
                logger.log(level: level, "campaign listener lost its connection; reconnecting", metadata: ["db.error": "\(error)"])
            }
            guard !Task.isShuttingDownGracefully else { return }
            let delay = backoff
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    func handle(_ notification: PostgresNotification) async {
        do {
            switch notification.channel {
            case "pacer_campaigns":
                if notification.payload == "*" {
                    try await reloadAll()
                } else if let id = UUID(uuidString: notification.payload) {
                    try await reload(id)
                }
            case "pacer_tokens":
                try await tokens?.refresh()
            case "pacer_breaker":
                let parts = notification.payload.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3, String(parts[2]) != instanceID, let id = UUID(uuidString: String(parts[0])),
                    let state = BreakerState(rawValue: String(parts[1]))
                else { return }
                store.adoptBreaker(id, state: state, now: clock.now())
            default:
                break
            }
        } catch {
            logger.warning("could not apply a change notification", metadata: ["db.error": "\(error)", "db.channel": "\(notification.channel)"])
        }
    }

    /// Reloads one campaign (created or changed elsewhere) and renews its lease at once: its
    /// budget or status may have changed, and the lease keeper renews an idle campaign only now
    /// and then.
    func reload(_ id: UUID) async throws {
        guard let record = try await repository.find(id) else { return }
        let isNew = store.slot(id) == nil
        let now = clock.now()
        let spend = isNew ? try await repository.spend(of: id, at: now) : (0, 0)
        store.apply(record, spentToday: spend.0, spentBefore: spend.1, now: now)
        try await keeper?.refresh(only: [id])
    }

    func reloadAll() async throws {
        let before = Set(store.allSlots.map(\.id))
        let count = try await loadCampaigns(into: store, repository: repository, now: clock.now())
        let added = Set(store.allSlots.map(\.id)).subtracting(before)
        if !added.isEmpty { try await keeper?.refresh(only: added) }
        logger.debug("campaigns reloaded", metadata: ["campaigns.count": "\(count)"])
    }
}
