import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// The suites that run whole server processes (and PostgreSQL clusters of their own) under load,
/// one test at a time: run side by side on a small machine they would measure each other.
@Suite(.serialized) struct ServerProcessSuites {}

/// Several PacerServer processes on one database, and a small HTTP client for them.
final class Cluster: Sendable {
    let servers: [ServerProcess]
    let urls: [URL]
    static let token = "cluster-token"

    init(database: TestDatabase, count: Int, environment: [String: String] = [:]) async throws {
        var servers: [ServerProcess] = []
        var urls: [URL] = []
        for index in 0..<count {
            let server = try ServerProcess(environment: [
                "DATABASE_URL": database.url, "PACER_PORT": "0", "PACER_ADMIN_TOKEN": Self.token,
                "PACER_INSTANCE_ID": "instance-\(index)", "PACER_RANDOM_SEED": "\(index + 1)", "PACER_LOG_LEVEL": "warning",
                "PACER_CLICK_WORKERS": "0",
            ].merging(environment) { _, new in new })
            servers.append(server)
            urls.append(try await server.waitUntilListening())
        }
        self.servers = servers
        self.urls = urls
    }

    /// Posts JSON to instance `index`; returns the status and the decoded object.
    func post(_ index: Int, _ path: String, _ body: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: urls[index].appendingPathComponent(path))
        request.timeoutInterval = 10
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    func get(_ index: Int, _ path: String) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: urls[index].appendingPathComponent(path))
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    /// GETs `path` from instance `index` as text (e.g. `/metrics`).
    func text(_ index: Int, _ path: String) async throws -> (Int, String) {
        var request = URLRequest(url: urls[index].appendingPathComponent(path))
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func put(_ index: Int, _ path: String, _ body: String) async throws -> Int {
        var request = URLRequest(url: urls[index].appendingPathComponent(path))
        request.httpMethod = "PUT"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(Self.token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Decides one bid at instance `index`; returns (allow, reason).
    func decide(_ index: Int, campaign: String, bidCents: String, requestID: String) async throws -> (Bool, String) {
        let (_, object) = try await post(index, "v1/decide", #"{"campaign_id":"\#(campaign)","bid_cents":\#(bidCents),"request_id":"\#(requestID)"}"#)
        return (object["allow"] as? Bool ?? false, object["reason"] as? String ?? "")
    }

    func stopAll() async {
        for server in servers {
            server.signal(SIGTERM)
            _ = await server.waitForExit()
        }
    }
}

/// Percentile of a sorted sample (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
}
