import Foundation
import Hummingbird
import Logging
import Metrics
import Migrations
import PostgresClient
import PacingEngine
import Prometheus

/// The Pacer server: bid decisions from memory, durable spend, PostgreSQL write-behind.
@main
struct App {
    static func main() async {
        var logger = Logger(label: "pacer")
        logger.logLevel = ProcessInfo.processInfo.environment["PACER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        do {
            let configuration = try ServerConfiguration.fromEnvironment()
            let app = try await buildApplication(configuration, logger: logger, metrics: registry)
            try await app.runService()
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

    let breakerRecorder = BreakerRecorder(pool: pool, instanceID: configuration.instanceID, logger: logger)
    var settings = PacerSettings.default
    settings.reservationLifetime = configuration.reservationLifetime
    let store = CampaignStore(seed: configuration.randomSeed, settings: settings, onBreakerChange: { breakerRecorder.submit($0) })
    let repository = CampaignRepository(pool: pool)
    let loaded = try await loadCampaigns(into: store, repository: repository, now: clock.now())
    let keeper = LeaseKeeper(
        pool: pool, store: store, clock: clock, instanceID: configuration.instanceID, address: configuration.advertiseURL,
        timing: .init(
            interval: configuration.leaseInterval, validity: configuration.leaseValidity,
            reservationLifetime: configuration.reservationLifetime),
        logger: logger)
    store.onLeaseLow { keeper.nudge() }
    // The first grant happens before the first request: until then nothing may be committed.
    try await keeper.refresh()
    logger.info("campaigns loaded and leased", metadata: ["campaigns.count": "\(loaded)"])

    let committer = SpendCommitter(
        pool: pool, store: store, clock: clock, instanceID: configuration.instanceID, logger: logger)
    let flusher = DecisionStatsFlusher(
        store: store, pool: pool, instanceID: configuration.instanceID, interval: configuration.flushInterval, logger: logger)

    let router = Router()
    HealthController(pool: pool, schema: schema, logger: logger).addRoutes(to: router)
    OpenAPIDocument.addRoutes(to: router)
    DashboardController(directory: configuration.dashboardDirectory, chartPath: configuration.chartJSPath, logger: logger).addRoutes(to: router)
    do {
        let metrics = metrics ?? PrometheusCollectorRegistry()
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
    let tokens = TokenCache(adminToken: configuration.adminToken, pool: pool, logger: logger)
    try? await tokens.refresh()
    let api = router.group("/v1").add(middleware: BearerAuthMiddleware(tokens: tokens))
    let limit = configuration.maxBodyBytes
    DecisionController(store: store, pool: pool, clock: clock, bodyLimit: limit).addRoutes(to: api)
    SpendController(committer: committer, clock: clock, bodyLimit: limit, logger: logger).addRoutes(to: api)
    CampaignController(repository: repository, store: store, keeper: keeper, clock: clock, bodyLimit: limit, logger: logger).addRoutes(to: api)
    InstanceController(pool: pool, clock: clock).addRoutes(to: api)
    BudgetStatusController(store: store, clock: clock).addRoutes(to: api)
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
    // committed, counters flushed, breaker transitions written, and the pool closed last.
    app.addServices(
        DatabaseService(pool: pool, logger: logger),
        tokens,
        breakerRecorder,
        keeper,
        CampaignSync(
            conninfo: configuration.databaseURL, repository: repository, store: store, keeper: keeper, clock: clock,
            instanceID: configuration.instanceID, logger: logger, tokens: tokens),
        flusher,
        committer,
        PacerTicker(store: store, clock: clock, interval: .seconds(1)),
        PartitionMaintainer(pool: pool, clock: clock, logger: logger),
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
