import Foundation
import Logging
import Metrics
import PacingEngine
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Group commit of spend events: events that arrive while a commit is in flight wait for the
/// next one and share its transaction, a single call of `pacer.record_spend`. A caller's events
/// are answered only after their transaction committed, and after the in-memory ledger learned
/// of them.
///
/// While PostgreSQL is unreachable (``DatabaseHealth``), events go to the spend journal instead,
/// and are answered once they are on disk there (outcome `journaled`); a commit that fails for
/// want of the database, or gets no answer within `commitTimeout`, is journaled the same way.
/// Replay later records them exactly once, by event id.
final class SpendCommitter: Service, Sendable {
    private struct Waiting {
        var events: [SpendEvent]
        var continuation: CheckedContinuation<[SpendOutcome], any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var closed = false
    }

    private let queue = Mutex(Queue())
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>
    private let pool: PostgresPool
    private let store: CampaignStore
    private let clock: any PacerClock
    private let instanceID: String
    private let logger: Logger
    private let journal: SpendJournal?
    private let health: DatabaseHealth?
    /// A commit without an answer this long is journaled instead.
    let commitTimeout: Duration
    /// Commits run at most this many at once (each on its own connection).
    let concurrency: Int
    /// Most events in one transaction.
    let maxEventsPerCommit: Int
    private let commitEvents = Recorder(label: "pacer_spend_commit_events", aggregate: true)
    private let commitDuration = Metrics.Timer(label: "pacer_spend_commit_seconds", preferredDisplayUnit: .seconds)
    private let journaledEvents = Counter(label: "pacer_spend_events_journaled_total")

    init(
        pool: PostgresPool, store: CampaignStore, clock: any PacerClock, instanceID: String, logger: Logger,
        journal: SpendJournal? = nil, health: DatabaseHealth? = nil, commitTimeout: Duration = .seconds(5),
        concurrency: Int = 2, maxEventsPerCommit: Int = 5000
    ) {
        self.journal = journal
        self.health = health
        self.commitTimeout = commitTimeout
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.pool = pool
        self.store = store
        self.clock = clock
        self.instanceID = instanceID
        self.logger = logger
        self.concurrency = max(1, concurrency)
        self.maxEventsPerCommit = max(1, maxEventsPerCommit)
    }

