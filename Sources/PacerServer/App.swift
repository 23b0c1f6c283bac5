import Foundation
import Hummingbird
import Logging
import Metrics
import Migrations
import PostgresClient
import PacingEngine
import Prometheus
import ServiceLifecycle

/// The Pacer server: bid decisions from memory, durable spend, PostgreSQL write-behind.
@main
struct App {
    static func main() async {
        var logger = Logger(label: "pacer")
        logger.logLevel = ProcessInfo.processInfo.environment["PACER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        do {
            // A connection attempt to an unreachable PostgreSQL gives up after 3 s unless set otherwise.
            setenv("PGCONNECT_TIMEOUT", "3", 0)
            let configuration = try ServerConfiguration.fromEnvironment()
            let app = try await buildApplication(configuration, logger: logger, metrics: registry)
            // SIGTERM drains: the HTTP server stops accepting and finishes its requests, then
            // spend is committed (or journaled), counters flushed and leases returned, in order.
            var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = configuration.drainTimeout
            // Past the drain, what is left is cancelled; past this too, the process ends with a fatal error.
            group.maximumCancellationDuration = .seconds(5)
            try await ServiceGroup(configuration: group).run()
        } catch {
            logger.critical("PacerServer cannot start: \(error)")
            exit(1)
        }
    }
}

/// Why the server refuses to start.
struct StartupError: Error, CustomStringConvertible {
    var description: String
}

