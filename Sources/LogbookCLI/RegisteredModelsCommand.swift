import ArgumentParser
import LogbookCore
import LogbookWire

/// `logbook models registered`: the model registry — registered models and their versions.
struct RegisteredModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registered",
        abstract: "List registered models, show one, list its versions (the model registry).",
        subcommands: [List.self, Show.self, Versions.self],
        defaultSubcommand: List.self
    )

    /// The store's registry, or a clear error for a store that keeps none.
    static func registry(_ options: StoreOptions) throws -> any ModelRegistry {
        let store = try options.openStore()
        guard let registry = store as? any ModelRegistry else {
            throw LogbookError(.invalidParameterValue, "This tracking store keeps no model registry.")
        }
        return registry
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List registered models, by name.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "A filter, e.g. \"name LIKE 'churn%' AND tags.team = 'growth'\".") var filter: String?
        @Option(name: .customLong("order-by"), help: "Order, e.g. \"last_updated_timestamp DESC\" (repeatable).")
        var orderBy: [String] = []

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let models = try await RegisteredModelsCommand.registry(store).allRegisteredModels(
                    filter: filter, orderBy: orderBy)
                if output.json {
                    print(try WireEncoder.string(SearchRegisteredModelsResponse(Page(items: models)), pretty: true))
                    return
                }
                print(
                    TextTable(
                        header: ["NAME", "LATEST", "ALIASES", "UPDATED", "TAGS"],
                        rows: models.map { model in
                            [
                                model.name, model.latestVersions.map(\.version).max().map { "v\($0)" } ?? "",
                                model.aliases.map { "\($0.alias)=v\($0.version)" }.joined(separator: " "),
                                Format.time(model.lastUpdatedTime),
                                model.tags.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                            ]
                        }
                    ).rendered)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a registered model: description, aliases, tags, latest versions.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The registered model's name.") var name: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let model = try await RegisteredModelsCommand.registry(store).registeredModel(name: name)
                if output.json {
                    print(try WireEncoder.string(RegisteredModelResponse(model), pretty: true))
                    return
                }
                var lines = [
                    "Registered model \(model.name)",
                    "  created:     \(Format.time(model.creationTime))",
                    "  updated:     \(Format.time(model.lastUpdatedTime))",
                ]
                if let description = model.description { lines.append("  description: \(description)") }
                Format.section("Aliases", model.aliases.map { ($0.alias, "version \($0.version)") }, into: &lines)
                Format.section(
                    "Latest versions",
                    model.latestVersions.map { ($0.currentStage.rawValue, "version \($0.version)  \($0.source)") },
                    into: &lines)
                Format.section("Tags", model.tags.map { ($0.key, $0.value) }, into: &lines)
                print(lines.joined(separator: "\n"))
            }
        }
    }

    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "versions", abstract: "List a registered model's versions, newest first.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The registered model's name.") var name: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let registry = try RegisteredModelsCommand.registry(store)
                _ = try await registry.registeredModel(name: name)
                let versions = try await registry.versions(of: name)
                if output.json {
                    print(try WireEncoder.string(ModelVersionsResponse(versions), pretty: true))
                    return
                }
                print(
                    TextTable(
                        header: ["VERSION", "STAGE", "ALIASES", "CREATED", "RUN", "SOURCE"],
                        rows: versions.map { version in
                            [
                                String(version.version), version.currentStage.rawValue,
                                version.aliases.joined(separator: " "), Format.time(version.creationTime),
                                String(version.runID.prefix(8)), version.source,
                            ]
                        }
                    ).rendered)
            }
        }
    }
}
