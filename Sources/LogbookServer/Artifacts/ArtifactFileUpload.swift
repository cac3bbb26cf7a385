import Foundation
import Hummingbird
import LogbookCore
import LogbookWire
import NIOCore
import NIOPosix

/// `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=…&path=…` with the file as the raw body:
/// MLflow's web UI upload, with MLflow 3.17's checks and words — `run_uuid`, `path` and a
/// non-empty body required, a path that escapes the run's artifacts is 400 "Invalid path", at
/// most 10 MB, an unknown run 404. The file lands where the run keeps its artifacts (this
/// server's destination or a local directory) and replaces a file of that name, as MLflow's
/// `log_artifact` does; it is written whole before it gets its name (temporary file, fsync,
/// rename).
enum ArtifactFileUpload {
    /// MLflow's limit for this route (10 MB, as 10 × 1024 × 1024 bytes).
    static let maxSize = 10 * 1024 * 1024

    static func respond(to request: Request, server: ServerContext, context: ServerRequestContext) async throws
        -> Response
    {
        let message = WireMessage(query: request.uri.query)
        guard let runID = try message.string("run_uuid"), !runID.isEmpty else {
            throw LogbookError(.invalidParameterValue, "Request must specify run_uuid.")
        }
        guard let path = try message.string("path"), !path.isEmpty else {
            throw LogbookError(.invalidParameterValue, "Request must specify path.")
        }
        let components = try ArtifactDownload.safeComponents(path)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxSize {
            throw tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxSize)
        } catch {
            throw tooLarge
        }
        guard body.readableBytes > 0 else { throw LogbookError(.invalidParameterValue, "Request must specify data.") }
        try await server.require(.edit, runID: runID)
        let run = try await server.store.run(id: runID)
        let (directory, base) = try ArtifactLocation.resolve(run.info.artifactURI, server: server)
        let relative = ((base.isEmpty ? [] : [base]) + components).joined(separator: "/")
        let (temporary, final) = try directory.prepareUpload(relative)
        // Writing and syncing wait on the disk: done on NIO's blocking-work pool.
        try await NIOThreadPool.singleton.runIfActive {
            guard FileManager.default.createFile(atPath: temporary, contents: Data(buffer: body)) else {
                throw LogbookError(.internalError, "Cannot store the artifact '\(path)'.")
            }
            try directory.commitUpload(temporary: temporary, final: final)
        }
        return APIResponse.json(bytes: Array("{}".utf8))
    }

    static let tooLarge = LogbookError(.invalidParameterValue, "Artifact size is too large. Max size is 10MB.")
}
