import ArgumentParser
import Foundation
import LogbookCore

/// `logbook`: look at, manage and serve the runs in a tracking store.
@main
struct LogbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logbook",
        abstract: "Experiment tracking for Swift: look at and manage runs, speaking MLflow's tracking API.",
        discussion: """
            The store is taken from --tracking-uri, else LOGBOOK_TRACKING_URI, else MLFLOW_TRACKING_URI when it \
            names a SQLite file, a PostgreSQL database (postgresql://) or a tracking server (http:// or https://), \
            else ./logbook.db.
            """,
        version: LogbookVersion.current,
        subcommands: [
            ExperimentsCommand.self, RunsCommand.self, ModelsCommand.self, ExecCommand.self, UICommand.self,
            ServerCommand.self, DBCommand.self, SyncCommand.self, TokenCommand.self, DemoCommand.self,
        ]
    )

    /// Runs a subcommand's body, turning a `LogbookError` into a message on standard error and exit code 1.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as LogbookError {
            FileHandle.standardError.write(Data("error: \(error.message) (\(error.code))\n".utf8))
            throw ExitCode.failure
        }
    }
}
