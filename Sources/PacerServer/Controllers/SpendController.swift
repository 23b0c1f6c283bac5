import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresClient

/// `POST /v1/spend`: win notices, idempotent by event id. A 200 means committed in PostgreSQL; a
/// 202 (`journaled: true`) means on disk in the spend journal while PostgreSQL is unreachable, to
/// be recorded exactly once when it is back.
struct SpendController: Sendable {
    let committer: SpendCommitter
    let clock: any PacerClock
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/spend") { request, _ in try await spend(request) }
    }

    func spend(_ request: Request) async throws -> Response {
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let (events, batch) = try SpendEvent.parse(body, now: clock.now())
        let outcomes: [SpendOutcome]
        do {
            outcomes = try await committer.record(events)
        } catch let problem as Problem {
            throw problem
        } catch {
            logger.error("spend not recorded", metadata: ["db.error": "\(error)"])
            throw Problem.databaseUnavailable
        }
        if !batch, outcomes.first == .unknownCampaign {
            throw Problem.notFound("no campaign \(events[0].campaignID.uuidString.lowercased())")
        }
        var json = JSONWriter(capacity: 48 * outcomes.count + 16)
        if batch {
            json.beginObject()
            json.key("results")
            json.beginArray()
        }
        for (event, outcome) in zip(events, outcomes) {
            json.beginObject()
            json.key("event_id"); json.string(event.eventID)
            json.key("recorded"); json.bool(outcome == .recorded)
            json.key("duplicate"); json.bool(outcome == .duplicate)
            json.key("journaled"); json.bool(outcome == .journaled)
            if outcome == .unknownCampaign { json.key("error"); json.string("unknown_campaign") }
            json.endObject()
        }
        if batch {
            json.endArray()
            json.endObject()
        }
        let journaled = outcomes.contains(.journaled)
        return Response(status: journaled ? .accepted : .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
