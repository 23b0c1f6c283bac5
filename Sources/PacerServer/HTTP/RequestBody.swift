import Hummingbird
import NIOCore

/// Reading JSON request bodies: the content type must be JSON (415), the body at most `limit`
/// bytes (413), and the document well-formed (400).
enum RequestBody {
    /// Default largest body accepted (`PACER_MAX_BODY_BYTES`).
    static let defaultLimit = 1 << 20

    /// Collects the body after checking its content type.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let type = request.headers[.contentType] {
            let mediaType = (type.split(separator: ";").first?.trimmingHeaderWhitespace).map { $0.lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw Problem(
                    status: .unsupportedMediaType, title: "Unsupported Media Type",
                    detail: "send the body as application/json, not \(mediaType)")
            }
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge(limit)
        }
    }

    /// Collects and parses the body as a JSON document.
    static func json(_ request: Request, limit: Int) async throws -> JSONValue {
        let buffer = try await collect(request, limit: limit)
        do {
            return try buffer.withUnsafeReadableBytes { raw in
                try JSONValue.parse(raw.bindMemory(to: UInt8.self))
            }
        } catch let error as JSONSyntaxError {
            throw Problem.badRequest("malformed JSON: \(error)")
        }
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(status: .contentTooLarge, title: "Content Too Large", detail: "request bodies are limited to \(limit) bytes")
    }
}
