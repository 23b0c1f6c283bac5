import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// `/v1/tokens` (admin only): create a bearer token with a role (the token is shown once), list
/// tokens, revoke one. Changes reach this instance's token cache before the response is sent.
struct TokenController: Sendable {
    let repository: TokenRepository
    let tokens: TokenCache
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/tokens") { request, _ in try await create(request) }
        group.get("/tokens") { request, _ in try await list(request) }
        group.delete("/tokens/{id}") { _, context in try await revoke(context.parameters) }
    }

    func create(_ request: Request) async throws -> Response {
        let body = try await RequestBody.json(request, limit: bodyLimit)
        guard case .object = body else { throw Problem.badRequest("the body must be a JSON object") }
        var reader = FieldReader(body: body)
        let name = reader.string("name", required: true)
        let roleText = reader.string("role", required: true)
        if let name, name.isEmpty || name.count > 200 || name.contains("\u{0}") {
            reader.problems.append(FieldProblem(field: "name", message: "must be 1 to 200 characters"))
        }
        let role = roleText.flatMap(Role.init(rawValue:))
        if roleText != nil, role == nil {
            reader.problems.append(FieldProblem(field: "role", message: "must be one of admin, read_only, bidder"))
        }
        guard reader.problems.isEmpty, let name, let role else { throw Problem.invalid(reader.problems) }
        let token = Self.newToken()
        let record = try await database { try await repository.insert(name: name, role: role, digest: TokenCache.digest(token)) }
        try? await tokens.refresh()
        logger.info("token created", metadata: ["token.id": "\(record.id)", "token.role": "\(role.rawValue)"])
        var json = JSONWriter(capacity: 300)
        json.beginObject()
        json.key("id"); json.string(record.id.uuidString.lowercased())
        json.key("token"); json.string(token)
        json.key("name"); json.string(record.name)
        json.key("role"); json.string(record.role.rawValue)
        json.key("created_at"); json.string(CampaignRecord.timestamp(record.createdAt))
        json.endObject()
        return Response(
            status: .created,
            headers: [.contentType: "application/json", .location: "/v1/tokens/\(record.id.uuidString.lowercased())", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    func list(_ request: Request) async throws -> Response {
        let page = try Page.from(request)
        let records = try await database { try await repository.list(limit: page.limit + 1, after: page.after) }
        return page.response("tokens", records, id: \.id, bytesPerItem: 200) { record, json in record.write(to: &json) }
    }

    func revoke(_ parameters: Parameters) async throws -> Response {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no token with that id (ids are UUIDs)")
        }
        guard let record = try await database({ try await repository.revoke(id) }) else {
            throw Problem.notFound("no live token \(id.uuidString.lowercased())")
        }
        try? await tokens.refresh()
        logger.info("token revoked", metadata: ["token.id": "\(id)"])
        var json = JSONWriter(capacity: 300)
        record.write(to: &json)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// 32 bytes from the system's cryptographic generator, as `pacer_` and 64 hex digits.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "pacer_" + TokenCache.hex(bytes)
    }

    func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("token", logger: logger, body)
    }
}
