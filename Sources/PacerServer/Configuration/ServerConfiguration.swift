import Foundation

/// How a `PacerServer` is configured: the environment, each key documented in `docs/configuration.md`.
struct ServerConfiguration: Sendable {
    /// `DATABASE_URL` (required): libpq URI or conninfo of the PostgreSQL database.
    var databaseURL: String
    /// `PACER_HOST` (default `127.0.0.1`): address to listen on.
    var host: String = "127.0.0.1"
    /// `PACER_PORT` (default `8080`): port to listen on; 0 picks a free one.
    var port: Int = 8080
    /// `PACER_ADMIN_TOKEN`: the bootstrap admin bearer token. Never logged.
    var adminToken: String?
    /// `PACER_INSTANCE_ID` (default `HOSTNAME-PID`): this instance's name among its peers.
    var instanceID: String
    /// `PACER_JOURNAL_DIR` (default `./.pacer/journal`): where spend is journaled during outages.
    var journalDirectory: String = "./.pacer/journal"
    /// `PACER_DB_DIR` (default `./db`): migrations and functions the schema is checked against.
    var dbDirectory: String = "./db"
    /// `PACER_DB_POOL_SIZE` (default 8): most PostgreSQL connections this instance opens for requests.
    var poolSize: Int = 8

    /// `PACER_MAX_BODY_BYTES` (default 1048576): largest request body; larger ones get 413.
    var maxBodyBytes: Int = 1 << 20
    /// `PACER_FLUSH_INTERVAL_MS` (default 1000): how often decision counts are written behind.
    var flushInterval: Duration = .seconds(1)
    /// `PACER_RANDOM_SEED` (default: random): seed of the throttles' random generators; set it to
    /// make a server's decisions reproducible.
    var randomSeed: UInt64 = UInt64.random(in: 0...UInt64.max)

    /// `PACER_LEASE_INTERVAL_MS` (default 500): how often budget leases are refreshed.
    var leaseInterval: Duration = .milliseconds(500)
    /// `PACER_LEASE_VALIDITY_MS` (default 5000): how long a slice may be used without a refresh.
    var leaseValidity: Double = 5
    /// `PACER_RESERVATION_SECONDS` (default 30): how long an allowed bid's amount stays reserved
    /// awaiting its win notice. Win notices must arrive within it.
    var reservationLifetime: Double = 30
    /// `PACER_ADVERTISE_URL` (default none): this instance's URL as listed by `GET /v1/instances`.
    var advertiseURL: String?
    /// `PACER_CLICK_*`: click workers and delivery (see `ClickSettings`).
    var clicks = ClickSettings()

    /// `PACER_DB_PROBE_INTERVAL_MS` (default 1000): how often PostgreSQL is probed while reachable.
    var probeInterval: Duration = .seconds(1)
    /// `PACER_DB_PROBE_TIMEOUT_MS` (default 2000): a probe without an answer this long means unreachable.
    var probeTimeout: Duration = .seconds(2)
    /// `PACER_SPEND_COMMIT_TIMEOUT_MS` (default 5000): a spend commit without an answer this long is
    /// journaled instead (and PostgreSQL considered unreachable until a probe answers).
    var spendCommitTimeout: Duration = .seconds(5)
    /// `PACER_SHED_LATENCY_MS` (default 5): decision latency above which ADAPTIVE campaigns shed load.
    var shedLatency: Double = 0.005
    /// `PACER_DRAIN_SECONDS` (default 25): the longest a graceful shutdown (SIGTERM) may take.
    var drainTimeout: Duration = .seconds(25)

