import LogbookCore
import Hummingbird
import LogbookWire

/// `artifacts/list`: one directory level of a run's artifacts (and of a logged model's).
enum ArtifactEndpoints {
    static let all: [String: Endpoint] = [
        "artifacts/list": .get { message, server in
            let run = try await server.store.run(id: try message.runID())
            return try listing(under: run.info.artifactURI, path: try message.string("path") ?? "", server: server)
        }
    ]

    /// One directory level at `path` under an artifact URI (a run's or a logged model's), paths
    /// relative to the URI.
    static func listing(under artifactURI: String, path: String, server: ServerContext) throws -> Response {
        let components: [String]
        do {
            components = try ArtifactDirectory.components(of: path)
        } catch {
            // MLflow's exact answer for a path that would leave the artifacts.
            throw LogbookError(.invalidParameterValue, "Invalid path")
        }
        let (directory, base) = try ArtifactLocation.resolve(artifactURI, server: server)
        let prefix = components.joined(separator: "/")
        let entries = try directory.list(base.isEmpty ? prefix : base + "/" + prefix) ?? []
        let files = entries.map { entry in
            WireFileInfo(
                path: prefix.isEmpty ? entry.name : prefix + "/" + entry.name, isDir: entry.isDirectory,
                fileSize: entry.size)
        }
        return try APIResponse.json(ListArtifactsResponse(rootURI: artifactURI, files: files))
    }
}
