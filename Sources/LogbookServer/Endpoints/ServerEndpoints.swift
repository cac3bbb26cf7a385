import Hummingbird
import LogbookWire

/// What the stock client asks of a server besides runs and experiments.
enum ServerEndpoints {
    /// The MLflow release whose REST API this server answers like; `GET /version` returns it,
    /// because clients compare it with their own version.
    static let mlflowVersion = "3.17.2"

    /// `GET /api/3.0/mlflow/server-info`: what this server can do. The client's artifact
    /// repository reads it to decide on multipart uploads; Logbook streams single uploads.
    static func serverInfo() throws -> Response {
        try APIResponse.json(
            ServerInfoResponse(
                storeType: "SqlStore", workspacesEnabled: false, traceArchivalEnabled: false,
                multipartUploadsEnabled: false, multipartDownloadsEnabled: false,
                presignedUploadRunIDSupported: false, presignedUploadModelIDSupported: false,
                featuresEnabled: ["gateway": false]))
    }
}
