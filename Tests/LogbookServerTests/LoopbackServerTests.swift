import AsyncHTTPClient
import Foundation
import LogbookCore
import LogbookServer
import LogbookWire
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `logbook exec`'s server: a socket bound up front, the HTTP server started by the first client.
@Suite("Serving on a loopback listener")
struct LoopbackServerTests {
    @Test("The first client to connect is answered, and so are keep-alive and parallel clients after it")
    func answersFromTheFirstConnection() async throws {
        let fixture = try ServerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let listener = try LoopbackListener()
        #expect(listener.url == "http://127.0.0.1:\(listener.port)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await fixture.server.serve(listener) }
            let api = "\(listener.url)/api/2.0/mlflow"
            let created = try await Self.post("\(api)/runs/create", #"{"experiment_id": "0"}"#)
            let runID = created["run"]["info"]["run_id"].string
            #expect(!runID.isEmpty)
            try await withThrowingTaskGroup(of: Void.self) { clients in
                for client in 0..<4 {
                    clients.addTask {
                        for step in 0..<25 {
                            _ = try await Self.post(
                                "\(api)/runs/log-metric",
                                #"{"run_id": "\#(runID)", "key": "c\#(client)", "value": \#(step), "timestamp": 1, "step": \#(step)}"#
                            )
                        }
                    }
                }
                try await clients.waitForAll()
            }
            let points = try await fixture.store.metricHistory(runID: runID, key: "c3")
            #expect(points.map(\.step) == Array(0..<25))
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(Self.refusesConnections(port: listener.port))
    }

    @Test("Cancelled before any client came, it returns and its port is closed")
    func cancelledUnused() async throws {
        let fixture = try ServerFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.directory) }
        let listener = try LoopbackListener()
        let serving = Task { try await fixture.server.serve(listener) }
        serving.cancel()
        try await serving.value
        #expect(Self.refusesConnections(port: listener.port))
    }

    /// POSTs `json` and returns the answer's JSON; anything but 200 fails the test.
    static func post(_ url: String, _ json: String) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok, "\(url): \(String(buffer: body))")
        return try JSONParser.parse(body.readableBytesView)
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is refused.
    static func refusesConnections(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        return !connected && errno == ECONNREFUSED
    }
}
