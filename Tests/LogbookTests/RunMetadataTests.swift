import Foundation
import LogbookCore
import LogbookTesting
import Testing

@testable import Logbook

@Suite("Automatic run metadata")
struct RunMetadataTests {
    /// A new git repository with one commit, a remote with credentials, on branch `main`.
    private func makeRepository() throws -> String {
        let directory = NSTemporaryDirectory() + "logbook-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "print(1)\n".write(toFile: directory + "/train.swift", atomically: true, encoding: .utf8)
        for command in [
            ["init", "-q", "-b", "main"],
            ["config", "user.email", "t@example.com"], ["config", "user.name", "T"],
            ["add", "train.swift"], ["commit", "-q", "-m", "first"],
            ["remote", "add", "origin", "https://alice:s3cret@example.com/org/repo.git"],
        ] {
            try git(command, in: directory)
        }
        return directory
    }

    @discardableResult
    private func git(_ arguments: [String], in directory: String) throws -> String {
        let completed = try Subprocess.run(["git", "-C", directory] + arguments)
        #expect(completed.succeeded, "git \(arguments): \(String(decoding: completed.standardError, as: UTF8.self))")
        return String(decoding: completed.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func gitTagsOfACleanRepository() throws {
        let repository = try makeRepository()
        let head = try git(["rev-parse", "HEAD"], in: repository)
        let tags = RunMetadata.current(
            environment: [:], program: "/nonexistent/bin/train", workingDirectory: repository
        )
        .tags
        #expect(tags[SystemTag.gitCommit] == head)
        #expect(tags[SystemTag.gitBranch] == "main")
        #expect(tags[SystemTag.gitRepoURL] == "https://example.com/org/repo.git", "credentials are stripped")
        #expect(tags[SystemTag.gitDirty] == "false")
    }

    /// Git state is read from the repository's files; git itself must agree, in the layouts a
    /// checkout can have: packed refs, a subdirectory, a detached HEAD, a linked worktree.
    @Test func gitStateReadFromFilesAgreesWithGit() throws {
        let repository = try makeRepository()
        try FileManager.default.createDirectory(atPath: repository + "/src/deep", withIntermediateDirectories: true)
        try git(["pack-refs", "--all"], in: repository)
        try git(["remote", "add", "upstream", "git@example.com:other/repo.git"], in: repository)
        let packed = try #require(GitRepository.containing(repository + "/src/deep"))
        #expect(packed.commit == (try git(["rev-parse", "HEAD"], in: repository)))
        #expect(packed.branch == "main")
        #expect(
            packed.remoteURL == "https://alice:s3cret@example.com/org/repo.git", "the first remote, as git lists it")

        try "print(3)\n".write(toFile: repository + "/train.swift", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "second"], in: repository)
        let worktree = repository + "-feature"
        try git(["worktree", "add", "-q", "-b", "feature", worktree], in: repository)
        try "print(4)\n".write(toFile: worktree + "/train.swift", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-am", "third"], in: worktree)
        let linked = try #require(GitRepository.containing(worktree))
        #expect(linked.commit == (try git(["rev-parse", "HEAD"], in: worktree)))
        #expect(linked.commit != (try git(["rev-parse", "HEAD"], in: repository)))
        #expect(linked.branch == "feature")
        #expect(linked.remoteURL == packed.remoteURL)

        try git(["checkout", "-q", "--detach", "HEAD~1"], in: repository)
        let detached = try #require(GitRepository.containing(repository))
        #expect(detached.commit == (try git(["rev-parse", "HEAD"], in: repository)))
        #expect(detached.branch == nil)
        #expect(GitRepository.containing("/") == nil)
    }

    @Test func gitTagsOfADirtyRepository() throws {
        let repository = try makeRepository()
        try "print(2)\n".write(toFile: repository + "/train.swift", atomically: true, encoding: .utf8)
        let tags = RunMetadata.current(environment: [:], program: repository + "/train", workingDirectory: "/")
            .tags
        #expect(tags[SystemTag.gitDirty] == "true")
        #expect(tags[SystemTag.gitCommit]?.count == 40)
    }

    @Test func noGitTagsOutsideARepository() throws {
        let directory = NSTemporaryDirectory() + "logbook-nogit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let tags = RunMetadata.current(environment: [:], program: directory + "/prog", workingDirectory: directory)
            .tags
        #expect(tags.keys.filter { $0.hasPrefix("mlflow.source.git") }.isEmpty)
        #expect(tags[SystemTag.sourceName] == directory + "/prog")
        #expect(tags[SystemTag.sourceType] == "LOCAL")
        #expect(tags["logbook.host"]?.isEmpty == false)
        #expect(tags["logbook.os"]?.isEmpty == false)
        #expect(tags["logbook.swift"]?.isEmpty == false)
    }

    @Test func userComesFromTheEnvironmentThenTheOS() {
        #expect(RunMetadata.current(environment: ["LOGBOOK_USER": "ana"]).user == "ana")
        #expect(RunMetadata.current(environment: ["MLFLOW_TRACKING_USERNAME": "bo"]).user == "bo")
        #expect(
            RunMetadata.current(environment: ["LOGBOOK_USER": "ana", "MLFLOW_TRACKING_USERNAME": "bo"]).user == "ana")
        #expect(!RunMetadata.current(environment: [:]).user.isEmpty)
    }

    @Test(arguments: [
        ("https://user:tok@example.com/org/repo.git", "https://example.com/org/repo.git"),
        ("https://token@example.com/r.git", "https://example.com/r.git"),
        ("https://example.com/r.git", "https://example.com/r.git"),
        ("git@example.com:org/repo.git", "git@example.com:org/repo.git"),
        ("ssh://git@example.com/org/repo.git", "ssh://example.com/org/repo.git"),
    ])
    func credentialsAreStripped(url: String, expected: String) {
        #expect(GitInfo.stripCredentials(url) == expected)
    }

    @Test func runsGetTheMetadataAndUserTagsWin() async throws {
        let client = try makeClient(environment: ["LOGBOOK_USER": "ana"])
        let id = try await client.withRun(
            tags: ["mlflow.source.type": "NOTEBOOK", "team": "vision"], description: "baseline",
            entryPoint: "train"
        ) { $0.id }
        let run = try await client.store.run(id: id)
        #expect(run.info.userID == "ana")
        #expect(run.data.tag(SystemTag.user) == "ana")
        #expect(run.data.tag(SystemTag.sourceType) == "NOTEBOOK", "user tags win over system tags")
        #expect(run.data.tag(SystemTag.sourceName) == CommandLine.arguments.first)
        #expect(run.data.tag("team") == "vision")
        #expect(run.data.tag(SystemTag.noteContent) == "baseline")
        #expect(run.data.tag(SystemTag.entryPoint) == "train")
    }

    @Test func descriptionAndNoteTagTogetherAreRejected() async throws {
        let client = try makeClient()
        await expectError(.invalidParameterValue) {
            try await client.withRun(tags: [SystemTag.noteContent: "a"], description: "b") { _ in }
        }
    }
}
