import Foundation

/// Copies experiments and runs from any store into one that takes them as they are
/// (`logbook db copy`): SQLite into PostgreSQL when a team grows, an `mlflow server` (through the
/// REST store) into Logbook.
///
/// What is copied: experiments (matched by name; a new one keeps its artifact location, tags,
/// times and lifecycle stage), and each run with its id, info, params, tags, dataset inputs and
/// every metric's whole history; and, when every experiment is copied, the model registry:
/// registered models with their tags, versions under their own numbers (stage, source, run,
/// tags), and aliases. Artifact files are not copied: the runs and versions keep their URIs,
/// which still name where the files are. Copying again adds nothing (every write skips what is
/// already there), so an interrupted copy is finished by running it again.
public struct StoreCopy: Sendable {
    /// What a copy did.
    public struct Report: Sendable, CustomStringConvertible {
        public var experiments = 0
        public var runs = 0
        /// Runs that were not in the destination before.
        public var newRuns = 0
        /// Metric points read from the source and offered to the destination (points already
        /// there are skipped by it).
        public var points = 0
        /// Registered models and versions copied (already there or not).
        public var registeredModels = 0
        public var modelVersions = 0
        public var seconds = 0.0

        public var description: String {
            let rate = seconds > 0 ? Int(Double(points) / seconds) : 0
            let registry =
                registeredModels > 0 ? ", \(registeredModels) registered model(s) with \(modelVersions) version(s)" : ""
            return
                "Copied \(experiments) experiment(s), \(runs) run(s) (\(newRuns) new), \(points) metric point(s)\(registry) in \(String(format: "%.2f", seconds)) s (\(rate) points/s)."
        }
    }

    public var source: any TrackingStore
    public var destination: any RunImporting
    /// Runs copied at once.
    public var concurrency = 4
    /// Points per write to the destination.
    public var chunkSize = 20_000

    public init(from source: any TrackingStore, to destination: any RunImporting) {
        self.source = source
        self.destination = destination
    }

    /// Copies the experiments named `experimentNames` (every experiment, deleted ones included,
    /// when empty). `progress` hears of each experiment as it starts.
    public func run(experimentNames: [String] = [], progress: @Sendable (String) -> Void = { _ in }) async throws
        -> Report
    {
        let start = ContinuousClock.now
        var experiments = try await source.allExperiments(viewType: .all)
        if !experimentNames.isEmpty {
            for name in experimentNames where !experiments.contains(where: { $0.name == name }) {
                throw LogbookError.experimentNotFound(name: name)
            }
            experiments = experiments.filter { experimentNames.contains($0.name) }
        }
        var report = Report()
        for experiment in experiments.sorted(by: { (Int($0.id) ?? 0, $0.id) < (Int($1.id) ?? 0, $1.id) }) {
            let id = try await destination.importExperiment(experiment)
            let runs = try await source.allRuns(experimentIDs: [experiment.id], filter: nil, viewType: .all)
            progress("experiment '\(experiment.name)': \(runs.count) run(s)")
            report.experiments += 1
            try await withThrowingTaskGroup(of: (new: Bool, points: Int).self) { group in
                var next = runs.makeIterator()
                func addNext() {
                    guard let run = next.next() else { return }
                    group.addTask { try await copy(run, into: id) }
                }
                for _ in 0..<concurrency { addNext() }
                while let copied = try await group.next() {
                    report.runs += 1
                    report.newRuns += copied.new ? 1 : 0
                    report.points += copied.points
                    addNext()
                }
            }
        }
        if experimentNames.isEmpty, let registry = source as? any ModelRegistry,
            let into = destination as? any RegistryImporting & ModelRegistry
        {
            try await copyRegistry(from: registry, into: into, report: &report, progress: progress)
        }
        report.seconds = (ContinuousClock.now - start) / .seconds(1)
        return report
    }

    /// Every registered model (prompts too), its versions under their numbers, then its aliases.
    private func copyRegistry(
        from source: any ModelRegistry, into destination: any RegistryImporting & ModelRegistry, report: inout Report,
        progress: @Sendable (String) -> Void
    ) async throws {
        let models =
            try await source.allRegisteredModels()
            + source.allRegisteredModels(filter: "tags.`mlflow.prompt.is_prompt` = 'true'")
        progress("model registry: \(models.count) registered model(s)")
        for model in models {
            _ = try await destination.importRegisteredModel(model)
            report.registeredModels += 1
            for var version in try await source.versions(of: model.name).reversed() {
                if version.source.hasPrefix("models:/") {
                    // Where a models:/ source's files are is the source store's to say.
                    version.storageLocation = try await source.modelVersionDownloadURI(
                        name: model.name, version: String(version.version))
                }
                _ = try await destination.importModelVersion(version)
                report.modelVersions += 1
            }
            for alias in model.aliases {
                try await destination.setRegisteredModelAlias(
                    name: model.name, alias: alias.alias, version: String(alias.version))
            }
        }
    }

    /// Copies one run and its histories; returns whether it was new and how many points it has.
    private func copy(_ run: Run, into experimentID: String) async throws -> (new: Bool, points: Int) {
        let new = try await destination.importRun(run, experimentID: experimentID)
        var points = 0
        for key in Set(run.data.metrics.map(\.key)).sorted() {
            let history = try await source.metricHistory(runID: run.id, key: key)
            points += history.count
            var start = 0
            while start < history.count {
                let end = min(start + chunkSize, history.count)
                try await destination.importMetrics(runID: run.id, Array(history[start..<end]), intoNewRun: new)
                start = end
            }
        }
        return (new, points)
    }
}
