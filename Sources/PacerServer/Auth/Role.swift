import Hummingbird

/// What a bearer token may do. The rules look only at the method and the path, so routes added
/// later under `/v1` fall under them without changes:
/// - `admin`: everything;
/// - `read_only`: `GET` and `HEAD` of everything (under `/v1`, `/metrics`, `/openapi.json`) except tokens;
/// - `bidder`: `POST /v1/decide` and `POST /v1/spend`, and the API's description (`/openapi.json`).
enum Role: String, Sendable, CaseIterable {
    case admin
    case readOnly = "read_only"
    case bidder

    /// Whether this role may call `method` on `path` (a path under `/v1`, without query).
    func allows(_ method: HTTPRequest.Method, path: String) -> Bool {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        switch self {
        case .admin:
            return true
        case .readOnly:
            guard method == .get || method == .head else { return false }
            return path != "/v1/tokens" && !path.hasPrefix("/v1/tokens/")
        case .bidder:
            if method == .get || method == .head, path == "/openapi.json" { return true }
            return method == .post && (path == "/v1/decide" || path == "/v1/spend")
        }
    }
}
