/// The HTTP body of a batch in its partner's format: `json` (one array), `ndjson` (one object a
/// line) or `csv` (a header row, then one row per click; the upload's column order for CSV
/// uploads, else the keys in order of first appearance).
enum BatchBody {
    /// The body and its content type. Throws when the stored payload is not a JSON array.
    static func render(payload: String, format: String, columns: [String]?) throws -> (bytes: [UInt8], contentType: String) {
        switch format {
        case "ndjson":
            var out: [UInt8] = []
            out.reserveCapacity(payload.utf8.count)
            for click in try clicks(payload) {
                var json = JSONWriter(capacity: 128)
                write(click, to: &json)
                out.append(contentsOf: json.bytes)
                out.append(0x0A)
            }
            return (out, "application/x-ndjson")
        case "csv":
            let rows = try clicks(payload)
            var names = columns ?? []
            if columns == nil {
                var seen = Set<String>()
                for case .object(let members) in rows {
                    for member in members where seen.insert(member.key).inserted { names.append(member.key) }
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(payload.utf8.count)
            appendRow(names, to: &out)
            for row in rows {
                appendRow(names.map { name in row[name].map(cell) ?? "" }, to: &out)
            }
            return (out, "text/csv; charset=utf-8")
        default:
            return (Array(payload.utf8), "application/json")
        }
    }

    static func clicks(_ payload: String) throws -> [JSONValue] {
        guard case .array(let items) = try JSONValue.parse(Array(payload.utf8)) else {
            throw JSONSyntaxError(message: "a batch payload must be a JSON array", offset: 0)
        }
        return items
    }

    /// A CSV cell: strings as they are, other values as JSON text, null as empty.
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        default:
            var json = JSONWriter(capacity: 32)
            write(value, to: &json)
            return String(decoding: json.bytes, as: UTF8.self)
        }
    }

    static func appendRow(_ cells: [String], to out: inout [UInt8]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if cell.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                out.append(UInt8(ascii: "\""))
                for byte in cell.utf8 {
                    if byte == UInt8(ascii: "\"") { out.append(byte) }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: cell.utf8)
            }
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Writes a parsed JSON value back out (numbers keep their text).
    static func write(_ value: JSONValue, to json: inout JSONWriter) {
        switch value {
        case .object(let members):
            json.beginObject()
            for member in members {
                json.key(member.key)
                write(member.value, to: &json)
            }
            json.endObject()
        case .array(let items):
            json.beginArray()
            for item in items { write(item, to: &json) }
            json.endArray()
        case .string(let text): json.string(text)
        case .number(let text): json.rawNumber(text)
        case .bool(let flag): json.bool(flag)
        case .null: json.null()
        }
    }
}
