import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A partner endpoint for click tests: a Hummingbird server on 127.0.0.1 (port 0) that answers
/// each batch as scripted (ok, an error status, 429 with Retry-After, slow) and records every
/// request with its Idempotency-Key, body and timing.
final class PartnerSink: Sendable {
    enum Mode: Sendable, Equatable {
        case ok
        case status(Int)
        case tooMany(retryAfter: Int)
        case slow(milliseconds: Int)
    }

    struct Request: Sendable {
        var key: String
        var contentType: String
        var body: String
        var headers: [String: String]
        var start: Date
        var end: Date
        var status: Int
        /// Requests with the same key in progress when this one started.
        var overlapping: Int
    }

    private struct State {
        var script: [Mode] = []
        var fallback: Mode = .ok
        var requests: [Request] = []
        var active: [String: Int] = [:]
        var arrivals = 0
    }

    private let state = Mutex(State())
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    private let address = Mutex("")
    /// Where batches are to be POSTed.
    var url: String { address.withLock { $0 } }

    /// Starts the server; answers `fallback` to every request once `script` is used up.
    static func start(script: [Mode] = [], fallback: Mode = .ok) async throws -> PartnerSink {
        let sink = PartnerSink()
        sink.state.withLock { $0.script = script; $0.fallback = fallback }
        let router = Router()
        router.post("/clicks") { request, _ in try await sink.handle(request) }
        let port: Int = try await withCheckedThrowingContinuation { continuation in
            let once = Mutex(false)
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    if !once.withLock({ let was = $0; $0 = true; return was }) {
                        continuation.resume(returning: channel.localAddress?.port ?? 0)
                    }
                })
            sink.task.withLock { $0 = Task { try await app.run() } }
        }
        sink.address.withLock { $0 = "http://127.0.0.1:\(port)/clicks" }
        return sink
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    /// Changes how the next requests are answered.
    func answer(script: [Mode] = [], fallback: Mode) {
        state.withLock { $0.script = script; $0.fallback = fallback }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    /// Requests that arrived, answered or not.
    var arrivals: Int { state.withLock { $0.arrivals } }
    /// Requests answered 2xx.
    var delivered: [Request] { requests.filter { (200..<300).contains($0.status) } }

    private func handle(_ request: Hummingbird.Request) async throws -> Response {
        let start = Date()
        let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value ?? ""
        let (mode, overlapping) = state.withLock { state -> (Mode, Int) in
            state.arrivals += 1
            let mode = state.script.isEmpty ? state.fallback : state.script.removeFirst()
            let overlapping = state.active[key, default: 0]
            state.active[key, default: 0] += 1
            return (mode, overlapping)
        }
        let body = try await request.body.collect(upTo: 64 << 20)
        var status = 200
        var headers: HTTPFields = [:]
        switch mode {
        case .ok: break
        case .status(let code): status = code
        case .tooMany(let seconds):
            status = 429
            headers[.retryAfter] = "\(seconds)"
        case .slow(let milliseconds):
            try? await Task.sleep(for: .milliseconds(milliseconds))
        }
        var fields: [String: String] = [:]
        for field in request.headers { fields[field.name.canonicalName] = field.value }
        let record = Request(
            key: key, contentType: request.headers[.contentType] ?? "", body: String(buffer: body), headers: fields,
            start: start, end: Date(), status: status, overlapping: overlapping)
        state.withLock { state in
            state.active[key, default: 1] -= 1
            state.requests.append(record)
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: "{}")))
    }

    /// The click ids in a delivered body (json, ndjson or csv with a click_id column).
    static func clickIDs(_ request: Request) -> [String] {
        if request.contentType.hasPrefix("text/csv") {
            var lines = request.body.split(separator: "\r\n").map(String.init)
            guard !lines.isEmpty else { return [] }
            let header = lines.removeFirst().split(separator: ",").map(String.init)
            guard let index = header.firstIndex(of: "click_id") else { return [] }
            return lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)[index] }
        }
        let objects: [Any]
        if request.contentType.hasPrefix("application/x-ndjson") {
            objects = request.body.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        } else {
            objects = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [Any] ?? []
        }
        return objects.compactMap { ($0 as? [String: Any])?["click_id"].map { "\($0)" } }
    }

    /// Polls until `condition` holds, up to `seconds`; returns whether it did.
    static func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
