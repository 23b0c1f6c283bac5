import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresClient
@testable import PacerServer
import TestSupport
import Testing

let testToken = "test-admin-token"

/// A migrated database and an application on a manual clock, for in-process route tests.
struct APIHarness {
    let database: TestDatabase
    let clock: ManualClock
    var configuration: ServerConfiguration

    init(start: Date = Date(timeIntervalSince1970: 1_781_524_800)) throws {  // 2026-06-15 12:00 UTC
        database = try migratedDatabase()
        clock = ManualClock(start)
        var configuration = testConfiguration(database)
        configuration.adminToken = testToken
        configuration.randomSeed = 42
        configuration.flushInterval = .milliseconds(50)
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
}

extension TestClientProtocol {
    /// Sends JSON with the test token; returns status and body text.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, json: String? = nil, token: String? = testToken,
        headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: String, headers: HTTPFields) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }

    /// Creates a campaign and returns its id.
    func createCampaign(_ json: String) async throws -> String {
        let response = try await send(.post, "/v1/campaigns", json: json)
        #expect(response.status == .created, "\(response.body)")
        let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        return object?["id"] as? String ?? ""
    }
}

/// Parses a JSON object response.
func object(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}
