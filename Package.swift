// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "pacer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "PacerServer", targets: ["PacerServer"]),
        .executable(name: "Migrator", targets: ["Migrator"]),
        .executable(name: "PacerSim", targets: ["PacerSim"]),
        .executable(name: "PacerBench", targets: ["PacerBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // libpq, through pkg-config; only PostgresClient imports it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // OpenSSL's libcrypto (libpq is linked with it too), through pkg-config; only Hashing imports it.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // SHA-256 for migration checksums and API token digests.
        .target(
            name: "Hashing",
            dependencies: ["CLibCrypto"],
            swiftSettings: swiftSettings
        ),
        // The libpq wrapper: connections, typed rows, transactions, LISTEN/NOTIFY, COPY, pipelines, a pool.
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Rolls db/migrations and db/functions out; the Migrator CLI and the server's schema check use it.
        .target(
            name: "Migrations",
            dependencies: [
                "PostgresClient",
                "Hashing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Migrator",
            dependencies: [
                "Migrations",
                "PostgresClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure pacing logic: budgets, curves, throttle, breaker, ledger. No I/O.
        .target(
            name: "PacingEngine",
            swiftSettings: swiftSettings
        ),
        // Event-driven replay of a day of traffic through PacingEngine.
        .target(
            name: "Simulation",
            dependencies: ["PacingEngine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PacerSim",
            dependencies: [
                "Simulation",
                "PacingEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the pure decision function in a loop, for instruction counts under callgrind.
        .executableTarget(
            name: "PacerBench",
            dependencies: ["PacingEngine"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "PacerServer",
            dependencies: [
                "PostgresClient",
                "Migrations",
                "PacingEngine",
                "Hashing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: a throwaway database per test on the cluster named by DATABASE_URL.
        .target(
            name: "TestSupport",
            dependencies: ["PostgresClient"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MigrationsTests",
            dependencies: ["Migrations", "PostgresClient", "Hashing", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PacingEngineTests",
            dependencies: ["PacingEngine"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "PacingEngine"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PacerServerTests",
            dependencies: [
                "PacerServer",
                "PostgresClient",
                "Migrations",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
