import AsyncHTTPClient
import HummingbirdTesting
import LogbookCore
import NIOCore
import Testing

@Suite("Over a real socket")
struct LiveServerTests {
    @Test("One keep-alive connection carries many requests: create, log, read back")
    func keepAlive() async throws {
        try await ServerFixture().test(.live) { api in
            #expect(api.client.port != nil)
            let runID = try await api.createRun()
            for step in 0..<200 {
                let response = try await api.post(
                    "runs/log-metric",
                    #"{"run_id": "\#(runID)", "key": "m", "value": \#(step), "timestamp": 1, "step": \#(step)}"#)
                #expect(response.status == .ok)
                #expect(response.headers[.connection] != "close")
            }
            let history = try await api.ok(get: "metrics/get-history", "run_id=\(runID)&metric_key=m")
            #expect(history["metrics"].array.count == 200)
        }
    }

    @Test("An oversized body is refused with a JSON 413 and the connection keeps working")
    func oversizedBody() async throws {
        try await ServerFixture(maxRequestBodySize: 4096).test(.live) { api in
            let big = String(repeating: "x", count: 100_000)
            try await api.post("experiments/create", #"{"name": "\#(big)"}"#)
                .expectError(.contentTooLarge, .requestLimitExceeded)
            #expect(try await api.client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    /// Checks integrity, not speed: it talks through its own client with a generous deadline, since
    /// the test client's fixed 20 s read timeout is too short for 16 MB on a loaded 2-core CI machine.
    @Test("A large artifact streams up and down intact")
    func largeArtifact() async throws {
        let fixture = try ServerFixture()
        try await fixture.test(.live) { api in
            var bytes = ByteBuffer()
            for index in 0..<(8 << 20) / 8 { bytes.writeInteger(UInt64(index)) }
            let url =
                "http://127.0.0.1:\(try #require(api.client.port))/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/big.bin"
            var put = HTTPClientRequest(url: url)
            put.method = .PUT
            put.body = .bytes(bytes)
            let stored = try await HTTPClient.shared.execute(put, timeout: .minutes(5))
            #expect(stored.status == .ok)
            let got = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .minutes(5))
            #expect(got.status == .ok)
            let body = try await got.body.collect(upTo: 64 << 20)
            #expect(body.readableBytes == bytes.readableBytes)
            #expect(body == bytes)
        }
    }
}
