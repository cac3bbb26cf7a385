import ArgumentParser
import Foundation
import LogbookCore
import LogbookPostgres
import LogbookSQLite
import LogbookServer

/// `logbook server`: serves MLflow's tracking REST API and artifact proxy over a SQLite or
/// PostgreSQL store.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract:
            "Serve MLflow's tracking REST API, so the mlflow Python client (and the UI's API calls) work against Logbook.",
        discussion: """
            Point a client at it with MLFLOW_TRACKING_URI=http://127.0.0.1:5000. Experiments created through the \
            server keep their artifacts under --artifacts-destination (URI mlflow-artifacts:/<id>), which the server \
            proxies; with --default-artifact-root they get <root>/<id> instead, and clients write there directly \
            (a shared file system). SIGINT or SIGTERM stop it gracefully: requests in flight finish and the database \
            is closed cleanly.
            """
    )

    @Option(
        help: ArgumentHelp(
            "Where runs are stored: sqlite:///relative.db, sqlite:////absolute.db, a file path, or postgresql://user:password@host:port/database.",
            discussion:
                "Several servers can share one PostgreSQL database (docs/deploy.md); give them one --artifacts-destination."
        ))
    var backendStoreURI = TrackingURI.defaultPath

    @Option(help: "Directory the artifact proxy stores files in.")
    var artifactsDestination = "logbook-artifacts"

    @Option(
        help: ArgumentHelp(
            "Where new experiments keep their artifacts (<root>/<experiment id>): a directory, file:// or another URI.",
            discussion:
                "Default: mlflow-artifacts:/ (the proxy), or ./logbook-artifacts with --no-serve-artifacts. A relative path is taken under the working directory."
        ))
    var defaultArtifactRoot: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Serve the artifact proxy (/api/2.0/mlflow-artifacts/); without it, clients reach artifacts themselves.")
    var serveArtifacts = true

    @Option(help: "Address to listen on; 0.0.0.0 exposes the server to the network (turn on --auth first).")
    var host = "127.0.0.1"

    @Flag(
        help: ArgumentHelp(
            "Require sign-in: users, passwords, access tokens and per-experiment permissions (also LOGBOOK_AUTH=1).",
            discussion:
                "Users live in the backend store. The first start creates the admin from LOGBOOK_ADMIN_USERNAME (default admin) and LOGBOOK_ADMIN_PASSWORD. See docs/auth.md."
        ))
    var auth = false

    @Option(
        help: ArgumentHelp(
            "With --auth: what users may do on experiments nobody granted them anything on: READ, EDIT, MANAGE or NO_PERMISSIONS.",
            valueName: "permission"))
    var defaultPermission = "READ"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 5000

    @Option(
        help:
            "Largest tracking-API request body in bytes; larger ones get a JSON 413. Artifact uploads stream and are not limited."
    )
    var maxRequestBodySize = ServerConfiguration().maxRequestBodySize

    func run() async throws {
        TrackingServer.runConcurrencyOnEventLoops()
        try await LogbookCommand.reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            // As `mlflow server`: the proxy when it serves artifacts, else a local directory.
            var root = ArtifactURI.absolute(
                defaultArtifactRoot ?? (serveArtifacts ? ServerConfiguration.proxiedArtifactRoot : "logbook-artifacts"))
            if root.hasSuffix("/") { root.removeLast() }
            let artifactRoot = root
            let longValues = try LongValuePolicy.fromEnvironment(environment)
            let backend = try TrackingURI(backendStoreURI)
            let authOn =
                try auth
                || environment["LOGBOOK_AUTH"].map { try EnvironmentFlag.parse($0, name: "LOGBOOK_AUTH") } ?? false
            let defaultPermission = try Permission(named: defaultPermission)
            let store: any TrackingStore & AccessStore
            let closeStore: () async throws -> Void
            switch backend {
            case .sqlite(let path):
                let sqlite = try SQLiteStore(
                    path: path,
                    configuration: SQLiteStore.Configuration(artifactRoot: artifactRoot, longValues: longValues))
                (store, closeStore) = (sqlite, { try sqlite.close() })
            case .postgres(let url):
                let postgres = try PostgresStore(
                    uri: url,
                    configuration: PostgresStore.Configuration(artifactRoot: artifactRoot, longValues: longValues))
                // Fails here, before listening, when the database is unreachable or refuses the login.
                try await postgres.prepare()
                (store, closeStore) = (postgres, { await postgres.close() })
            case .rest:
                throw LogbookError(
                    .invalidParameterValue,
                    "--backend-store-uri names a database: a SQLite file (sqlite:///logbook.db or a path) or PostgreSQL (postgresql://user:password@host:port/database), not a tracking server."
                )
            }
            let destination = URL(fileURLWithPath: artifactsDestination).standardizedFileURL.path
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
            let configuration = ServerConfiguration(
                host: host, port: port, artifactsDestination: destination, maxRequestBodySize: maxRequestBodySize,
                serveArtifacts: serveArtifacts)
            let server: TrackingServer
            if authOn {
                server = TrackingServer(
                    store: store, configuration: configuration,
                    access: AccessConfiguration(defaultPermission: defaultPermission))
                let admin = environment["LOGBOOK_ADMIN_USERNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "admin"
                do {
                    if try await server.access!.bootstrapAdmin(
                        username: admin, password: environment["LOGBOOK_ADMIN_PASSWORD"])
                    {
                        print("Created the admin user '\(admin)' (password from LOGBOOK_ADMIN_PASSWORD).")
                    }
                } catch {
                    try await closeStore()
                    throw error
                }
            } else {
                server = TrackingServer(store: store, configuration: configuration)
            }
            try await server.run { url in
                // Written unbuffered: scripts wait for this line to know the server is up.
                FileHandle.standardOutput.write(
                    Data(
                        "Logbook server listening at \(url) (store: \(backend.redacted), artifacts: \(serveArtifacts ? destination : artifactRoot)\(authOn ? ", sign-in required" : ""))\n"
                            .utf8))
            }
            try await closeStore()
            print("Logbook server stopped; \(backend.redacted) closed.")
        }
    }
}
