import Foundation

/// Copies experiments and runs from any store into one that takes them as they are
/// (`logbook db copy`): SQLite into PostgreSQL when a team grows, an `mlflow server` (through the
/// REST store) into Logbook.
///
/// What is copied: experiments (matched by name; a new one keeps its artifact location, tags,
/// times and lifecycle stage), and each run with its id, info, params, tags, dataset inputs and
/// every metric's whole history. Artifact files are not copied: the runs keep their artifact
/// URIs, which still name where the files are. Copying again adds nothing (every write skips what
/// is already there), so an interrupted copy is finished by running it again.
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
        public var seconds = 0.0

        public var description: String {
            let rate = seconds > 0 ? Int(Double(points) / seconds) : 0
            return
                "Copied \(experiments) experiment(s), \(runs) run(s) (\(newRuns) new), \(points) metric point(s) in \(String(format: "%.2f", seconds)) s (\(rate) points/s)."
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
        report.seconds = (ContinuousClock.now - start) / .seconds(1)
        return report
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