    /// A configuration error, naming the variable.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(databaseURL: String, instanceID: String = ServerConfiguration.defaultInstanceID) {
        self.databaseURL = databaseURL
        self.instanceID = instanceID
    }

    /// Reads the environment; throws with the variable's name when a value is missing or malformed.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerConfiguration {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw Invalid(description: "DATABASE_URL is not set: give the libpq URI of the Pacer database")
        }
        var configuration = ServerConfiguration(
            databaseURL: url, instanceID: environment["PACER_INSTANCE_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultInstanceID)
        if let host = environment["PACER_HOST"], !host.isEmpty { configuration.host = host }
        if let text = environment["PACER_PORT"], !text.isEmpty {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw Invalid(description: "PACER_PORT must be a port number (0-65535), got \(text.debugDescription)")
            }
            configuration.port = port
        }
        if let token = environment["PACER_ADMIN_TOKEN"], !token.isEmpty { configuration.adminToken = token }
        if let directory = environment["PACER_JOURNAL_DIR"], !directory.isEmpty { configuration.journalDirectory = directory }
        if let directory = environment["PACER_DB_DIR"], !directory.isEmpty { configuration.dbDirectory = directory }
        if let text = environment["PACER_DB_POOL_SIZE"], !text.isEmpty {
            guard let size = Int(text), (1...512).contains(size) else {
                throw Invalid(description: "PACER_DB_POOL_SIZE must be between 1 and 512, got \(text.debugDescription)")
            }
            configuration.poolSize = size
        }
        if let text = environment["PACER_MAX_BODY_BYTES"], !text.isEmpty {
            guard let bytes = Int(text), bytes >= 1024 else {
                throw Invalid(description: "PACER_MAX_BODY_BYTES must be an integer of at least 1024, got \(text.debugDescription)")
            }
            configuration.maxBodyBytes = bytes
        }
        if let text = environment["PACER_FLUSH_INTERVAL_MS"], !text.isEmpty {
            guard let milliseconds = Int(text), (10...60_000).contains(milliseconds) else {
                throw Invalid(description: "PACER_FLUSH_INTERVAL_MS must be between 10 and 60000, got \(text.debugDescription)")
            }
            configuration.flushInterval = .milliseconds(milliseconds)
        }
        if let text = environment["PACER_RANDOM_SEED"], !text.isEmpty {
            guard let seed = UInt64(text) else {
                throw Invalid(description: "PACER_RANDOM_SEED must be an unsigned integer, got \(text.debugDescription)")
            }
            configuration.randomSeed = seed
        }
        if let text = environment["PACER_LEASE_INTERVAL_MS"], !text.isEmpty {
            guard let milliseconds = Int(text), (50...10_000).contains(milliseconds) else {
                throw Invalid(description: "PACER_LEASE_INTERVAL_MS must be between 50 and 10000, got \(text.debugDescription)")
            }
            configuration.leaseInterval = .milliseconds(milliseconds)
        }
        if let text = environment["PACER_LEASE_VALIDITY_MS"], !text.isEmpty {
            guard let milliseconds = Int(text), (100...600_000).contains(milliseconds) else {
                throw Invalid(description: "PACER_LEASE_VALIDITY_MS must be between 100 and 600000, got \(text.debugDescription)")
            }
            configuration.leaseValidity = Double(milliseconds) / 1000
        }
        if let text = environment["PACER_RESERVATION_SECONDS"], !text.isEmpty {
            guard let seconds = Double(text), seconds >= 0.1, seconds <= 3600 else {
                throw Invalid(description: "PACER_RESERVATION_SECONDS must be between 0.1 and 3600, got \(text.debugDescription)")
            }
            configuration.reservationLifetime = seconds
        }
        if let url = environment["PACER_ADVERTISE_URL"], !url.isEmpty { configuration.advertiseURL = url }
        if let value = try milliseconds(environment, "PACER_DB_PROBE_INTERVAL_MS", in: 50...60_000) { configuration.probeInterval = value }
        if let value = try milliseconds(environment, "PACER_DB_PROBE_TIMEOUT_MS", in: 50...60_000) { configuration.probeTimeout = value }
        if let value = try milliseconds(environment, "PACER_SPEND_COMMIT_TIMEOUT_MS", in: 50...600_000) {
            configuration.spendCommitTimeout = value
        }
        if let text = environment["PACER_SHED_LATENCY_MS"], !text.isEmpty {
            guard let milliseconds = Double(text), milliseconds > 0, milliseconds <= 10_000 else {
                throw Invalid(description: "PACER_SHED_LATENCY_MS must be a number of milliseconds above 0 and at most 10000, got \(text.debugDescription)")
            }
            configuration.shedLatency = milliseconds / 1000
        }
        if let text = environment["PACER_DRAIN_SECONDS"], !text.isEmpty {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw Invalid(description: "PACER_DRAIN_SECONDS must be between 1 and 3600, got \(text.debugDescription)")
            }
            configuration.drainTimeout = .seconds(seconds)
        }
        configuration.clicks = try ClickSettings.fromEnvironment(environment)
        return configuration
    }

    private static func milliseconds(_ environment: [String: String], _ name: String, in range: ClosedRange<Int>) throws -> Duration? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Invalid(description: "\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(text.debugDescription)")
        }
        return .milliseconds(value)
    }

    static var defaultInstanceID: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
