// Request bodies of MLflow's REST API, as a training loop sends them, for the server benchmarks.

/// The UTF-8 bytes of a JSON text.
public func json(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Creates a run in experiment 0 and returns its id.
public func createRun(_ connection: HTTPConnection) throws -> String {
    let response = try connection.request(
        "POST", "/api/2.0/mlflow/runs/create", body: json(#"{"experiment_id": "0", "start_time": 1700000000000}"#))
    response.expectOK("create run")
    let text = String(decoding: response.body, as: UTF8.self)
    // `"run_id":"…"` from Logbook, `"run_id": "…"` from mlflow server.
    let key = text.range(of: #""run_id""#)!.upperBound
    return String(text[key...].drop { $0 == ":" || $0 == " " || $0 == "\"" }.prefix(32))
}

/// `count` points of one key, steps `first…`.
public func batchBody(runID: String, key: String, from first: Int, count: Int) -> [UInt8] {
    var text = #"{"run_id": "\#(runID)", "metrics": ["#
    for step in first..<(first + count) {
        if step > first { text += "," }
        text +=
            #"{"key": "\#(key)", "value": \#(Double(step) * 0.001), "timestamp": \#(1_700_000_000_000 + step), "step": \#(step)}"#
    }
    return json(text + "]}")
}

/// A training loop's batch: `keys` metrics at each of `count / keys` steps.
public func loopBody(runID: String, keys: Int, from first: Int, count: Int) -> [UInt8] {
    var text = #"{"run_id": "\#(runID)", "metrics": ["#
    for index in 0..<count {
        let step = first + index / keys
        if index > 0 { text += "," }
        text +=
            #"{"key": "metric_\#(index % keys)", "value": \#(Double(index) * 0.001 + 0.5), "timestamp": \#(1_700_000_000_000 + step), "step": \#(step)}"#
    }
    return json(text + "]}")
}
