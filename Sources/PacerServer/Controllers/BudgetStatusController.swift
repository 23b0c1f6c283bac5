import Foundation
import Hummingbird
import NIOCore
import PacingEngine

/// `GET /v1/budget/status/{id}`: today's budget, spend, target and breaker from this instance's cache.
struct BudgetStatusController: Sendable {
    let store: CampaignStore
    let clock: any PacerClock

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.get("/budget/status/{id}") { _, context in try status(context.parameters) }
    }

    func status(_ parameters: Parameters) throws -> Response {
        let id = try CampaignController.id(parameters)
        guard let (status, record) = store.status(id, now: clock.now()) else {
            throw Problem.notFound("no campaign \(id.uuidString.lowercased())")
        }
        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("campaign_id"); json.string(id.uuidString.lowercased())
        json.key("day"); json.string(status.day.iso)
        json.key("timezone"); json.string(record.config.timeZoneIdentifier)
        json.key("currency"); json.string(record.config.currency)
        json.key("pacing"); json.string(status.pacing.rawValue)
        json.key("status"); json.string(record.config.status.rawValue)
        json.key("daily_budget_cents"); json.cents(status.dayBudget)
        json.key("spent_today_cents"); json.cents(status.spentToday)
        json.key("reserved_cents"); json.cents(status.reserved)
        json.key("remaining_today_cents"); json.cents(status.remainingToday)
        json.key("target_spent_cents"); json.cents(status.targetSpent)
        json.key("total_spent_cents"); json.cents(status.totalSpent)
        json.key("throttle"); json.ratio(status.throttle)
        json.key("breaker"); json.string(status.breaker.rawValue)
        json.key("breaker_override"); json.string(CampaignRecord.column(for: status.breakerOverride))
        json.key("day_elapsed"); json.ratio(status.elapsedFraction)
        json.key("lease_cents"); json.cents(status.ceiling)
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
