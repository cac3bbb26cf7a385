import AsyncHTTPClient
import Foundation
import LogbookCore
import LogbookWire
import NIOCore
import NIOHTTP1

/// A store that is an MLflow tracking server, spoken to over its REST API: `logbook server`, or
/// MLflow's own `mlflow server`.
///
/// ```swift
/// let store = RESTStore(url: URL(string: "http://127.0.0.1:5000")!)
/// let logbook = LogbookClient(store: store)
/// ```
///
/// Errors arrive as the server sends them: a ``LogbookError`` with the server's error code and
/// message. Calls that are safe to repeat (reads, searches, and the writes MLflow's client treats
/// as retry-safe: log-metric, log-batch, log-parameter, set-tag, run update, delete and restore)
/// are retried with exponential backoff when the server is unreachable or answers 429 or 5xx, as
/// MLflow's client retries them. Creating runs and experiments, deleting tags and deleting or
/// restoring experiments are not: a lost answer cannot create two runs or turn a success into an
/// error.
///
/// Thread safety: no mutable state; AsyncHTTPClient pools the connections.
public final class RESTStore: TrackingStore {
    /// How the store talks to the server.
    public struct Configuration: Sendable {
        /// Sent as `Authorization: Bearer <token>` (`MLFLOW_TRACKING_TOKEN`); wins over a username.
        public var token: String?
        /// With ``password``, sent as HTTP Basic (`MLFLOW_TRACKING_USERNAME`, `MLFLOW_TRACKING_PASSWORD`).
        public var username: String?
        public var password: String?
        /// How often a retry-safe call is retried. Default 5 (with 0.1, 0.2, 0.4, 0.8, 1.6 s waits).
        public var maxRetries: Int
        /// The first wait between retries; each next wait doubles it.
        public var retryBackoff: Duration
        /// How long one request may take.
        public var timeout: Duration

        public init(
            token: String? = nil, username: String? = nil, password: String? = nil, maxRetries: Int = 5,
            retryBackoff: Duration = .milliseconds(100), timeout: Duration = .seconds(120)
        ) {
            self.token = token
            self.username = username
            self.password = password
            self.maxRetries = maxRetries
            self.retryBackoff = retryBackoff
            self.timeout = timeout
        }

        /// The configuration MLflow's environment variables give (`MLFLOW_TRACKING_TOKEN`,
        /// `MLFLOW_TRACKING_USERNAME`, `MLFLOW_TRACKING_PASSWORD`; `LOGBOOK_TRACKING_…` first).
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
            -> Configuration
        {
            func value(_ name: String) -> String? {
                (environment["LOGBOOK_TRACKING_\(name)"] ?? environment["MLFLOW_TRACKING_\(name)"])
                    .flatMap { $0.isEmpty ? nil : $0 }
            }
            return Configuration(token: value("TOKEN"), username: value("USERNAME"), password: value("PASSWORD"))
        }

        /// The `Authorization` header these credentials make, if any.
        public var authorization: String? {
            if let token { return "Bearer \(token)" }
            guard let username, let password else { return nil }
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }

    /// The server's base URL (`http://host:port`, maybe with a path prefix).
    public let url: URL
    public let configuration: Configuration
    package let client: HTTPClient

    /// The largest answer read, in bytes (a whole metric history can be large).
    static let maxResponseSize = 1 << 30

    /// The HTTP client stores use unless given one: AsyncHTTPClient's defaults, except that a
    /// connection that cannot be made fails the request at once (the store retries with its own
    /// backoff; the default would keep trying for 90 s per call) and an attempt gives up after 10 s.
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(url: URL, configuration: Configuration = Configuration(), client: HTTPClient = RESTStore.defaultClient)
    {
        self.url = url
        self.configuration = configuration
        self.client = client
    }

    // MARK: Calls

    /// Whether an endpoint may be sent again after a failure without changing the outcome.
    enum Retry { case safe, once }

    /// POSTs `message` to `/api/2.0/mlflow/<endpoint>` and returns the answer.
    @discardableResult
    func post(_ endpoint: String, _ message: [String: JSONValue], retry: Retry = .safe) async throws -> WireMessage {
        try await call(.POST, endpoint, query: "", body: JSONWriter.bytes(.object(message)), retry: retry)
    }

