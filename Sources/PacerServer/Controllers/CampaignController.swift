import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// `/v1/campaigns`: create, list, read, replace and archive campaigns. Every change reaches this
/// instance's cache before the response is sent.
struct CampaignController: Sendable {
    let repository: CampaignRepository
    let store: CampaignStore
    let keeper: LeaseKeeper
    let clock: any PacerClock
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/campaigns") { request, _ in try await create(request) }
        group.get("/campaigns") { request, _ in try await list(request) }
        group.get("/campaigns/{id}") { _, context in try await read(context.parameters) }
        group.put("/campaigns/{id}") { request, context in try await replace(request, context.parameters) }
        group.delete("/campaigns/{id}") { _, context in try await archive(context.parameters) }
    }

    static func id(_ parameters: Parameters) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no campaign with that id (ids are UUIDs)")
        }
        return id
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let config = try CampaignInput.config(from: body, id: UUID())
        let record = try await database { try await repository.insert(config) }
        store.apply(record, spentToday: 0, spentBefore: 0, now: clock.now())
        // Lease it at once so that it can be decided now; if that fails the keeper's next round will.
        do { try await keeper.refresh(only: [config.id]) } catch { logger.warning("first lease deferred", metadata: ["db.error": "\(error)"]) }
        logger.info("campaign created", metadata: ["campaign.id": "\(config.id)"])
        return Self.json(record, status: .created, headers: [.location: "/v1/campaigns/\(config.id.uuidString.lowercased())"])
    }

    /// A page of campaigns (`limit`, `cursor`), archived ones included, with `next_cursor`.
    func list(_ request: Request) async throws -> Response {
        let page = try Page.from(request)
        let records = try await database { try await repository.page(limit: page.limit + 1, after: page.after) }
        return page.response("campaigns", records, id: \.config.id, bytesPerItem: 600) { record, json in record.write(to: &json) }
    }

    func read(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let record = try await database({ try await repository.find(id) }) else {
            throw Problem.notFound("no campaign \(id.uuidString.lowercased())")
        }
        return Self.json(record, status: .ok)
    }

    func replace(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let config = try CampaignInput.config(from: body, id: id)
        let expectedVersion = try CampaignControlController.expectedVersion(request, body: body)
        guard let record = try await database({ try await repository.update(config, expectedVersion: expectedVersion) }) else {
            guard let existing = try await database({ try await repository.find(id) }), existing.config.status != .archived else {
                throw Problem.notFound("no campaign \(id.uuidString.lowercased())")
            }
            throw Problem.conflict("the campaign was changed by someone else (now version \(existing.version)); read it again and retry")
        }
        store.apply(record, spentToday: 0, spentBefore: 0, now: clock.now())
        do { try await keeper.refresh(only: [id]) } catch { logger.warning("lease refresh deferred", metadata: ["db.error": "\(error)"]) }
        return Self.json(record, status: .ok)
    }

    func archive(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let record = try await database({ try await repository.archive(id) }) else {
            throw Problem.notFound("no active campaign \(id.uuidString.lowercased())")
        }
        store.apply(record, spentToday: 0, spentBefore: 0, now: clock.now())
        return Self.json(record, status: .ok)
    }

    static func json(_ record: CampaignRecord, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var json = JSONWriter(capacity: 700)
        record.write(to: &json)
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.eTag] = "\"\(record.version)\""
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// Runs a database call, turning connection trouble into a 503 problem and bad rows into 400.
    func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("campaign", rejected: "campaign", logger: logger, body)
    }
}
