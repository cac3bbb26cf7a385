import Foundation

/// A git repository read from its files — HEAD, refs, packed-refs, config — without starting `git`:
/// a process spawn costs milliseconds, and run creation asks for the commit, branch and remote.
/// Handles worktrees and submodules (a `.git` file naming the git directory) and detached heads.
struct GitRepository: Sendable {
    /// Where HEAD lives (`.git`, or a worktree's own directory).
    var gitDirectory: String
    /// Where refs, packed-refs and config live (the main repository's `.git` for a worktree).
    var commonDirectory: String

    /// The repository containing `directory`: the nearest `.git` above it.
    static func containing(_ directory: String) -> GitRepository? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            let candidate = current + "/.git"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                if isDirectory.boolValue { return GitRepository(gitDirectory: candidate) }
                // A worktree or submodule: "gitdir: <path>", relative to the directory holding the file.
                if let text = read(candidate), text.hasPrefix("gitdir:") {
                    let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
                    return GitRepository(gitDirectory: path.hasPrefix("/") ? path : current + "/" + path)
                }
                return nil
            }
            guard current != "/", !current.isEmpty else { return nil }
            current = (current as NSString).deletingLastPathComponent
        }
    }

    init(gitDirectory: String) {
        self.gitDirectory = gitDirectory
        if let common = Self.read(gitDirectory + "/commondir") {
            commonDirectory = common.hasPrefix("/") ? common : gitDirectory + "/" + common
        } else {
            commonDirectory = gitDirectory
        }
    }

    /// The commit HEAD points at; `nil` on a branch with no commits yet.
    var commit: String? {
        guard let head = Self.read(gitDirectory + "/HEAD") else { return nil }
        return resolve(head, depth: 0)
    }

    /// The branch checked out; `nil` for a detached HEAD.
    var branch: String? {
        guard let head = Self.read(gitDirectory + "/HEAD"), head.hasPrefix("ref: refs/heads/") else { return nil }
        return String(head.dropFirst("ref: refs/heads/".count))
    }

    /// The URL of the first remote in the repository's config.
    var remoteURL: String? {
        guard let config = Self.read(commonDirectory + "/config") else { return nil }
        var inRemote = false
        for rawLine in config.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                inRemote = line.hasPrefix("[remote \"")
            } else if inRemote, let equals = line.firstIndex(of: "="),
                line[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "url"
            {
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2
                    ? String(value.dropFirst().dropLast()) : value
            }
        }
        return nil
    }

    /// A HEAD or ref file's content followed to a commit id.
    private func resolve(_ content: String, depth: Int) -> String? {
        guard content.hasPrefix("ref: ") else { return Self.isObjectID(content) ? content : nil }
        guard depth < 5 else { return nil }
        let ref = String(content.dropFirst("ref: ".count))
        // Per-worktree refs (HEAD itself) live in the git directory; branches and tags in the common one.
        for directory in [gitDirectory, commonDirectory] {
            if let loose = Self.read(directory + "/" + ref) { return resolve(loose, depth: depth + 1) }
        }
        guard let packed = Self.read(commonDirectory + "/packed-refs") else { return nil }
        for line in packed.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == ref { return Self.isObjectID(String(parts[0])) ? String(parts[0]) : nil }
        }
        return nil
    }

    private static func isObjectID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// A small file's content, trimmed; `nil` when it cannot be read.
    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
