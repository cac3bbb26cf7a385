import LogbookCore
import Hummingbird
import LogbookWire

/// `artifacts/list`: one directory level of a run's artifacts.
enum ArtifactEndpoints {
    static let all: [String: Endpoint] = [
        "artifacts/list": .get { message, server in
            let run = try await server.store.run(id: try message.runID())
            let path = try message.string("path") ?? ""
            let components = try ArtifactDirectory.components(of: path)
            let (directory, base) = try ArtifactLocation.resolve(run.info.artifactURI, server: server)
            let prefix = components.joined(separator: "/")
            let entries = try directory.list(base.isEmpty ? prefix : base + "/" + prefix) ?? []
            let files = entries.map { entry in
                WireFileInfo(
                    path: prefix.isEmpty ? entry.name : prefix + "/" + entry.name, isDir: entry.isDirectory,
                    fileSize: entry.size)
            }
            return try APIResponse.json(ListArtifactsResponse(rootURI: run.info.artifactURI, files: files))
        }
    ]
}
