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
