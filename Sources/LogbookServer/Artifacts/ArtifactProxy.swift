import Foundation
import HTTPTypes
import Hummingbird
import LogbookCore
import LogbookWire
import NIOPosix

/// The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts/<path>`): uploads, downloads, deletes
/// and listings inside the server's artifact destination. Files stream to and from disk in
/// chunks, so memory stays flat whatever their size.
enum ArtifactProxy {
    static let fileIO = FileIO()

    static func handle(_ request: Request, path: String, server: ServerContext, context: ServerRequestContext)
        async throws -> Response
    {
        try await require(request.method == .get ? .read : .edit, path: path, server: server)
        switch request.method {
        case .put: return try await upload(request, path: path, server: server, context: context)
        case .get: return try await download(path: path, server: server, context: context)
        case .delete:
            try server.artifacts.delete(path)
            return APIResponse.empty()
        default:
            throw MethodNotAllowed(method: request.method, path: request.uri.path, allowed: [.get, .put, .delete])
        }
    }

    /// `GET …/artifacts?path=<dir>`: one directory level, names only (as MLflow's proxy answers).
    static func list(_ message: WireMessage, server: ServerContext) async throws -> Response {
        let path = try message.string("path") ?? ""
        let isTop = path.split(separator: "/").isEmpty
        if !isTop { try await require(.read, path: path, server: server) }
        var entries = try server.artifacts.list(path) ?? []
        if isTop, let store = server.store as? AuthorizedStore {
            // The top level is one directory per experiment: only those the caller may read.
            let readable = Set(try await store.readable(entries.map(\.name)))
            entries = entries.filter { readable.contains($0.name) }
        }
        return try APIResponse.json(
            ListArtifactsResponse(
                rootURI: nil,
                files: entries.map { WireFileInfo(path: $0.name, isDir: $0.isDirectory, fileSize: $0.size) }))
    }

    /// With `--auth`: artifacts live under `<experiment id>/…`, so a path needs `needed` on the
    /// experiment its first component names; anything else is an admin's.
    static func require(_ needed: Permission, path: String, server: ServerContext) async throws {
        guard let caller = server.caller, !caller.isAdmin else { return }
        guard let first = path.split(separator: "/").first, Int64(first) != nil else {
            throw AccessControl.denied(needed, on: "artifacts outside an experiment ('\(path)')", caller: caller)
        }
        try await server.require(needed, experimentID: String(first))
    }

    /// The request body goes to a temporary file, then is renamed into place: an interrupted
    /// upload leaves the previous file (or nothing) and no partial file.
    static func upload(_ request: Request, path: String, server: ServerContext, context: ServerRequestContext)
        async throws -> Response
    {
        let (temporary, final) = try server.artifacts.prepareUpload(path)
        do {
            try await fileIO.writeFile(contents: request.body, path: temporary, context: context)
        } catch {
            unlink(temporary)
            throw LogbookError(.internalError, "The upload of '\(path)' did not complete: \(error)")
        }
        // Syncing to disk waits on the device: done on NIO's blocking-work pool, not the event loop.
        try await NIOThreadPool.singleton.runIfActive {
            try server.artifacts.commitUpload(temporary: temporary, final: final)
        }
        // MLflow's streaming route answers a PUT with an empty 200.
        return Response(status: .ok)
    }

    static func download(path: String, server: ServerContext, context: ServerRequestContext) async throws -> Response {
        switch try server.artifacts.kind(of: path) {
        case .missing:
            throw LogbookError(.resourceDoesNotExist, "No artifact at '\(path)'.")
        case .directory:
            throw LogbookError(
                .invalidParameterValue,
                "'\(path)' is a directory; list it with GET …/mlflow-artifacts/artifacts?path=\(path)")
        case .file:
            let body = try await fileIO.loadFile(path: try server.artifacts.resolve(path), context: context)
            let name = String(path.split(separator: "/").last ?? "")
            return Response(
                status: .ok,
                headers: [
                    .contentType: contentType(forName: name),
                    .contentDisposition: "attachment; filename=\"\(name.replacingOccurrences(of: "\"", with: ""))\"",
                ], body: body)
        }
    }

    /// A content type from the file name. Types a browser would run (HTML, SVG, JavaScript) are
    /// served as plain text, so an uploaded artifact cannot script the server's origin.
    static func contentType(forName name: String) -> String {
        let suffix = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch suffix {
        case "txt", "log", "md", "html", "htm", "svg", "js", "py", "yaml", "yml", "mlmodel", "toml", "ini":
            return "text/plain; charset=utf-8"
        case "json": return "application/json"
        case "csv": return "text/csv"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "pdf": return "application/pdf"
        default: return "application/octet-stream"
        }
    }
}
