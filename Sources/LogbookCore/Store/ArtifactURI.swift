import Foundation

/// Artifact locations as MLflow's stores take them.
public enum ArtifactURI {
    /// `uri` with a relative local path made absolute under `directory` (the working directory
    /// by default), as MLflow's `resolve_uri_if_local` does: `mlruns` → `/srv/mlruns`,
    /// `file:shared/x` → `file:///srv/shared/x`. Absolute paths and other schemes come back as given.
    public static func absolute(_ uri: String, relativeTo directory: String = FileManager.default.currentDirectoryPath)
        -> String
    {
        guard let colon = uri.firstIndex(of: ":"), isScheme(uri[..<colon]) else {
            return uri.hasPrefix("/") ? uri : join(directory, uri)
        }
        guard uri[..<colon].lowercased() == "file" else { return uri }
        let path = uri[uri.index(after: colon)...]
        if path.hasPrefix("/") { return uri }
        return "file://" + join(directory, String(path))
    }

    /// A URI scheme: a letter, then letters, digits, `+`, `-` or `.`; one letter is a Windows
    /// drive, not a scheme.
    private static func isScheme(_ text: Substring) -> Bool {
        guard text.count > 1, let first = text.first, first.isASCII, first.isLetter else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    /// `directory/relative` without `.` components, as Python's `pathlib` joins them.
    private static func join(_ directory: String, _ relative: String) -> String {
        let parts = (directory + "/" + relative).split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}
