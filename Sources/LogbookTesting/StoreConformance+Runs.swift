import LogbookCore
import Testing

extension StoreConformance {
    static var runChecks: [ConformanceCheck] {
        [
            ConformanceCheck("run ids are uuid4 hex and runs start RUNNING") { fixture in
                let run = try await fixture.store.newRun()
                let id = run.info.runID
                #expect(id.count == 32)
                #expect(id.allSatisfy { "0123456789abcdef".contains($0) })
                #expect(Array(id)[12] == "4", "version nibble of a uuid4")
                #expect(run.info.status == .running)
                #expect(run.info.endTime == nil)
                #expect(run.info.userID == "tester")
                #expect(run.info.experimentID == "0")
                let again = try await fixture.store.newRun()
                #expect(again.info.runID != id)
            },
            ConformanceCheck("a run without a name gets adjective-noun-N mirrored in mlflow.runName") { fixture in
                let run = try await fixture.store.newRun()
                let name = run.info.runName
                let parts = name.split(separator: "-")
                #expect(parts.count == 3, "\(name)")
                #expect(Int(parts.last ?? "").map { (0...1000).contains($0) } == true, "\(name)")
                #expect(name.count <= 20)
                #expect(run.data.tag(SystemTag.runName) == name)
            },
            ConformanceCheck("renaming by tag or by update keeps run name and tag in sync") { fixture in
                let run = try await fixture.store.newRun(name: "first")
                #expect(run.info.runName == "first")
                #expect(run.data.tag(SystemTag.runName) == "first")
                try await fixture.store.setTag(runID: run.id, RunTag(key: SystemTag.runName, value: "second"))
                var stored = try await fixture.store.run(id: run.id)
                #expect(stored.info.runName == "second")
                #expect(stored.data.tag(SystemTag.runName) == "second")
                let info = try await fixture.store.updateRun(id: run.id, RunUpdate(runName: "third"))
                #expect(info.runName == "third")
                stored = try await fixture.store.run(id: run.id)
                #expect(stored.data.tag(SystemTag.runName) == "third")
                let byTag = try await fixture.store.newRun(tags: [RunTag(key: SystemTag.runName, value: "from-tag")])
                #expect(byTag.info.runName == "from-tag")
                // An empty name is no name: the tag names the run, no conflict.
                let emptyName = try await fixture.store.newRun(
                    name: "", tags: [RunTag(key: SystemTag.runName, value: "tagged")])
                #expect(emptyName.info.runName == "tagged")
            },
            ConformanceCheck("a run name that conflicts with its mlflow.runName tag is rejected") { fixture in
                await expectError(.invalidParameterValue) {
                    _ = try await fixture.store.newRun(name: "a", tags: [RunTag(key: SystemTag.runName, value: "b")])
                }
                #expect(try await fixture.store.allRuns(experimentIDs: ["0"]).isEmpty)
                let same = try await fixture.store.newRun(name: "a", tags: [RunTag(key: SystemTag.runName, value: "a")])
                #expect(same.info.runName == "a")
            },
            ConformanceCheck("a run's artifact URI is <experiment location>/<run id>/artifacts") { fixture in
                let id = try await fixture.store.createExperiment(name: "art")
                let run = try await fixture.store.newRun(in: id)
                #expect(run.info.artifactURI == "\(fixture.artifactRoot)/\(id)/\(run.id)/artifacts")
            },
            ConformanceCheck("runs need an existing, active experiment") { fixture in
                await expectError(.resourceDoesNotExist) { _ = try await fixture.store.newRun(in: "77") }
                let id = try await fixture.store.createExperiment(name: "gone")
                try await fixture.store.deleteExperiment(id: id)
                await expectError(.invalidParameterValue) { _ = try await fixture.store.newRun(in: id) }
            },
            ConformanceCheck("update sets status, end time and name; missing runs are 404") { fixture in
                let run = try await fixture.store.newRun()
                let info = try await fixture.store.updateRun(
                    id: run.id, RunUpdate(status: .finished, endTime: run.info.startTime + 5))
                #expect(info.status == .finished)
                #expect(info.endTime == run.info.startTime + 5)
                // No transition rules: a finished run can be set running again (that is how resume works),
                // and an update without an end time keeps the old one.
                let resumed = try await fixture.store.updateRun(id: run.id, RunUpdate(status: .running))
                #expect(resumed.status == .running)
                #expect(resumed.endTime == run.info.startTime + 5)
                let missing = RunNames.newRunID()
                await expectError(.resourceDoesNotExist) { _ = try await fixture.store.run(id: missing) }
                await expectError(.resourceDoesNotExist) {
                    _ = try await fixture.store.updateRun(id: missing, RunUpdate(status: .failed))
                }
                await expectError(.invalidParameterValue) { _ = try await fixture.store.run(id: "not a run id!") }
            },
        ]
    }

    static var tagChecks: [ConformanceCheck] {
        [
            ConformanceCheck("tags are upserts; within one batch the last value wins") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.setTag(runID: run.id, RunTag(key: "stage", value: "train"))
                try await fixture.store.setTag(runID: run.id, RunTag(key: "stage", value: "eval"))
                #expect(try await fixture.store.run(id: run.id).data.tag("stage") == "eval")
                try await fixture.store.logBatch(
                    runID: run.id,
                    RunBatch(tags: [RunTag(key: "stage", value: "x"), RunTag(key: "stage", value: "y")]))
                let tags = try await fixture.store.run(id: run.id).data.tags.filter { $0.key == "stage" }
                #expect(tags == [RunTag(key: "stage", value: "y")])
            },
            ConformanceCheck("deleting a tag; a missing tag is RESOURCE_DOES_NOT_EXIST") { fixture in
                let run = try await fixture.store.newRun()
                try await fixture.store.setTag(runID: run.id, RunTag(key: "k", value: "v"))
                try await fixture.store.deleteTag(runID: run.id, key: "k")
                #expect(try await fixture.store.run(id: run.id).data.tag("k") == nil)
                await expectError(.resourceDoesNotExist) { try await fixture.store.deleteTag(runID: run.id, key: "k") }
            },
        ]
    }
}
