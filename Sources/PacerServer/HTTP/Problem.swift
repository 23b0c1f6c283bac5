import Hummingbird
import NIOCore
import PacingEngine

/// An RFC 9457 problem document (`application/problem+json`): every error the API returns.
///
/// Database and internal error text never goes in here; it is logged instead.
struct Problem: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var title: String
    var detail: String?
    /// One entry per bad field, for 400s and 422s.
    var errors: [FieldProblem] = []
    /// Extra response headers, such as `WWW-Authenticate`.
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONWriter()
        body.beginObject()
        body.key("type"); body.string("about:blank")
        body.key("title"); body.string(title)
        body.key("status"); body.integer(Int64(status.code))
        if let detail { body.key("detail"); body.string(detail) }
        if !errors.isEmpty {
            body.key("errors")
            body.beginArray()
            for error in errors {
                body.beginObject()
                body.key("field"); body.string(error.field)
                body.key("message"); body.string(error.message)
                body.endObject()
            }
            body.endArray()
        }
        body.endObject()
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    static func badRequest(_ detail: String, errors: [FieldProblem] = []) -> Problem {
        Problem(status: .badRequest, title: "Bad Request", detail: detail, errors: errors)
    }

    static func invalid(_ errors: [FieldProblem]) -> Problem {
        Problem(status: .badRequest, title: "Invalid input", detail: "\(errors.count) field(s) are invalid", errors: errors)
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(status: .notFound, title: "Not Found", detail: detail)
    }

    static func conflict(_ detail: String) -> Problem {
        Problem(status: .conflict, title: "Conflict", detail: detail)
    }

    static func forbidden(role: Role, method: HTTPRequest.Method, path: String) -> Problem {
        Problem(status: .forbidden, title: "Forbidden", detail: "a \(role.rawValue) token may not call \(method.rawValue) \(path)")
    }

    static func unprocessable(_ detail: String) -> Problem {
        Problem(status: .unprocessableContent, title: "Unprocessable Content", detail: detail)
    }

    static func preconditionFailed(_ detail: String) -> Problem {
        Problem(status: .preconditionFailed, title: "Precondition Failed", detail: detail)
    }

    static let unauthorized = Problem(
        status: .unauthorized, title: "Unauthorized", detail: "a valid bearer token is required (Authorization: Bearer TOKEN)",
        headers: [.wwwAuthenticate: "Bearer realm=\"pacer\""])

    static let databaseUnavailable = Problem(
        status: .serviceUnavailable, title: "Service Unavailable", detail: "the database is unavailable; retry shortly")
}
