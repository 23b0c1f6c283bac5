import Foundation
import Hummingbird
import Metrics
import NIOCore
import PacingEngine
import PostgresClient

/// `POST /v1/decide`: bid decisions from memory, never waiting for PostgreSQL.
struct DecisionController: Sendable {
    let store: CampaignStore
    let pool: PostgresPool
    let clock: any PacerClock
    let bodyLimit: Int
    var load: LoadMonitor? = nil
    let latency = Metrics.Timer(label: "pacer_decision_latency_seconds", preferredDisplayUnit: .seconds)

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/decide") { request, _ in try await decide(request) }
        group.post("/decide/direct") { request, _ in try await decideInDatabase(request) }
    }

    /// The per-request-database peer of `decide`, for the benchmark: one `pacer.check_bid` call
    /// per bid. Not for production use: it waits for PostgreSQL on every request.
    func decideInDatabase(_ request: Request) async throws -> Response {
        let body = try await RequestBody.collect(request, limit: bodyLimit)
        let (requests, _) = try body.withUnsafeReadableBytes { raw in
            try DecideRequest.parse(raw.bindMemory(to: UInt8.self))
        }
        guard requests.count == 1 else { throw Problem.badRequest("/v1/decide/direct takes one request") }
        let item = requests[0]
        let now = clock.now()
        let row: (Bool, String)
        do {
            row = try await pool.run { connection in
                let row = try connection.query("SELECT allow, reason FROM pacer.check_bid($1, $2, $3)", [item.campaignID, item.bid, now]).single()
                return (try row.decode(Bool.self, at: 0), try row.decode(String.self, at: 1))
            }
        } catch is PostgresError {
            throw Problem.databaseUnavailable
        }
        var json = JSONWriter(capacity: 96)
        json.beginObject()
        json.key("allow"); json.bool(row.0)
        json.key("reason"); json.string(row.1)
        json.key("throttle"); json.ratio(0)
        json.key("breaker"); json.string(row.1 == "breaker_open" ? "open" : "closed")
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    func decide(_ request: Request) async throws -> Response {
        let entered = ContinuousClock.now
        let body = try await RequestBody.collect(request, limit: bodyLimit)
        let started = ContinuousClock.now
        let (requests, batch) = try body.withUnsafeReadableBytes { raw in
            try DecideRequest.parse(raw.bindMemory(to: UInt8.self))
        }
        let now = clock.now()
        var json = JSONWriter(capacity: batch ? 80 * requests.count + 16 : 96)
        if batch {
            json.beginObject()
            json.key("decisions")
            json.beginArray()
        }
        for item in requests {
            let decision = store.decide(campaignID: item.campaignID, bid: item.bid, requestID: item.requestID, now: now)
            json.beginObject()
            json.key("allow"); json.bool(decision.allow)
            json.key("reason"); json.string(decision.reason.rawValue)
            json.key("throttle"); json.ratio(decision.throttle)
            json.key("breaker"); json.string(decision.breaker.rawValue)
            json.endObject()
        }
        if batch {
            json.endArray()
            json.endObject()
        }
        let finished = ContinuousClock.now
        latency.recordNanoseconds(Int64((finished - started) / .nanoseconds(1)))
        // The load signal includes reading the body: it grows when the server falls behind.
        load?.record(nanoseconds: Int64((finished - entered) / .nanoseconds(1)))
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
