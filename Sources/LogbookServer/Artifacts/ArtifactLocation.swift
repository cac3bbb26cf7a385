import Foundation
import LogbookCore

/// Where a run's artifacts live, from its artifact URI: in this server's artifact destination
/// (`mlflow-artifacts:/…`) or in a local directory (a path or a `file:` URI).
enum ArtifactLocation {
    /// The directory and the path inside it that an artifact URI names.
    static func resolve(_ uri: String, server: ServerContext) throws -> (directory: ArtifactDirectory, path: String) {
        if let rest = stripScheme("mlflow-artifacts:", from: uri) {
            return (server.artifacts, rest)
        }
        if let rest = stripScheme("file:", from: uri) {
            return (ArtifactDirectory(root: "/" + rest), "")
        }
        if uri.hasPrefix("/") {
            return (ArtifactDirectory(root: uri), "")
        }
        throw LogbookError(
            .invalidParameterValue,
            "This server can list artifacts kept in its artifact destination or in a local directory, not at '\(uri)'.")
    }

    /// `scheme:/a/b`, `scheme:///a/b` or `scheme://host:port/a/b` → `a/b`; `nil` for another scheme.
    static func stripScheme(_ scheme: String, from uri: String) -> String? {
        guard uri.hasPrefix(scheme) else { return nil }
        var rest = uri.dropFirst(scheme.count)
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            rest = rest.drop { $0 != "/" }
        }
        return String(rest.drop { $0 == "/" })
    }
}
