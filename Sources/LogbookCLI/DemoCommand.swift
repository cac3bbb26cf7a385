import ArgumentParser
import Foundation
import Logbook
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
            let logbook = LogbookClient(store: store)
            try await logbook.setExperiment(name: experiment)
            let sweep = try await DemoSweep(steps: steps).record(with: logbook)
            print("Recorded sweep \(sweep.parent.info.runName) (\(sweep.parent.id)) in experiment '\(experiment)'.")
            print(
                "Best trial: \(sweep.best.info.runName), lr=\(sweep.best.data.param("lr") ?? "?"), "
                    + "val_accuracy=\(Format.value(sweep.best.data.metric("val_accuracy") ?? .nan))\n")
            print(RunTable(runs: [sweep.parent] + sweep.trials).rendered)
        }
    }
}

/// A simulated learning-rate sweep: a parent run with one nested run per trial, each logging
/// params and loss/accuracy curves step by step; the best trial is found by reading the runs back.
struct DemoSweep {
    var steps: Int
    var learningRates = [0.001, 0.003, 0.01, 0.03]

    func record(with logbook: LogbookClient) async throws -> (parent: Run, trials: [Run], best: Run) {
        var random = SplitMix64(seed: 42)
        let parentID = try await logbook.withRun(tags: ["kind": "sweep"], description: "Learning-rate sweep") {
            sweep in
            try await sweep.logParams([
                "search_space.lr": learningRates.map { "\($0)" }.joined(separator: ","),
                "trials": learningRates.count,
            ])
            for (index, lr) in learningRates.enumerated() {
                try await logbook.withRun(name: "trial-\(index)") { trial in
                    try await trial.logParams(["lr": lr, "batch_size": 64, "epochs": steps])
                    // Larger learning rates converge faster but plateau higher; the best is in the middle.
                    let speed: Double = lr * 60
                    let floor: Double = 0.08 + abs(log10(lr) + 2) * 0.12
                    for step in 0..<steps {
                        let noise: Double = (random.nextUnit() - 0.5) * 0.04
                        let decay: Double = exp(-speed * Double(step) / 8)
                        let loss: Double = floor + (2.3 - floor) * decay + noise
                        let accuracy: Double = min(0.99, max(0, 1 - loss / 2.4 + noise / 2))
                        try await trial.logMetrics(["loss": loss, "accuracy": accuracy], step: step)
                        if step % 5 == 4 { try await trial.logMetric("val_accuracy", accuracy - 0.02, step: step) }
                    }
                }
            }
            // Read the trials back and pick the best.
            let trials = try await logbook.store.allRuns(experimentIDs: [sweep.info.experimentID])
                .filter { $0.data.tag(SystemTag.parentRunID) == sweep.id }
            if let best = trials.max(by: {
                ($0.data.metric("val_accuracy") ?? 0) < ($1.data.metric("val_accuracy") ?? 0)
            }) {
                try await sweep.logMetric("best_val_accuracy", best.data.metric("val_accuracy") ?? .nan)
                try await sweep.setTag("best_run_id", best.id)
            }
            return sweep.id
        }
        let parent = try await logbook.store.run(id: parentID)
        let trials = try await logbook.store.allRuns(experimentIDs: [parent.info.experimentID])
            .filter { $0.data.tag(SystemTag.parentRunID) == parentID }
            .sorted { $0.info.runName < $1.info.runName }
        let best = trials.first { $0.id == parent.data.tag("best_run_id") } ?? trials[0]
        return (parent, trials, best)
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
