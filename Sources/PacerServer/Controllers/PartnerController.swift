import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresClient

/// `/v1/partners`: create, list, read, replace, archive, pause and resume click partners.
/// Header values are write-only: responses and logs carry their names only.
struct PartnerController: Sendable {
    let repository: PartnerRepository
    let clock: any PacerClock
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/partners") { request, _ in try await create(request) }
        group.get("/partners") { request, _ in try await list(request) }
        group.get("/partners/{id}") { _, context in try await read(context.parameters) }
        group.put("/partners/{id}") { request, context in try await replace(request, context.parameters) }
        group.delete("/partners/{id}") { _, context in try await setStatus(context.parameters, "archived") }
        group.post("/partners/{id}/pause") { _, context in try await setStatus(context.parameters, "paused") }
        group.post("/partners/{id}/resume") { _, context in try await setStatus(context.parameters, "active") }
    }

    static func id(_ parameters: Parameters) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no partner with that id (ids are UUIDs)")
        }
        return id
    }

    func create(_ request: Request) async throws -> Response {
        let input = try PartnerInput.parse(try await RequestBody.json(request, limit: bodyLimit))
        let record = try await database { try await repository.insert(input, now: clock.now()) }
        logger.info("partner created", metadata: ["partner.id": "\(record.id)", "partner.headers": "\(record.headers.map(\.name))"])
        return Self.json(record, status: .created, headers: [.location: "/v1/partners/\(record.id.uuidString.lowercased())"])
    }

    /// A page of partners (`limit`, `cursor`) in creation order, with `next_cursor`.
    func list(_ request: Request) async throws -> Response {
        let page = try Page.from(request)
        let records = try await database { try await repository.page(limit: page.limit + 1, after: page.after) }
        return page.response("partners", records, id: \.id, bytesPerItem: 400) { record, json in record.write(to: &json) }
    }

    func read(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let record = try await database({ try await repository.find(id) }) else {
            throw Problem.notFound("no partner \(id.uuidString.lowercased())")
        }
        return Self.json(record, status: .ok)
    }

    func replace(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let input = try PartnerInput.parse(body)
        // The same rules as for campaigns: a malformed If-Match or version is a 400, never ignored.
        let expectedVersion = try CampaignControlController.expectedVersion(request, body: body)
        guard let record = try await database({ try await repository.update(id, input, expectedVersion: expectedVersion, now: clock.now()) }) else {
            guard let existing = try await database({ try await repository.find(id) }), existing.status != "archived" else {
                throw Problem.notFound("no partner \(id.uuidString.lowercased())")
            }
            throw Problem.conflict("the partner was changed by someone else (now version \(existing.version)); read it again and retry")
        }
        return Self.json(record, status: .ok)
    }

    func setStatus(_ parameters: Parameters, _ status: String) async throws -> Response {
        let id = try Self.id(parameters)
        guard let record = try await database({ try await repository.setStatus(id, status, now: clock.now()) }) else {
            throw Problem.notFound("no partner \(id.uuidString.lowercased())")
        }
        logger.info("partner status changed", metadata: ["partner.id": "\(id)", "partner.status": "\(status)"])
        return Self.json(record, status: .ok)
    }

    static func json(_ record: PartnerRecord, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var json = JSONWriter(capacity: 500)
        record.write(to: &json)
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.eTag] = "\"\(record.version)\""
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// Runs a database call, turning connection trouble into a 503 problem and bad rows into 400.
    func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("partner", rejected: "partner", secretValues: true, logger: logger, body)
    }
}
