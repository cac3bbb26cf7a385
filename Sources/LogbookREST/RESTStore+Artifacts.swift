import AsyncHTTPClient
import Foundation
import LogbookCore
import NIOCore
import NIOPosix

extension RESTStore {
    /// Uploads a local file to the server's artifact proxy at `path`
    /// (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`), streamed from disk. `path` is what an
    /// `mlflow-artifacts:/<path>` URI names. Safe to retry: the server replaces the file whole.
    public func uploadArtifact(file: String, to path: String) async throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let escaped = path.split(separator: "/").map { Self.escape(String($0)) }.joined(separator: "/")
        var attempt = 0
        while true {
            var request = HTTPClientRequest(url: base + "/api/2.0/mlflow-artifacts/artifacts/" + escaped)
            request.method = .PUT
            request.headers.add(name: "User-Agent", value: "logbook-swift")
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            if let authorization = configuration.authorization {
                request.headers.add(name: "Authorization", value: authorization)
            }
            request.body = .stream(FileChunks(path: file), length: .known(Int64(size)))
            let status: Int
            let body: ByteBuffer
            do {
                let response = try await client.execute(request, timeout: .seconds(600))
                status = Int(response.status.code)
                body = try await response.body.collect(upTo: 1 << 20)
            } catch {
                if attempt < configuration.maxRetries {
                    try await Task.sleep(for: configuration.retryBackoff * (1 << attempt))
                    attempt += 1
                    continue
                }
                throw LogbookError(.temporarilyUnavailable, "Cannot upload '\(path)' to \(url): \(error)")
            }
            if (200..<300).contains(status) { return }
            if [429, 500, 502, 503, 504].contains(status), attempt < configuration.maxRetries {
                try await Task.sleep(for: configuration.retryBackoff * (1 << attempt))
                attempt += 1
                continue
            }
            throw Self.error(status: status, body: body.readableBytesView)
        }
    }
}

/// A file's bytes in chunks of 1 MiB, read as the upload asks for them.
private struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            guard let handle else { throw LogbookError(.internalError, "Cannot read the file to upload.") }
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: path)) }
}
