import HTTPTypes
import HummingbirdTesting
import LogbookCore
import NIOCore
import Testing

@Suite("Wire protocol: lenient requests, JSON errors for everything")
struct ProtocolTests {
    @Test("Both API prefixes answer; trailing slashes are fine")
    func prefixes() async throws {
        try await ServerFixture().test { api in
            for uri in [
                "/api/2.0/mlflow/experiments/get?experiment_id=0",
                "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0",
                "/api/2.0/mlflow/experiments/get/?experiment_id=0",
            ] {
                let response = try await api.client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri)")
                #expect(try response.json["experiment"]["name"].string == "Default")
            }
        }
    }

    @Test("An unknown endpoint is a JSON 404 ENDPOINT_NOT_FOUND, not an HTML page")
    func unknownEndpoint() async throws {
        try await ServerFixture().test { api in
            // `/` is the web UI's; any other unknown path answers JSON (a browser asking for HTML gets a page).
            for uri in [
                "/api/2.0/mlflow/runs/explode", "/nothing/here", "/api/2.0/mlflow-artifactsX", "/static/nope.js",
            ] {
                try await api.client.execute(uri: uri, method: .get).expectError(.notFound, .endpointNotFound)
            }
            let page = try await api.client.execute(uri: "/nothing/here", method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test("A wrong method is a JSON 405 with an Allow header")
    func wrongMethod() async throws {
        try await ServerFixture().test { api in
            let response = try await api.client.execute(uri: "/api/2.0/mlflow/runs/create", method: .get)
            try response.expectError(.methodNotAllowed, .badRequest, containing: "use POST")
            #expect(response.headers[.allow] == "POST")
            let put = try await api.client.execute(
                uri: "/api/2.0/mlflow/experiments/search", method: .put, headers: APIClient.json,
                body: ByteBuffer(string: "{}"))
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            try await api.client.execute(uri: "/health", method: .post).expectError(.methodNotAllowed, .badRequest)
            try await api.client.execute(uri: "/api/2.0/mlflow-artifacts/artifacts/x", method: .post)
                .expectError(.methodNotAllowed, .badRequest)
        }
    }

    @Test("Malformed JSON, a non-object body and a wrong content type are JSON 400 BAD_REQUEST")
    func badBodies() async throws {
        try await ServerFixture().test { api in
            try await api.post("experiments/create", #"{"name": "x""#)
                .expectError(.badRequest, .badRequest, containing: "Malformed JSON")
            try await api.post("experiments/create", #"{"name": "x"} trailing"#)
                .expectError(.badRequest, .badRequest, containing: "Malformed JSON")
            try await api.post("experiments/create", "[1, 2]").expectError(
                .badRequest, .badRequest, containing: "JSON object")
            try await api.post("experiments/create", #"{"name": "\ud800"}"#).expectError(.badRequest, .badRequest)
            try await api.post("experiments/create", String(repeating: "[", count: 10_000))
                .expectError(.badRequest, .badRequest, containing: "nested deeper")
            try await api.post("experiments/create", #"{"name": "x"}"#, headers: [.contentType: "text/plain"])
                .expectError(.badRequest, .badRequest, containing: "Content-Type must be one of ['application/json']")
            try await api.post("experiments/create", #"{"name": "x"}"#, headers: [:])
                .expectError(.badRequest, .badRequest, containing: "Content-Type")
            // Parameters on the content type are fine.
            let ok = try await api.post(
                "experiments/create", #"{"name": "charset"}"#,
                headers: [.contentType: "application/json; charset=utf-8"])
            #expect(ok.status == .ok)
        }
    }

    @Test("A body over the configured limit is a JSON 413, and nothing is stored")
    func bodyLimit() async throws {
        try await ServerFixture(maxRequestBodySize: 1024).test { api in
            let runID = try await api.createRun()
            let big = String(repeating: "v", count: 2000)
            let response = try await api.post(
                "runs/set-tag", #"{"run_id": "\#(runID)", "key": "k", "value": "\#(big)"}"#)
            try response.expectError(.contentTooLarge, .requestLimitExceeded, containing: "1024 bytes")
            #expect(try await api.run(runID)["data"]["tags"].keyValues["k"] == nil)
        }
    }

    @Test("Lenient requests: camelCase names, numeric strings for int64, unknown fields, a JSON string body")
    func lenientParsing() async throws {
        try await ServerFixture().test { api in
            let run = try await api.ok(
                "runs/create",
                #"{"experimentId": "0", "startTime": "1700000000000", "runName": "camel", "futureField": {"x": 1}}"#
            )["run"]["info"]
            #expect(run["start_time"].int == 1_700_000_000_000)
            #expect(run["run_name"].string == "camel")
            let runID = run["run_id"].string
            try await api.ok(
                "runs/log-metric", #"{"runId": "\#(runID)", "key": "m", "value": "2.5", "timestamp": "5", "step": "3"}"#
            )
            let point = try await api.ok(get: "metrics/get-history", "run_id=\(runID)&metric_key=m")["metrics"][0]
            #expect(point["value"].double == 2.5)
            #expect(point["timestamp"].int == 5)
            #expect(point["step"].int == 3)
            // A JSON document sent as a JSON string (legacy clients) is read again.
            try await api.ok("runs/set-tag", #""{\"run_id\": \"\#(runID)\", \"key\": \"legacy\", \"value\": \"yes\"}""#)
            #expect(try await api.run(runID)["data"]["tags"].keyValues["legacy"] == "yes")
            // An empty body is the empty message.
            try await api.post("runs/get-nothing", "").expectError(.notFound, .endpointNotFound)
            try await api.post("runs/update", "").expectError(
                .badRequest, .invalidParameterValue, containing: "'run_id'")
            // Both spellings of one field are refused.
            try await api.post("runs/set-tag", #"{"run_id": "\#(runID)", "runId": "\#(runID)", "key": "k"}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "Both")
            // Wrong types get MLflow's hint.
            try await api.post("runs/set-tag", #"{"run_id": "\#(runID)", "key": ["k"]}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "Value was of type 'list'")
            try await api.post(
                "runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1, "timestamp": "soon"}"#
            )
            .expectError(.badRequest, .invalidParameterValue, containing: "'timestamp'")
        }
    }

    @Test("GET requests take repeated query parameters as lists and percent-escapes")
    func queryParameters() async throws {
        try await ServerFixture().test { api in
            _ = try await api.createExperiment("a b&c")
            let found = try await api.ok(get: "experiments/get-by-name", "experiment_name=a%20b%26c")
            #expect(found["experiment"]["name"].string == "a b&c")
            let search = try await api.ok(
                get: "experiments/search", "order_by=name+ASC&order_by=experiment_id+DESC&max_results=5")
            #expect(search["experiments"].array.map { $0["name"].string } == ["Default", "a b&c"])
        }
    }

    @Test("health, version, server-info and logged-models/search answer as the stock client expects")
    func serverEndpoints() async throws {
        try await ServerFixture().test(.live) { api in
            let health = try await api.client.execute(uri: "/health", method: .get)
            #expect(health.text == "OK")
            let head = try await api.client.execute(uri: "/health", method: .head)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            let version = try await api.client.execute(uri: "/version", method: .get)
            #expect(version.text == "3.17.2")
            #expect(version.headers[.server] == "logbook/\(LogbookVersion.current)")
            for uri in ["/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info"] {
                let info = try await api.client.execute(uri: uri, method: .get).json
                #expect(info["multipart_uploads_enabled"] == .bool(false))
                #expect(info["store_type"].string == "SqlStore")
                #expect(info["logbook_version"].string == LogbookVersion.current)
            }
            #expect(try await api.ok("logged-models/search", #"{"experiment_ids": ["0"]}"#) == .object([:]))
        }
    }
}
