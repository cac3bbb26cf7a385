import ArgumentParser
import LogbookCore
import LogbookWire

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, delete and restore runs.",
        subcommands: [List.self, SearchCommand.self, Show.self, Delete.self, Restore.self, ReapCommand.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Experiment id or name (default: every active experiment).") var experiment: String?
        @Option(help: "Which runs: active, deleted or all.") var view: ViewOption = .active

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let store = try store.openStore()
                let experimentIDs = try await ExperimentReference.ids(experiment.map { [$0] } ?? [], in: store)
                let runs = try await store.allRuns(experimentIDs: experimentIDs, viewType: view.viewType)
                if output.json {
                    print(try WireEncoder.string(SearchRunsResponse(runs), pretty: true))
                } else {
                    print(RunTable(runs: runs).rendered)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show one run: info, params, metrics and tags.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run's id.") var runID: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let run = try await store.openStore().run(id: runID)
                if output.json {
                    print(try WireEncoder.string(GetRunResponse(run), pretty: true))
                } else {
                    print(RunDetail(run: run).rendered)
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete a run (soft: `restore` brings it back).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var runID: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                try await store.openStore().deleteRun(id: runID)
                print("Deleted run \(runID).")
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a deleted run.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The run's id.") var runID: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                try await store.openStore().restoreRun(id: runID)
                print("Restored run \(runID).")
            }
        }
    }
}