/// Builds the server: connection pool, schema check, campaign cache, routes and services.
/// Tests call it too, with a manual clock; `onRoutes` receives every route as `METHOD /path`.
func buildApplication(
    _ configuration: ServerConfiguration, logger: Logger, clock: any PacerClock = SystemClock(),
    metrics: PrometheusCollectorRegistry? = nil, onRoutes: (@Sendable ([String]) -> Void)? = nil
) async throws -> some ApplicationProtocol {
    let pool = PostgresPool(
        conninfo: configuration.databaseURL, maxConnections: configuration.poolSize,
        applicationName: "pacer-server", logger: logger)
    let schema = try SchemaCheck(dbDirectory: configuration.dbDirectory)
    let status: SchemaStatus
    do {
        status = try await schema.status(pool)
    } catch let error as PostgresError {
        await pool.close()
        throw StartupError(description: "cannot reach PostgreSQL at DATABASE_URL: \(error.message)")
    }
    guard status.isCurrent else {
        await pool.close()
        throw StartupError(
            description: "the database schema is not current (\(status.summary)); run `Migrator up --database-url …` (or `swift run Migrator up`) first")
    }

    // Spend journaled during an earlier outage (and not replayed because the server stopped or was
    // killed) is recorded before the campaigns are loaded, so their spend includes it.
    let journal: SpendJournal
    do {
        journal = try SpendJournal(directory: configuration.journalDirectory, logger: logger)
        if journal.pendingEvents > 0 {
            logger.info("replaying the spend journal left by an earlier run", metadata: ["journal.pending_events": "\(journal.pendingEvents)"])
        }
        try await journal.replay(into: pool, instanceID: configuration.instanceID)
    } catch {
        await pool.close()
        throw StartupError(description: "spend journal: \(error)")
    }
    let health = DatabaseHealth(
        pool: pool, journal: journal, clock: clock, instanceID: configuration.instanceID,
        timing: .init(probeInterval: configuration.probeInterval, probeTimeout: configuration.probeTimeout), logger: logger)

    let breakerRecorder = BreakerRecorder(pool: pool, instanceID: configuration.instanceID, logger: logger)
    var settings = PacerSettings.default
    settings.reservationLifetime = configuration.reservationLifetime
    settings.latencyLimit = configuration.shedLatency
    let store = CampaignStore(seed: configuration.randomSeed, settings: settings, onBreakerChange: { breakerRecorder.submit($0) })
    let repository = CampaignRepository(pool: pool)
    let loaded = try await loadCampaigns(into: store, repository: repository, now: clock.now())
    let keeper = LeaseKeeper(
        pool: pool, store: store, clock: clock, instanceID: configuration.instanceID, address: configuration.advertiseURL,
        timing: .init(
            interval: configuration.leaseInterval, validity: configuration.leaseValidity,
            reservationLifetime: configuration.reservationLifetime),
        logger: logger, health: health)
    store.onLeaseLow { keeper.nudge() }
    // The first grant happens before the first request: until then nothing may be committed.
    try await keeper.refresh()
    logger.info("campaigns loaded and leased", metadata: ["campaigns.count": "\(loaded)"])

    let committer = SpendCommitter(
        pool: pool, store: store, clock: clock, instanceID: configuration.instanceID, logger: logger,
        journal: journal, health: health, commitTimeout: configuration.spendCommitTimeout)
    health.onRecovery { keeper.nudge() }
    let load = LoadMonitor(store: store)
    let flusher = DecisionStatsFlusher(
        store: store, pool: pool, instanceID: configuration.instanceID, interval: configuration.flushInterval, logger: logger)

    let router = Router()
    HealthController(pool: pool, schema: schema, health: health, journal: journal, logger: logger).addRoutes(to: router)
    // The dashboard's page and files are open (the token is typed into the page); every other
    // route but health needs a token.
    DashboardController(directory: configuration.dashboardDirectory, chartPath: configuration.chartJSPath, logger: logger).addRoutes(to: router)
    let tokens = TokenCache(adminToken: configuration.adminToken, pool: pool, logger: logger)
    try? await tokens.refresh()
    let service = router.group().add(middleware: BearerAuthMiddleware(tokens: tokens))
    OpenAPIDocument.addRoutes(to: service)
    do {
        let metrics = metrics ?? PrometheusCollectorRegistry()
        service.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
    let api = router.group("/v1").add(middleware: BearerAuthMiddleware(tokens: tokens))
    let limit = configuration.maxBodyBytes
    DecisionController(store: store, pool: pool, clock: clock, bodyLimit: limit, load: load).addRoutes(to: api)
    SpendController(committer: committer, clock: clock, bodyLimit: limit, logger: logger).addRoutes(to: api)
    CampaignController(repository: repository, store: store, keeper: keeper, clock: clock, bodyLimit: limit, logger: logger).addRoutes(to: api)
    InstanceController(pool: pool, clock: clock).addRoutes(to: api)
    BudgetStatusController(store: store, clock: clock).addRoutes(to: api)
    let clickWorkers = ClickWorkers(
        pool: pool, conninfo: configuration.databaseURL, clock: clock, instanceID: configuration.instanceID,
        settings: configuration.clicks, seed: configuration.randomSeed, logger: logger)
    addClickRoutes(to: api, pool: pool, configuration: configuration, clock: clock, logger: logger)
    CampaignControlController(repository: repository, store: store, keeper: keeper, clock: clock, bodyLimit: limit, logger: logger).addRoutes(to: api)
    PerformanceController(pool: pool, clock: clock, logger: logger).addRoutes(to: api)
    ClickSummaryController(pool: pool, clock: clock, logger: logger).addRoutes(to: api)
    TokenController(repository: TokenRepository(pool: pool), tokens: tokens, bodyLimit: limit, logger: logger).addRoutes(to: api)
    // The benchmark's baseline: same auth and body handling as /v1/decide, no decision.
    api.post("/noop") { request, _ in
        _ = try await RequestBody.collect(request, limit: limit)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"allow":false,"reason":"noop","throttle":0,"breaker":"closed"}"#)))
    }

    onRoutes?(router.routes.map { "\($0.method) \($0.path)" })
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Pacer"),
        onServerRunning: { channel in
            // Scripts and tests wait for this line; with PACER_PORT=0 it is how they learn the port.
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("PacerServer listening", metadata: ["http.url": "http://\(configuration.host):\(port)"])
            FileHandle.standardOutput.write(Data("PacerServer listening on http://\(configuration.host):\(port)\n".utf8))
        },
        logger: logger)
    // Started in this order, stopped in reverse: the HTTP server stops first, then spend is
    // committed (or journaled), counters flushed, leases returned, breaker transitions written,
    // the journal replayed if the database is there and closed, and the pool closed last.
    app.addServices(
        DatabaseService(pool: pool, logger: logger),
        health,
        tokens,
        breakerRecorder,
        keeper,
        CampaignSync(
            conninfo: configuration.databaseURL, repository: repository, store: store, keeper: keeper, clock: clock,
            instanceID: configuration.instanceID, logger: logger, tokens: tokens),
        flusher,
        committer,
        PacerTicker(store: store, clock: clock, interval: .seconds(1)),
        load,
        PartitionMaintainer(pool: pool, clock: clock, logger: logger),
        clickWorkers,
        ClickQueueMonitor(pool: pool, clock: clock, interval: configuration.clicks.metricsInterval, logger: logger),
        ClickRetention(pool: pool, clock: clock, days: configuration.clicks.retentionDays, logger: logger),
        MetricsSampler(store: store, pool: pool, clock: clock, logger: logger))
    return app
}

/// Loads every campaign with its spend into the cache; returns how many.
func loadCampaigns(into store: CampaignStore, repository: CampaignRepository, now: Date) async throws -> Int {
    store.setGlobalOverride(try await repository.globalControls().breakerOverride)
    let records = try await repository.all()
    let spend = try await repository.spend(at: now)
    for record in records {
        let spent = spend[record.config.id] ?? (0, 0)
        store.apply(record, spentToday: spent.today, spentBefore: spent.before, now: now)
    }
    return records.count
}
