/// One operation of the HTTP API as the OpenAPI document describes it. The list of every
/// operation is `APIOperation.all`; `OpenAPIDocument` turns it into the served document, and a
/// test compares it with the router's routes.
struct APIOperation: Sendable {
    var method: String
    var path: String
    var summary: String
    var tag: String
    /// Schema name (under `components/schemas`) of the JSON request body, if any.
    var body: String? = nil
    /// Media types of a request body that is not JSON (streamed text), comma-separated.
    var bodyMedia: String? = nil
    /// Query parameters: name, schema (as JSON text), description.
    var query: [(name: String, schema: String, description: String)] = []
    /// Success status and its schema name (nil: no JSON body; `text/plain` etc. via `contentType`).
    var success: (status: Int, schema: String?) = (200, nil)
    /// Another success status with the same body (e.g. 202 for spend taken by the journal).
    var alsoSuccess: Int? = nil
    /// Media type(s) of the success body when it is not JSON, comma-separated.
    var contentType: String? = nil
    /// Error statuses this operation may answer with a problem document.
    var problems: [Int] = []
    /// Whether the route needs a bearer token (everything under /v1).
    var secured: Bool = true

    /// Shared by every list: `limit` and `cursor`.
    static let paging: [(name: String, schema: String, description: String)] = [
        ("limit", #"{"type":"integer","minimum":1,"maximum":1000,"default":100}"#, "Items per page."),
        ("cursor", #"{"type":"string"}"#, "`next_cursor` of the previous page."),
    ]

    static let read = [401, 403, 404]
    static let write = [400, 401, 403, 404, 409, 413, 415]
}
