import Foundation
import PacingEngine

/// A `POST`/`PUT /v1/partners` body, validated: every bad field is named in one 400.
struct PartnerInput: Sendable {
    var name: String
    var endpointURL: String
    var format: String
    var headers: [(name: String, value: String)]
    var rateLimitPerSecond: Double
    var dailyCap: Int64?
    var batchSize: Int
    var timeoutMilliseconds: Int
    var maxAttempts: Int
    var timezone: String
    var status: String

    static let knownFields: Set<String> = [
        "name", "endpoint_url", "format", "headers", "rate_limit_per_second", "daily_cap", "batch_size", "timeout_ms",
        "max_attempts", "timezone", "status", "id", "header_names", "created_at", "updated_at", "version",
    ]
    static let formats: Set<String> = ["json", "ndjson", "csv"]
    /// Headers the delivery sets itself.
    static let reservedHeaders: Set<String> = ["content-type", "content-length", "idempotency-key", "host", "transfer-encoding"]

    /// Parses `body`; throws a 400 problem listing every bad field.
    static func parse(_ body: JSONValue) throws -> PartnerInput {
        guard case .object(let members) = body else {
            throw Problem.badRequest("the body must be a JSON object, not \(body.typeName)")
        }
        var problems: [FieldProblem] = []
        for member in members where !knownFields.contains(member.key) {
            problems.append(FieldProblem(field: member.key, message: "is not a partner field"))
        }
        var reader = FieldReader(body: body)
        let name = reader.string("name", required: true)
        let url = reader.string("endpoint_url", required: true)
        let format = reader.string("format", required: true)
        let rate = reader.number("rate_limit_per_second", required: true)
        let cap = reader.integer("daily_cap")
        let batchSize = reader.integer("batch_size", required: true)
        let timeout = reader.integer("timeout_ms") ?? 5000
        let attempts = reader.integer("max_attempts") ?? 8
        let timezone = reader.string("timezone") ?? "UTC"
        let status = reader.string("status") ?? "active"
        problems += reader.problems

        var headers: [(name: String, value: String)] = []
        if let value = body["headers"], value != .null {
            if case .object(let entries) = value {
                for entry in entries {
                    guard case .string(let text) = entry.value else {
                        problems.append(FieldProblem(field: "headers.\(entry.key)", message: "must be a string"))
                        continue
                    }
                    if !isToken(entry.key) || reservedHeaders.contains(entry.key.lowercased()) {
                        problems.append(FieldProblem(field: "headers.\(entry.key)", message: "is not a header name the partner may set"))
                    } else if text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                        problems.append(FieldProblem(field: "headers.\(entry.key)", message: "must not contain line breaks"))
                    } else {
                        headers.append((entry.key, text))
                    }
                }
            } else {
                problems.append(FieldProblem(field: "headers", message: "must be an object of strings"))
            }
        }
        if let name, name.isEmpty || name.count > 200 {
            problems.append(FieldProblem(field: "name", message: "must be 1 to 200 characters"))
        }
        if let url {
            let parsed = URL(string: url)
            if parsed?.host == nil || !["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") {
                problems.append(FieldProblem(field: "endpoint_url", message: "must be an absolute http or https URL"))
            }
        }
        if let format, !formats.contains(format) {
            problems.append(FieldProblem(field: "format", message: "must be one of json, ndjson, csv"))
        }
        if let rate, !(rate > 0 && rate <= 1_000_000) {
            problems.append(FieldProblem(field: "rate_limit_per_second", message: "must be a number above 0 and at most 1000000"))
        }
        if let cap, cap < 0 { problems.append(FieldProblem(field: "daily_cap", message: "must be at least 0")) }
        if let batchSize, !(1...100_000).contains(batchSize) {
            problems.append(FieldProblem(field: "batch_size", message: "must be between 1 and 100000"))
        }
        if !(1...600_000).contains(timeout) {
            problems.append(FieldProblem(field: "timeout_ms", message: "must be between 1 and 600000"))
        }
        if !(1...100).contains(attempts) {
            problems.append(FieldProblem(field: "max_attempts", message: "must be between 1 and 100"))
        }
        if TimeZone(identifier: timezone) == nil {
            problems.append(FieldProblem(field: "timezone", message: "must be an IANA time zone name"))
        }
        if status != "active" && status != "paused" {
            problems.append(FieldProblem(field: "status", message: "must be active or paused"))
        }
        if !problems.isEmpty { throw Problem.invalid(problems) }
        return PartnerInput(
            name: name ?? "", endpointURL: url ?? "", format: format ?? "json", headers: headers,
            rateLimitPerSecond: rate ?? 1, dailyCap: cap.map(Int64.init), batchSize: batchSize ?? 1,
            timeoutMilliseconds: timeout, maxAttempts: attempts, timezone: timezone, status: status)
    }

    /// The headers as a JSON object, for the `headers` jsonb column.
    var headersJSON: String {
        var json = JSONWriter()
        json.beginObject()
        for header in headers {
            json.key(header.name)
            json.string(header.value)
        }
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// An HTTP token (RFC 9110): the characters a header name may use.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
