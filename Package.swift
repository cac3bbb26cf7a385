// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Logbook",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Logbook", targets: ["Logbook"]),
        .library(name: "LogbookCore", targets: ["LogbookCore"]),
        .library(name: "LogbookSQLite", targets: ["LogbookSQLite"]),
        .library(name: "LogbookWire", targets: ["LogbookWire"]),
        .library(name: "LogbookServer", targets: ["LogbookServer"]),
        .library(name: "LogbookREST", targets: ["LogbookREST"]),
        .library(name: "LogbookPostgres", targets: ["LogbookPostgres"]),
        .library(name: "LogbookOffline", targets: ["LogbookOffline"]),
        .library(name: "LogbookTesting", targets: ["LogbookTesting"]),
        .executable(name: "logbook", targets: ["LogbookCLI"]),
    ],
    // What the `Logbook` library links: a program that only talks to a tracking server leaves out
    // SQLite and PostgreSQL (`traits: ["REST"]`), one that only writes a local file leaves out the
    // HTTP client and PostgreSQL (`traits: ["SQLite"]`). All three by default.
    traits: [
        .trait(name: "SQLite", description: "The embedded SQLite store (GRDB): sqlite:// and file tracking URIs."),
        .trait(name: "REST", description: "Tracking servers over REST (AsyncHTTPClient): http:// and https:// URIs."),
        .trait(name: "PostgreSQL", description: "A shared PostgreSQL database (PostgresNIO): postgresql:// URIs."),
        .default(enabledTraits: ["SQLite", "REST", "PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // bcrypt for `logbook server --auth` passwords; SHA-256 for its tokens (PostgresNIO links it already).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // The domain: model, store protocol, validation, errors. No database or network code.
        .target(name: "LogbookCore"),
        // MLflow's REST JSON shapes, shared by the CLI's --json output, the server and the REST client.
        .target(name: "LogbookWire", dependencies: ["LogbookCore"]),
        // SQL shared by the SQL stores: search translation over their common schema.
        .target(name: "LogbookSQL", dependencies: ["LogbookCore"]),
        // The embedded store.
        .target(
            name: "LogbookSQLite",
            dependencies: [
                "LogbookCore", "LogbookSQL",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The shared store: PostgreSQL behind several servers (postgresql:// URIs).
        .target(
            name: "LogbookPostgres",
            dependencies: [
                "LogbookCore", "LogbookSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Offline logging: a local journal of writes a tracking server could not take, replayed later.
        .target(
            name: "LogbookOffline",
            dependencies: ["LogbookCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The tracking server: MLflow's REST API and artifact proxy over any store.
        .target(
            name: "LogbookServer",
            dependencies: [
                "LogbookCore", "LogbookWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The web UI's stylesheet, scripts and icon, compiled into the binary by EmbedAssets.
            exclude: ["UI/Assets"],
            plugins: ["EmbedAssets"]
        ),
        // Writes a folder of text files as Swift string constants (the web UI's assets).
        .executableTarget(name: "EmbedAssetsTool"),
        .plugin(name: "EmbedAssets", capability: .buildTool(), dependencies: ["EmbedAssetsTool"]),
        // The store that is an MLflow-compatible tracking server, over REST.
        .target(
            name: "LogbookREST",
            dependencies: [
                "LogbookCore", "LogbookWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The client library: run lifecycle, the active run, buffered logging, metadata.
        // `import Logbook` is enough: it re-exports LogbookCore and the stores its traits enable.
        .target(
            name: "Logbook",
            dependencies: [
                "LogbookCore",
                .target(name: "LogbookSQLite", condition: .when(traits: ["SQLite"])),
                // The journal is a SQLite file: offline logging comes with the SQLite trait.
                .target(name: "LogbookOffline", condition: .when(traits: ["SQLite"])),
                .target(name: "LogbookREST", condition: .when(traits: ["REST"])),
                .target(name: "LogbookPostgres", condition: .when(traits: ["PostgreSQL"])),
            ]
        ),
        // The store conformance suite, run against every store.
        .target(name: "LogbookTesting", dependencies: ["LogbookCore"]),
        .executableTarget(
            name: "LogbookCLI",
            dependencies: [
                "Logbook", "LogbookCore", "LogbookSQLite", "LogbookPostgres", "LogbookWire", "LogbookServer",
                "LogbookOffline", "LogbookREST",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookSQLite"],
            path: "Benchmarks/StoreBenchmarks"
        ),
        .executableTarget(
            name: "SearchBenchmarks",
            dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookSQLite"],
            path: "Benchmarks/SearchBenchmarks"
        ),
        .executableTarget(
            name: "ClientBenchmarks",
            dependencies: ["BenchmarkSupport", "Logbook", "LogbookCore", "LogbookSQLite"],
            path: "Benchmarks/ClientBenchmarks"
        ),
        .executableTarget(
            name: "ServerBenchmarks",
            dependencies: [
                "BenchmarkSupport", "Logbook", "LogbookCore", "LogbookREST", "LogbookSQLite", "LogbookWire",
            ],
            path: "Benchmarks/ServerBenchmarks"),
        .executableTarget(
            name: "PostgresBenchmarks",
            dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookPostgres", "LogbookSQLite", "LogbookTesting"],
            path: "Benchmarks/PostgresBenchmarks"),
        .executableTarget(
            name: "OfflineBenchmarks",
            dependencies: ["BenchmarkSupport", "Logbook", "LogbookCore", "LogbookOffline", "LogbookREST"],
            path: "Benchmarks/OfflineBenchmarks"),
        .executableTarget(
            name: "AuthBenchmarks",
            dependencies: [
                "BenchmarkSupport", "LogbookCore", "LogbookSQLite",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            path: "Benchmarks/AuthBenchmarks"),
        .executableTarget(
            name: "ExecBenchmarks", dependencies: ["BenchmarkSupport"], path: "Benchmarks/ExecBenchmarks"),
        .executableTarget(
            name: "ModelBenchmarks", dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookSQLite"],
            path: "Benchmarks/ModelBenchmarks"),
        .executableTarget(
            name: "RegistryBenchmarks",
            dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookSQLite", "LogbookPostgres"],
            path: "Benchmarks/RegistryBenchmarks"),
        .executableTarget(
            name: "UIBenchmarks", dependencies: ["BenchmarkSupport", "LogbookCore", "LogbookSQLite"],
            path: "Benchmarks/UIBenchmarks"),
        // The soak test scripts/soak runs (docs/reliability.md).
        .executableTarget(
            name: "Soak",
            dependencies: [
                "BenchmarkSupport", "Logbook", "LogbookCore", "LogbookSQLite", "LogbookREST",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/Soak"
        ),
        .executableTarget(name: "SweepExample", dependencies: ["Logbook"], path: "Examples/Sweep"),
        .executableTarget(name: "SystemMetricsCheck", dependencies: ["Logbook"], path: "Examples/SystemMetricsCheck"),
        .testTarget(name: "LogbookCoreTests", dependencies: ["LogbookCore", "LogbookTesting"]),
        .testTarget(
            name: "LogbookTests",
            dependencies: [
                "Logbook", "LogbookCore", "LogbookSQLite", "LogbookOffline", "LogbookTesting", "LogbookTestHelper",
            ]),
        // A program the process-end tests start and then signal or kill.
        .executableTarget(
            name: "LogbookTestHelper",
            dependencies: [
                "Logbook", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/LogbookTestHelper"
        ),
        .testTarget(
            name: "LogbookOfflineTests",
            dependencies: ["LogbookOffline", "LogbookCore", "LogbookSQLite", "LogbookTesting"]),
        .testTarget(name: "LogbookWireTests", dependencies: ["LogbookWire", "LogbookTesting"]),
        .testTarget(name: "LogbookSQLiteTests", dependencies: ["LogbookSQLite", "LogbookTesting"]),
        .testTarget(
            name: "LogbookPostgresTests",
            dependencies: ["LogbookPostgres", "LogbookSQLite", "LogbookCore", "LogbookTesting"]),
        .testTarget(
            name: "LogbookServerTests",
            dependencies: [
                "LogbookServer", "LogbookSQLite", "LogbookWire", "LogbookREST", "LogbookTesting", "Logbook",
                "LogbookCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "LogbookCLITests",
            dependencies: ["Logbook", "LogbookCore", "LogbookSQLite", "LogbookCLI", "LogbookTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
