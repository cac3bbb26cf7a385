import HummingbirdTesting
import LogbookCore
import Testing

@Suite("Logging endpoints")
struct LoggingEndpointTests {
    @Test("runs/log-metric: history kept, summary by step, NaN and infinity as strings, retries harmless")
    func logMetric() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            let point =
                #"{"run_uuid": "\#(runID)", "run_id": "\#(runID)", "key": "acc", "value": 0.5, "timestamp": 1000, "step": 1}"#
            #expect(try await api.ok("runs/log-metric", point) == .object([:]))
            try await api.ok("runs/log-metric", point)  // the client's retry of the same point
            try await api.ok(
                "runs/log-metric", #"{"run_id": "\#(runID)", "key": "acc", "value": 0.7, "timestamp": 2000}"#)
            try await api.ok(
                "runs/log-metric", #"{"run_id": "\#(runID)", "key": "nan", "value": "NaN", "timestamp": 1}"#)
            try await api.ok(
                "runs/log-metric", #"{"run_id": "\#(runID)", "key": "inf", "value": "Infinity", "timestamp": 1}"#)
            let metrics = try await api.run(runID)["data"]["metrics"].array
            let acc = metrics.first { $0["key"].string == "acc" }
            #expect(acc?["value"].double == 0.5)  // step 1 beats step 0
            #expect(metrics.first { $0["key"].string == "nan" }?["value"] == .string("NaN"))
            #expect(metrics.first { $0["key"].string == "inf" }?["value"] == .string("Infinity"))
            let history = try await api.ok(get: "metrics/get-history", "run_id=\(runID)&metric_key=acc")["metrics"]
            #expect(history.array.count == 2)
        }
    }

    @Test("runs/log-metric errors: missing timestamp, bad key, bool value, negative timestamp")
    func logMetricErrors() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            try await api.post("runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "'timestamp'")
            try await api.post("runs/log-metric", #"{"run_id": "\#(runID)", "key": "a*b", "value": 1, "timestamp": 1}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "Names may only contain")
            try await api.post(
                "runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": true, "timestamp": 1}"#
            )
            .expectError(.badRequest, .invalidParameterValue, containing: "'value'")
            try await api.post("runs/log-metric", #"{"run_id": "\#(runID)", "key": "m", "value": 1, "timestamp": -1}"#)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.post(
                "runs/log-metric",
                #"{"run_id": "0123456789abcdef0123456789abcdef", "key": "m", "value": 1, "timestamp": 1}"#
            )
            .expectError(.notFound, .resourceDoesNotExist)
            #expect(try await api.run(runID)["data"]["metrics"].isNull)
        }
    }

