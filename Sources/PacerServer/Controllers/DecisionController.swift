import Foundation
import Hummingbird
import Metrics
import NIOCore
import PacingEngine

/// `POST /v1/decide`: bid decisions from memory, never waiting for PostgreSQL.
struct DecisionController: Sendable {
    let store: CampaignStore
    let clock: any PacerClock
    let bodyLimit: Int
    let latency = Metrics.Timer(label: "pacer_decision_latency_seconds", preferredDisplayUnit: .seconds)

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/decide") { request, _ in try await decide(request) }
    }

    func decide(_ request: Request) async throws -> Response {
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
        latency.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
