import Foundation
import Hummingbird
import HummingbirdTesting
import LogbookCore
import LogbookREST
import LogbookTesting
import Testing

@Suite("RESTStore retries and errors")
struct RESTStoreRetryTests {
    /// Requests seen, by path.
    final class Counts: Sendable {
        let byPath = Locked<[String: Int]>([:])

        subscript(path: String) -> Int { byPath.withLock { $0[path] ?? 0 } }
    }

    /// A server that answers the first `failures` requests with `status` and `body`, then `{}`,
    /// counting requests by path.
    static func flakyServer(failures: Int, status: HTTPResponse.Status, body: String)
        -> (Application<CallbackResponder<BasicRequestContext>>, Counts)
    {
        let counts = Counts()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let seen = counts.byPath.withLock { counts -> Int in
                counts[request.uri.path, default: 0] += 1
                return counts.values.reduce(0, +)
            }
            if seen <= failures {
                return Response(status: status, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        }
        return (
            Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0))), counts
        )
    }

    static let quick = RESTStore.Configuration(maxRetries: 3, retryBackoff: .milliseconds(1))

    @Test("Retry-safe calls are retried on 503 until they succeed")
    func retriesSafeCalls() async throws {
        let (app, counts) = Self.flakyServer(
            failures: 2, status: .serviceUnavailable,
            body: #"{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}"#)
        try await app.test(.live) { client in
            let store = RESTStore(url: URL(string: "http://127.0.0.1:\(client.port!)")!, configuration: Self.quick)
            try await store.logMetric(runID: "r", Metric(key: "m", value: 1, timestamp: 1))
            #expect(counts["/api/2.0/mlflow/runs/log-metric"] == 3)
        }
    }

    @Test("Creating is not retried: the server's error comes back at once")
    func createIsNotRetried() async throws {
        let (app, counts) = Self.flakyServer(
            failures: 5, status: .serviceUnavailable,
            body: #"{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}"#)
        try await app.test(.live) { client in
            let store = RESTStore(url: URL(string: "http://127.0.0.1:\(client.port!)")!, configuration: Self.quick)
            let error = await expectError(.temporarilyUnavailable) { _ = try await store.createRun(RunCreation()) }
            #expect(error?.message == "busy")
            #expect(counts["/api/2.0/mlflow/runs/create"] == 1)
        }
    }

    @Test("A non-JSON error page maps to the code MLflow's client derives from the status")
    func nonJSONErrors() async throws {
        let (app, _) = Self.flakyServer(failures: 100, status: .notFound, body: "<html>Not Found</html>")
        try await app.test(.live) { client in
            let store = RESTStore(url: URL(string: "http://127.0.0.1:\(client.port!)")!, configuration: Self.quick)
            let error = await expectError(.endpointNotFound) { _ = try await store.run(id: "abc") }
            #expect(error?.message.contains("<html>Not Found</html>") == true)
        }
    }

    @Test("An unreachable server is TEMPORARILY_UNAVAILABLE after the retries")
    func unreachable() async throws {
        let port = try freePort()
        let store = RESTStore(url: URL(string: "http://127.0.0.1:\(port)")!, configuration: Self.quick)
        let error = await expectError(.temporarilyUnavailable) { _ = try await store.run(id: "abc") }
        #expect(error?.message.contains("Cannot reach the tracking server") == true)
    }

    /// A port nothing listens on (bound, read, released).
    func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