    /// Records `events` durably and returns what became of each, in order.
    func record(_ events: [SpendEvent]) async throws -> [SpendOutcome] {
        if events.isEmpty { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.withLock { queue -> Bool in
                guard !queue.closed else { return false }
                queue.waiting.append(Waiting(events: events, continuation: continuation))
                return true
            }
            if accepted {
                wake.yield()
            } else {
                continuation.resume(throwing: Problem(status: .serviceUnavailable, title: "Service Unavailable", detail: "the server is shutting down"))
            }
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        for await _ in self.wakeups { await self.commitAll() }
                    }
                }
            }
        } onGracefulShutdown: {
            self.queue.withLock { $0.closed = true }
            self.wake.finish()
        }
        // Whatever arrived before the queue closed is still committed.
        await commitAll()
    }

    /// Commits until the queue is empty.
    private func commitAll() async {
        while let batch = take() {
            await commit(batch)
        }
    }

    private func take() -> [Waiting]? {
        queue.withLock { queue -> [Waiting]? in
            guard !queue.waiting.isEmpty else { return nil }
            var taken: [Waiting] = []
            var count = 0
            while let next = queue.waiting.first, taken.isEmpty || count + next.events.count <= maxEventsPerCommit {
                taken.append(queue.waiting.removeFirst())
                count += next.events.count
            }
            return taken
        }
    }

    private func commit(_ batch: [Waiting]) async {
        let events = batch.flatMap(\.events)
        if journal != nil, let health, health.isDegraded {
            await journalAll(batch, events: events)
            return
        }
        let started = ContinuousClock.now
        let instanceID = self.instanceID
        let pool = self.pool
        do {
            let results = try await withDeadline(commitTimeout) {
                try await pool.run { connection in
                    try Self.recordSpend(events, instanceID: instanceID, on: connection)
                }
            }
            let outcomes = results.map(\.outcome)
            commitDuration.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
            commitEvents.record(events.count)
            let now = clock.now()
            for (event, result) in zip(events, results) where result.outcome == .recorded {
                let observed = result.day.flatMap { day in result.spentToday.map { (day: day, spent: $0) } }
                store.recordSpend(campaignID: event.campaignID, amount: event.spend, requestID: event.requestID, observed: observed, now: now)
            }
            var offset = 0
            for waiting in batch {
                waiting.continuation.resume(returning: Array(outcomes[offset..<(offset + waiting.events.count)]))
                offset += waiting.events.count
            }
        } catch {
            if journal != nil, DatabaseHealth.isUnavailable(error) {
                // The commit may or may not have happened: replay will tell, by event id.
                health?.reportFailure(error)
                logger.warning("spend commit failed for want of the database; journaling", metadata: ["spend.events": "\(events.count)", "db.error": "\(error)"])
                await journalAll(batch, events: events)
                return
            }
            logger.error("spend commit failed", metadata: ["spend.events": "\(events.count)", "db.error": "\(error)"])
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }

    /// Appends `events` to the journal and answers their callers once they are on disk. Repeats
    /// are appended again (replay recognises them by event id); events of campaigns this server
    /// does not know are answered `unknown_campaign`, as PostgreSQL would.
    private func journalAll(_ batch: [Waiting], events: [SpendEvent]) async {
        guard let journal else {
            for waiting in batch { waiting.continuation.resume(throwing: Problem.databaseUnavailable) }
            return
        }
        var outcomes: [SpendOutcome] = []
        var fresh: [SpendEvent] = []
        for event in events {
            if store.slot(event.campaignID) == nil {
                outcomes.append(.unknownCampaign)
            } else {
                outcomes.append(.journaled)
                fresh.append(event)
            }
        }
        do {
            try await journal.append(fresh)
        } catch {
            logger.critical("spend neither committed nor journaled; answered 503", metadata: ["spend.events": "\(events.count)", "error": "\(error)"])
            for waiting in batch { waiting.continuation.resume(throwing: Problem.databaseUnavailable) }
            return
        }
        journaledEvents.increment(by: fresh.count)
        let now = clock.now()
        for event in fresh {
            store.recordSpend(campaignID: event.campaignID, amount: event.spend, requestID: event.requestID, now: now)
        }
        var offset = 0
        for waiting in batch {
            waiting.continuation.resume(returning: Array(outcomes[offset..<(offset + waiting.events.count)]))
            offset += waiting.events.count
        }
    }

    /// One call of `pacer.record_spend` for `events`; the outcomes in input order.
    static func recordSpend(_ events: [SpendEvent], instanceID: String, on connection: BlockingConnection, journaled: Bool = false) throws -> [SpendResult] {
        let rows = try connection.query(
            "SELECT ord, status, day, spent_today_micros FROM pacer.record_spend($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                events.map(\.eventID), events.map(\.campaignID), events.map(\.spend), events.map(\.impressions),
                events.map(\.clicks), events.map(\.requestID), events.map(\.occurredAt), instanceID, journaled,
            ]
        ).rows
        var outcomes = [SpendResult](repeating: SpendResult(outcome: .unknownCampaign), count: events.count)
        for row in rows {
            let ordinal: Int = try row[0]
            let status: String = try row[1]
            guard (1...events.count).contains(ordinal), let outcome = SpendOutcome(rawValue: status) else {
                throw PostgresError(kind: .decoding, message: "record_spend returned an unexpected row (\(ordinal), \(status))")
            }
            outcomes[ordinal - 1] = SpendResult(outcome: outcome, day: try row[2], spentToday: try row[3])
        }
        guard rows.count == events.count else {
            throw PostgresError(kind: .decoding, message: "record_spend returned \(rows.count) rows for \(events.count) events")
        }
        return outcomes
    }
}
