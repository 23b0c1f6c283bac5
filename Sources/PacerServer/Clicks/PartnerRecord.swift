import Foundation
import PostgresClient

/// A partner as stored: where click batches go and how fast. Header values are kept for
/// delivery only; the API shows their names.
struct PartnerRecord: Sendable {
    var id: UUID
    var name: String
    var endpointURL: String
    var format: String
    /// Extra HTTP headers, names and values. Values may be secrets: never written out or logged.
    var headers: [(name: String, value: String)]
    var rateLimitPerSecond: Double
    var dailyCap: Int64?
    var batchSize: Int
    var timeoutMilliseconds: Int
    var maxAttempts: Int
    var timezone: String
    var status: String
    var createdAt: Date
    var updatedAt: Date
    var version: Int64

    /// The columns `PartnerRepository` selects, in the order `init(row:)` reads them.
    static let columns = """
        id, name, endpoint_url, format, headers::text, rate_limit_per_second, daily_cap, batch_size, timeout_ms,
        max_attempts, timezone, status, created_at, updated_at, version
        """

    init(row: Row) throws {
        id = try row[0]
        name = try row[1]
        endpointURL = try row[2]
        format = try row[3]
        headers = Self.headers(fromJSON: try row[4])
        rateLimitPerSecond = try row[5]
        dailyCap = try row[6]
        batchSize = try row[7]
        timeoutMilliseconds = try row[8]
        maxAttempts = try row[9]
        timezone = try row[10]
        status = try row[11]
        createdAt = try row[12]
        updatedAt = try row[13]
        version = try row[14]
    }

    /// Reads the `headers` jsonb object (string values only; anything else is skipped).
    static func headers(fromJSON text: String) -> [(name: String, value: String)] {
        guard case .object(let members)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
        return members.compactMap { member in
            if case .string(let value) = member.value { return (member.key, value) }
            return nil
        }
    }

    /// The API's JSON for this partner: header names only, never their values.
    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id.uuidString.lowercased())
        json.key("name"); json.string(name)
        json.key("endpoint_url"); json.string(endpointURL)
        json.key("format"); json.string(format)
        json.key("header_names")
        json.beginArray()
        for header in headers { json.string(header.name) }
        json.endArray()
        json.key("rate_limit_per_second"); json.double(rateLimitPerSecond)
        json.key("daily_cap")
        if let dailyCap { json.integer(dailyCap) } else { json.null() }
        json.key("batch_size"); json.integer(Int64(batchSize))
        json.key("timeout_ms"); json.integer(Int64(timeoutMilliseconds))
        json.key("max_attempts"); json.integer(Int64(maxAttempts))
        json.key("timezone"); json.string(timezone)
        json.key("status"); json.string(status)
        json.key("created_at"); json.string(CampaignRecord.timestamp(createdAt))
        json.key("updated_at"); json.string(CampaignRecord.timestamp(updatedAt))
        json.key("version"); json.integer(version)
        json.endObject()
    }
}
