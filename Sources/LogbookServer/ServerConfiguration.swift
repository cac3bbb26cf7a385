import Foundation

/// How a ``TrackingServer`` is set up. The defaults are `logbook server`'s.
public struct ServerConfiguration: Sendable {
    /// The address to listen on. Default: `127.0.0.1` (this machine only).
    public var host: String
    /// The port to listen on; `0` picks a free one. Default: 5000, as `mlflow server`.
    public var port: Int
    /// The directory the artifact proxy serves (`mlflow-artifacts:/…` URIs resolve into it).
    /// Default: `./logbook-artifacts`.
    public var artifactsDestination: String
    /// The largest tracking-API request body accepted, in bytes; a larger one is answered with a
    /// JSON 413. Artifact uploads stream to disk and are not limited by it. Default: 64 MiB, room
    /// for a full log-batch of maximal params and tags, or a dataset profile, many times over.
    public var maxRequestBodySize: Int
    /// Whether the artifact proxy (`/api/2.0/mlflow-artifacts/…`) answers. Off (`mlflow server
    /// --no-serve-artifacts`), clients read and write artifacts where the experiment's location
    /// says (a shared file system), and the proxy answers 503. Default: on.
    public var serveArtifacts: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 5000,
        artifactsDestination: String = FileManager.default.currentDirectoryPath + "/logbook-artifacts",
        maxRequestBodySize: Int = 64 << 20,
        serveArtifacts: Bool = true
    ) {
        self.host = host
        self.port = port
        self.artifactsDestination = artifactsDestination
        self.maxRequestBodySize = maxRequestBodySize
        self.serveArtifacts = serveArtifacts
    }

    /// The artifact root experiments created through the server get: their location is
    /// `mlflow-artifacts:/<experiment id>`, which clients resolve to this server's artifact proxy.
    public static let proxiedArtifactRoot = "mlflow-artifacts:"
}
