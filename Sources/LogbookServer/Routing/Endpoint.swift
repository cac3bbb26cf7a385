import HTTPTypes
import Hummingbird
import LogbookWire

/// One tracking-API endpoint: the methods it answers and what it does with a request message.
struct Endpoint: Sendable {
    let methods: [HTTPRequest.Method]
    let handle: @Sendable (WireMessage, ServerContext) async throws -> Response

    static func get(_ handle: @escaping @Sendable (WireMessage, ServerContext) async throws -> Response) -> Self {
        Endpoint(methods: [.get], handle: handle)
    }

    static func post(_ handle: @escaping @Sendable (WireMessage, ServerContext) async throws -> Response) -> Self {
        Endpoint(methods: [.post], handle: handle)
    }

    /// Every endpoint under `/api/2.0/mlflow/` (and `/ajax-api/2.0/mlflow/`), by the path after that prefix.
    static let all: [String: Endpoint] = ExperimentEndpoints.all
        .merging(RunEndpoints.all) { first, _ in first }
        .merging(LoggingEndpoints.all) { first, _ in first }
        .merging(MetricEndpoints.all) { first, _ in first }
        .merging(ArtifactEndpoints.all) { first, _ in first }
        .merging(ServerEndpoints.all) { first, _ in first }
}
