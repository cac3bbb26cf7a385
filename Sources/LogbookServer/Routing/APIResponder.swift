import Foundation
import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire
import NIOCore

/// Answers every request the server gets: finds the endpoint by path, reads the request message,
/// and turns every failure into MLflow's JSON error envelope — an unknown path, a wrong method, a
/// malformed body and an unexpected error included. Nothing answers with HTML or an empty 500.
struct APIResponder: HTTPResponder {
    typealias Context = ServerRequestContext

    let server: ServerContext

    /// The path prefixes the tracking API is served under (reference §6.1).
    static let apiPrefixes = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"]
    /// The path prefixes of Logbook's own endpoints (the web UI's chart data, access tokens),
    /// beside MLflow's.
    static let logbookPrefixes = ["/api/2.0/logbook/", "/ajax-api/2.0/logbook/"]
    /// The path prefixes of MLflow 3's auth endpoints (`users/current`, `users/permissions/…`).
    static let v3Prefixes = ["/api/3.0/mlflow/", "/ajax-api/3.0/mlflow/"]
    /// The path prefixes of the artifact proxy.
    static let artifactPrefixes = ["/api/2.0/mlflow-artifacts/artifacts", "/ajax-api/2.0/mlflow-artifacts/artifacts"]

    func respond(to request: Request, context: Context) async throws -> Response {
        // HEAD is GET without the body, wherever GET is answered.
        if request.method == .head {
            var head = request.head
            head.method = .get
            return try await respond(to: Request(head: head, body: request.body), context: context)
                .createHeadResponse()
        }
        do {
            guard let access = server.access else { return try await route(request, server: server, context: context) }
            if let answer = try await SignInPage.respond(to: request, access: access, server: server, context: context)
            {
                return answer
            }
            if Self.isOpen(request.uri.path) { return try await route(request, server: server, context: context) }
            let caller: User
            do {
                caller = try await access.authenticate(request, address: context.peer)
            } catch let error as LogbookError where error.code == .unauthenticated {
                return Self.unauthenticated(error, request: request)
            }
            return try await SignInPage.$caller.withValue(caller) {
                try await route(request, server: server.signedIn(caller), context: context)
            }
        } catch let error as LogbookError {
            return APIResponse.error(error)
        } catch let error as MethodNotAllowed {
            return error.response
        } catch let error as RequestTooLarge {
            return Self.tooLarge(error.limit)
        } catch is NIOTooManyBytesError {
            return Self.tooLarge(server.configuration.maxRequestBodySize)
        } catch let error as HTTPError {
            return APIResponse.error(
                LogbookError(.badRequest, error.body ?? "\(error.status)"), status: error.status)
        } catch {
            context.logger.error("Unexpected error answering \(request.method) \(request.uri.path): \(error)")
            return APIResponse.error(LogbookError(.internalError, "Unexpected error: \(error)"))
        }
    }

    /// Paths answered without signing in: liveness, version, the UI's static files. (`/login` and
    /// `/logout` are answered before this is asked.)
    static func isOpen(_ path: String) -> Bool {
        path == "/health" || path == "/version" || path.hasPrefix("/static/")
    }

    /// 401 with `WWW-Authenticate`; a browser asking for a page is sent to the sign-in form instead.
    static func unauthenticated(_ error: LogbookError, request: Request) -> Response {
        let path = request.uri.path
        let isAPI = path.hasPrefix("/api/") || path.hasPrefix("/ajax-api/")
        if !isAPI, request.method == .get, request.headers[.accept]?.contains("text/html") == true {
            return UIResponse.redirect(SignInPage.url(next: request.uri.description))
        }
        // Basic for API clients (a browser's own prompt works too); the UI's scripts get a scheme
        // browsers do not prompt for.
        let challenge =
            path.hasPrefix("/ajax-api/") ? "Bearer realm=\"logbook\"" : "Basic realm=\"logbook\", charset=\"UTF-8\""
        return APIResponse.error(error, headers: [.wwwAuthenticate: challenge])
    }

