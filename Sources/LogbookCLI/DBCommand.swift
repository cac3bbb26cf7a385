import ArgumentParser
import Foundation
import Logbook
import LogbookCore

/// `logbook db`: work on whole stores.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Work on whole stores: copy experiments and runs between them.",
        subcommands: [Copy.self]
    )

    /// `logbook db copy --from URI --to URI [--experiment NAME]…`
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract:
                "Copy experiments and runs (ids, params, metric histories, tags, inputs) from one store to another.",
            discussion: """
                FROM is any tracking URI: a SQLite file, a PostgreSQL database, or a tracking server (logbook server or \
                mlflow server). TO is a database (SQLite or PostgreSQL). Experiments are matched by name; runs keep \
                their ids. Running the same copy again adds nothing, so an interrupted copy is finished by running it \
                again. Artifact files are not copied: runs keep their artifact URIs (copy the artifact directory \
                yourself if it moves).
                """
        )

        @Option(help: "The store to copy from (any tracking URI).")
        var from: String

        @Option(help: "The store to copy into: sqlite:///… , a file path, or postgresql://….")
        var to: String

        @Option(name: .customLong("experiment"), help: "Copy only this experiment (repeatable). Default: all.")
        var experiments: [String] = []

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let environment = ProcessInfo.processInfo.environment
                let sourceURI = try TrackingURI(from)
                let destinationURI = try TrackingURI(to)
                guard sourceURI != destinationURI else {
                    throw LogbookError(.invalidParameterValue, "--from and --to name the same store.")
                }
                guard let destination = try destinationURI.openStore(environment: environment) as? any RunImporting
                else {
                    throw LogbookError(
                        .invalidParameterValue,
                        "--to must name a database (SQLite or PostgreSQL): a tracking server's API cannot keep run ids."
                    )
                }
                let source = try sourceURI.openStore(environment: environment)
                let report = try await StoreCopy(from: source, to: destination).run(experimentNames: experiments) {
                    FileHandle.standardError.write(Data("\($0)\n".utf8))
                }
                print(report)
            }
        }
    }
}
