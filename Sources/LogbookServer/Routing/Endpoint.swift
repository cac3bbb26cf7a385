import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire
import NIOCore

/// One tracking-API endpoint: the methods it answers and what it does with a request message.
struct Endpoint: Sendable {
    let methods: [HTTPRequest.Method]
    let handle: @Sendable (WireMessage, ServerContext) async throws -> Response
    /// For the hot write endpoints: what to do with the raw JSON body, read without a
    /// `JSONValue` tree (``DirectReader``, falling back to ``WireMessage``). `nil` elsewhere.
    var handleBody: (@Sendable (ByteBuffer, ServerContext) async throws -> Response)?

    /// Handlers of other methods on the same path (`registered-models/alias`: set, delete, get).
    private var byMethod: [HTTPRequest.Method: @Sendable (WireMessage, ServerContext) async throws -> Response] = [:]

    init(
        methods: [HTTPRequest.Method], handle: @escaping @Sendable (WireMessage, ServerContext) async throws -> Response
    ) {
        self.methods = methods
        self.handle = handle
    }

    /// An endpoint that does something else for each method.
    init(byMethod: [HTTPRequest.Method: @Sendable (WireMessage, ServerContext) async throws -> Response]) {
        self.init(methods: byMethod.keys.sorted { $0.rawValue < $1.rawValue }) { message, _ in
            throw LogbookError(.internalError, "\(message.path) answers by method")
        }
        self.byMethod = byMethod
    }

    /// What answers `method` (one of ``methods``).
    func handler(for method: HTTPRequest.Method) -> @Sendable (WireMessage, ServerContext) async throws -> Response {
        byMethod[method] ?? handle
    }

    /// A POST endpoint that reads its body itself; `handle` (for the message form) reads the body
    /// as a message.
    static func postBody(_ handleBody: @escaping @Sendable (ByteBuffer, ServerContext) async throws -> Response)
        -> Self
    {
        var endpoint = Endpoint(methods: [.post]) { message, server in
            throw LogbookError(.internalError, "\(message.path) reads its body directly")
        }
        endpoint.handleBody = handleBody
        return endpoint
    }

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
        .merging(LoggedModelEndpoints.all) { first, _ in first }
        .merging(AccessEndpoints.all) { first, _ in first }
        .merging(RegistryEndpoints.all) { first, _ in first }
}
