import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import PacerServer
import PostgresClient
import TestSupport
import Testing

/// A migrated database and an in-process server whose click workers deliver to test partners.
struct ClickHarness {
    let database: TestDatabase
    let clock: any PacerClock
    var configuration: ServerConfiguration

    /// `clock` nil: the system clock (rates and backoffs in real time).
    init(workers: Int = 2, clock: ManualClock? = nil, lease: Double = 30) throws {
        database = try migratedDatabase()
        self.clock = clock.map { $0 as any PacerClock } ?? SystemClock()
        // The partitions the server would create at start, made now so that creating them never
        // races the first upload.
        let day = PostgresDate(daysSinceEpoch: Int((self.clock.now().timeIntervalSince1970 / 86_400).rounded(.down)))
        _ = try BlockingConnection(database.url).query("SELECT pacer.ensure_all_partitions($1, 8)", [day])
        var configuration = testConfiguration(database)
        configuration.adminToken = testToken
        configuration.randomSeed = 7
        configuration.clicks.workers = workers
        configuration.clicks.partnerConcurrency = workers
        configuration.clicks.leaseSeconds = lease
        configuration.clicks.pollInterval = .milliseconds(50)
        configuration.clicks.retry = RetryPolicy(base: 0.05, maximum: 0.2)
        self.configuration = configuration
    }

    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { database.drop() }
        let app = try await buildApplication(configuration, logger: Logger(label: "test"), clock: clock)
        try await app.test(.router) { client in try await test(client) }
    }

    func connection() throws -> BlockingConnection {
        try BlockingConnection(database.url)
    }

    /// One row of one column, as text.
    func scalar(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> String? {
        let connection = try connection()
        return try connection.query(sql, parameters).rows.first?.decode(String?.self, at: 0)
    }
}

extension TestClientProtocol {
    /// Creates a partner for `url` and returns its id; `extra` is more JSON members.
    func createPartner(url: String, format: String = "json", rate: Double = 10_000, batchSize: Int = 10, extra: String = "") async throws -> String {
        let json = #"{"name":"sink","endpoint_url":"\#(url)","format":"\#(format)","rate_limit_per_second":\#(rate),"batch_size":\#(batchSize)\#(extra)}"#
        let response = try await send(.post, "/v1/partners", json: json)
        #expect(response.status == .created, "\(response.body)")
        return object(response.body)["id"] as? String ?? ""
    }

    /// Uploads a click file; returns the status and the decoded answer.
    func upload(
        _ body: String, campaign: String, partner: String, format: String = "ndjson", onError: String = "reject"
    ) async throws -> (status: HTTPResponse.Status, object: [String: Any]) {
        let uri = "/v1/datasets?campaign_id=\(campaign)&partner_id=\(partner)&format=\(format)&on_error=\(onError)"
        let response = try await execute(
            uri: uri, method: .post, headers: [.authorization: "Bearer \(testToken)", .contentType: "application/x-ndjson"],
            body: ByteBuffer(string: body)
        ) { response in (response.status, String(buffer: response.body)) }
        return (response.0, object(response.1))
    }

    /// GET that returns the decoded object.
    func getObject(_ uri: String) async throws -> [String: Any] {
        object(try await send(.get, uri).body)
    }
}

/// NDJSON of `count` clicks with ids `PREFIX-1` …
func clicks(_ count: Int, prefix: String = "c") -> String {
    (1...count).map { #"{"click_id":"\#(prefix)-\#($0)","ts":\#($0),"ip":"10.0.0.\#($0 % 250)"}"# }.joined(separator: "\n") + "\n"
}

let simpleCampaign = #"{"name":"clicks","daily_budget_cents":100000,"pacing":"EVEN"}"#

/// A JSON value as a string ("" when it is not one).
func text(_ value: Any?) -> String {
    (value as? String) ?? ""
}
