import Foundation
import Hashing
import Logging
import PostgresClient
import ServiceLifecycle
import Synchronization

/// The digests of every live bearer token and their roles, in memory so that checking a token
/// never waits for PostgreSQL. The bootstrap admin token (`PACER_ADMIN_TOKEN`) is always in it.
///
/// Reloaded from `pacer.api_tokens` when a token changes anywhere (NOTIFY `pacer_tokens`, heard
/// by `CampaignSync`), every `interval` as a safety net, and when an unknown token is presented
/// (at most once a second, so unknown tokens cannot flood the database). Tokens are compared as SHA-256 digests in constant time and never logged.
final class TokenCache: Service, Sendable {
    /// One accepted token: its digest, its row id (nil for the bootstrap token) and role.
    struct Entry: Sendable {
        var digest: Digest
        var id: UUID?
        var role: Role
    }

    /// A SHA-256 digest as four words, so that comparing one costs four XORs.
    struct Digest: Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init?(_ bytes: [UInt8]) {
            guard bytes.count == 32 else { return nil }
            func word(_ offset: Int) -> UInt64 {
                (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[offset + $1]) }
            }
            (a, b, c, d) = (word(0), word(8), word(16), word(24))
        }

        /// Zero when equal; computed without branching on the contents.
        func difference(_ other: Digest) -> UInt64 {
            (a ^ other.a) | (b ^ other.b) | (c ^ other.c) | (d ^ other.d)
        }
    }

    private struct State {
        var entries: [Entry] = []
        var lastMissRefresh: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let bootstrap: Entry?
    private let pool: PostgresPool
    private let interval: Duration
    private let logger: Logger

    init(adminToken: String?, pool: PostgresPool, interval: Duration = .seconds(5), logger: Logger) {
        bootstrap = adminToken.flatMap { token in Digest(Self.digest(token)).map { Entry(digest: $0, id: nil, role: .admin) } }
        self.pool = pool
        self.interval = interval
        self.logger = logger
        state.withLock { $0.entries = bootstrap.map { [$0] } ?? [] }
    }

    /// SHA-256 of a token: what `pacer.api_tokens.token_hash` holds.
    static func digest(_ token: String) -> [UInt8] {
        SHA256.digest(token.utf8)
    }

    /// Lower-case hex of a digest, as `decode($1, 'hex')` takes it.
    static func hex(_ bytes: [UInt8]) -> String {
        SHA256.hex(bytes)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let byte = UInt8(String(decoding: utf8[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The role of a presented token from memory, without waiting for anything: the path of
    /// every request. `.unknown` carries the digest for `refreshedRole(of:)`.
    enum Lookup: Sendable {
        case found(Role)
        case unknown(Digest?)
    }

    func cachedRole(of token: String) -> Lookup {
        guard let digest = Digest(Self.digest(token)) else { return .unknown(nil) }
        if let role = match(digest) { return .found(role) }
        return .unknown(digest)
    }

    /// For a token the cache does not know: reloads the tokens (at most once a second) and looks
    /// again, so a token just created through another instance is accepted.
    func refreshedRole(of digest: Digest?) async -> Role? {
        guard let digest else { return nil }
        let mayRefresh = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            if let last = state.lastMissRefresh, now - last < .seconds(1) { return false }
            state.lastMissRefresh = now
            return true
        }
        guard mayRefresh else { return nil }
        try? await refresh()
        return match(digest)
    }

    /// The role of a presented token, or nil when it is unknown or revoked.
    func role(of token: String) async -> Role? {
        switch cachedRole(of: token) {
        case .found(let role): return role
        case .unknown(let digest): return await refreshedRole(of: digest)
        }
    }

    /// Compares the digest with every entry, always all of them and every byte, so the time
    /// taken does not tell how close a guess came.
    private func match(_ digest: Digest) -> Role? {
        let entries = state.withLock { $0.entries }
        var found: Role?
        for entry in entries where entry.digest.difference(digest) == 0 {
            found = entry.role
        }
        return found
    }

    /// Reloads the live tokens from PostgreSQL. On failure the previous set stays in force.
    func refresh() async throws {
        let rows = try await pool.run { connection in
            try connection.query("SELECT id, role, encode(token_hash, 'hex') FROM pacer.api_tokens WHERE revoked_at IS NULL").rows
        }
        var entries = bootstrap.map { [$0] } ?? []
        for row in rows {
            guard let role = Role(rawValue: try row.decode(String.self, at: 1)) else { continue }
            guard let digest = Self.bytes(hex: try row.decode(String.self, at: 2)).flatMap(Digest.init) else { continue }
            entries.append(Entry(digest: digest, id: try row.decode(UUID.self, at: 0), role: role))
        }
        state.withLock { $0.entries = entries }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do { try await refresh() } catch { logger.warning("token refresh failed; keeping the previous tokens", metadata: ["db.error": "\(error)"]) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
    }
}
