import HummingbirdTesting
import LogbookCore
import Testing

@Suite("Experiment endpoints")
struct ExperimentEndpointTests {
    @Test("experiments/create, get and get-by-name; the artifact location is the proxy's")
    func createAndGet() async throws {
        try await ServerFixture().test { api in
            let created = try await api.ok(
                "experiments/create", #"{"name": "vision", "tags": [{"key": "team", "value": "ml"}]}"#)
            let id = created["experiment_id"].string
            #expect(id == "1")
            let experiment = try await api.ok(get: "experiments/get", "experiment_id=\(id)")["experiment"]
            #expect(experiment["name"].string == "vision")
            #expect(experiment["artifact_location"].string == "mlflow-artifacts:/1")
            #expect(experiment["lifecycle_stage"].string == "active")
            #expect(experiment["creation_time"].int != nil)
            #expect(experiment["tags"].keyValues == ["team": "ml"])
            let byName = try await api.ok(get: "experiments/get-by-name", "experiment_name=vision")["experiment"]
            #expect(byName["experiment_id"].string == id)
            // Spaces in query values arrive as '+', as Python's requests sends them.
            _ = try await api.createExperiment("two words")
            let spaced = try await api.ok(get: "experiments/get-by-name", "experiment_name=two+words")["experiment"]
            #expect(spaced["name"].string == "two words")
        }
    }

    @Test("experiments/create errors: duplicate name, empty name, missing name")
    func createErrors() async throws {
        try await ServerFixture().test { api in
            _ = try await api.createExperiment("taken")
            try await api.post("experiments/create", #"{"name": "taken"}"#)
                .expectError(.badRequest, .resourceAlreadyExists)
            try await api.post("experiments/create", #"{"name": ""}"#).expectError(.badRequest, .invalidParameterValue)
            try await api.post("experiments/create", #"{}"#)
                .expectError(
                    .badRequest, .invalidParameterValue, containing: "Missing value for required parameter 'name'")
        }
    }

    @Test("experiments/get and get-by-name of unknown experiments are 404 RESOURCE_DOES_NOT_EXIST")
    func unknownExperiments() async throws {
        try await ServerFixture().test { api in
            try await api.get("experiments/get", "experiment_id=42")
                .expectError(.notFound, .resourceDoesNotExist, containing: "No Experiment with id=42 exists")
            try await api.get("experiments/get-by-name", "experiment_name=nope")
                .expectError(.notFound, .resourceDoesNotExist)
            try await api.get("experiments/get", "").expectError(.badRequest, .invalidParameterValue)
        }
    }

    @Test("experiments/search by GET and by POST, with filter, order, paging and view type")
    func search() async throws {
        try await ServerFixture().test { api in
            for name in ["a-1", "a-2", "b-1"] { _ = try await api.createExperiment(name) }
            let posted = try await api.ok(
                "experiments/search", #"{"filter": "name LIKE 'a-%'", "order_by": ["name DESC"], "max_results": 1}"#)
            #expect(posted["experiments"].array.map { $0["name"].string } == ["a-2"])
            let token = posted["next_page_token"].string
            #expect(!token.isEmpty)
            let next = try await api.ok(
                "experiments/search",
                #"{"filter": "name LIKE 'a-%'", "order_by": ["name DESC"], "max_results": 1, "page_token": "\#(token)"}"#
            )
            #expect(next["experiments"].array.map { $0["name"].string } == ["a-1"])
            #expect(next["next_page_token"].isNull)
            let got = try await api.ok(
                get: "experiments/search", "filter=name+%3D+%27b-1%27&max_results=10&view_type=ACTIVE_ONLY")
            #expect(got["experiments"].array.map { $0["name"].string } == ["b-1"])
            // Without max_results (MLflow answers 400) Logbook pages by 1000.
            let all = try await api.ok("experiments/search", "{}")
            #expect(all["experiments"].array.count == 4)
            try await api.post("experiments/search", #"{"filter": "name ~ 'x'"}"#)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.post("experiments/search", #"{"max_results": 50001}"#)
                .expectError(.badRequest, .invalidParameterValue)
        }
    }

    @Test("experiments/update renames; delete and restore change the lifecycle stage")
    func updateDeleteRestore() async throws {
        try await ServerFixture().test { api in
            let id = try await api.createExperiment("old")
            try await api.ok("experiments/update", #"{"experiment_id": "\#(id)", "new_name": "new"}"#)
            #expect(
                try await api.ok(get: "experiments/get", "experiment_id=\(id)")["experiment"]["name"].string == "new")
            let runID = try await api.createRun(id)
            #expect(try await api.ok("experiments/delete", #"{"experiment_id": "\#(id)"}"#) == .object([:]))
            #expect(
                try await api.ok(get: "experiments/get", "experiment_id=\(id)")["experiment"]["lifecycle_stage"].string
                    == "deleted")
            #expect(try await api.run(runID)["info"]["lifecycle_stage"].string == "deleted")
            try await api.post("experiments/update", #"{"experiment_id": "\#(id)", "new_name": "x"}"#)
                .expectError(.badRequest, .invalidParameterValue)
            try await api.ok("experiments/restore", #"{"experiment_id": "\#(id)"}"#)
            #expect(try await api.run(runID)["info"]["lifecycle_stage"].string == "active")
            try await api.post("experiments/delete", #"{"experiment_id": "99"}"#)
                .expectError(.notFound, .resourceDoesNotExist)
        }
    }

    @Test("experiments/set-experiment-tag upserts; delete-experiment-tag removes, 404 when missing")
    func experimentTags() async throws {
        try await ServerFixture().test { api in
            let id = try await api.createExperiment("tagged")
            try await api.ok(
                "experiments/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k", "value": "1"}"#)
            try await api.ok(
                "experiments/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k", "value": "2"}"#)
            #expect(
                try await api.ok(get: "experiments/get", "experiment_id=\(id)")["experiment"]["tags"].keyValues
                    == ["k": "2"])
            try await api.ok("experiments/delete-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k"}"#)
            #expect(try await api.ok(get: "experiments/get", "experiment_id=\(id)")["experiment"]["tags"].isNull)
            try await api.post("experiments/delete-experiment-tag", #"{"experiment_id": "\#(id)", "key": "k"}"#)
                .expectError(.notFound, .resourceDoesNotExist)
            try await api.post("experiments/set-experiment-tag", #"{"experiment_id": "\#(id)", "key": "a*b"}"#)
                .expectError(.badRequest, .invalidParameterValue)
        }
    }
}
