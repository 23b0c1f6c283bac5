import Foundation
import Migrations
import PostgresClient
import Synchronization
import TestSupport
import Testing

/// PostgreSQL outages, SIGKILL and SIGTERM against real server processes (SPEC section 5). Each
/// outage test has a PostgreSQL cluster of its own, since it stops it. Figures are printed for the
/// record; the assertions are about what was acknowledged and what PostgreSQL holds.
extension ServerProcessSuites {
@Suite(.serialized) struct OutageTests {
    static let environment = [
        "PACER_DB_PROBE_INTERVAL_MS": "200", "PACER_DB_PROBE_TIMEOUT_MS": "1000", "PACER_LEASE_INTERVAL_MS": "200",
        "PACER_FLUSH_INTERVAL_MS": "200",
    ]

    @Test func spendDuringAnOutageIsJournaledAndRecordedExactlyOnce() async throws {
        try await withPrivateCluster { postgres in try await outageUnderLoad(postgres) }
    }

    func outageUnderLoad(_ postgres: PrivateCluster) async throws {
        let database = try migratedDatabase(cluster: postgres.url)
        let campaign = try createCampaign(database)
        let cluster = try await Cluster(database: database, count: 1, environment: Self.environment)
        let load = Load(cluster: cluster, campaign: campaign)

        let workers = Task { await load.run(spendWorkers: 6, decisionWorkers: 3) }
        try await load.waitUntil("200 events recorded") { $0.recorded >= 200 }
        try await postgres.kill()
        load.setOutage(true)
        try await load.waitUntil("300 events journaled") { $0.journaled >= 300 }
        let (status, readiness) = try await cluster.get(0, "readyz")
        #expect(status == 503)
        #expect(readiness["mode"] as? String == "degraded")
        let (_, metrics) = try await cluster.text(0, "metrics")
        #expect(metrics.contains("pacer_database_up 0"))
        try await postgres.restart()
        load.setOutage(false)
        try await load.waitUntil("the journal replayed") { _ in
            let (status, readiness) = try await cluster.get(0, "readyz")
            return status == 200 && readiness["journal_pending_events"] as? Int == 0
        }
        let afterRecovery = load.tally.recorded
        try await load.waitUntil("200 more events recorded after recovery") { $0.recorded >= afterRecovery + 200 }
        load.stop()
        await workers.value
        let (_, recovered) = try await cluster.text(0, "metrics")
        #expect(recovered.contains("pacer_database_up 1"))
        // The LISTEN connection is back: a change made in PostgreSQL reaches the server.
        let connection = try BlockingConnection(database.url)
        try connection.query("UPDATE pacer.campaigns SET status = 'paused', version = version + 1 WHERE id = $1::uuid", [campaign])
        try await load.waitUntil("the pause to arrive through NOTIFY") { _ in
            try await cluster.decide(0, campaign: campaign, bidCents: "0.1", requestID: "after").1 == "paused"
        }
        await cluster.stopAll()

        let tally = load.tally
        try expectExactlyOnce(tally, database: database, campaign: campaign)
        #expect(tally.decisionsUnanswered == 0)
        #expect(tally.decisionsInOutage > 0)
        print(
            "outage under load: spend sent \(tally.sent), acknowledged \(tally.acknowledged) (200: \(tally.recorded), 202 journaled: \(tally.journaled)), refused \(tally.refused); decisions \(tally.decisions) of which \(tally.decisionsInOutage) during the outage, unanswered \(tally.decisionsUnanswered)"
        )
    }

    @Test func journaledSpendSurvivesSIGKILLAndArrivesOnceAfterRestart() async throws {
        try await withPrivateCluster { postgres in try await killDuringOutage(postgres) }
    }

    func killDuringOutage(_ postgres: PrivateCluster) async throws {
        let database = try migratedDatabase(cluster: postgres.url)
        let campaign = try createCampaign(database)
        let journal = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-journal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: journal) }
        var environment = Self.environment
        environment["PACER_JOURNAL_DIR"] = journal
        let first = try await Cluster(database: database, count: 1, environment: environment)
        let load = Load(cluster: first, campaign: campaign)
        for index in 0..<50 { await load.spend("before-\(index)") }
        try await postgres.kill()

