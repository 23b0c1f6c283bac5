import Foundation

/// A `PacerServer` (or other) executable of this package started as a child process, for tests
/// that need real signals and real sockets.
public final class ServerProcess: @unchecked Sendable {
    // Invariant: `output` and `waiters` are guarded by `lock`; `process` is only started once.
    private let process = Process()
    private let lock = NSLock()
    private var output = ""
    private var waiters: [(marker: String, continuation: CheckedContinuation<String, any Error>)] = []
    /// The spend journal folder made for this process (when the environment names none), removed at the end.
    private let ownJournal: String?

    /// The build folder holding this package's executables (next to the test bundle).
    public static var buildDirectory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// Starts `executable` from the build folder with `environment` added to the current one.
    public convenience init(executable: String = "PacerServer", arguments: [String] = [], environment: [String: String]) throws {
        try self.init(executableURL: Self.buildDirectory.appendingPathComponent(executable), arguments: arguments, environment: environment)
    }

    /// Starts the program at `executableURL` with `environment` added to the current one.
    public init(executableURL: URL, arguments: [String] = [], environment: [String: String]) throws {
        process.executableURL = executableURL
        process.arguments = arguments
        var environment = environment
        if environment["PACER_JOURNAL_DIR"] == nil {
            // Each server journals into a folder of its own: a folder is locked by one server at a time.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-journal-\(UUID().uuidString)").path
            environment["PACER_JOURNAL_DIR"] = folder
            ownJournal = folder
        } else {
            ownJournal = nil
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.dbDirectory).deletingLastPathComponent()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.append(String(decoding: data, as: UTF8.self))
        }
        try process.run()
    }

    private func append(_ text: String) {
        let ready = lock.withLock { () -> [(String, CheckedContinuation<String, any Error>)] in
            output += text
            let matched = waiters.filter { output.contains($0.marker) }
            waiters.removeAll { output.contains($0.marker) }
            return matched.map { ($0.marker, $0.continuation) }
        }
        let snapshot = lock.withLock { output }
        for (_, continuation) in ready { continuation.resume(returning: snapshot) }
    }

    /// Everything the process printed so far.
    public var printed: String { lock.withLock { output } }

    /// Waits until the output contains `marker` and returns the output so far.
    public func waitForOutput(_ marker: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let done = lock.withLock { () -> String? in
                if output.contains(marker) { return output }
                waiters.append((marker, continuation))
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Waits for the server's "listening on URL" line and returns the URL.
    public func waitUntilListening() async throws -> URL {
        let text = try await waitForOutput("PacerServer listening on ")
        guard let range = text.range(of: "PacerServer listening on "),
            let line = text[range.upperBound...].split(separator: "\n").first,
            let url = URL(string: String(line))
        else { throw URLError(.badURL) }
        return url
    }

    /// Sends `signal` (SIGTERM by default).
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status. Blocks a thread of its own.
    public func waitForExit() async -> Int32 {
        let process = self.process
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        if let ownJournal { try? FileManager.default.removeItem(atPath: ownJournal) }
    }
}
