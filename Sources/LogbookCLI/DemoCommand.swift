import ArgumentParser
import Foundation
import LogbookCore

/// `logbook demo`: records a small learning-rate sweep and prints the runs table.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Record a small sweep (a parent run with child trials) into the tracking store and list it.")

    @OptionGroup var store: StoreOptions
    @Option(help: "Experiment to record into (created if missing).") var experiment = "logbook-demo"
    @Option(help: "Training steps per trial.") var steps = 50

    func run() async throws {
        try await LogbookCommand.reportingErrors {
            let store = try store.openStore()
            let experimentID = try await DemoSweep.experimentID(named: experiment, in: store)
            let sweep = try await DemoSweep(steps: steps).record(into: store, experimentID: experimentID)
            print("Recorded sweep \(sweep.parent.info.runName) (\(sweep.parent.id)) in experiment '\(experiment)'.")
            print(
                "Best trial: \(sweep.best.info.runName), lr=\(sweep.best.data.param("lr") ?? "?"), "
                    + "val_accuracy=\(Format.value(sweep.best.data.metric("val_accuracy") ?? .nan))\n")
            let runs = try await store.allRuns(experimentIDs: [experimentID])
            print(
                RunTable(
                    runs: runs.filter {
                        $0.id == sweep.parent.id || $0.data.tag(SystemTag.parentRunID) == sweep.parent.id
                    }
                ).rendered)
        }
    }
}

/// A simulated learning-rate sweep: the parent run logs the search space and the best result,
/// each child trial logs params and loss/accuracy curves.
struct DemoSweep {
    var steps: Int
    var learningRates = [0.001, 0.003, 0.01, 0.03]

    static func experimentID(named name: String, in store: some TrackingStore) async throws -> String {
        do {
            return try await store.experiment(named: name).id
        } catch let error as LogbookError where error.code == .resourceDoesNotExist {
            return try await store.createExperiment(name: name)
        }
    }

    func record(into store: some TrackingStore, experimentID: String) async throws -> (parent: Run, best: Run) {
        var random = SplitMix64(seed: 42)
        let parent = try await store.createRun(
            RunCreation(experimentID: experimentID, userID: "demo", tags: [RunTag(key: "kind", value: "sweep")]))
        try await store.logBatch(
            runID: parent.id,
            RunBatch(params: [
                Param(key: "search_space.lr", value: learningRates.map { "\($0)" }.joined(separator: ",")),
                Param(key: "trials", value: String(learningRates.count)),
            ]))
        var trials: [Run] = []
        for (index, lr) in learningRates.enumerated() {
            let trial = try await store.createRun(
                RunCreation(
                    experimentID: experimentID, runName: "trial-\(index)", userID: "demo",
                    tags: [RunTag(key: SystemTag.parentRunID, value: parent.id)]))
            var metrics: [Metric] = []
            let start = trial.info.startTime
            // Larger learning rates converge faster but plateau higher; the best is in the middle.
            let speed: Double = lr * 60
            let floor: Double = 0.08 + abs(log10(lr) + 2) * 0.12
            for step in 0..<steps {
                let noise: Double = (random.nextUnit() - 0.5) * 0.04
                let decay: Double = exp(-speed * Double(step) / 8)
                let loss: Double = floor + (2.3 - floor) * decay + noise
                let accuracy: Double = min(0.99, max(0, 1 - loss / 2.4 + noise / 2))
                let timestamp = start + Int64(step) * 100
                metrics.append(Metric(key: "loss", value: loss, timestamp: timestamp, step: Int64(step)))
                metrics.append(Metric(key: "accuracy", value: accuracy, timestamp: timestamp, step: Int64(step)))
                if step % 5 == 4 {
                    metrics.append(
                        Metric(key: "val_accuracy", value: accuracy - 0.02, timestamp: timestamp, step: Int64(step)))
                }
            }
            try await store.logBatch(
                runID: trial.id,
                RunBatch(
                    metrics: metrics,
                    params: [
                        Param(key: "lr", value: String(lr)), Param(key: "batch_size", value: "64"),
                        Param(key: "epochs", value: String(steps)),
                    ]))
            let end = start + Int64(steps) * 100
            _ = try await store.updateRun(id: trial.id, RunUpdate(status: .finished, endTime: end))
            trials.append(try await store.run(id: trial.id))
        }
        let best = trials.max { ($0.data.metric("val_accuracy") ?? 0) < ($1.data.metric("val_accuracy") ?? 0) }!
        try await store.logBatch(
            runID: parent.id,
            RunBatch(
                metrics: [
                    Metric(
                        key: "best_val_accuracy", value: best.data.metric("val_accuracy") ?? .nan,
                        timestamp: Clock.nowMilliseconds())
                ],
                tags: [RunTag(key: "best_run_id", value: best.id)]))
        _ = try await store.updateRun(
            id: parent.id, RunUpdate(status: .finished, endTime: max(Clock.nowMilliseconds(), parent.info.startTime)))
        return (try await store.run(id: parent.id), best)
    }
}

/// A small deterministic generator, so the demo's curves are the same every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