    @Test("runs/log-parameter: write-once, the same value again is fine, a new value is refused")
    func logParameter() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            let param = #"{"run_uuid": "\#(runID)", "run_id": "\#(runID)", "key": "lr", "value": "0.1"}"#
            try await api.ok("runs/log-parameter", param)
            try await api.ok("runs/log-parameter", param)
            try await api.post("runs/log-parameter", #"{"run_id": "\#(runID)", "key": "lr", "value": "0.2"}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "Changing param values is not allowed")
            #expect(try await api.run(runID)["data"]["params"].keyValues == ["lr": "0.1"])
        }
    }

    @Test("runs/set-tag and runs/delete-tag; deleting a missing tag is 404")
    func tags() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            try await api.ok("runs/set-tag", #"{"run_id": "\#(runID)", "key": "team", "value": "a"}"#)
            try await api.ok("runs/set-tag", #"{"run_id": "\#(runID)", "key": "team", "value": "b"}"#)
            try await api.ok("runs/set-tag", #"{"run_id": "\#(runID)", "key": "mlflow.runName", "value": "via-tag"}"#)
            let run = try await api.run(runID)
            #expect(run["data"]["tags"].keyValues["team"] == "b")
            #expect(run["info"]["run_name"].string == "via-tag")
            try await api.ok("runs/delete-tag", #"{"run_id": "\#(runID)", "key": "team"}"#)
            #expect(try await api.run(runID)["data"]["tags"].keyValues["team"] == nil)
            try await api.post("runs/delete-tag", #"{"run_id": "\#(runID)", "key": "team"}"#)
                .expectError(.notFound, .resourceDoesNotExist, containing: "No tag with name: team")
        }
    }

    @Test("runs/log-batch stores everything at once, or nothing when any item is bad")
    func logBatch() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            let metrics = (0..<998).map { #"{"key": "x", "value": \#($0), "timestamp": \#($0), "step": \#($0)}"# }
            try await api.ok(
                "runs/log-batch",
                #"{"run_id": "\#(runID)", "metrics": [\#(metrics.joined(separator: ","))], "params": [{"key": "p", "value": "1"}], "tags": [{"key": "t", "value": "v"}]}"#
            )
            let run = try await api.run(runID)
            #expect(run["data"]["metrics"][0]["value"].double == 997)
            #expect(run["data"]["params"].keyValues == ["p": "1"])
            // A bad point at the end: nothing of the batch is stored.
            try await api.post(
                "runs/log-batch",
                #"{"run_id": "\#(runID)", "params": [{"key": "q", "value": "1"}], "metrics": [{"key": "y", "value": 1, "timestamp": 1}, {"key": "y", "value": 1}]}"#
            ).expectError(.badRequest, .invalidParameterValue, containing: "metrics[1].timestamp")
            try await api.post(
                "runs/log-batch",
                #"{"run_id": "\#(runID)", "params": [{"key": "q", "value": "1"}, {"key": "p", "value": "2"}]}"#
            ).expectError(.badRequest, .invalidParameterValue, containing: "Changing param values")
            let after = try await api.run(runID)
            #expect(after["data"]["params"].keyValues == ["p": "1"])
            #expect(after["data"]["metrics"].array.count == 1)
            let tooMany = (0..<1001).map { #"{"key": "x", "value": 1, "timestamp": \#($0)}"# }
            try await api.post(
                "runs/log-batch", #"{"run_id": "\#(runID)", "metrics": [\#(tooMany.joined(separator: ","))]}"#
            )
            .expectError(.badRequest, .invalidParameterValue)
            try await api.post("runs/log-batch", #"{"run_uuid": "\#(runID)"}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "'run_id'")
        }
    }

    @Test("runs/log-inputs records datasets with their context; runs/get returns them under inputs")
    func logInputs() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            let input =
                #"{"tags": [{"key": "mlflow.data.context", "value": "train"}], "dataset": {"name": "ds", "digest": "abc123", "source_type": "local", "source": "{\"uri\":\"/x\"}", "schema": "{}"}}"#
            try await api.ok("runs/log-inputs", #"{"run_id": "\#(runID)", "datasets": [\#(input)]}"#)
            try await api.ok("runs/log-inputs", #"{"run_id": "\#(runID)", "datasets": [\#(input)]}"#)
            let inputs = try await api.run(runID)["inputs"]["dataset_inputs"].array
            #expect(inputs.count == 1)
            #expect(inputs.first?["dataset"]["name"].string == "ds")
            #expect(inputs.first?["dataset"]["source"].string == #"{"uri":"/x"}"#)
            #expect(inputs.first?["tags"].keyValues == ["mlflow.data.context": "train"])
            try await api.post(
                "runs/log-inputs", #"{"run_id": "\#(runID)", "datasets": [{"dataset": {"name": "ds"}}]}"#
            ).expectError(.badRequest, .invalidParameterValue, containing: "datasets[0].dataset.digest")
            try await api.post(
                "runs/log-inputs",
                #"{"run_id": "\#(runID)", "datasets": [{"dataset": {"name": "ds", "digest": "\#(String(repeating: "d", count: 37))", "source_type": "local", "source": "s"}}]}"#
            ).expectError(.badRequest, .invalidParameterValue, containing: "digest")
        }
    }
}
