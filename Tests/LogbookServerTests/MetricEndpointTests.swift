import HummingbirdTesting
import LogbookCore
import Testing

@Suite("Metric endpoints")
struct MetricEndpointTests {
    /// Logs `count` points of `key` at steps 0, 1, … in batches of 1000.
    static func logCurve(_ api: APIClient, runID: String, key: String, steps: some Sequence<Int>) async throws {
        let points = steps.map { #"{"key": "\#(key)", "value": \#($0), "timestamp": \#(1000 + $0), "step": \#($0)}"# }
        for start in stride(from: 0, to: points.count, by: 1000) {
            let chunk = points[start..<min(start + 1000, points.count)]
            try await api.ok(
                "runs/log-batch", #"{"run_id": "\#(runID)", "metrics": [\#(chunk.joined(separator: ","))]}"#)
        }
    }

    @Test("metrics/get-history pages through the whole history in step order")
    func history() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            try await Self.logCurve(api, runID: runID, key: "loss", steps: (0..<25).reversed())
            var steps: [Int64] = []
            var token = ""
            repeat {
                let page = try await api.ok(
                    get: "metrics/get-history",
                    "run_id=\(runID)&metric_key=loss&max_results=10" + (token.isEmpty ? "" : "&page_token=\(token)"))
                #expect(page["metrics"].array.count <= 10)
                steps += page["metrics"].array.compactMap { $0["step"].int }
                token = page["next_page_token"].string
            } while !token.isEmpty
            #expect(steps == Array(0..<25))
            let all = try await api.ok(get: "metrics/get-history", "run_uuid=\(runID)&metric_key=loss")
            #expect(all["metrics"].array.count == 25)
            #expect(all["next_page_token"].isNull)
            // An unknown key has no history: {}.
            #expect(try await api.get("metrics/get-history", "run_id=\(runID)&metric_key=nope").text == "{}")
            try await api.get("metrics/get-history", "run_id=\(runID)&metric_key=loss&max_results=0")
                .expectError(.badRequest, .invalidParameterValue)
            try await api.get("metrics/get-history", "run_id=\(runID)")
                .expectError(.badRequest, .invalidParameterValue, containing: "'metric_key'")
        }
    }

    /// MLflow 3.17.2's answers, recorded from `mlflow server` (sqlite backend): steps 0–9 with
    /// max_results=5 give 0, 2, 4, 6, 9; steps 0–19 give 0, 4, 8, 12, 19; max_results=1 the last.
    @Test("metrics/get-history-bulk-interval samples as MLflow 3.17 does")
    func bulkIntervalSamplesAsMLflow() async throws {
        try await ServerFixture().test { api in
            let ten = try await api.createRun()
            let twenty = try await api.createRun()
            try await Self.logCurve(api, runID: ten, key: "loss", steps: 0..<10)
            try await Self.logCurve(api, runID: twenty, key: "loss", steps: 0..<20)
            func steps(_ query: String) async throws -> [String: [Int64]] {
                let answer = try await api.ok(get: "metrics/get-history-bulk-interval", query)["metrics"].array
                return Dictionary(grouping: answer, by: { $0["run_id"].string ?? "" })
                    .mapValues { $0.compactMap { $0["step"].int } }
            }
            let five = try await steps("run_ids=\(ten)&run_ids=\(twenty)&metric_key=loss&max_results=5")
            #expect(five[ten] == [0, 2, 4, 6, 9])
            #expect(five[twenty] == [0, 4, 8, 12, 19])
            #expect(try await steps("run_ids=\(twenty)&metric_key=loss&max_results=1")[twenty] == [19])
            #expect(try await steps("run_ids=\(twenty)&metric_key=loss&max_results=3")[twenty] == [0, 7, 19])
            let ranged = try await steps("run_ids=\(twenty)&metric_key=loss&max_results=4&start_step=5&end_step=14")
            #expect(ranged[twenty] == [5, 8, 11, 14])
        }
    }

