import ArgumentParser
import LogbookCore
import LogbookWire

struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List, create, delete and restore experiments.",
        subcommands: [List.self, Create.self, Delete.self, Restore.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List experiments, newest first.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Which experiments: active, deleted or all.") var view: ViewOption = .active

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let experiments = try await store.openStore().allExperiments(viewType: view.viewType)
                if output.json {
                    print(try WireEncoder.string(SearchExperimentsResponse(experiments), pretty: true))
                } else {
                    print(
                        TextTable(
                            header: ["ID", "NAME", "STAGE", "CREATED", "ARTIFACT LOCATION"],
                            rows: experiments.map {
                                [
                                    $0.id, $0.name, $0.lifecycleStage.rawValue, Format.time($0.creationTime),
                                    $0.artifactLocation,
                                ]
                            }
                        ).rendered)
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create an experiment and print its id.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The experiment's name (unique).") var name: String
        @Option(help: "Where its runs' artifacts go (default: ./logbook-artifacts/<id>).") var artifactLocation: String?

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let id = try await store.openStore().createExperiment(
                    name: name, artifactLocation: artifactLocation, tags: [])
                print(id)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete an experiment and its runs (soft: `restore` brings them back).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Experiment id or name.") var experiment: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let store = try store.openStore()
                let id = try await ExperimentReference(experiment).resolve(in: store).id
                try await store.deleteExperiment(id: id)
                print("Deleted experiment \(id).")
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore", abstract: "Restore a deleted experiment and its runs.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Experiment id or name.") var experiment: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let store = try store.openStore()
                let id = try await ExperimentReference(experiment).resolve(in: store).id
                try await store.restoreExperiment(id: id)
                print("Restored experiment \(id).")
            }
        }
    }
}

/// `active`, `deleted` or `all`.
enum ViewOption: String, ExpressibleByArgument, CaseIterable {
    case active, deleted, all

    var viewType: ViewType {
        switch self {
        case .active: .activeOnly
        case .deleted: .deletedOnly
        case .all: .all
        }
    }
}

/// An experiment named on the command line by id or by name.
struct ExperimentReference {
    var text: String
    init(_ text: String) { self.text = text }

    /// The ids of the experiments named by id or name; every active experiment when none is named.
    static func ids(_ references: [String], in store: some TrackingStore) async throws -> [String] {
        guard !references.isEmpty else { return try await store.allExperiments().map(\.id) }
        var ids: [String] = []
        for reference in references { ids.append(try await ExperimentReference(reference).resolve(in: store).id) }
        return ids
    }

    /// The experiment with this id if the text is a number naming one, else the one with this name.
    func resolve(in store: some TrackingStore) async throws -> Experiment {
        if Int64(text) != nil, let experiment = try? await store.experiment(id: text) { return experiment }
        do {
            return try await store.experiment(named: text)
        } catch let error as LogbookError where error.code == .resourceDoesNotExist {
            throw LogbookError(
                .resourceDoesNotExist,
                "No experiment with id or name '\(text)'. `logbook experiments list` shows the experiments.")
        }
    }
}
