import Foundation
import LogbookCore

/// A directory of artifact files, reached only through relative paths that are checked to stay
/// inside it.
///
/// A path is refused (`INVALID_PARAMETER_VALUE`, HTTP 400) when it is absolute, has a `..`
/// component, holds a NUL byte or a backslash, or leads through a symbolic link to a place
/// outside the directory. Uploads are written to a temporary file beside the target and renamed
/// over it, so a reader never sees half a file, a failed upload leaves nothing behind, and a
/// symbolic link at the target is replaced rather than followed.
public struct ArtifactDirectory: Sendable {
    /// The directory, as given.
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// One entry of a listing.
    public struct Entry: Sendable, Hashable {
        /// The entry's name inside the listed directory.
        public var name: String
        public var isDirectory: Bool
        /// Size in bytes; `nil` for directories.
        public var size: Int64?
    }

    /// The components of a relative artifact path, after the safety checks; `""` is the root.
    public static func components(of relativePath: String) throws(LogbookError) -> [String] {
        if relativePath.hasPrefix("/") || relativePath.contains("\\") || relativePath.contains("\0") {
            throw unsafe(relativePath)
        }
        var components: [String] = []
        for component in relativePath.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": throw unsafe(relativePath)
            default: components.append(String(component))
            }
        }
        return components
    }

    static func unsafe(_ path: String) -> LogbookError {
        LogbookError(
            .invalidParameterValue,
            "Invalid artifact path: '\(path)'. Artifact paths are relative and may not contain '..', a backslash or a NUL byte."
        )
    }

    /// The absolute file path for `relativePath`, checked: every existing part of it resolves
    /// (symbolic links followed) to a place inside the root.
    public func resolve(_ relativePath: String) throws(LogbookError) -> String {
        let components = try Self.components(of: relativePath)
        let rootPath = Self.realPath(root) ?? root
        var path = rootPath
        var exists = true
        for component in components {
            path += "/" + component
            var info = stat()
            // Below the first missing component nothing exists yet, so nothing can lead outside.
            if exists, lstat(path, &info) != 0 { exists = false }
            if exists, info.st_mode & S_IFMT == S_IFLNK {
                guard let target = Self.realPath(path), Self.isInside(target, rootPath) else {
                    throw Self.unsafe(relativePath)
                }
            }
        }
        return path
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The entries directly inside a directory, sorted by name; `nil` when there is no directory there.
    public func list(_ relativePath: String) throws(LogbookError) -> [Entry]? {
        let path = try resolve(relativePath)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
            let names = try? FileManager.default.contentsOfDirectory(atPath: path)
        else { return nil }
        return names.sorted().compactMap { name in
            if name.hasPrefix(Self.temporaryPrefix) { return nil }
            var info = stat()
            guard stat(path + "/" + name, &info) == 0 else { return nil }
            let isDirectory = info.st_mode & S_IFMT == S_IFDIR
            return Entry(name: name, isDirectory: isDirectory, size: isDirectory ? nil : Int64(info.st_size))
        }
    }

    /// What is at a path.
    public enum Kind: Sendable {
        case file(size: Int64)
        case directory, missing
    }

    /// What is at `relativePath`.
    public func kind(of relativePath: String) throws(LogbookError) -> Kind {
        let path = try resolve(relativePath)
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return info.st_mode & S_IFMT == S_IFDIR ? .directory : .file(size: Int64(info.st_size))
    }

    static let temporaryPrefix = ".logbook-upload-"

    /// Prepares an upload: creates the parent directories and returns the temporary file to write
    /// and the final path to move it to with ``commitUpload(temporary:final:)``.
    public func prepareUpload(_ relativePath: String) throws(LogbookError) -> (temporary: String, final: String) {
        let components = try Self.components(of: relativePath)
        guard let name = components.last else {
            throw LogbookError(.invalidParameterValue, "An artifact upload needs a file path, not the root.")
        }
        let final = try resolve(relativePath)
        try makeDirectories(components.dropLast(), for: relativePath)
        // Creating the directories must not have moved the path outside the root; check again.
        _ = try resolve(relativePath)
        let directory = (final as NSString).deletingLastPathComponent
        let temporary = directory + "/" + Self.temporaryPrefix + UUID().uuidString + "-" + name
        return (temporary, final)
    }

    /// Creates the directories along `components` under the root, one level at a time; concurrent
    /// uploads creating the same directory are fine.
    private func makeDirectories(_ components: some Sequence<String>, for relativePath: String) throws(LogbookError) {
        var path = Self.realPath(root) ?? root
        mkdir(path, 0o755)
        for component in components {
            path += "/" + component
            if mkdir(path, 0o755) != 0, errno != EEXIST {
                throw LogbookError(
                    .internalError,
                    "Cannot create the directory for '\(relativePath)': \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw LogbookError(
                    .invalidParameterValue, "Cannot store '\(relativePath)': a file is in the way of its directory.")
            }
        }
    }

    /// Moves a finished upload into place, replacing what was there.
    public func commitUpload(temporary: String, final: String) throws(LogbookError) {
        var info = stat()
        if stat(final, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            unlink(temporary)
            throw LogbookError(.invalidParameterValue, "Cannot upload over a directory.")
        }
        // The bytes reach the disk before the name does, and the new name before the answer: a
        // crash or power loss leaves the old file or the whole new one, never an empty one.
        guard Self.sync(temporary) else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LogbookError(.internalError, "Cannot store the artifact: \(reason)")
        }
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LogbookError(.internalError, "Cannot store the artifact: \(reason)")
        }
        _ = Self.sync((final as NSString).deletingLastPathComponent)
    }

    /// `fsync` of a file or directory; `false` when it could not be opened or synced.
    private static func sync(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return fsync(descriptor) == 0
    }

    /// Deletes a file or a directory and everything in it; deleting nothing is fine.
    public func delete(_ relativePath: String) throws(LogbookError) {
        let path = try resolve(relativePath)
        guard try !Self.components(of: relativePath).isEmpty else {
            throw LogbookError(.invalidParameterValue, "Refusing to delete the whole artifact root.")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw LogbookError(.internalError, "Cannot delete artifact '\(relativePath)': \(error)")
        }
    }
}