    /// POSTs JSON already written to `/api/2.0/mlflow/<endpoint>` and returns the answer.
    @discardableResult
    func post(_ endpoint: String, json: [UInt8], retry: Retry = .safe) async throws -> WireMessage {
        try await call(.POST, endpoint, query: "", body: json, retry: retry)
    }

    /// Sends `message` with `method` (PATCH, DELETE) to `/api/2.0/mlflow/<endpoint>`.
    @discardableResult
    func send(_ method: HTTPMethod, _ endpoint: String, _ message: [String: JSONValue], retry: Retry = .safe)
        async throws -> WireMessage
    {
        try await call(method, endpoint, query: "", body: JSONWriter.bytes(.object(message)), retry: retry)
    }

    /// GETs `/api/2.0/mlflow/<endpoint>?<query>` and returns the answer.
    func get(_ endpoint: String, _ query: [(String, String)]) async throws -> WireMessage {
        let text = query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await call(.GET, endpoint, query: text, body: nil, retry: .safe)
    }

    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private func call(_ method: HTTPMethod, _ endpoint: String, query: String, body: [UInt8]?, retry: Retry)
        async throws -> WireMessage
    {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        // An endpoint that starts with "/" is a path of its own (MLflow's `/ajax-api/…` ones).
        let path = endpoint.hasPrefix("/") ? endpoint : "/api/2.0/mlflow/" + endpoint
        var request = HTTPClientRequest(url: base + path + (query.isEmpty ? "" : "?" + query))
        request.method = method
        request.headers.add(name: "User-Agent", value: "logbook-swift")
        if let authorization = configuration.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        var attempt = 0
        while true {
            do {
                return try await send(request)
            } catch let failure as Failure
                where retry == .safe && failure.retryable && attempt < configuration.maxRetries
            {
                try await Task.sleep(for: configuration.retryBackoff * (1 << attempt))
                attempt += 1
            } catch let failure as Failure {
                throw failure.error
            }
        }
    }

    /// A failed call: the error to report, and whether trying again could help.
    struct Failure: Error {
        var error: LogbookError
        var retryable: Bool
    }

    private func send(_ request: HTTPClientRequest) async throws -> WireMessage {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            let timeout = configuration.timeout.components
            response = try await client.execute(
                request, timeout: .seconds(timeout.seconds) + .nanoseconds(timeout.attoseconds / 1_000_000_000))
            body = try await response.body.collect(upTo: Self.maxResponseSize)
        } catch {
            throw Failure(
                error: LogbookError(.temporarilyUnavailable, "Cannot reach the tracking server at \(url): \(error)"),
                retryable: true)
        }
        let status = Int(response.status.code)
        let bytes = body.readableBytesView
        guard (200..<300).contains(status) else {
            throw Failure(
                error: Self.error(status: status, body: bytes), retryable: [429, 500, 502, 503, 504].contains(status))
        }
        do {
            return try WireMessage(body: bytes)
        } catch {
            throw Failure(
                error: LogbookError(
                    .internalError,
                    "The tracking server at \(url) answered with something that is not JSON: \(error.message)"),
                retryable: false)
        }
    }

    /// The server's error: its JSON envelope, or (when the body is not JSON, as from a proxy) the
    /// code MLflow's client derives from the status.
    static func error(status: Int, body: some Collection<UInt8>) -> LogbookError {
        if let message = try? WireMessage(body: body), let code = try? message.string("error_code") {
            return LogbookError(ErrorCode(rawValue: code), (try? message.string("message")) ?? "HTTP \(status)")
        }
        let code: ErrorCode =
            switch status {
            case 400: .badRequest
            case 401: .unauthenticated
            case 403: .permissionDenied
            case 404: .endpointNotFound
            case 429: .requestLimitExceeded
            // A proxy saying its upstream is down or slow: the tracking server is unavailable.
            case 502, 503, 504: .temporarilyUnavailable
            default: .internalError
            }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return LogbookError(code, "HTTP \(status) from the tracking server: \(text)")
    }
}
