// A program that opens runs and then waits to be ended, for the process-end tests.
//
// Usage: LogbookTestHelper signal|kill|exit   (the store comes from LOGBOOK_TRACKING_URI)
//
// - signal: a started run with a scoped child, both with buffered points; waits for a signal.
// - kill:   a started run with a fast heartbeat; waits to be SIGKILLed.
// - exit:   a started run left open, then a normal exit.
// Prints `READY <run id> …` once the runs are open.
import Foundation
import Logbook

func ready(_ ids: [String]) {
    FileHandle.standardOutput.write(Data(("READY " + ids.joined(separator: " ") + "\n").utf8))
}

var options = LogbookClient.Options()
options.flushInterval = .seconds(3600)  // points stay buffered until the process ends
options.heartbeatInterval = .milliseconds(100)
let client = try LogbookClient(options: options)
let mode = CommandLine.arguments.dropFirst().first ?? "signal"

switch mode {
case "signal":
    let parent = try await client.startRun(name: "parent")
    for step in 0..<300 { try await parent.logMetric("loss", Double(step), step: step) }
    try await client.withRun(name: "child") { child in
        for step in 0..<500 { try await child.logMetric("acc", Double(step), step: step) }
        ready([parent.id, child.id])
        try await Task.sleep(for: .seconds(600))
    }
case "kill":
    let run = try await client.startRun(name: "doomed")
    try await run.logMetric("loss", 1.0)
    try await run.flush()
    ready([run.id])
    try await Task.sleep(for: .seconds(600))
default:
    let run = try await client.startRun(name: "left-open")
    for step in 0..<10 { try await run.logMetric("loss", Double(step), step: step) }
    ready([run.id])
}
