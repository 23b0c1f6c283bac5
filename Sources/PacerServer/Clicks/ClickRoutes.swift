import Hummingbird
import Logging
import PostgresClient

/// Adds the click pipeline's admin routes (partners, datasets, batches) to the `/v1` group.
func addClickRoutes(
    to api: RouterGroup<some RequestContext>, pool: PostgresPool, configuration: ServerConfiguration, clock: any PacerClock,
    logger: Logger
) {
    let datasets = DatasetRepository(pool: pool)
    PartnerController(repository: PartnerRepository(pool: pool), clock: clock, bodyLimit: configuration.maxBodyBytes, logger: logger)
        .addRoutes(to: api)
    DatasetController(
        repository: datasets, ingest: DatasetIngest(conninfo: configuration.databaseURL, clock: clock, logger: logger), clock: clock,
        logger: logger
    ).addRoutes(to: api)
    BatchController(repository: datasets, clock: clock, logger: logger).addRoutes(to: api)
}
