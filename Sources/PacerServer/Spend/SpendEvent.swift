import Foundation
import PacingEngine
import PostgresClient

/// A win notice: `{event_id, campaign_id, spend_cents, impressions?, clicks?, request_id?}`.
struct SpendEvent: Sendable {
    var eventID: String
    var campaignID: UUID
    var spend: Micros
    var impressions: Int32
    var clicks: Int32
    var requestID: String?
    var occurredAt: Date

    /// Parses a single event or a batch (`{events: [...]}`); a 400 names every bad field.
    static func parse(_ body: JSONValue, now: Date) throws -> (events: [SpendEvent], batch: Bool) {
        guard case .object = body else { throw Problem.badRequest("the body must be a JSON object, not \(body.typeName)") }
        if let list = body["events"] {
            guard case .array(let items) = list else {
                throw Problem.invalid([FieldProblem(field: "events", message: "must be an array")])
            }
            guard items.count <= maxBatch else {
                throw Problem.invalid([FieldProblem(field: "events", message: "must hold at most \(maxBatch) events")])
            }
            var problems: [FieldProblem] = []
            var events: [SpendEvent] = []
            for (index, item) in items.enumerated() {
                switch parseOne(item, prefix: "events[\(index)].", now: now) {
                case .success(let event): events.append(event)
                case .failure(let failure): problems += failure.problems
                }
            }
            if !problems.isEmpty { throw Problem.invalid(problems) }
            return (events, true)
        }
        switch parseOne(body, prefix: "", now: now) {
        case .success(let event): return ([event], false)
        case .failure(let failure): throw Problem.invalid(failure.problems)
        }
    }

    /// Most events in one request.
    static let maxBatch = 5000

    struct Problems: Error {
        var problems: [FieldProblem]
    }

    private static func parseOne(_ value: JSONValue, prefix: String, now: Date) -> Result<SpendEvent, Problems> {
        guard case .object = value else {
            return .failure(Problems(problems: [FieldProblem(field: String(prefix.dropLast()), message: "must be an object")]))
        }
        var reader = FieldReader(body: value, prefix: prefix)
        let eventID = reader.string("event_id", required: true)
        let campaignText = reader.string("campaign_id", required: true)
        let spend = reader.cents("spend_cents", required: true)
        let impressions = reader.integer("impressions") ?? 1
        let clicks = reader.integer("clicks") ?? 0
        let requestID = reader.string("request_id")
        var problems = reader.problems
        if let eventID, eventID.isEmpty || eventID.utf8.count > 200 {
            problems.append(FieldProblem(field: prefix + "event_id", message: "must be 1 to 200 bytes"))
        }
        let campaignID = campaignText.flatMap(UUID.init(uuidString:))
        if campaignText != nil, campaignID == nil {
            problems.append(FieldProblem(field: prefix + "campaign_id", message: "must be a UUID"))
        }
        if let spend, spend < 0 { problems.append(FieldProblem(field: prefix + "spend_cents", message: "must not be negative")) }
        if !(0...1_000_000).contains(impressions) {
            problems.append(FieldProblem(field: prefix + "impressions", message: "must be between 0 and 1000000"))
        }
        if !(0...1_000_000).contains(clicks) {
            problems.append(FieldProblem(field: prefix + "clicks", message: "must be between 0 and 1000000"))
        }
        if let requestID, requestID.utf8.count > 200 {
            problems.append(FieldProblem(field: prefix + "request_id", message: "must be at most 200 bytes"))
        }
        guard problems.isEmpty, let eventID, let campaignID, let spend else { return .failure(Problems(problems: problems)) }
        return .success(SpendEvent(
            eventID: eventID, campaignID: campaignID, spend: spend, impressions: Int32(impressions), clicks: Int32(clicks),
            requestID: requestID, occurredAt: now))
    }
}

/// What PostgreSQL made of one spend event.
enum SpendOutcome: String, Sendable {
    case recorded
    case duplicate
    case unknownCampaign = "unknown_campaign"
    /// Appended to the spend journal while PostgreSQL is unreachable; recorded at replay.
    case journaled
}

/// A spend event's outcome with the campaign's spend for its day right after the commit.
struct SpendResult: Sendable {
    var outcome: SpendOutcome
    var day: PostgresDate?
    var spentToday: Micros?
}