        for index in 0..<300 { await load.spend("during-\(index)") }
        // A campaign the server does not know is refused, not journaled.
        let (unknown, _) = try await first.post(
            0, "v1/spend", #"{"event_id":"nobody","campaign_id":"\#(UUID().uuidString)","spend_cents":1}"#)
        #expect(unknown == 404)
        #expect(load.tally.recorded == 50)
        #expect(load.tally.journaled == 300)
        first.servers[0].signal(SIGKILL)
        #expect(await first.servers[0].waitForExit() != 0)

        // A crash in the middle of a write leaves a torn record at the end of the last segment.
        let segments = try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".journal") }.sorted()
        let last = try #require(segments.last)
        let handle = try #require(FileHandle(forWritingAtPath: journal + "/" + last))
        handle.seekToEndOfFile()
        handle.write(Data([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]))
        handle.closeFile()

        try await postgres.restart()
        let second = try await Cluster(database: database, count: 1, environment: environment)
        #expect(try FileManager.default.contentsOfDirectory(atPath: journal).filter { $0.hasSuffix(".journal") }.isEmpty)
        try expectExactlyOnce(load.tally, database: database, campaign: campaign)
        // Sent again, the journaled events are recognised as duplicates.
        let again = Load(cluster: second, campaign: campaign)
        for index in 0..<300 { await again.spend("during-\(index)") }
        #expect(again.tally.duplicates == 300)
        await second.stopAll()
        try expectExactlyOnce(load.tally, database: database, campaign: campaign)
        print("SIGKILL during an outage: 300 events journaled, 300 found once in PostgreSQL after restart, 300 resent as duplicates")
    }

    @Test func sigtermUnderLoadLosesNothingAndReturnsTheLeases() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let campaign = try createCampaign(database)
        let cluster = try await Cluster(database: database, count: 1, environment: ["PACER_INSTANCE_ID": "draining"])
        let load = Load(cluster: cluster, campaign: campaign)
        let workers = Task { await load.run(spendWorkers: 6, decisionWorkers: 3) }
        try await load.waitUntil("300 events recorded") { $0.recorded >= 300 }
        load.expectServerStop()
        cluster.servers[0].signal(SIGTERM)
        #expect(await cluster.servers[0].waitForExit() == 0)
        load.stop()
        await workers.value

        try expectExactlyOnce(load.tally, database: database, campaign: campaign)
        let connection = try BlockingConnection(database.url)
        #expect(try connection.query("SELECT status FROM pacer.instances WHERE id = 'draining'").scalar(String.self) == "stopped")
        // What the lease still holds is what allowed bids without a win notice may spend, at most.
        let held = try connection.query(
            "SELECT coalesce(sum(granted_micros), 0)::bigint FROM pacer.budget_leases WHERE instance_id = 'draining' AND expires_at > now()"
        ).scalar(Int64.self)
        #expect(held <= Int64(load.tally.allowedWithoutWin) * Load.bidMicros)
        print("SIGTERM under load: spend acknowledged \(load.tally.acknowledged), all found once; lease held after exit \(held) micros for \(load.tally.allowedWithoutWin) open bids")
    }

    // MARK: Helpers

    /// Runs `body` with a PostgreSQL cluster of its own, removed afterwards whatever happens.
    func withPrivateCluster(_ body: (PrivateCluster) async throws -> Void) async throws {
        let postgres = try await PrivateCluster()
        do {
            try await body(postgres)
        } catch {
            await postgres.destroy()
            throw error
        }
        await postgres.destroy()
    }

    func createCampaign(_ database: TestDatabase) throws -> String {
        let connection = try BlockingConnection(database.url)
        return try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('outage', 100000000000, 'ASAP') RETURNING id::text"
        ).scalar(String.self)
    }

    /// Every acknowledged event is in PostgreSQL exactly once, no event twice, and the day's
    /// counter is the sum of the events recorded.
    func expectExactlyOnce(_ tally: Load.Tally, database: TestDatabase, campaign: String) throws {
        let connection = try BlockingConnection(database.url)
        let acknowledged = Array(tally.acknowledgedIDs)
        let found = try connection.query(
            "SELECT count(*)::bigint, count(DISTINCT event_id)::bigint FROM pacer.spend_events WHERE campaign_id = $1::uuid AND event_id = ANY($2)",
            [campaign, acknowledged]
        ).single()
        let rows = try found.decode(Int64.self, at: 0)
        let distinct = try found.decode(Int64.self, at: 1)
        #expect(rows == Int64(acknowledged.count))
        #expect(distinct == Int64(acknowledged.count))
        let totals = try connection.query(
            "SELECT count(*)::bigint, count(DISTINCT event_id)::bigint, coalesce(sum(spend_micros), 0)::bigint FROM pacer.spend_events WHERE campaign_id = $1::uuid",
            [campaign]
        ).single()
        #expect(try totals.decode(Int64.self, at: 0) == totals.decode(Int64.self, at: 1))
        let counted = try connection.query(
            "SELECT coalesce(sum(spent_micros), 0)::bigint FROM pacer.spend_daily WHERE campaign_id = $1::uuid", [campaign]
        ).scalar(Int64.self)
        #expect(counted == (try totals.decode(Int64.self, at: 2)))
        #expect(try connection.query("SELECT count(*)::bigint FROM pacer.spend_event_ids WHERE campaign_id = $1::uuid", [campaign]).scalar(Int64.self)
            == totals.decode(Int64.self, at: 0))
    }
}
}

