import Foundation
import Hummingbird
import Logging
import LogbookCore
import NIOCore
import NIOPosix

/// Logbook's tracking server: MLflow's tracking REST API 2.0 and its artifact proxy over any
/// ``TrackingStore``, so the stock `mlflow` client works against it unchanged.
///
/// ```swift
/// let store = try SQLiteStore(path: "logbook.db", configuration: .init(artifactRoot: ServerConfiguration.proxiedArtifactRoot))
/// let server = TrackingServer(store: store, configuration: ServerConfiguration(port: 5000))
/// try await server.run { address in print("Listening at \(address)") }
/// ```
///
/// Connections are kept alive, with `TCP_NODELAY` set by SwiftNIO on every socket, so a client
/// that sends one small request after another is not held back by Nagle's algorithm. SIGINT and
/// SIGTERM shut the server down gracefully: it stops accepting, lets requests in flight finish,
/// then returns.
public struct TrackingServer: Sendable {
    public let store: any TrackingStore
    public let configuration: ServerConfiguration
    /// With `--auth`: who may sign in and what they may do. `nil`: every request is served.
    public let access: AccessControl?

    public init(store: any TrackingStore, configuration: ServerConfiguration = ServerConfiguration()) {
        self.store = store
        self.configuration = configuration
        access = nil
    }

    /// A server that answers only signed-in users, each as their permissions allow (MLflow's
    /// basic-auth app): the users, tokens and permissions are kept in `store` itself.
    public init(
        store: some TrackingStore & AccessStore, configuration: ServerConfiguration = ServerConfiguration(),
        access: AccessConfiguration
    ) {
        self.store = store
        self.configuration = configuration
        self.access = AccessControl(store: store, configuration: access)
    }

    /// The HTTP application, for embedding in a service group or for tests.
    /// - Parameter onRunning: called with the server's URL once it accepts connections.
    public func application(onRunning: @escaping @Sendable (String) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let host = configuration.host
        return Application(
            responder: APIResponder(server: context),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuration.port), serverName: ServerEndpoints.serverName),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shownHost = host.contains(":") ? "[\(host)]" : host
                await onRunning("http://\(shownHost):\(port)")
            },
            logger: Self.logger)
    }

    /// What every request's handlers share: the store, the artifact directory, access control.
    var context: ServerContext {
        ServerContext(
            store: store, artifacts: ArtifactDirectory(root: configuration.artifactsDestination),
            configuration: configuration, access: access)
    }

    /// The server's logger: warnings and errors only.
    static var logger: Logger {
        var logger = Logger(label: "logbook.server")
        logger.logLevel = .warning
        return logger
    }

    /// Makes SwiftNIO's event loops run Swift concurrency's tasks, so a request's handler runs on
    /// the thread that reads and writes its connection instead of hopping to the cooperative pool
    /// and back (two thread wake-ups per request). For a process that is mainly this server; call
    /// it once, first thing. Returns whether it took effect.
    @discardableResult
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    /// - Throws: ``LogbookError`` when the address cannot be bound (the port is taken, say).
    public func run(onRunning: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        do {
            try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw LogbookError(
                .internalError,
                "Port \(configuration.port) on \(configuration.host) is already in use. Stop what is using it or choose another port with --port."
            )
        } catch let error as IOError {
            throw LogbookError(
                .internalError, "Cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }
}
