import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// `GET /v1/campaigns/{id}/performance?from=…&to=…&granularity=hour|day`: spend and decision
/// outcomes of one campaign over a time range, in buckets of the campaign's local hours or days.
/// `from` and `to` are ISO 8601 timestamps (default: the 24 hours up to now); only buckets with
/// data are listed. Spend comes from the hourly counters, decisions from the per-minute stats
/// (written behind, so the last second or so may be missing).
struct PerformanceController: Sendable {
    let pool: PostgresPool
    let clock: any PacerClock
    let logger: Logger

    /// Longest range one request may cover.
    static let maxRange: TimeInterval = 93 * 86_400

    static let decisionColumns = ["allowed", "throttled", "denied_budget", "denied_breaker", "denied_paused", "denied_not_running", "denied_other"]

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.get("/campaigns/{id}/performance") { request, context in try await performance(request, context.parameters) }
    }

    func performance(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try CampaignController.id(parameters)
        let query = request.uri.queryParameters
        let now = clock.now()
        var problems: [FieldProblem] = []
        let to = Self.time(query["to"].map(String.init), field: "to", default: now, problems: &problems)
        let from = Self.time(query["from"].map(String.init), field: "from", default: to.addingTimeInterval(-86_400), problems: &problems)
        let granularity = query["granularity"].map(String.init) ?? "hour"
        if granularity != "hour" && granularity != "day" {
            problems.append(FieldProblem(field: "granularity", message: "must be hour or day"))
        }
        if problems.isEmpty, from >= to { problems.append(FieldProblem(field: "from", message: "must be before to")) }
        if problems.isEmpty, to.timeIntervalSince(from) > Self.maxRange {
            problems.append(FieldProblem(field: "to", message: "the range may cover at most 93 days"))
        }
        guard problems.isEmpty else { throw Problem.invalid(problems) }

        let found: [Row]?
        do {
            found = try await pool.run { connection -> [Row]? in
                guard try connection.query("SELECT 1 FROM pacer.campaigns WHERE id = $1", [id]).rows.first != nil else { return nil }
                return try connection.query(Self.sql, [id, from, to, granularity]).rows
            }
        } catch let error as PostgresError {
            logger.error("performance query failed", metadata: ["db.error": "\(error)"])
            throw Problem.databaseUnavailable
        }
        guard let buckets = found else { throw Problem.notFound("no campaign \(id.uuidString.lowercased())") }

        var totals = [Int64](repeating: 0, count: 4 + Self.decisionColumns.count)
        var json = JSONWriter(capacity: 300 * buckets.count + 512)
        json.beginObject()
        json.key("campaign_id"); json.string(id.uuidString.lowercased())
        json.key("from"); json.string(CampaignRecord.timestamp(from))
        json.key("to"); json.string(CampaignRecord.timestamp(to))
        json.key("granularity"); json.string(granularity)
        json.key("series")
        json.beginArray()
        for row in buckets {
            json.beginObject()
            json.key("start"); json.string(CampaignRecord.timestamp(try row[0]))
            var values: [Int64] = []
            for index in 0..<totals.count { values.append(try row.decode(Int64.self, at: index + 1)) }
            for index in values.indices { totals[index] += values[index] }
            Self.write(values, to: &json)
            json.endObject()
        }
        json.endArray()
        json.key("totals")
        json.beginObject()
        Self.write(totals, to: &json)
        json.endObject()
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    private static func write(_ values: [Int64], to json: inout JSONWriter) {
        json.key("spent_cents"); json.cents(values[0])
        json.key("impressions"); json.integer(values[1])
        json.key("clicks"); json.integer(values[2])
        json.key("spend_events"); json.integer(values[3])
        for (index, name) in decisionColumns.enumerated() { json.key(name); json.integer(values[4 + index]) }
    }

    /// Timestamps outside 1970-9999 are refused rather than passed to PostgreSQL.
    static let earliest = Date(timeIntervalSince1970: 0)
    static let latest = Date(timeIntervalSince1970: 253_402_300_799)

    private static func time(_ text: String?, field: String, default value: Date, problems: inout [FieldProblem]) -> Date {
        guard let text, !text.isEmpty else { return value }
        let parsed = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        if let parsed, parsed >= earliest, parsed <= latest { return parsed }
        problems.append(FieldProblem(field: field, message: "must be an ISO 8601 timestamp between 1970 and 9999, such as 2026-06-15T00:00:00Z"))
        return value
    }

    /// Buckets in the campaign's local time: spend from spend_hourly, outcomes from decision_stats.
    static let sql = """
        WITH c AS (SELECT timezone AS tz FROM pacer.campaigns WHERE id = $1),
        spend AS (
            SELECT date_trunc($4::text, s.day + make_interval(hours => s.hour)) AS bucket,
                   sum(s.spent_micros)::bigint AS spent, sum(s.impressions)::bigint AS impressions,
                   sum(s.clicks)::bigint AS clicks, sum(s.events)::bigint AS events
              FROM pacer.spend_hourly s, c
             WHERE s.campaign_id = $1
               AND s.day BETWEEN ($2::timestamptz AT TIME ZONE c.tz)::date AND ($3::timestamptz AT TIME ZONE c.tz)::date
               AND (s.day + make_interval(hours => s.hour)) AT TIME ZONE c.tz >= $2
               AND (s.day + make_interval(hours => s.hour)) AT TIME ZONE c.tz < $3
             GROUP BY 1),
        outcomes AS (
            SELECT date_trunc($4::text, d.minute AT TIME ZONE c.tz) AS bucket,
                   sum(d.allowed)::bigint AS allowed, sum(d.throttled)::bigint AS throttled,
                   sum(d.denied_budget)::bigint AS denied_budget, sum(d.denied_breaker)::bigint AS denied_breaker,
                   sum(d.denied_paused)::bigint AS denied_paused, sum(d.denied_not_running)::bigint AS denied_not_running,
                   sum(d.denied_other)::bigint AS denied_other
              FROM pacer.decision_stats d, c
             WHERE d.campaign_id = $1 AND d.minute >= $2 AND d.minute < $3
             GROUP BY 1)
        SELECT bucket AT TIME ZONE c.tz,
               coalesce(spend.spent, 0), coalesce(spend.impressions, 0), coalesce(spend.clicks, 0), coalesce(spend.events, 0),
               coalesce(allowed, 0), coalesce(throttled, 0), coalesce(denied_budget, 0), coalesce(denied_breaker, 0),
               coalesce(denied_paused, 0), coalesce(denied_not_running, 0), coalesce(denied_other, 0)
          FROM spend FULL JOIN outcomes USING (bucket) CROSS JOIN c
         ORDER BY bucket
        """
}
