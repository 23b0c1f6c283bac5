import Foundation
import Logging
import PostgresClient
import TestSupport
import Testing

@testable import PacerServer

/// The spend journal on its own: records on disk, torn writes, the folder lock, and replay into a
/// real PostgreSQL exactly once.
@Suite struct SpendJournalTests {
    let now = Date(timeIntervalSince1970: 1_781_524_800.25)

    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pacer-journal-test-\(UUID().uuidString)").path
    }

    func events(_ count: Int, campaign: UUID = UUID(), prefix: String = "e") -> [SpendEvent] {
        var events: [SpendEvent] = []
        for index in 0..<count {
            let requestID: String? = index % 2 == 0 ? "r-\(index)" : nil
            let event = SpendEvent(
                eventID: "\(prefix)-\(index)", campaignID: campaign, spend: Int64(1000 + index), impressions: Int32(index % 3),
                clicks: Int32(index % 2), requestID: requestID, occurredAt: now.addingTimeInterval(Double(index)))
            events.append(event)
        }
        return events
    }

    @Test func recordsReadBackAsWritten() {
        let written = events(50)
        let bytes = written.flatMap(JournalRecord.encode)
        let contents = JournalRecord.decodeAll(bytes)
        #expect(contents.tornBytes == 0)
        #expect(contents.events.count == 50)
        for (read, original) in zip(contents.events, written) {
            #expect(read.eventID == original.eventID)
            #expect(read.campaignID == original.campaignID)
            #expect(read.spend == original.spend)
            #expect(read.impressions == original.impressions)
            #expect(read.clicks == original.clicks)
            #expect(read.requestID == original.requestID)
            #expect(read.occurredAt == original.occurredAt)
        }
    }

    @Test func aTornLastRecordIsSkippedAndEverythingBeforeItKept() {
        let bytes = events(10).flatMap(JournalRecord.encode)
        let last = JournalRecord.encode(events(1, prefix: "torn")[0])
        // Every way a crash can cut the last record short: inside its header, inside its payload.
        for cut in 1..<last.count {
            let contents = JournalRecord.decodeAll(bytes + last.prefix(cut))
            #expect(contents.events.count == 10)
            #expect(contents.tornBytes == cut)
        }
        // A record with a damaged byte fails its checksum.
        var damaged = last
        damaged[damaged.count - 3] ^= 0xFF
        let contents = JournalRecord.decodeAll(bytes + damaged)
        #expect(contents.events.count == 10)
        #expect(contents.tornBytes == damaged.count)
        #expect(contents.tornTail)
    }

    @Test func damageFollowedByMoreRecordsIsNotATornWrite() {
        var damaged = JournalRecord.encode(events(1, prefix: "middle")[0])
        damaged[10] ^= 0xFF
        let contents = JournalRecord.decodeAll(events(3).flatMap(JournalRecord.encode) + damaged + events(4, prefix: "after").flatMap(JournalRecord.encode))
        #expect(contents.events.count == 3)
        #expect(!contents.tornTail)
    }

    @Test func appendsAreOnDiskWhenAnsweredAndShareSegments() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try SpendJournal(directory: directory, logger: Logger(label: "test"))
        let campaign = UUID()
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<40 {
                group.addTask { try? await journal.append(self.events(5, campaign: campaign, prefix: "w\(writer)")) }
            }
        }
        #expect(journal.pendingEvents == 200)
        let segments = SpendJournal.segments(in: directory)
        #expect(segments.count == 1)
        let contents = try SpendJournal.read(try #require(segments.first))
        #expect(Set(contents.events.map(\.eventID)).count == 200)
        await journal.close()
    }

    @Test func oneServerPerFolder() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try SpendJournal(directory: directory, logger: Logger(label: "test"))
        #expect(throws: SpendJournal.Failure.self) { try SpendJournal(directory: directory, logger: Logger(label: "test")) }
        await first.close()
        // Closed, the folder is free again, and what was left in it is found.
        let second = try SpendJournal(directory: directory, logger: Logger(label: "test"))
        await second.close()
    }

    @Test func replayRecordsEachEventOnceEvenWhenRepeated() async throws {
        let database = try migratedDatabase()
        defer { database.drop() }
        let connection = try BlockingConnection(database.url)
        let campaign: UUID = try connection.query(
            "INSERT INTO pacer.campaigns (name, daily_budget_micros, pacing) VALUES ('journal', 1000000000, 'EVEN') RETURNING id"
        ).scalar(UUID.self)
        let pool = PostgresPool(conninfo: database.url, maxConnections: 2)
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let written = events(120, campaign: campaign)
        var journal = try SpendJournal(directory: directory, logger: Logger(label: "test"))
        try await journal.append(Array(written[0..<70]))
        try await journal.append(Array(written[70...]))
        // A replay that committed and then crashed before deleting its segment: simulated by
        // replaying a copy of the segment first.
        let segment = try #require(SpendJournal.segments(in: directory).first)
        await journal.close()
        let copy = SpendJournal.path(directory, sequence: 99)
        try FileManager.default.copyItem(atPath: segment, toPath: copy)

        journal = try SpendJournal(directory: directory, logger: Logger(label: "test"))
        #expect(journal.pendingEvents == 240)
        let report = try await journal.replay(into: pool, instanceID: "journal-test", chunk: 50)
        #expect(report.segments == 2)
        #expect(report.events == 240)
        #expect(report.recorded == 120)
        #expect(report.duplicates == 120)
        #expect(journal.pendingEvents == 0)
        #expect(SpendJournal.segments(in: directory).isEmpty)

        let row = try connection.query(
            "SELECT count(*)::bigint, coalesce(sum(spend_micros), 0)::bigint, bool_and(journaled) FROM pacer.spend_events WHERE campaign_id = $1",
            [campaign]
        ).single()
        #expect(try row.decode(Int64.self, at: 0) == 120)
        #expect(try row.decode(Int64.self, at: 1) == written.reduce(0) { $0 + $1.spend })
        #expect(try row.decode(Bool.self, at: 2))
        let counted = try connection.query("SELECT spent_micros FROM pacer.spend_daily WHERE campaign_id = $1", [campaign]).scalar(Int64.self)
        #expect(counted == written.reduce(0) { $0 + $1.spend })
        await journal.close()
        await pool.close()
    }
}