func migratedDatabase(cluster: String) throws -> TestDatabase {
    let database = try TestDatabase.create(cluster: cluster)
    let connection = try BlockingConnection(database.url)
    try SchemaMigrator(source: MigrationSource.load(directory: TestDatabase.dbDirectory)).up(connection)
    return database
}

/// Spend and decision traffic against one server, with a record of every answer.
final class Load: Sendable {
    static let bidMicros: Int64 = 1230

    struct Tally: Sendable {
        var sent = 0
        var recorded = 0
        var journaled = 0
        var duplicates = 0
        var refused = 0
        var acknowledgedIDs: Set<String> = []
        var decisions = 0
        var decisionsUnanswered = 0
        var decisionsInOutage = 0
        var decisionsUnansweredInOutage = 0
        var allowedWithoutWin = 0
        var acknowledged: Int { recorded + journaled }
    }

    let cluster: Cluster
    let campaign: String
    private let state = Mutex(Tally())
    private let stopped = Atomic<Bool>(false)
    private let outage = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)

    init(cluster: Cluster, campaign: String) {
        self.cluster = cluster
        self.campaign = campaign
    }

    var tally: Tally { state.withLock { $0 } }

    func setOutage(_ on: Bool) { outage.store(on, ordering: .relaxed) }
    func stop() { stopped.store(true, ordering: .relaxed) }
    /// The server is about to stop: decisions it no longer answers end the decision workers.
    func expectServerStop() { stopping.store(true, ordering: .relaxed) }

    /// Sends one spend event; records its answer; returns whether it was acknowledged.
    @discardableResult
    func spend(_ eventID: String, requestID: String? = nil) async -> Bool {
        state.withLock { $0.sent += 1 }
        let request = requestID.map { #","request_id":"\#($0)""# } ?? ""
        let body = #"{"event_id":"\#(eventID)","campaign_id":"\#(campaign)","spend_cents":0.123\#(request)}"#
        let answer = try? await cluster.post(0, "v1/spend", body)
        return state.withLock { tally -> Bool in
            switch answer?.0 {
            case 200 where answer?.1["duplicate"] as? Bool == true:
                tally.duplicates += 1
            case 200 where answer?.1["recorded"] as? Bool == true:
                tally.recorded += 1
                tally.acknowledgedIDs.insert(eventID)
            case 202 where answer?.1["journaled"] as? Bool == true:
                tally.journaled += 1
                tally.acknowledgedIDs.insert(eventID)
            case 202 where answer?.1["duplicate"] as? Bool == true:
                tally.duplicates += 1
            default:
                tally.refused += 1
                return false
            }
            return true
        }
    }

    /// Runs spend and decision workers until `stop()` or until the server stops answering.
    func run(spendWorkers: Int, decisionWorkers: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<spendWorkers {
                group.addTask {
                    var index = 0
                    while !self.stopped.load(ordering: .relaxed) {
                        await self.spend("w\(worker)-\(index)")
                        index += 1
                    }
                }
            }
            for worker in 0..<decisionWorkers {
                group.addTask {
                    var index = 0
                    while !self.stopped.load(ordering: .relaxed) {
                        index += 1
                        let requestID = "d\(worker)-\(index)"
                        let inOutage = self.outage.load(ordering: .relaxed)
                        let answer = try? await self.cluster.post(
                            0, "v1/decide", #"{"campaign_id":"\#(self.campaign)","bid_cents":0.123,"request_id":"\#(requestID)"}"#)
                        let answered = answer?.0 == 200 && answer?.1["reason"] is String
                        if !answered, self.stopping.load(ordering: .relaxed) { return }
                        self.state.withLock { tally in
                            tally.decisions += 1
                            if !answered { tally.decisionsUnanswered += 1 }
                            if inOutage {
                                tally.decisionsInOutage += 1
                                if !answered { tally.decisionsUnansweredInOutage += 1 }
                            }
                        }
                        guard answered else { continue }
                        guard answer?.1["allow"] as? Bool == true else { continue }
                        // The win notice of an allowed bid, which releases its reservation.
                        if await !self.spend("win-\(requestID)", requestID: requestID) {
                            self.state.withLock { $0.allowedWithoutWin += 1 }
                        }
                    }
                }
            }
        }
    }

    /// Waits until `condition` holds of the tally, checking every 20 ms, for at most 60 s.
    func waitUntil(_ what: String, _ condition: @Sendable (Tally) async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition(tally) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what): \(tally)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
