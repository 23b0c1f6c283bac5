import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// `/v1/datasets`: streamed click uploads, their progress, and the operator actions (pause,
/// resume, cancel, retry dead batches).
struct DatasetController: Sendable {
    let repository: DatasetRepository
    let ingest: DatasetIngest
    let clock: any PacerClock
    let logger: Logger

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.post("/datasets") { request, _ in try await upload(request) }
        group.get("/datasets") { request, _ in try await list(request) }
        group.get("/datasets/{id}") { _, context in try await read(context.parameters) }
        group.post("/datasets/{id}/pause") { _, context in try await transition(context.parameters, from: "queued", to: "paused") }
        group.post("/datasets/{id}/resume") { _, context in try await transition(context.parameters, from: "paused", to: "queued") }
        group.post("/datasets/{id}/cancel") { _, context in try await cancel(context.parameters) }
        group.post("/datasets/{id}/retry") { _, context in try await retry(context.parameters) }
    }

    static func id(_ parameters: Parameters) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no dataset with that id (ids are UUIDs)")
        }
        return id
    }

    func upload(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var problems: [FieldProblem] = []
        let campaign = query.get("campaign_id").flatMap(UUID.init(uuidString:))
        if campaign == nil { problems.append(FieldProblem(field: "campaign_id", message: "is required, as a UUID")) }
        let partner = query.get("partner_id").flatMap(UUID.init(uuidString:))
        if partner == nil { problems.append(FieldProblem(field: "partner_id", message: "is required, as a UUID")) }
        let format = query.get("format").flatMap(ClickUploadParser.Format.init(rawValue:))
        if format == nil { problems.append(FieldProblem(field: "format", message: "must be ndjson or csv")) }
        let policy = query.get("on_error") ?? "reject"
        if policy != "reject" && policy != "skip" { problems.append(FieldProblem(field: "on_error", message: "must be reject or skip")) }
        guard let campaign, let partner, let format, problems.isEmpty else { throw Problem.invalid(problems) }

        let exists = try await database { try await repository.uploadTargets(campaign: campaign, partner: partner) }
        guard exists.campaign else { throw Problem.notFound("no campaign \(campaign.uuidString.lowercased())") }
        guard exists.partner else { throw Problem.notFound("no partner \(partner.uuidString.lowercased())") }

        let target = DatasetIngest.Target(campaignID: campaign, partnerID: partner, format: format, rejectOnError: policy == "reject")
        let outcome = try await database { try await ingest.ingest(request.body, target: target) }
        var json = JSONWriter(capacity: 256 + 80 * outcome.errors.count)
        json.beginObject()
        if outcome.status == "failed" {
            json.key("type"); json.string("about:blank")
            json.key("title"); json.string("Unprocessable Content")
            json.key("status"); json.integer(422)
            json.key("detail"); json.string("the upload has malformed rows and was rejected whole (on_error=reject); nothing was queued")
        }
        json.key("id"); json.string(outcome.id.uuidString.lowercased())
        json.key(outcome.status == "failed" ? "dataset_status" : "status"); json.string(outcome.status)
        json.key("rows_accepted"); json.integer(Int64(outcome.accepted))
        json.key("rows_rejected"); json.integer(Int64(outcome.rejected))
        json.key("batch_count"); json.integer(Int64(outcome.batches))
        json.key("errors"); DatasetIngest.write(outcome.errors, to: &json)
        json.endObject()
        let failed = outcome.status == "failed"
        return Response(
            status: failed ? .unprocessableContent : .created,
            headers: [
                .contentType: failed ? "application/problem+json" : "application/json",
                .location: "/v1/datasets/\(outcome.id.uuidString.lowercased())",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var problems: [FieldProblem] = []
        let campaign = try Self.optionalUUID(query.get("campaign_id"), "campaign_id", &problems)
        let partner = try Self.optionalUUID(query.get("partner_id"), "partner_id", &problems)
        let page = Page.from(request, problems: &problems)
        if !problems.isEmpty { throw Problem.invalid(problems) }
        let (array, last) = try await database { try await repository.datasets(campaign: campaign, partner: partner, page: page) }
        return Self.json(#"{"datasets":"# + array + #","next_cursor":"# + Self.cursorJSON(after: last) + "}")
    }

    func read(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let text = try await database({ try await repository.dataset(id) }) else {
            throw Problem.notFound("no dataset \(id.uuidString.lowercased())")
        }
        return Self.json(text)
    }

    func transition(_ parameters: Parameters, from: String, to: String) async throws -> Response {
        let id = try Self.id(parameters)
        guard let result = try await database({ try await repository.transition(id, from: from, to: to, now: clock.now()) }) else {
            throw Problem.notFound("no dataset \(id.uuidString.lowercased())")
        }
        guard result.moved else { throw Problem.conflict("the dataset is \(result.status); only a \(from) dataset can become \(to)") }
        logger.info("dataset status changed", metadata: ["dataset.id": "\(id)", "dataset.status": "\(to)"])
        return try await read(parameters)
    }

    func cancel(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let status = try await database({ try await repository.status(id) }) else {
            throw Problem.notFound("no dataset \(id.uuidString.lowercased())")
        }
        if status == "failed" || status == "cancelled" {
            throw Problem.conflict("the dataset is \(status) already")
        }
        let count = try await database { try await repository.cancel(id, actor: "operator", now: clock.now()) } ?? 0
        logger.info("dataset cancelled", metadata: ["dataset.id": "\(id)", "batches.cancelled": "\(count)"])
        return try await read(parameters)
    }

    func retry(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard try await database({ try await repository.status(id) }) != nil else {
            throw Problem.notFound("no dataset \(id.uuidString.lowercased())")
        }
        let count = try await database { try await repository.retry(dataset: id, batch: nil, actor: "operator", now: clock.now()) }
        logger.info("dead batches retried", metadata: ["dataset.id": "\(id)", "batches.retried": "\(count)"])
        return Self.json(#"{"retried":\#(count)}"#)
    }

    static func optionalUUID(_ text: String?, _ field: String, _ problems: inout [FieldProblem]) throws -> UUID? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else {
            problems.append(FieldProblem(field: field, message: "must be a UUID"))
            return nil
        }
        return id
    }

    /// `next_cursor` as JSON: the cursor after `last`, or null on the last page.
    static func cursorJSON(after last: UUID?) -> String {
        last.map { "\"" + Page.cursor(after: $0) + "\"" } ?? "null"
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs a database call, turning connection trouble into a 503 problem.
    func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("dataset", rejected: "upload", logger: logger, body)
    }
}