    private func route(_ request: Request, server: ServerContext, context: Context) async throws -> Response {
        let path = request.uri.path
        // MLflow's web UI artifact routes under the API prefix, with raw bodies and query strings.
        switch path {
        case "/ajax-api/2.0/mlflow/upload-artifact":
            try Self.checkMethod(request, allowed: [.post])
            return try await ArtifactFileUpload.respond(to: request, server: server, context: context)
        case "/ajax-api/2.0/mlflow/get-artifact":
            try Self.checkMethod(request, allowed: [.get])
            return try await ArtifactDownload.respond(to: request, server: server, context: context)
        case "/model-versions/get-artifact", "/ajax-api/2.0/mlflow/model-versions/get-artifact":
            try Self.checkMethod(request, allowed: [.get])
            return try await RegistryEndpoints.artifactFile(request: request, server: server, context: context)
        default:
            break
        }
        if let prefix = Self.apiPrefixes.first(where: path.hasPrefix) {
            var name = String(path.dropFirst(prefix.count))
            while name.hasSuffix("/") { name.removeLast() }
            if let file = try await LoggedModelEndpoints.artifactFile(
                name, request: request, server: server, context: context)
            {
                return file
            }
            guard let endpoint = Endpoint.all[name] ?? LoggedModelEndpoints.endpoint(for: name, method: request.method)
            else { throw Self.endpointNotFound(request) }
            try Self.checkMethod(request, allowed: endpoint.methods)
            if let handleBody = endpoint.handleBody {
                return try await handleBody(
                    try await Self.body(of: request, limit: server.configuration.maxRequestBodySize), server)
            }
            let message = try await Self.message(of: request, limit: server.configuration.maxRequestBodySize)
            return try await endpoint.handler(for: request.method)(message, server)
        }
        if let prefix = Self.logbookPrefixes.first(where: path.hasPrefix) {
            var name = String(path.dropFirst(prefix.count))
            while name.hasSuffix("/") { name.removeLast() }
            guard let endpoint = SeriesEndpoints.all[name] ?? AccessEndpoints.tokens[name] else {
                throw Self.endpointNotFound(request)
            }
            try Self.checkMethod(request, allowed: endpoint.methods)
            return try await endpoint.handle(
                try await Self.message(of: request, limit: server.configuration.maxRequestBodySize), server)
        }
        if let prefix = Self.v3Prefixes.first(where: path.hasPrefix), server.access != nil {
            var name = String(path.dropFirst(prefix.count))
            while name.hasSuffix("/") { name.removeLast() }
            if let endpoint = AccessEndpoints.v3[name] {
                try Self.checkMethod(request, allowed: endpoint.methods)
                return try await endpoint.handle(
                    try await Self.message(of: request, limit: server.configuration.maxRequestBodySize), server)
            }
        }
        if let prefix = Self.artifactPrefixes.first(where: path.hasPrefix) {
            guard server.configuration.serveArtifacts else {
                throw LogbookError(
                    .temporarilyUnavailable,
                    "Endpoint: \(request.uri.path) disabled due to the server running with `--no-serve-artifacts`. To enable artifacts server functionality, run the server with `--serve-artifacts`."
                )
            }
            let rest = path.dropFirst(prefix.count)
            if rest.isEmpty || rest == "/" {
                try Self.checkMethod(request, allowed: [.get])
                return try await ArtifactProxy.list(WireMessage(query: request.uri.query), server: server)
            }
            guard rest.hasPrefix("/") else { throw Self.endpointNotFound(request) }
            let relative = WireMessage.percentDecode(rest.dropFirst())
            return try await ArtifactProxy.handle(request, path: relative, server: server, context: context)
        }
        switch path {
        case "/health":
            try Self.checkMethod(request, allowed: [.get])
            return APIResponse.text("OK")
        case "/version":
            try Self.checkMethod(request, allowed: [.get])
            return APIResponse.text(ServerEndpoints.mlflowVersion)
        case "/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info":
            try Self.checkMethod(request, allowed: [.get])
            return try ServerEndpoints.serverInfo()
        default:
            if let response = try await UIRoutes.respond(to: request, server: server, context: context) {
                return response
            }
            if request.headers[.accept]?.contains("text/html") == true {
                return UIResponse.page(
                    NotFoundPage.render("There is no page at \(request.uri.path)."), status: .notFound)
            }
            throw Self.endpointNotFound(request)
        }
    }

    // MARK: Reading requests

    /// The request message: the query of a GET, the JSON body of anything else.
    static func message(of request: Request, limit: Int) async throws -> WireMessage {
        if request.method == .get {
            return WireMessage(query: request.uri.query)
        }
        if request.method == .delete {
            // A DELETE says what it deletes in its query, or (MLflow's auth client) in a JSON body.
            if let query = request.uri.query, !query.isEmpty { return WireMessage(query: query) }
            let body = try await body(of: request, limit: limit)
            return body.readableBytes == 0
                ? WireMessage(query: nil) : try WireMessage(body: body.readableBytesView)
        }
        return try WireMessage(body: try await body(of: request, limit: limit).readableBytesView)
    }

    /// The JSON body of a request, at most `limit` bytes; a non-empty body must say it is JSON.
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw RequestTooLarge(limit: limit)
        }
        var request = request
        let body = try await request.collectBody(upTo: limit)
        if body.readableBytes > 0 {
            let contentType = request.headers[.contentType] ?? ""
            let mediaType = contentType.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard mediaType == "application/json" else {
                throw LogbookError(
                    .badRequest,
                    "Bad Request. Content-Type must be one of ['application/json'], got '\(contentType)'.")
            }
        }
        return body
    }

    // MARK: Errors

    struct RequestTooLarge: Error {
        let limit: Int
    }

    static func tooLarge(_ limit: Int) -> Response {
        APIResponse.error(
            LogbookError(
                .requestLimitExceeded,
                "The request body is larger than this server's limit of \(limit) bytes (logbook server --max-request-body-size)."
            ), status: .contentTooLarge)
    }

    static func endpointNotFound(_ request: Request) -> LogbookError {
        LogbookError(.endpointNotFound, "No endpoint \(request.method) \(request.uri.path) on this server.")
    }

    static func checkMethod(_ request: Request, allowed: [HTTPRequest.Method]) throws {
        guard !allowed.contains(request.method) else { return }
        throw MethodNotAllowed(method: request.method, path: request.uri.path, allowed: allowed)
    }
}

/// A known path asked with a method it does not answer: HTTP 405 with an `Allow` header.
struct MethodNotAllowed: Error {
    let method: HTTPRequest.Method
    let path: String
    let allowed: [HTTPRequest.Method]

    var response: Response {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return APIResponse.error(
            LogbookError(.badRequest, "The method \(method) is not allowed for \(path); use \(allow)."),
            status: .methodNotAllowed, headers: [.allow: allow])
    }
}
