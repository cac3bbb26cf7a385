import Foundation
import HummingbirdTesting
import LogbookCore
import NIOCore
import Testing

@Suite("Artifact proxy and artifacts/list")
struct ArtifactTests {
    static let proxy = "/api/2.0/mlflow-artifacts/artifacts"

    @Test("PUT stores a file where the run's URI points; GET returns it; artifacts/list and ?path= list it")
    func uploadDownloadList() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { api in
            let experiment = try await api.createExperiment("art")
            let runID = try await api.createRun(experiment)
            let base = "\(experiment)/\(runID)/artifacts"
            let bytes = ByteBuffer(bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let put = try await api.client.execute(
                uri: "\(Self.proxy)/\(base)/model/weights.bin", method: .put, body: bytes)
            #expect(put.status == .ok)
            #expect(put.body.readableBytes == 0)
            _ = try await api.client.execute(
                uri: "\(Self.proxy)/\(base)/notes%20v1.txt", method: .put, body: ByteBuffer(string: "hello"))
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: "\(fixture.artifacts)/\(base)/model/weights.bin"))
                    == Data(buffer: bytes))

            let got = try await api.client.execute(uri: "\(Self.proxy)/\(base)/model/weights.bin", method: .get)
            #expect(got.status == .ok)
            #expect(got.body == bytes)
            #expect(got.headers[.contentDisposition] == #"attachment; filename="weights.bin""#)
            let text = try await api.client.execute(uri: "\(Self.proxy)/\(base)/notes%20v1.txt", method: .get)
            #expect(text.text == "hello")
            #expect(text.headers[.contentType] == "text/plain; charset=utf-8")

            let top = try await api.ok(get: "artifacts/list", "run_id=\(runID)")
            #expect(top["root_uri"].string == "mlflow-artifacts:/\(base)")
            #expect(top["files"].array.map { $0["path"].string } == ["model", "notes v1.txt"])
            #expect(top["files"][0]["is_dir"] == .bool(true))
            #expect(top["files"][0]["file_size"].isNull)
            let model = try await api.ok(get: "artifacts/list", "run_uuid=\(runID)&path=model")
            #expect(model["files"][0]["path"].string == "model/weights.bin")
            #expect(model["files"][0]["file_size"].int == 200_000)
            let missing = try await api.ok(get: "artifacts/list", "run_id=\(runID)&path=nothing")
            #expect(missing["files"].isNull)
            #expect(!missing["root_uri"].string.isEmpty)

            let listing = try await api.client.execute(uri: "\(Self.proxy)?path=\(base)/model", method: .get)
            #expect(try listing.json["files"][0]["path"].string == "weights.bin")
        }
    }

    @Test("DELETE removes a file or a directory; deleting what is not there is fine")
    func delete() async throws {
        let fixture = try ServerFixture()
        try await fixture.test { api in
            _ = try await api.client.execute(
                uri: "\(Self.proxy)/1/r/a/b.txt", method: .put, body: ByteBuffer(string: "x"))
            let deleted = try await api.client.execute(uri: "\(Self.proxy)/1/r/a", method: .delete)
            #expect(deleted.status == .ok)
            #expect(!FileManager.default.fileExists(atPath: "\(fixture.artifacts)/1/r/a"))
            #expect(try await api.client.execute(uri: "\(Self.proxy)/1/r/a", method: .delete).status == .ok)
            try await api.client.execute(uri: "\(Self.proxy)/1/r/a/b.txt", method: .get)
                .expectError(.notFound, .resourceDoesNotExist)
        }
    }

    @Test("Paths that would leave the artifact destination are 400 and nothing is written outside it")
    func pathSafety() async throws {
        let fixture = try ServerFixture()
        let outside = fixture.directory + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.artifacts + "/escape", withDestinationPath: outside)
        try "secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
        try await fixture.test { api in
            for path in [
                "../evil.txt", "a/../../evil.txt", "%2E%2E/evil.txt", "/etc/evil.txt", "a%2F..%2F..%2Fevil.txt",
            ] {
                let response = try await api.client.execute(
                    uri: "\(Self.proxy)/\(path)", method: .put, body: ByteBuffer(string: "x"))
                try response.expectError(.badRequest, .invalidParameterValue, containing: "Invalid artifact path")
            }
            try await api.client.execute(
                uri: "\(Self.proxy)/escape/evil.txt", method: .put, body: ByteBuffer(string: "x")
            )
            .expectError(.badRequest, .invalidParameterValue)
            try await api.client.execute(uri: "\(Self.proxy)/escape/secret.txt", method: .get)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.client.execute(uri: "\(Self.proxy)/escape/secret.txt", method: .delete)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.client.execute(uri: "\(Self.proxy)?path=escape", method: .get)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.get("artifacts/list", "run_id=\(try await api.createRun())&path=../..")
                .expectError(.badRequest, .invalidParameterValue)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["secret.txt"])
            #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/evil.txt"))
        }
    }

    @Test("A symbolic link at an upload's target that points outside is refused, not written through")
    func symlinkTargetReplaced() async throws {
        let fixture = try ServerFixture()
        let outside = fixture.directory + "/outside.txt"
        try "original".write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: fixture.artifacts + "/1", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: fixture.artifacts + "/1/link.txt", withDestinationPath: outside)
        try await fixture.test { api in
            let response = try await api.client.execute(
                uri: "\(Self.proxy)/1/link.txt", method: .put, body: ByteBuffer(string: "x"))
            // The link points outside, so the path is refused outright.
            try response.expectError(.badRequest, .invalidParameterValue)
            #expect(try String(contentsOfFile: outside, encoding: .utf8) == "original")
        }
    }
}
