import Foundation
import Logging
import NIOCore
import PostgresClient

/// Streams an uploaded click file into PostgreSQL: rows are checked as they arrive and sent with
/// COPY on a connection of the upload's own, one COPY per chunk of about `flushBytes`, so the file
/// is never held in memory. (One COPY per chunk rather than one for the whole upload: a backend
/// waiting for COPY data does not answer the cluster-wide signal barriers that statements such
/// as `DROP DATABASE` wait for, so it must never wait on a slow client.) In the same transaction the dataset row is written and the rows are
/// sliced into batches (`pacer.slice_dataset`), so an acknowledged upload is entirely queued.
/// With `on_error=reject` a malformed row aborts the COPY: nothing is kept but a `failed`
/// dataset row with the errors.
struct DatasetIngest: Sendable {
    let conninfo: String
    let clock: any PacerClock
    let logger: Logger
    var flushBytes = 256 * 1024

    /// What an upload came to.
    struct Outcome: Sendable {
        var id: UUID
        var status: String
        var accepted: Int
        var rejected: Int
        var batches: Int
        var errors: [ClickUploadParser.RowError]
    }

    /// The upload's parameters, from the query string.
    struct Target: Sendable {
        var campaignID: UUID
        var partnerID: UUID
        var format: ClickUploadParser.Format
        var rejectOnError: Bool
    }

    func ingest<Body: AsyncSequence & Sendable>(_ body: Body, target: Target) async throws -> Outcome where Body.Element == ByteBuffer {
        let id = UUID()
        let connection = try await PostgresConnection.connect(conninfo, applicationName: "pacer-ingest")
        defer { Task { await connection.close() } }
        let now = clock.now()
        try await connection.run { db in
            try db.query("BEGIN")
            try db.query(
                """
                INSERT INTO pacer.datasets (id, campaign_id, partner_id, format, on_error, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $6)
                """,
                [id, target.campaignID, target.partnerID, target.format.rawValue, target.rejectOnError ? "reject" : "skip", now])
            try db.query(
                """
                SELECT set_config('pacer.ingest_dataset_id', $1, true), set_config('pacer.ingest_campaign_id', $2, true),
                       set_config('pacer.ingest_partner_id', $3, true)
                """,
                [id.uuidString.lowercased(), target.campaignID.uuidString.lowercased(), target.partnerID.uuidString.lowercased()])
        }
        var parser = ClickUploadParser(format: target.format)
        var out: [UInt8] = []
        out.reserveCapacity(flushBytes + 64 * 1024)
        do {
            for try await chunk in body {
                chunk.withUnsafeReadableBytes { parser.feed($0, into: &out) }
                if target.rejectOnError, parser.rejected > 0 || parser.fatal != nil {
                    out.removeAll(keepingCapacity: true)
                } else if out.count >= flushBytes {
                    let data = out
                    out.removeAll(keepingCapacity: true)
                    try await connection.run { try Self.copy($0, data) }
                }
            }
            parser.finish(into: &out)
        } catch {
            await abort(connection)
            throw error
        }

        var errors = parser.errors
        if let fatal = parser.fatal { errors.insert(fatal, at: 0) }
        let failed = parser.fatal != nil || (target.rejectOnError && parser.rejected > 0)
        if failed {
            await abort(connection)
            try await recordFailure(id: id, target: target, rejected: max(parser.rejected, 1), errors: errors, now: now)
            logger.info("dataset rejected", metadata: ["dataset.id": "\(id)", "dataset.rows_rejected": "\(parser.rejected)"])
            return Outcome(id: id, status: "failed", accepted: 0, rejected: max(parser.rejected, 1), batches: 0, errors: errors)
        }
        let rest = out
        let columns = parser.columns
        let errorsJSON = Self.errorsJSON(errors)
        let rejected = parser.rejected
        let sliceTime = clock.now()
        do {
            let batches = try await connection.run { db -> Int in
                if !rest.isEmpty { try Self.copy(db, rest) }
                try db.query(
                    "UPDATE pacer.datasets SET rows_rejected = $2, errors = $3::jsonb, columns = $4 WHERE id = $1",
                    [id, rejected, errorsJSON, columns])
                let batches = try db.query("SELECT pacer.slice_dataset($1, $2)", [id, sliceTime]).scalar(Int.self)
                try db.query("COMMIT")
                return batches
            }
            logger.info(
                "dataset queued",
                metadata: ["dataset.id": "\(id)", "dataset.rows_accepted": "\(parser.accepted)", "dataset.batches": "\(batches)"])
            return Outcome(id: id, status: batches == 0 ? "completed" : "queued", accepted: parser.accepted, rejected: rejected, batches: batches, errors: errors)
        } catch {
            await abort(connection)
            throw error
        }
    }

    /// Sends one chunk of COPY rows as a COPY of its own.
    private static func copy(_ db: BlockingConnection, _ rows: [UInt8]) throws {
        try db.copyIn("COPY pacer.click_rows (line_no, click_id, row) FROM STDIN") { write in try write(rows[...]) }
    }

    /// Rolls the upload back.
    private func abort(_ connection: PostgresConnection) async {
        _ = try? await connection.run { db in try db.query("ROLLBACK") }
    }

    /// Keeps a rejected upload's dataset row, with its errors and nothing else.
    private func recordFailure(id: UUID, target: Target, rejected: Int, errors: [ClickUploadParser.RowError], now: Date) async throws {
        let errorsJSON = Self.errorsJSON(errors)
        let connection = try await PostgresConnection.connect(conninfo, applicationName: "pacer-ingest")
        defer { Task { await connection.close() } }
        try await connection.query(
            """
            INSERT INTO pacer.datasets (id, campaign_id, partner_id, format, on_error, status, rows_rejected, errors,
                                        created_at, updated_at, completed_at)
            VALUES ($1, $2, $3, $4, $5, 'failed', $6, $7::jsonb, $8, $8, $8)
            """,
            [id, target.campaignID, target.partnerID, target.format.rawValue, target.rejectOnError ? "reject" : "skip", rejected, errorsJSON, now])
    }

    static func errorsJSON(_ errors: [ClickUploadParser.RowError]) -> String {
        var json = JSONWriter()
        write(errors, to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func write(_ errors: [ClickUploadParser.RowError], to json: inout JSONWriter) {
        json.beginArray()
        for error in errors {
            json.beginObject()
            json.key("line"); json.integer(Int64(error.line))
            json.key("message"); json.string(error.message)
            json.endObject()
        }
        json.endArray()
    }
}
