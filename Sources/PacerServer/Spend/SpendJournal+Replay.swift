import Foundation
import PostgresClient

extension SpendJournal {
    /// What a replay did.
    struct ReplayReport: Sendable {
        var segments = 0
        var events = 0
        var recorded = 0
        var duplicates = 0
        var unknownCampaigns = 0
        var tornBytes = 0
    }

    /// Replays every segment written so far into PostgreSQL, oldest first, and deletes each one
    /// once its events are committed. Events already in PostgreSQL (an earlier replay cut short,
    /// or an event also committed directly) are recognised by their ids and not counted again.
    /// A segment that ends in a torn record has it skipped: that record was never acknowledged.
    /// Stops at the first failure, leaving that segment and the later ones for the next replay.
    @discardableResult
    func replay(into pool: PostgresPool, instanceID: String, chunk: Int = 2000) async throws -> ReplayReport {
        var report = ReplayReport()
        for path in await seal() {
            let contents = try Self.read(path)
            var offset = 0
            while offset < contents.events.count {
                let events = Array(contents.events[offset..<min(offset + chunk, contents.events.count)])
                let results: [SpendResult]
                do {
                    results = try await pool.run { connection in
                        try SpendCommitter.recordSpend(events, instanceID: instanceID, on: connection, journaled: true)
                    }
                } catch where !DatabaseHealth.isUnavailable(error) {
                    // PostgreSQL refuses these events for good: keep the file for an operator
                    // rather than retrying (and holding the leases back) forever.
                    let kept = quarantine(path)
                    forget(events: contents.events.count)
                    logger.critical(
                        "journal segment refused by PostgreSQL; kept for inspection, the events before this chunk were recorded",
                        metadata: ["journal.segment": "\(kept)", "error": "\(error)"])
                    throw error
                }
                for result in results {
                    switch result.outcome {
                    case .recorded: report.recorded += 1
                    case .duplicate: report.duplicates += 1
                    case .unknownCampaign, .journaled: report.unknownCampaigns += 1
                    }
                }
                offset += events.count
            }
            report.segments += 1
            report.events += contents.events.count
            report.tornBytes += contents.tornBytes
            if contents.tornBytes > 0, !contents.tornTail {
                // Unreadable bytes followed by more data: not a write cut short by a crash. Keep
                // the file for inspection instead of deleting what might hold acknowledged events.
                let kept = quarantine(path)
                forget(events: contents.events.count)
                logger.critical(
                    "journal segment has an unreadable part; its readable events were replayed and the file is kept",
                    metadata: ["journal.segment": "\(kept)", "journal.unreadable_bytes": "\(contents.tornBytes)"])
            } else {
                if contents.tornBytes > 0 {
                    logger.warning(
                        "journal segment ends in a torn record (a write cut short by a crash, never acknowledged); skipped",
                        metadata: ["journal.segment": "\(path)", "journal.torn_bytes": "\(contents.tornBytes)"])
                }
                try remove(path, events: contents.events.count)
            }
        }
        if report.segments > 0 {
            logger.info(
                "spend journal replayed",
                metadata: [
                    "journal.segments": "\(report.segments)", "journal.events": "\(report.events)",
                    "journal.recorded": "\(report.recorded)", "journal.duplicates": "\(report.duplicates)",
                    "journal.unknown_campaigns": "\(report.unknownCampaigns)",
                ])
        }
        return report
    }

    /// Renames a segment out of the replay's way, to a name no later segment can take.
    private func quarantine(_ path: String) -> String {
        let kept = path + ".unreadable-" + UUID().uuidString.prefix(8).lowercased()
        _ = rename(path, kept)
        return kept
    }
}
