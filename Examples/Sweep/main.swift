// A learning-rate sweep: a parent run, one nested run per trial, metrics per step, and the best
// trial found by reading the runs back. Run it with `swift run SweepExample`.
import Foundation
import Logbook

let logbook = try LogbookClient()  // LOGBOOK_TRACKING_URI, else ./logbook.db
try await logbook.setExperiment(name: "lr-sweep")

/// Stands in for a real training step.
func trainStep(lr: Double, step: Int) -> (loss: Double, accuracy: Double) {
    let loss = 0.1 + abs(log10(lr) + 2) / 4 + 2 * exp(-lr * 60 * Double(step) / 8)
    return (loss, max(0, 1 - loss / 2.5))
}

let best = try await logbook.withRun(name: "sweep", description: "lr from 1e-3 to 3e-2") { sweep in
    for lr in [0.001, 0.003, 0.01, 0.03] {
        try await logbook.withRun(name: "lr=\(lr)") { trial in  // nested: a child of "sweep"
            try await trial.logParams(["lr": lr, "epochs": 20])
            for step in 0..<20 {
                let (loss, accuracy) = trainStep(lr: lr, step: step)
                try await trial.logMetrics(["loss": loss, "accuracy": accuracy], step: step)
            }
        }
    }
    // Read the trials back and keep the best one.
    let trials = try await logbook.store.allRuns(experimentIDs: [sweep.info.experimentID])
        .filter { $0.data.tag(SystemTag.parentRunID) == sweep.id }
    let best = trials.max { ($0.data.metric("accuracy") ?? 0) < ($1.data.metric("accuracy") ?? 0) }!
    try await sweep.setTag("best_trial", best.info.runName)
    try await sweep.logMetric("best_accuracy", best.data.metric("accuracy") ?? .nan)
    return best
}
print("best trial: \(best.info.runName), accuracy \(best.data.metric("accuracy") ?? .nan)")
