import Foundation
import PostgresClient

/// A batch a worker claimed with `pacer.claim_click_batch`: the clicks and where they go.
struct ClaimedBatch: Sendable {
    var id: UUID
    var createdAt: Date
    var datasetID: UUID
    var campaignID: UUID
    var partnerID: UUID
    var seq: Int
    var rowCount: Int
    var attempt: Int
    var maxAttempts: Int
    var endpointURL: String
    var format: String
    /// Extra headers to send; values may be secrets and are never logged.
    var headers: [(name: String, value: String)]
    var timeoutMilliseconds: Int
    /// The CSV upload's header, for CSV deliveries in the same column order.
    var columns: [String]?
    var leaseExpiresAt: Date
    /// The clicks: a JSON array of objects.
    var payload: String

    init(row: Row) throws {
        id = try row[0]
        createdAt = try row[1]
        datasetID = try row[2]
        campaignID = try row[3]
        partnerID = try row[4]
        seq = try row[5]
        rowCount = try row[6]
        attempt = try row[7]
        maxAttempts = try row[8]
        endpointURL = try row[9]
        format = try row[10]
        headers = PartnerRecord.headers(fromJSON: try row[11])
        timeoutMilliseconds = try row[12]
        columns = try row[13]
        leaseExpiresAt = try row[14]
        payload = try row[15]
    }
}
