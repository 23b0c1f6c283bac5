import Foundation
import Hummingbird
import NIOCore

/// The OpenAPI 3.1 document of every route (`GET /openapi.json`), built from `APIOperation.all`
/// and `OpenAPISchemas`. Every operation may also answer with a problem document (`default`),
/// and every `/v1` operation needs a bearer token; `x-roles` names the token roles it admits.
enum OpenAPIDocument {
    /// The document as JSON bytes, keys sorted.
    static let bytes: [UInt8] = {
        let data = (try? JSONSerialization.data(withJSONObject: object(), options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }()

    /// `METHOD /path` of every documented operation.
    static var routes: Set<String> {
        Set(APIOperation.all.map { "\($0.method) \($0.path)" })
    }

    static func addRoutes<Context: RequestContext>(to router: RouterGroup<Context>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    private static func parse(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? [String: Any]()
    }

    static func object() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in APIOperation.all {
            paths[operation.path, default: [:]][operation.method.lowercased()] = describe(operation)
        }
        var components: [String: Any] = ["schemas": parse(OpenAPISchemas.json)]
        components["securitySchemes"] = ["bearer": ["type": "http", "scheme": "bearer"]]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Pacer",
                "version": "1.0.0",
                "description": "Budget and click pacing. Roles: admin (everything), read_only (GET of everything under /v1 except tokens), bidder (POST /v1/decide and /v1/spend).",
            ],
            "paths": paths,
            "components": components,
        ]
    }

    private static func describe(_ operation: APIOperation) -> [String: Any] {
        var result: [String: Any] = [
            "summary": operation.summary,
            "tags": [operation.tag],
            "operationId": operationID(operation),
        ]
        var parameters: [[String: Any]] = []
        for part in operation.path.split(separator: "/") where part.hasPrefix("{") {
            let name = String(part.dropFirst().dropLast())
            let schema: [String: Any] = name == "id" ? ["type": "string", "format": "uuid"] : ["type": "string"]
            parameters.append(["name": name, "in": "path", "required": true, "schema": schema])
        }
        for query in operation.query {
            parameters.append(["name": query.name, "in": "query", "required": false, "schema": parse(query.schema), "description": query.description])
        }
        if operation.method == "PUT" || operation.path.hasSuffix("/pause") || operation.path.hasSuffix("/resume") {
            parameters.append(["name": "If-Match", "in": "header", "required": false, "schema": ["type": "string", "pattern": #"^(W/)?"[0-9]+"$"#], "description": "The ETag (version) last read; a stale one is a 409."])
        }
        if !parameters.isEmpty { result["parameters"] = parameters }
        if let body = operation.body {
            result["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(body)]]]
        } else if let media = operation.bodyMedia {
            var content: [String: Any] = [:]
            for type in media.split(separator: ",") { content[String(type)] = ["schema": ["type": "string"]] }
            result["requestBody"] = ["required": true, "content": content]
        }
        var responses: [String: Any] = [:]
        var success: [String: Any] = ["description": "Success."]
        if let type = operation.contentType {
            var content: [String: Any] = [:]
            for media in type.split(separator: ",") { content[String(media)] = ["schema": ["type": "string"]] }
            success["content"] = content
        } else if let schema = operation.success.schema {
            success["content"] = ["application/json": ["schema": ref(schema)]]
        }
        responses[String(operation.success.status)] = success
        if let also = operation.alsoSuccess { responses[String(also)] = success }
        let problem: [String: Any] = ["application/problem+json": ["schema": ref("Problem")]]
        for status in operation.problems + (operation.secured ? [503] : []) where responses[String(status)] == nil {
            responses[String(status)] = ["description": HTTPResponse.Status(code: status).reasonPhrase, "content": problem]
        }
        responses["default"] = ["description": "An error, as a problem document.", "content": problem]
        result["responses"] = responses
        if operation.secured {
            result["security"] = [["bearer": [String]()]]
            // Which token roles may call it, from the same rule the server enforces.
            let method = HTTPRequest.Method(operation.method) ?? .get
            result["x-roles"] = Role.allCases.filter { $0.allows(method, path: operation.path) }.map(\.rawValue)
        } else {
            result["security"] = [[String: Any]]()
        }
        return result
    }

    private static func ref(_ name: String) -> [String: Any] {
        ["$ref": "#/components/schemas/\(name)"]
    }

    private static func operationID(_ operation: APIOperation) -> String {
        let words = operation.path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return operation.method.lowercased() + words.joined()
    }
}
