import Foundation
import Hummingbird
import Logging
import NIOCore
import PacingEngine
import PostgresClient

/// `/v1/batches`: the delivery queue by state, one batch, its audit trail, and retrying a dead one.
struct BatchController: Sendable {
    let repository: DatasetRepository
    let clock: any PacerClock
    let logger: Logger

    static let states: Set<String> = ["pending", "leased", "delivered", "retrying", "dead", "cancelled"]

    func addRoutes(to group: RouterGroup<some RequestContext>) {
        group.get("/batches") { request, _ in try await list(request) }
        group.get("/batches/{id}") { _, context in try await read(context.parameters) }
        group.get("/batches/{id}/events") { _, context in try await events(context.parameters) }
        group.post("/batches/{id}/retry") { _, context in try await retry(context.parameters) }
    }

    static func id(_ parameters: Parameters) throws -> UUID {
        guard let text = parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no batch with that id (ids are UUIDs)")
        }
        return id
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var problems: [FieldProblem] = []
        var state: String?
        if let text = query.get("state"), !text.isEmpty {
            if Self.states.contains(text) { state = text } else {
                problems.append(FieldProblem(field: "state", message: "must be one of pending, leased, delivered, retrying, dead, cancelled"))
            }
        }
        let partner = try DatasetController.optionalUUID(query.get("partner_id"), "partner_id", &problems)
        let dataset = try DatasetController.optionalUUID(query.get("dataset_id"), "dataset_id", &problems)
        let page = Page.from(request, problems: &problems)
        if !problems.isEmpty { throw Problem.invalid(problems) }
        let (array, last) = try await database { try await repository.batches(state: state, partner: partner, dataset: dataset, page: page) }
        return DatasetController.json(#"{"batches":"# + array + #","next_cursor":"# + DatasetController.cursorJSON(after: last) + "}")
    }

    func read(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let text = try await database({ try await repository.batch(id) }) else {
            throw Problem.notFound("no batch \(id.uuidString.lowercased())")
        }
        return DatasetController.json(text)
    }

    func events(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        guard let array = try await database({ try await repository.events(id) }) else {
            throw Problem.notFound("no batch \(id.uuidString.lowercased())")
        }
        return DatasetController.json(#"{"batch_id":"\#(id.uuidString.lowercased())","events":"# + array + "}")
    }

    func retry(_ parameters: Parameters) async throws -> Response {
        let id = try Self.id(parameters)
        let count = try await database { try await repository.retry(dataset: nil, batch: id, actor: "operator", now: clock.now()) }
        guard count > 0 else {
            guard try await database({ try await repository.batch(id) }) != nil else {
                throw Problem.notFound("no batch \(id.uuidString.lowercased())")
            }
            throw Problem.conflict("only a dead batch can be retried")
        }
        logger.info("dead batch retried", metadata: ["batch.id": "\(id)"])
        return try await read(parameters)
    }

    /// Runs a database call, turning connection trouble into a 503 problem.
    func database<T>(_ body: () async throws -> T) async throws -> T {
        try await Problem.fromDatabase("batch", logger: logger, body)
    }
}
