import Hummingbird
import LogbookCore
import LogbookWire

/// What the stock client asks of a server besides runs and experiments.
enum ServerEndpoints {
    /// The MLflow release whose REST API this server answers like; `GET /version` returns it,
    /// because clients compare it with their own version. Logbook's own version is in
    /// `server-info` (`logbook_version`) and the `Server` header.
    static let mlflowVersion = "3.17.2"

    /// The `Server` header of every answer: `logbook/<version>`.
    static let serverName = "logbook/\(LogbookVersion.current)"

    /// `GET /api/3.0/mlflow/server-info`: what this server can do. The client's artifact
    /// repository reads it to decide on multipart uploads; Logbook streams single uploads.
    static func serverInfo() throws -> Response {
        try APIResponse.json(
            ServerInfoResponse(
                storeType: "SqlStore", workspacesEnabled: false, traceArchivalEnabled: false,
                multipartUploadsEnabled: false, multipartDownloadsEnabled: false,
                presignedUploadRunIDSupported: false, presignedUploadModelIDSupported: false,
                featuresEnabled: ["gateway": false], logbookVersion: LogbookVersion.current))
    }
}
