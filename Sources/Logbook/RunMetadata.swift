import Foundation
import LogbookCore

/// The tags a run gets automatically at creation (MLflow's context tags, and more).
///
/// | Tag | Value |
/// |---|---|
/// | `mlflow.user` | `LOGBOOK_USER`, else `MLFLOW_TRACKING_USERNAME`, else the OS user |
/// | `mlflow.source.name` | the program's path, as started |
/// | `mlflow.source.type` | `LOCAL` |
/// | `mlflow.source.git.commit` / `.branch` / `.repoURL` | of the repository holding the program, else the working directory; the URL without credentials |
/// | `mlflow.source.git.dirty` | `true` when tracked files have uncommitted changes (MLflow defines, never sets it) |
/// | `logbook.host`, `logbook.os`, `logbook.swift` | host name, operating system, Swift version the program was built with |
///
/// Outside a git repository there are no git tags, and no error. Tags the caller gives win.
struct RunMetadata: Sendable {
    var user: String
    var tags: [String: String]

    /// The metadata of this process. Git state is read once per process and directory (from the
    /// repository's files, and one `git status` for the dirty flag), not once per run: a run records the code as it was when the process first looked,
    /// which is the code the process is running.
    static func current(
        environment: [String: String], program: String = CommandLine.arguments.first ?? "<unknown>",
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> RunMetadata {
        let user =
            [environment["LOGBOOK_USER"], environment["MLFLOW_TRACKING_USERNAME"]].compactMap { $0 }
            .first { !$0.isEmpty } ?? osUser()
        var tags = [
            SystemTag.user: user,
            SystemTag.sourceName: program,
            SystemTag.sourceType: "LOCAL",
            "logbook.host": ProcessInfo.processInfo.hostName,
            "logbook.os": ProcessInfo.processInfo.operatingSystemVersionString,
            "logbook.swift": swiftVersion,
        ]
        let programDirectory = URL(fileURLWithPath: program).deletingLastPathComponent().path
        if let git = GitInfo.at(programDirectory) ?? GitInfo.at(workingDirectory) {
            tags[SystemTag.gitCommit] = git.commit
            tags[SystemTag.gitDirty] = git.dirty ? "true" : "false"
            if let branch = git.branch { tags[SystemTag.gitBranch] = branch }
            if let url = git.repoURL { tags[SystemTag.gitRepoURL] = url }
        }
        return RunMetadata(user: user, tags: tags)
    }

    /// Starts reading, on another thread, the git state `current(environment:program:workingDirectory:)`
    /// will ask for, so that the first run created finds it read (a `git status` takes milliseconds).
    static func prefetch(
        program: String = CommandLine.arguments.first ?? "<unknown>",
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        let programDirectory = URL(fileURLWithPath: program).deletingLastPathComponent().path
        DispatchQueue.global().async { _ = GitInfo.at(programDirectory) ?? GitInfo.at(workingDirectory) }
    }

    private static func osUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    /// The Swift version the program was compiled with.
    static var swiftVersion: String {
        #if compiler(>=6.4)
            "6.4+"
        #elseif compiler(>=6.3)
            "6.3"
        #elseif compiler(>=6.2)
            "6.2"
        #else
            "6.1 or older"
        #endif
    }
}

/// What a run records about the git repository its program comes from.
struct GitInfo: Sendable, Equatable {
    var commit: String
    var branch: String?
    var repoURL: String?
    var dirty: Bool

    /// What is known per directory: read, or being read by another thread (which signals the
    /// group when done).
    private enum Entry {
        case reading(DispatchGroup)
        case read(GitInfo?)
    }

    private static let cache = Locked<[String: Entry]>([:])

    /// The repository containing `directory`, if any (read once per directory; a caller that
    /// asks while another thread reads waits for that read instead of starting its own).
    static func at(_ directory: String) -> GitInfo? {
        while true {
            let group = DispatchGroup()
            let entry = cache.withLock { cache -> Entry? in
                if let entry = cache[directory] { return entry }
                group.enter()
                cache[directory] = .reading(group)
                return nil
            }
            switch entry {
            case .read(let info)?: return info
            case .reading(let other)?: other.wait()
            case nil:
                let info = read(directory)
                cache.withLock { $0[directory] = .read(info) }
                group.leave()
                return info
            }
        }
    }

    /// Forgets what was read (for tests that change repositories).
    static func resetCache() {
        cache.withLock { $0 = [:] }
    }

    private static func read(_ directory: String) -> GitInfo? {
        guard FileManager.default.fileExists(atPath: directory), let repository = GitRepository.containing(directory),
            let commit = repository.commit
        else { return nil }
        // Whether tracked files changed needs the index compared with the files: git's own job.
        // Without optional locks git does not write its refreshed index back: no index.lock to
        // collide with the user's own git commands, and a millisecond less.
        let status = git(["--no-optional-locks", "status", "--porcelain", "--untracked-files=no"], in: directory) ?? ""
        return GitInfo(
            commit: commit, branch: repository.branch, repoURL: repository.remoteURL.map(stripCredentials),
            dirty: !status.isEmpty)
    }

    /// `https://user:token@host/org/repo.git` → `https://host/org/repo.git`.
    static func stripCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
            !url[scheme.upperBound..<at].contains("/")
        else { return url }
        return String(url[..<scheme.upperBound]) + url[url.index(after: at)...]
    }

    /// Runs git in `directory`; its trimmed output, or `nil` when git fails or is missing.
    private static func git(_ arguments: [String], in directory: String) -> String? {
        guard
            let completed = try? Subprocess.run(["git", "-C", directory] + arguments),
            completed.succeeded
        else { return nil }
        return String(decoding: completed.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
