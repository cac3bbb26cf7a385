import HummingbirdTesting
import LogbookCore
import Testing

@Suite("Run endpoints")
struct RunEndpointTests {
    @Test("runs/create answers the run as MLflow does: run_uuid alias, name tag, proxy artifact URI, inputs {}")
    func create() async throws {
        try await ServerFixture().test { api in
            let id = try await api.createExperiment("e")
            let response = try await api.post(
                "runs/create",
                #"{"experiment_id": "\#(id)", "user_id": "alice", "run_name": "first", "start_time": 1700000000000, "tags": [{"key": "t1", "value": "x"}]}"#
            )
            #expect(response.status == .ok)
            let run = try response.json["run"]
            let runID = run["info"]["run_id"].string
            #expect(runID.count == 32)
            #expect(run["info"]["run_uuid"].string == runID)
            #expect(run["info"]["status"].string == "RUNNING")
            #expect(run["info"]["user_id"].string == "alice")
            #expect(run["info"]["start_time"].int == 1_700_000_000_000)
            #expect(run["info"]["end_time"].isNull)
            #expect(run["info"]["artifact_uri"].string == "mlflow-artifacts:/\(id)/\(runID)/artifacts")
            #expect(run["data"]["tags"].keyValues == ["t1": "x", "mlflow.runName": "first"])
            #expect(run["inputs"] == .object([:]))
            // Int64 fields are JSON numbers, not strings.
            #expect(response.text.contains(#""start_time":1700000000000"#))
        }
    }

    @Test("runs/create without an experiment uses Default; a server-made name; errors for bad experiments")
    func createDefaults() async throws {
        try await ServerFixture().test { api in
            let run = try await api.ok("runs/create", "{}")["run"]
            #expect(run["info"]["experiment_id"].string == "0")
            #expect(!run["info"]["run_name"].string.isEmpty)
            #expect(run["info"]["start_time"].int ?? 0 > 1_700_000_000_000)
            try await api.post("runs/create", #"{"experiment_id": "77"}"#).expectError(.notFound, .resourceDoesNotExist)
            try await api.post(
                "runs/create", #"{"run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]}"#
            ).expectError(.badRequest, .invalidParameterValue, containing: "Both 'run_name'")
        }
    }

    @Test("runs/get by run_id or run_uuid; 404 for an unknown run; 400 for a malformed id")
    func get() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            #expect(
                try await api.ok(get: "runs/get", "run_uuid=\(runID)&run_id=\(runID)")["run"]["info"]["run_id"].string
                    == runID)
            #expect(try await api.ok(get: "runs/get", "run_uuid=\(runID)")["run"]["info"]["run_id"].string == runID)
            try await api.get("runs/get", "run_id=0123456789abcdef0123456789abcdef")
                .expectError(.notFound, .resourceDoesNotExist, containing: "not found")
            try await api.get("runs/get", "run_id=*bad*").expectError(.badRequest, .invalidParameterValue)
            try await api.get("runs/get", "").expectError(.badRequest, .invalidParameterValue, containing: "'run_id'")
        }
    }

    @Test("runs/update sets status, end time and name; an unknown status is an error, not ignored")
    func update() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            let info = try await api.ok(
                "runs/update",
                #"{"run_uuid": "\#(runID)", "run_id": "\#(runID)", "status": "FINISHED", "end_time": 1700000009000, "run_name": "renamed"}"#
            )["run_info"]
            #expect(info["status"].string == "FINISHED")
            #expect(info["end_time"].int == 1_700_000_009_000)
            #expect(info["run_name"].string == "renamed")
            #expect(try await api.run(runID)["data"]["tags"].keyValues["mlflow.runName"] == "renamed")
            // Enums by number too (KILLED = 5).
            #expect(
                try await api.ok("runs/update", #"{"run_id": "\#(runID)", "status": 5}"#)["run_info"]["status"].string
                    == "KILLED")
            try await api.post("runs/update", #"{"run_id": "\#(runID)", "status": "DONE"}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "FINISHED")
            #expect(try await api.run(runID)["info"]["status"].string == "KILLED")
        }
    }

    @Test("runs/delete and runs/restore; writes to a deleted run fail and store nothing")
    func deleteRestore() async throws {
        try await ServerFixture().test { api in
            let runID = try await api.createRun()
            #expect(try await api.ok("runs/delete", #"{"run_id": "\#(runID)"}"#) == .object([:]))
            #expect(try await api.run(runID)["info"]["lifecycle_stage"].string == "deleted")
            try await api.post("runs/log-parameter", #"{"run_id": "\#(runID)", "key": "p", "value": "1"}"#)
                .expectError(.badRequest, .invalidParameterValue, containing: "must be in the 'active' state")
            try await api.ok("runs/restore", #"{"run_id": "\#(runID)"}"#)
            #expect(try await api.run(runID)["info"]["lifecycle_stage"].string == "active")
            #expect(try await api.run(runID)["data"]["params"].isNull)
            try await api.post("runs/delete", #"{"run_id": "0123456789abcdef0123456789abcdef"}"#)
                .expectError(.notFound, .resourceDoesNotExist)
        }
    }

    @Test("runs/search: filter, order, paging, view type, {} when nothing matches, bad filters")
    func search() async throws {
        try await ServerFixture().test { api in
            let experiment = try await api.createExperiment("s")
            for index in 0..<3 {
                let runID = try await api.createRun(experiment, name: "r\(index)")
                try await api.ok(
                    "runs/log-metric",
                    #"{"run_id": "\#(runID)", "key": "acc", "value": \#(Double(index) / 10), "timestamp": 1}"#)
            }
            let first = try await api.ok(
                "runs/search",
                #"{"experiment_ids": ["\#(experiment)"], "filter": "metrics.acc >= 0.1", "order_by": ["metrics.acc DESC"], "max_results": 1}"#
            )
            #expect(first["runs"].array.map { $0["info"]["run_name"].string } == ["r2"])
            let token = first["next_page_token"].string
            let second = try await api.ok(
                "runs/search",
                #"{"experiment_ids": ["\#(experiment)"], "filter": "metrics.acc >= 0.1", "order_by": ["metrics.acc DESC"], "max_results": 1, "page_token": "\#(token)"}"#
            )
            #expect(second["runs"].array.map { $0["info"]["run_name"].string } == ["r1"])
            #expect(second["next_page_token"].isNull)
            let none = try await api.post(
                "runs/search", #"{"experiment_ids": ["\#(experiment)"], "filter": "metrics.acc > 5"}"#)
            #expect(none.text == "{}")
            let deleted = try await api.ok(
                "runs/search", #"{"experiment_ids": ["\#(experiment)"], "run_view_type": "DELETED_ONLY"}"#)
            #expect(deleted["runs"].isNull)
            try await api.post("runs/search", #"{"experiment_ids": ["\#(experiment)"], "filter": "metrics.acc >>> 1"}"#)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.post("runs/search", #"{"experiment_ids": ["\#(experiment)"], "max_results": 0}"#)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.post("runs/search", #"{"experiment_ids": ["\#(experiment)"], "page_token": "garbage"}"#)
                .expectError(.badRequest, .invalidParameterValue)
        }
    }
}
