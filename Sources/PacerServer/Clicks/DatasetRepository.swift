import Foundation
import PostgresClient

/// Datasets, batches and the audit trail as the admin API shows them (JSON built by the
/// `pacer.*_json` functions), and the operator actions on them.
struct DatasetRepository: Sendable {
    let pool: PostgresPool

    /// Whether a campaign and a partner exist and are not archived, for an upload.
    func uploadTargets(campaign: UUID, partner: UUID) async throws -> (campaign: Bool, partner: Bool) {
        try await pool.run { connection in
            let row = try connection.query(
                """
                SELECT EXISTS (SELECT 1 FROM pacer.campaigns WHERE id = $1 AND status <> 'archived'),
                       EXISTS (SELECT 1 FROM pacer.partners WHERE id = $2 AND status <> 'archived')
                """, [campaign, partner]).single()
            return (try row.decode(Bool.self, at: 0), try row.decode(Bool.self, at: 1))
        }
    }

    func dataset(_ id: UUID) async throws -> String? {
        try await pool.run { connection in
            try connection.query("SELECT pacer.dataset_json(d)::text FROM pacer.datasets d WHERE d.id = $1", [id])
                .rows.first.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// A page of datasets, newest first, optionally of one campaign and/or partner, as a JSON
    /// array, and the id of its last item when more follow.
    func datasets(campaign: UUID?, partner: UUID?, page: Page) async throws -> (String, UUID?) {
        try await pool.run { connection in
            try Self.newestFirst(
                "pacer.datasets", json: "pacer.dataset_json",
                filter: "($1::uuid IS NULL OR r.campaign_id = $1) AND ($2::uuid IS NULL OR r.partner_id = $2)",
                [campaign, partner], page: page, on: connection)
        }
    }

    /// One page of `table`'s rows `r` matching `filter` (over `parameters` $1…$n), newest first by
    /// (created_at, id) after the page's cursor, as a JSON array of `json(r)`, and the id of the
    /// page's last row when more follow.
    private static func newestFirst(
        _ table: String, json: String, filter: String, _ parameters: [any PostgresEncodable], page: Page, on connection: BlockingConnection
    ) throws -> (String, UUID?) {
        let limit = "$\(parameters.count + 1)"
        let after = "$\(parameters.count + 2)::uuid"
        let row = try connection.query(
            """
            WITH fetched AS (
                SELECT r FROM \(table) r
                 WHERE \(filter)
                   AND (\(after) IS NULL OR (r.created_at, r.id) < (SELECT c.created_at, c.id FROM \(table) c WHERE c.id = \(after)))
                 ORDER BY r.created_at DESC, r.id DESC LIMIT \(limit) + 1),
            numbered AS (SELECT f.r, row_number() OVER (ORDER BY (f.r).created_at DESC, (f.r).id DESC) AS n FROM fetched f)
            SELECT coalesce(json_agg(\(json)(x.r) ORDER BY x.n) FILTER (WHERE x.n <= \(limit)), '[]')::text,
                   CASE WHEN count(*) > \(limit) THEN max(CASE WHEN x.n = \(limit) THEN (x.r).id::text END) END
              FROM numbered x
            """, parameters + [page.limit, page.after]
        ).single()
        return (try row.decode(String.self, at: 0), try row.decode(String?.self, at: 1).flatMap(UUID.init(uuidString:)))
    }

    /// Moves a dataset from one status to another. Returns nil if it does not exist, else whether
    /// it moved and its status afterwards. Queuing it again wakes idle workers.
    func transition(_ id: UUID, from: String, to: String, now: Date) async throws -> (moved: Bool, status: String)? {
        try await pool.transaction { connection in
            let updated = try connection.query(
                "UPDATE pacer.datasets SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 RETURNING partner_id::text",
                [id, from, to, now])
            if let row = updated.rows.first, to == "queued" {
                try connection.query("SELECT pg_notify('pacer_clicks', $1)", [try row.decode(String.self, at: 0)])
            }
            return try connection.query("SELECT status FROM pacer.datasets WHERE id = $1", [id])
                .rows.first.map { (!updated.rows.isEmpty, try $0.decode(String.self, at: 0)) }
        }
    }

    /// A dataset's status, nil if it does not exist.
    func status(_ id: UUID) async throws -> String? {
        try await pool.run { connection in
            try connection.query("SELECT status FROM pacer.datasets WHERE id = $1", [id]).rows.first.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// Cancels a dataset; returns how many batches were cancelled, nil if it does not exist.
    func cancel(_ id: UUID, actor: String, now: Date) async throws -> Int? {
        try await pool.transaction { connection in
            try connection.query("SELECT pacer.cancel_dataset($1, $2, $3)", [id, actor, now]).scalar(Int?.self)
        }
    }

    /// Puts dead batches back in the queue: all of a dataset, or one batch. Returns how many.
    func retry(dataset: UUID?, batch: UUID?, actor: String, now: Date) async throws -> Int {
        try await pool.transaction { connection in
            try connection.query("SELECT pacer.retry_dead_batches($1, $2, $3, $4)", [dataset, batch, actor, now]).scalar(Int.self)
        }
    }

    /// A page of batches, newest first (by creation, so pages stay stable while batches change
    /// state), filtered by state, partner and dataset, as a JSON array, and the id of its last
    /// item when more follow.
    func batches(state: String?, partner: UUID?, dataset: UUID?, page: Page) async throws -> (String, UUID?) {
        try await pool.run { connection in
            try Self.newestFirst(
                "pacer.click_batches", json: "pacer.batch_json",
                filter: "($1::text IS NULL OR r.state = $1) AND ($2::uuid IS NULL OR r.partner_id = $2) AND ($3::uuid IS NULL OR r.dataset_id = $3)",
                [state, partner, dataset], page: page, on: connection)
        }
    }

    func batch(_ id: UUID) async throws -> String? {
        try await pool.run { connection in
            try connection.query("SELECT pacer.batch_json(b)::text FROM pacer.click_batches b WHERE b.id = $1", [id])
                .rows.first.map { try $0.decode(String.self, at: 0) }
        }
    }

    /// A batch's audit trail, oldest first, as a JSON array; nil when no such batch was ever audited.
    func events(_ id: UUID) async throws -> String? {
        try await pool.run { connection in
            let text = try connection.query(
                "SELECT json_agg(pacer.batch_event_json(a) ORDER BY a.id)::text FROM pacer.batch_audit a WHERE a.batch_id = $1",
                [id]
            ).scalar(String?.self)
            return text
        }
    }
}