    /// MLflow 3.17.2's `/ajax-api/2.0/mlflow/metrics/get-history-bulk` (its SQL store): runs in id
    /// order, points by (timestamp, step, value), each with its run_id, `max_results` in all;
    /// unknown runs contribute nothing; its messages for a missing run_id or metric_key, too many runs.
    @Test("metrics/get-history-bulk answers as MLflow 3.17 does")
    func bulkHistory() async throws {
        try await ServerFixture().test { api in
            let first = try await api.createRun()
            let second = try await api.createRun()
            try await api.ok(
                "runs/log-batch",
                #"{"run_id": "\#(first)", "metrics": [{"key": "loss", "value": 3, "timestamp": 30, "step": 0}, {"key": "loss", "value": 2, "timestamp": 10, "step": 5}, {"key": "acc", "value": 1, "timestamp": 1, "step": 0}]}"#
            )
            try await Self.logCurve(api, runID: second, key: "loss", steps: 0..<3)
            let (low, high) = first < second ? (first, second) : (second, first)
            let unknown = "0123456789abcdef0123456789abcdef"
            let answer = try await api.ok(
                get: "metrics/get-history-bulk", "run_id=\(high)&run_id=\(low)&run_id=\(unknown)&metric_key=loss"
            )["metrics"].array
            let byRun = Dictionary(grouping: answer, by: { $0["run_id"].string ?? "" })
            // Runs in id order (first has 2 loss points, second 3), the unknown one contributing nothing.
            let counts = [first: 2, second: 3]
            #expect(
                answer.compactMap { $0["run_id"].string }
                    == Array(repeating: low, count: counts[low]!) + Array(repeating: high, count: counts[high]!))
            #expect(byRun[first]?.compactMap { $0["timestamp"].int } == [10, 30])
            #expect(byRun[second]?.compactMap { $0["step"].int } == [0, 1, 2])
            #expect(answer.allSatisfy { $0["key"].string == "loss" })
            let limited = try await api.ok(
                get: "metrics/get-history-bulk", "run_id=\(first)&run_id=\(second)&metric_key=loss&max_results=4")
            #expect(limited["metrics"].array.count == 4)
            try await api.get("metrics/get-history-bulk", "metric_key=loss")
                .expectError(.badRequest, .invalidParameterValue, containing: "must specify at least one run_id")
            try await api.get("metrics/get-history-bulk", "run_id=\(first)")
                .expectError(.badRequest, .invalidParameterValue, containing: "must specify a metric_key")
            let tooMany = (0..<101).map { "run_id=\(String(format: "%032x", $0))" }.joined(separator: "&")
            try await api.get("metrics/get-history-bulk", "\(tooMany)&metric_key=loss")
                .expectError(.badRequest, .invalidParameterValue, containing: "cannot specify more than 100 run_ids")
        }
    }

    @Test("metrics/get-history-bulk-interval samples each run, keeping its first and last step")
    func bulkInterval() async throws {
        try await ServerFixture().test { api in
            let long = try await api.createRun()
            let short = try await api.createRun()
            try await Self.logCurve(api, runID: long, key: "loss", steps: 0..<1000)
            try await Self.logCurve(api, runID: short, key: "loss", steps: 0..<7)
            let answer = try await api.ok(
                get: "metrics/get-history-bulk-interval",
                "run_ids=\(long)&run_ids=\(short)&metric_key=loss&max_results=50"
            )["metrics"].array
            let longSteps = answer.filter { $0["run_id"].string == long }.compactMap { $0["step"].int }
            let shortSteps = answer.filter { $0["run_id"].string == short }.compactMap { $0["step"].int }
            #expect(longSteps.count <= 50 && longSteps.count >= 45)
            #expect(longSteps.first == 0 && longSteps.last == 999)
            #expect(longSteps == longSteps.sorted())
            #expect(shortSteps == Array(0..<7))
            let ranged = try await api.ok(
                get: "metrics/get-history-bulk-interval",
                "run_ids=\(long)&metric_key=loss&start_step=100&end_step=200&max_results=2500")["metrics"].array
            #expect(ranged.compactMap { $0["step"].int } == Array(100...200))
            try await api.get("metrics/get-history-bulk-interval", "run_ids=\(long)&metric_key=loss&start_step=5")
                .expectError(.badRequest, .invalidParameterValue, containing: "both must be specified")
            try await api.get(
                "metrics/get-history-bulk-interval", "run_ids=\(long)&metric_key=loss&start_step=5&end_step=1"
            ).expectError(.badRequest, .invalidParameterValue)
            try await api.get("metrics/get-history-bulk-interval", "run_ids=\(long)&metric_key=loss&max_results=2501")
                .expectError(.badRequest, .invalidParameterValue)
            let tooMany = (0..<101).map { _ in "run_ids=\(long)" }.joined(separator: "&")
            try await api.get("metrics/get-history-bulk-interval", "\(tooMany)&metric_key=loss")
                .expectError(.badRequest, .invalidParameterValue, containing: "at most 100")
            try await api.get("metrics/get-history-bulk-interval", "metric_key=loss")
                .expectError(.badRequest, .invalidParameterValue)
            try await api.get(
                "metrics/get-history-bulk-interval",
                "run_ids=\(long)&run_ids=0123456789abcdef0123456789abcdef&metric_key=loss"
            ).expectError(.notFound, .resourceDoesNotExist)
        }
    }
}
