import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LogbookCore
import LogbookSQLite
import LogbookServer
import LogbookWire
import Testing

/// A server over a fresh SQLite file and artifact directory in a temporary folder.
struct ServerFixture: Sendable {
    let directory: String
    let store: SQLiteStore
    let server: TrackingServer

    init(maxRequestBodySize: Int = ServerConfiguration().maxRequestBodySize, access: AccessConfiguration? = nil) throws
    {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("logbook-server-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory + "/artifacts", withIntermediateDirectories: true)
        store = try SQLiteStore(
            path: directory + "/logbook.db",
            configuration: SQLiteStore.Configuration(artifactRoot: ServerConfiguration.proxiedArtifactRoot))
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, artifactsDestination: directory + "/artifacts",
            maxRequestBodySize: maxRequestBodySize)
        server =
            if let access {
                TrackingServer(store: store, configuration: configuration, access: access)
            } else {
                TrackingServer(store: store, configuration: configuration)
            }
    }

    var artifacts: String { directory + "/artifacts" }

    /// Runs `body` against the server: in-process by default, over a real socket with `.live`.
    func test(_ setup: TestingSetup = .router, _ body: @Sendable (APIClient) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await server.application().test(setup) { client in try await body(APIClient(client: client)) }
    }
}

/// Requests to the tracking API, as the Python client sends them.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    static let json: HTTPFields = [.contentType: "application/json"]

    /// POSTs `json` to `/api/2.0/mlflow/<endpoint>`.
    @discardableResult
    func post(_ endpoint: String, _ json: String, headers: HTTPFields = APIClient.json) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/2.0/mlflow/\(endpoint)", method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    /// GETs `/api/2.0/mlflow/<endpoint>?<query>`.
    func get(_ endpoint: String, _ query: String = "") async throws -> TestResponse {
        try await client.execute(uri: "/api/2.0/mlflow/\(endpoint)" + (query.isEmpty ? "" : "?\(query)"), method: .get)
    }

    /// POSTs and expects success; returns the parsed answer.
    @discardableResult
    func ok(_ endpoint: String, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> JSONValue
    {
        let response = try await post(endpoint, json)
        #expect(response.status == .ok, "\(endpoint): \(response.text)", sourceLocation: sourceLocation)
        return try response.json
    }

    /// GETs and expects success; returns the parsed answer.
    func ok(get endpoint: String, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> JSONValue
    {
        let response = try await get(endpoint, query)
        #expect(response.status == .ok, "\(endpoint): \(response.text)", sourceLocation: sourceLocation)
        return try response.json
    }

    /// Creates an experiment and returns its id.
    func createExperiment(_ name: String) async throws -> String {
        try await ok("experiments/create", #"{"name": "\#(name)"}"#)["experiment_id"].string
    }

    /// Creates a run in `experimentID` and returns its id.
    func createRun(_ experimentID: String = "0", name: String? = nil) async throws -> String {
        let nameField = name.map { #", "run_name": "\#($0)""# } ?? ""
        return try await ok(
            "runs/create", #"{"experiment_id": "\#(experimentID)", "start_time": 1700000000000\#(nameField)}"#)[
                "run"]["info"]["run_id"].string
    }

    /// The run as `runs/get` answers it.
    func run(_ id: String) async throws -> JSONValue {
        try await ok(get: "runs/get", "run_id=\(id)")["run"]
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue {
        get throws { try JSONParser.parse(body.readableBytesView) }
    }

    /// Checks the JSON error envelope: status, `error_code`, and optionally part of the message.
    func expectError(
        _ status: HTTPResponse.Status, _ code: ErrorCode, containing fragment: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/json", sourceLocation: sourceLocation)
        let body = try json
        #expect(body["error_code"].string == code.rawValue, "\(text)", sourceLocation: sourceLocation)
        if let fragment {
            #expect(body["message"].string.contains(fragment), "\(text)", sourceLocation: sourceLocation)
        }
    }
}

/// Reading answers in tests: missing members read as `.null`, and wrong types as empty values.
extension JSONValue {
    subscript(_ key: String) -> JSONValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    subscript(_ index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    var string: String {
        if case .string(let string) = self { return string }
        return ""
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var int: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    var double: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    var isNull: Bool { self == .null }

    /// `[key: value]` of a list of `{key, value}` messages.
    var keyValues: [String: String] {
        Dictionary(array.map { ($0["key"].string, $0["value"].string) }, uniquingKeysWith: { _, last in last })
    }
}
