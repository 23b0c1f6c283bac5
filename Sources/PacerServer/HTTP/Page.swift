import Foundation
import Hummingbird
import PacingEngine

/// Pagination of list routes: `limit` (default 100, 1-1000) and an opaque `cursor` from the
/// previous page's `next_cursor`. Lists are in creation order; a cursor names the last item of
/// the page before, so pages stay stable while items are added.
struct Page: Sendable {
    static let defaultLimit = 100
    static let maxLimit = 1000

    var limit: Int = Page.defaultLimit
    /// The id of the last item of the previous page.
    var after: UUID?

    /// Reads `limit` and `cursor` from the query; 400 naming the field when one is malformed.
    static func from(_ request: Request) throws -> Page {
        var errors: [FieldProblem] = []
        let page = from(request, problems: &errors)
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return page
    }

    /// Reads `limit` and `cursor` from the query, adding a problem for each malformed one (for
    /// routes that check other query fields too and name every bad one in one 400).
    static func from(_ request: Request, problems errors: inout [FieldProblem]) -> Page {
        var page = Page()
        let query = request.uri.queryParameters
        if let text = query["limit"] {
            if let limit = Int(String(text)), (1...maxLimit).contains(limit) {
                page.limit = limit
            } else {
                errors.append(FieldProblem(field: "limit", message: "must be an integer from 1 to \(maxLimit)"))
            }
        }
        if let text = query["cursor"], !text.isEmpty {
            if let id = decode(String(text)) {
                page.after = id
            } else {
                errors.append(FieldProblem(field: "cursor", message: "is not a cursor this server returned"))
            }
        }
        return page
    }

    /// The cursor that continues after the item `id`.
    static func cursor(after id: UUID) -> String {
        Data("after:\(id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func decode(_ cursor: String) -> UUID? {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8),
            plain.hasPrefix("after:")
        else { return nil }
        return UUID(uuidString: String(plain.dropFirst(6)))
    }

    /// The answer of a list route, `{"KEY": [items], "next_cursor": …}`, from `limit + 1` fetched items.
    func response<T>(_ key: String, _ fetched: [T], id: (T) -> UUID, bytesPerItem: Int, write: (T, inout JSONWriter) -> Void) -> Response {
        let (items, next) = split(fetched, id: id)
        var json = JSONWriter(capacity: bytesPerItem * items.count + 64)
        json.beginObject()
        json.key(key)
        json.beginArray()
        for item in items { write(item, &json) }
        json.endArray()
        json.key("next_cursor"); json.optionalString(next)
        json.endObject()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }

    /// Splits `limit + 1` fetched rows into the page and the cursor of the next one (nil at the end).
    func split<T>(_ items: [T], id: (T) -> UUID) -> ([T], String?) {
        guard items.count > limit else { return (items, nil) }
        let page = Array(items.prefix(limit))
        return (page, page.last.map { Self.cursor(after: id($0)) })
    }
}
