import ArgumentParser
import LogbookCore
import LogbookWire

/// `logbook models`: the logged models runs produced (`mlflow.<flavor>.log_model`).
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "List and show logged models (what mlflow.<flavor>.log_model saves) and registered models (models registered).",
        subcommands: [List.self, Show.self, RegisteredModelsCommand.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List logged models, newest first.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Experiment id or name (default: every active experiment).") var experiment: String?
        @Option(help: "A filter, e.g. \"metrics.accuracy > 0.9 AND name = 'model'\".") var filter: String?
        @Option(
            name: .customLong("order-by"),
            help: "Order by a field, e.g. \"metrics.accuracy DESC\" (repeatable).")
        var orderBy: [String] = []

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let store = try store.openStore()
                let experimentIDs = try await ExperimentReference.ids(experiment.map { [$0] } ?? [], in: store)
                let order = orderBy.map { text in
                    let words = text.split(separator: " ")
                    let descending = words.count > 1 && words.last?.uppercased() == "DESC"
                    let field =
                        words.count > 1 && ["ASC", "DESC"].contains(words.last!.uppercased())
                        ? words.dropLast().joined(separator: " ") : text
                    return LoggedModelOrder(field: field, ascending: !descending)
                }
                let models = try await store.allLoggedModels(
                    experimentIDs: experimentIDs, filter: filter, orderBy: order)
                if output.json {
                    print(try WireEncoder.string(SearchLoggedModelsResponse(Page(items: models)), pretty: true))
                } else {
                    print(LoggedModelTable(models: models).rendered)
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one logged model: status, source run, artifact location, params, metrics and tags.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The model's id (m-…).") var modelID: String

        func run() async throws {
            try await LogbookCommand.reportingErrors {
                let store = try store.openStore()
                let model = try await store.loggedModel(id: modelID, allowDeleted: true)
                if output.json {
                    print(try WireEncoder.string(LoggedModelResponse(model), pretty: true))
                    return
                }
                // The source run's state, so a model of a deleted run does not look orphaned silently.
                var sourceRun: Run?
                if let runID = model.sourceRunID { sourceRun = try? await store.run(id: runID) }
                print(LoggedModelDetail(model: model, sourceRun: sourceRun).rendered)
            }
        }
    }
}

/// The table of `logbook models list`.
struct LoggedModelTable {
    var models: [LoggedModel]

    var rendered: String {
        TextTable(
            header: ["MODEL ID", "NAME", "STATUS", "CREATED", "SOURCE RUN", "METRICS"],
            rows: models.map { model in
                let latest = LoggedModelDetail.latestMetrics(model)
                let metrics = latest.prefix(3).map { "\($0.key)=\(Format.value($0.value))" }.joined(separator: " ")
                return [
                    model.modelID, model.name, model.status.rawValue, Format.time(model.creationTime),
                    model.sourceRunID.map { String($0.prefix(8)) } ?? "", metrics + (latest.count > 3 ? " …" : ""),
                ]
            }
        ).rendered
    }
}

/// The view of one model in `logbook models show`.
struct LoggedModelDetail {
    var model: LoggedModel
    var sourceRun: Run?

    var rendered: String {
        var lines = [
            "Logged model \(model.modelID)",
            "  name:        \(model.name)",
            "  experiment:  \(model.experimentID)",
            "  status:      \(model.status.rawValue)\(model.lifecycleStage == .deleted ? " (deleted)" : "")"
                + (model.status == .pending ? "  (still being saved, or its writer stopped before finishing)" : ""),
            "  created:     \(Format.time(model.creationTime))",
            "  updated:     \(Format.time(model.lastUpdatedTime))",
        ]
        if let type = model.modelType { lines.append("  type:        \(type)") }
        if let runID = model.sourceRunID {
            var run = "  source run:  \(runID)"
            if let sourceRun {
                run += " (\(sourceRun.info.runName), \(sourceRun.info.status.rawValue)"
                run += sourceRun.info.lifecycleStage == .deleted ? ", deleted)" : ")"
            } else {
                run += " (not found)"
            }
            lines.append(run)
        }
        lines.append("  artifacts:   \(model.artifactLocation)")
        Format.section("Params", model.params.map { ($0.key, $0.value) }, into: &lines)
        Format.section(
            "Metrics (latest)",
            Self.latestMetrics(model).map { metric in
                let dataset = metric.datasetName.map { ", \($0)" } ?? ""
                return (metric.key, "\(Format.value(metric.value))  (step \(metric.step)\(dataset))")
            }, into: &lines)
        Format.section("Tags", model.tags.map { ($0.key, $0.value) }, into: &lines)
        return lines.joined(separator: "\n")
    }

    /// Each metric key's latest point (timestamp, then step), by key.
    static func latestMetrics(_ model: LoggedModel) -> [LoggedModelMetric] {
        var latest: [String: LoggedModelMetric] = [:]
        for metric in model.metrics {
            if let current = latest[metric.key], (current.timestamp, current.step) > (metric.timestamp, metric.step) {
                continue
            }
            latest[metric.key] = metric
        }
        return latest.values.sorted { $0.key < $1.key }
    }
}
