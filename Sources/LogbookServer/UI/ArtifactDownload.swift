import Foundation
import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire

/// `GET /get-artifact?run_uuid=…&path=…` (MLflow's path; also under `/ajax-api/2.0/mlflow/`): one
/// file of a run's artifacts, wherever the run keeps them (the server's artifact destination or a
/// local directory), for previews and downloads. `download=1` asks for an attachment.
///
/// The file is served with a content type from its name that never lets a browser run it (HTML,
/// SVG and JavaScript come back as plain text), `nosniff`, and a sandboxing Content-Security-Policy,
/// so an artifact opened directly cannot act as a page of the server's origin.
enum ArtifactDownload {
    static func respond(to request: Request, server: ServerContext, context: ServerRequestContext) async throws
        -> Response
    {
        let message = WireMessage(query: request.uri.query)
        let runID = try message.requiredString("run_uuid", alias: "run_id")
        let path = try message.requiredString("path")
        let components = try safeComponents(path)
        let run = try await server.store.run(id: runID)
        return try await file(
            components, under: run.info.artifactURI, owner: "run \(runID)",
            disposition: message.contains(name: "download") ? "attachment" : "inline", server: server,
            context: context)
    }

    /// A relative artifact path's components; a path that escapes its root, or names nothing, is
    /// MLflow's 400 "Invalid path".
    static func safeComponents(_ path: String) throws -> [String] {
        let components: [String]
        do {
            components = try ArtifactDirectory.components(of: path)
        } catch {
            throw LogbookError(.invalidParameterValue, "Invalid path")
        }
        guard !components.isEmpty else { throw LogbookError(.invalidParameterValue, "Invalid path") }
        return components
    }

    /// The file at `components` under an artifact URI (of a run or a logged model), served so
    /// that a browser never runs it.
    static func file(
        _ components: [String], under artifactURI: String, owner: String, disposition: String,
        server: ServerContext, context: ServerRequestContext
    ) async throws -> Response {
        let (directory, base) = try ArtifactLocation.resolve(artifactURI, server: server)
        let relative = (base.isEmpty ? [] : [base]) + components
        let joined = relative.joined(separator: "/")
        let path = components.joined(separator: "/")
        switch try directory.kind(of: joined) {
        case .missing:
            throw LogbookError(.resourceDoesNotExist, "No artifact '\(path)' in \(owner).")
        case .directory:
            throw LogbookError(.invalidParameterValue, "'\(path)' is a directory, not a file.")
        case .file:
            let body = try await ArtifactProxy.fileIO.loadFile(path: try directory.resolve(joined), context: context)
            let name = components[components.count - 1].replacingOccurrences(of: "\"", with: "")
            return Response(
                status: .ok,
                headers: [
                    .contentType: ArtifactProxy.contentType(forName: name),
                    .contentDisposition: "\(disposition); filename=\"\(name)\"",
                    .contentSecurityPolicy: "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
                    .xContentTypeOptions: "nosniff",
                ], body: body)
        }
    }
}

extension WireMessage {
    /// Whether the query names `name` with a true-ish value (`1`, `true`) or no value.
    fileprivate func contains(name: String) -> Bool {
        guard let value = try? string(name) else { return (try? contains(name)) ?? false }
        return value == "1" || value == "true" || value.isEmpty
    }
}
