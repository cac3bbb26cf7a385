import Foundation
import LogbookCore
import LogbookWire
import Testing

@Suite("MLflow wire format")
struct WireFormatTests {
    private func json(_ value: some Encodable) throws -> [String: Any] {
        let data = Data(try WireEncoder.encode(value))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func runHasMLflowsShape() throws {
        let run = Run(
            info: RunInfo(
                runID: "abc", experimentID: "1", runName: "r", userID: "u", status: .finished, startTime: 10,
                endTime: 20, artifactURI: "/a/abc/artifacts"),
            data: RunData(
                metrics: [
                    Metric(key: "nan", value: .nan, timestamp: 1), Metric(key: "inf", value: -.infinity, timestamp: 1),
                ],
                params: [Param(key: "lr", value: "0.1")]))
        let object = try json(GetRunResponse(run))
        let wireRun = try #require(object["run"] as? [String: Any])
        let info = try #require(wireRun["info"] as? [String: Any])
        #expect(info["run_id"] as? String == "abc")
        #expect(info["run_uuid"] as? String == "abc")
        #expect(info["status"] as? String == "FINISHED")
        #expect(info["start_time"] as? Int == 10)
        #expect(info["lifecycle_stage"] as? String == "active")
        let data = try #require(wireRun["data"] as? [String: Any])
        #expect(data["tags"] == nil, "empty lists are omitted")
        let metrics = try #require(data["metrics"] as? [[String: Any]])
        #expect(metrics[0]["value"] as? String == "NaN")
        #expect(metrics[1]["value"] as? String == "-Infinity")
        #expect(wireRun["inputs"] is [String: Any])
    }

    @Test func runningRunHasNoEndTime() throws {
        let info = RunInfo(
            runID: "a", experimentID: "0", runName: "n", userID: "", status: .running, startTime: 1, artifactURI: "x")
        let object = try json(WireRunInfo(info))
        #expect(object["end_time"] == nil)
    }

    @Test func emptyListsAndErrors() throws {
        #expect(try WireEncoder.string(SearchRunsResponse([])) == "{}")
        let error = try json(ErrorResponse(LogbookError.runNotFound("x")))
        #expect(error["error_code"] as? String == "RESOURCE_DOES_NOT_EXIST")
        #expect(error["message"] as? String == "Run with id=x not found")
    }

    @Test func metricsDecodeFromMLflowJSON() throws {
        let text = #"{"key":"m","value":"Infinity","timestamp":5,"step":2}"#
        let metric = try WireMessage(body: Array(text.utf8)).metric()
        #expect(metric == Metric(key: "m", value: .infinity, timestamp: 5, step: 2))
    }

    /// Python's `json` reads `1` as an int and `1.0` as a float; MLflow writes `1.0`.
    @Test func doublesAreWrittenWithAFraction() throws {
        let metrics = [
            Metric(key: "one", value: 1, timestamp: 5, step: 2), Metric(key: "big", value: 1e20, timestamp: 5),
            Metric(key: "tenth", value: 0.1, timestamp: 5), Metric(key: "neg", value: -3, timestamp: 5),
        ]
        let run = Run(
            info: RunInfo(
                runID: "a", experimentID: "0", runName: "n", userID: "", status: .running, startTime: 1,
                artifactURI: "x"),
            data: RunData(metrics: metrics))
        let text = try WireEncoder.string(GetRunResponse(run))
        #expect(text.contains(#"{"key":"one","value":1.0,"timestamp":5,"step":2}"#))
        #expect(text.contains(#""value":1e+20,"#))
        #expect(text.contains(#""value":0.1,"#))
        #expect(text.contains(#""value":-3.0,"#))
        #expect(text.contains(#""start_time":1,"#), "integers stay integers")
        let pretty = try WireEncoder.string(SearchRunsResponse([run]), pretty: true)
        #expect(pretty.hasPrefix("{\n  \"runs\": [\n    {\n      \"info\": {"))
        let reparsed = try JSONSerialization.jsonObject(with: Data(pretty.utf8)) as? [String: Any]
        #expect((reparsed?["runs"] as? [Any])?.count == 1)
    }

    @Test func experimentHasMLflowsShape() throws {
        let experiment = Experiment(
            id: "3", name: "e", artifactLocation: "/x/3", creationTime: 1, lastUpdateTime: 2,
            tags: [ExperimentTag(key: "k", value: "v")])
        let object = try json(SearchExperimentsResponse([experiment], nextPageToken: "t"))
        let first = try #require((object["experiments"] as? [[String: Any]])?.first)
        #expect(first["experiment_id"] as? String == "3")
        #expect(first["artifact_location"] as? String == "/x/3")
        #expect(first["last_update_time"] as? Int == 2)
        #expect((first["tags"] as? [[String: Any]])?.first?["key"] as? String == "k")
        #expect(object["next_page_token"] as? String == "t")
    }
}
