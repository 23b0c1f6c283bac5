import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// Operator switches: pause and resume a campaign, its kill switch (force the breaker open or
/// closed, or back to automatic) and the global kill switch over every campaign. Each change
/// applies to this instance before the response and reaches the others by NOTIFY. An `If-Match`
/// header (or a `version` in the body) makes the change conditional: a stale version is a 409.
struct CampaignControlController: Sendable {
    let repository: CampaignRepository
    let store: CampaignStore
    let keeper: LeaseKeeper
    let clock: any PacerClock
    let bodyLimit: Int
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/campaigns/{id}/pause") { request, context in try await setStatus(.paused, request, context.parameters) }
        group.post("/campaigns/{id}/resume") { request, context in try await setStatus(.active, request, context.parameters) }
        group.put("/campaigns/{id}/kill-switch") { request, context in try await setOverride(request, context.parameters) }
        group.get("/kill-switch") { _, _ in try await global() }
        group.put("/kill-switch") { request, _ in try await setGlobal(request) }
    }

    func setStatus(_ status: CampaignStatus, _ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try CampaignController.id(parameters)
        let version = try Self.expectedVersion(request, body: nil)
        let record = try await changed(id) { try await repository.setStatus(id, to: status, expectedVersion: version) }
        // A paused campaign keeps no slice; a resumed one needs one before its next bid.
        do { try await keeper.refresh(only: [id]) } catch { logger.warning("lease refresh deferred", metadata: ["db.error": "\(error)"]) }
        logger.info("campaign status set", metadata: ["campaign.id": "\(id)", "campaign.status": "\(status.rawValue)"])
        return CampaignController.json(record, status: .ok)
    }

    func setOverride(_ request: Request, _ parameters: Parameters) async throws -> Response {
        let id = try CampaignController.id(parameters)
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let override = try Self.override(in: body)
        let version = try Self.expectedVersion(request, body: body)
        let record = try await changed(id) { try await repository.setOverride(id, to: override, expectedVersion: version) }
        logger.info("campaign kill switch set", metadata: ["campaign.id": "\(id)", "breaker.override": "\(CampaignRecord.column(for: override))"])
        return CampaignController.json(record, status: .ok)
    }

    func global() async throws -> Response {
        Self.json(try await database { try await repository.globalControls() })
    }

    func setGlobal(_ request: Request) async throws -> Response {
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let override = try Self.override(in: body)
        let version = try Self.expectedVersion(request, body: body)
        guard let controls = try await database({ try await repository.setGlobalOverride(override, expectedVersion: version) }) else {
            throw Problem.conflict("the global kill switch was changed by someone else; read it again and retry")
        }
        store.setGlobalOverride(controls.breakerOverride)
        logger.notice("global kill switch set", metadata: ["breaker.override": "\(CampaignRecord.column(for: override))"])
        return Self.json(controls)
    }

    /// Runs a conditional campaign update; 404 for no such campaign, 422 for an archived one, 409
    /// for a stale version.
    private func changed(_ id: UUID, _ update: () async throws -> CampaignRecord?) async throws -> CampaignRecord {
        guard let record = try await database(update) else {
            guard let existing = try await database({ try await repository.find(id) }) else {
                throw Problem.notFound("no campaign \(id.uuidString.lowercased())")
            }
            guard existing.config.status != .archived else {
                throw Problem.unprocessable("campaign \(id.uuidString.lowercased()) is archived; archived campaigns cannot be paused, resumed or switched")
            }
            throw Problem.conflict("the campaign was changed by someone else (now version \(existing.version)); read it again and retry")
        }
        store.apply(record, spentToday: 0, spentBefore: 0, now: clock.now())
        return record
    }

    /// The version the client last saw: `If-Match` (an ETag such as `"3"`), else `version` in the body.
    static func expectedVersion(_ request: Request, body: JSONValue?) throws -> Int64? {
        if let ifMatch = request.headers[.ifMatch] {
            let digits = ifMatch.filter(\.isNumber)
            guard !digits.isEmpty, let version = Int64(digits) else {
                throw Problem.badRequest("If-Match must be an ETag this server sent, such as \"3\"", errors: [FieldProblem(field: "If-Match", message: "is not a version")])
            }
            return version
        }
        guard let body, let value = body["version"], value != .null else { return nil }
        guard case .number(let text) = value, let version = Int64(text), version > 0 else {
            throw Problem.invalid([FieldProblem(field: "version", message: "must be a positive integer")])
        }
        return version
    }

    static func override(in body: JSONValue) throws -> BreakerOverride {
        guard case .object = body else { throw Problem.badRequest("the body must be a JSON object") }
        var reader = FieldReader(body: body)
        let text = reader.string("override", required: true)
        switch text {
        case "open": return .forceOpen
        case "closed": return .forceClosed
        case "none": return .none
        default:
            if text != nil { reader.problems.append(FieldProblem(field: "override", message: "must be one of open, closed, none")) }
            throw Problem.invalid(reader.problems)
        }
    }

    static func json(_ controls: GlobalControls) -> Response {
        var json = JSONWriter(capacity: 160)
        json.beginObject()
        json.key("override"); json.string(CampaignRecord.column(for: controls.breakerOverride))
        json.key("updated_at"); json.string(CampaignRecord.timestamp(controls.updatedAt))
        json.key("version"); json.integer(controls.version)
        json.endObject()
        return Response(
            status: .ok, headers: [.contentType: "application/json", .eTag: "\"\(controls.version)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    private func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("campaign control", logger: logger, body)
    }
}
