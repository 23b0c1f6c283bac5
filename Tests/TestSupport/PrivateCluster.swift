import Foundation

/// A PostgreSQL cluster of one test's own, for tests that stop and start the server (an outage)
/// and so cannot use the shared cluster of `DATABASE_URL`. Made with `scripts/embedded-postgres.sh`.
public final class PrivateCluster: Sendable {
    /// The cluster's data directory.
    public let directory: String
    /// The superuser URL of the cluster's `postgres` database.
    public let url: String

    /// Creates and starts a cluster in a new temporary directory.
    public init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-private-pg-\(UUID().uuidString.prefix(8))").path
        let printed = try await Self.script("start", directory)
        guard let url = printed.split(separator: "\n").last(where: { $0.hasPrefix("postgresql://") }) else {
            throw ScriptFailure(description: "embedded-postgres.sh start printed no URL: \(printed)")
        }
        self.url = String(url)
    }

    /// Stops the cluster abruptly (`pg_ctl stop -m immediate`), as a crash would.
    public func kill() async throws { try await Self.script("kill", directory) }

    /// Starts the cluster again on the same port.
    public func restart() async throws { try await Self.script("restart", directory) }

    /// Stops the cluster and removes its directory.
    public func destroy() async { _ = try? await Self.script("destroy", directory) }

    /// Runs `scripts/embedded-postgres.sh COMMAND DIR` and returns what it printed on stdout.
    /// Output goes to files, not pipes: PostgreSQL, started by the script, inherits them and keeps
    /// them open. The child is waited for with `waitpid` on a thread of its own.
    @discardableResult
    static func script(_ command: String, _ directory: String) async throws -> String {
        let root = URL(fileURLWithPath: TestDatabase.dbDirectory).deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/embedded-postgres.sh").path
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-pg-script-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        var settings = ProcessInfo.processInfo.environment
        // Durable commits: a crash (`kill`) must not lose what PostgreSQL acknowledged, which it
        // would with synchronous_commit off.
        settings["PACER_PG_FAST"] = "0"
        let environment = settings
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    try spawnAndWait(script, [command, directory], environment: environment, stdout: base + ".out", stderr: base + ".err")
                })
            }
        }
        let printed = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        guard status == 0 else {
            let complaints = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw ScriptFailure(description: "embedded-postgres.sh \(command) failed (\(status)): \(complaints)")
        }
        return printed.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func spawnAndWait(
        _ path: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw ScriptFailure(description: "cannot start \(path): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ScriptFailure(description: "waitpid failed: error \(errno)") }
        }
        // Exit code when it exited normally, else 128 + the signal.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        var description: String
    }
}
