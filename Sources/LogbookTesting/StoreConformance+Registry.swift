import LogbookCore
import Testing

extension StoreConformance {
    /// The model registry, for stores that are a ``ModelRegistry`` too (MLflow 3.17.2's
    /// behaviour, reference mlflow-registry.md). Run it beside ``checks``:
    ///
    /// ```swift
    /// @Test(arguments: StoreConformance.registryChecks)
    /// func registry(_ check: ConformanceCheck) async throws { try await check.run(with: .sqlite) }
    /// ```
    public static var registryChecks: [ConformanceCheck] {
        [
            ConformanceCheck("a registered model is created with tags and a description, and read back") { fixture in
                let registry = try fixture.registry()
                let created = try await registry.createRegisteredModel(
                    name: "churn-clf", tags: [RegistryTag(key: "team", value: "growth")],
                    description: "predicts churn")
                #expect(created.name == "churn-clf")
                #expect(created.description == "predicts churn")
                #expect(created.tag("team") == "growth")
                #expect(created.latestVersions.isEmpty && created.aliases.isEmpty)
                #expect(created.creationTime > 0 && created.lastUpdatedTime == created.creationTime)
                #expect(try await registry.registeredModel(name: "churn-clf") == created)
                let plain = try await registry.createRegisteredModel(name: "plain")
                #expect(plain.description == nil && plain.tags.isEmpty)
            },
            ConformanceCheck("a taken, blank or path-like model name, or an unknown one, is MLflow's error") {
                fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(name: "m1")
                let duplicate = await expectError(.resourceAlreadyExists) {
                    _ = try await registry.createRegisteredModel(name: "m1")
                }
                #expect(duplicate?.message == "Registered Model (name=m1) already exists.")
                let slash = await expectError(.invalidParameterValue) {
                    _ = try await registry.createRegisteredModel(name: "a/b")
                }
                #expect(slash?.message == "Invalid model name 'a/b'. Names cannot contain '/' or ':'.")
                for name in ["  ", "x:y", ".."] {
                    await expectError(.invalidParameterValue) {
                        _ = try await registry.createRegisteredModel(name: name)
                    }
                }
                let unknown = await expectError(.resourceDoesNotExist) {
                    _ = try await registry.registeredModel(name: "nope")
                }
                #expect(unknown?.message == "Registered Model with name=nope not found")
                #expect(try await registry.allRegisteredModels().map(\.name) == ["m1"])
            },
            ConformanceCheck("versions are numbered 1, 2, 3…; a deleted number is never given again") { fixture in
                let (store, registry) = try fixture.storeAndRegistry()
                let run = try await store.newRun()
                _ = try await registry.createRegisteredModel(name: "m")
                var numbers: [Int64] = []
                for _ in 0..<3 {
                    numbers.append(
                        try await registry.createModelVersion(
                            ModelVersionCreation(name: "m", source: "runs:/\(run.id)/model", runID: run.id)
                        ).version)
                }
                #expect(numbers == [1, 2, 3])
                try await registry.deleteModelVersion(name: "m", version: "3")
                let gone = await expectError(.resourceDoesNotExist) {
                    _ = try await registry.modelVersion(name: "m", version: "3")
                }
                #expect(gone?.message == "Model Version (name=m, version=3) not found")
                let next = try await registry.createModelVersion(
                    ModelVersionCreation(name: "m", source: "runs:/\(run.id)/model", runID: run.id))
                #expect(next.version == 4)
                #expect(try await registry.versions(of: "m").map(\.version) == [4, 2, 1])
                // A deleted and re-created model starts again at 1.
                try await registry.deleteRegisteredModel(name: "m")
                _ = try await registry.createRegisteredModel(name: "m")
                let first = try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://b/m"))
                #expect(first.version == 1)
                let bad = await expectError(.invalidParameterValue) {
                    _ = try await registry.modelVersion(name: "m", version: "abc")
                }
                #expect(bad?.message == "Parameter 'version' must be an integer, got 'abc'.")
                await expectError(.resourceDoesNotExist) {
                    _ = try await registry.createModelVersion(ModelVersionCreation(name: "nope", source: "s3://b/m"))
                }
            },
            ConformanceCheck("a version records its source, run, tags and description, READY in stage None") {
                fixture in
                let (store, registry) = try fixture.storeAndRegistry()
                let run = try await store.newRun()
                _ = try await registry.createRegisteredModel(name: "m")
                let version = try await registry.createModelVersion(
                    ModelVersionCreation(
                        name: "m", source: "runs:/\(run.id)/model", runID: run.id,
                        tags: [RegistryTag(key: "k", value: "1"), RegistryTag(key: "k", value: "2")],
                        runLink: "http://ci/run", description: "first"))
                #expect(version.source == "runs:/\(run.id)/model")
                #expect(version.storageLocation == "runs:/\(run.id)/model")
                #expect(version.runID == run.id)
                #expect(version.status == .ready && version.currentStage == .none)
                #expect(version.description == "first" && version.runLink == "http://ci/run")
                #expect(version.tags == [RegistryTag(key: "k", value: "2")], "the last value of a repeated key wins")
                #expect(try await registry.modelVersion(name: "m", version: "1") == version)
                #expect(try await registry.modelVersionDownloadURI(name: "m", version: "1") == "runs:/\(run.id)/model")
                let model = try await registry.registeredModel(name: "m")
                #expect(model.latestVersions.map(\.version) == [1])
                #expect(model.lastUpdatedTime >= version.creationTime)
            },
            ConformanceCheck("sources are checked as MLflow 3 checks them") { fixture in
                let (store, registry) = try fixture.storeAndRegistry()
                let run = try await store.newRun()
                let other = try await store.newRun()
                _ = try await registry.createRegisteredModel(name: "m")
                let mismatch = await expectError(.invalidParameterValue) {
                    _ = try await registry.createModelVersion(
                        ModelVersionCreation(name: "m", source: "runs:/\(run.id)/model", runID: other.id))
                }
                #expect(
                    mismatch?.message
                        == "Invalid model version source: 'runs:/\(run.id)/model'. The run_id request parameter must identify the resource that contains the source."
                )
                await expectError(.invalidParameterValue) {
                    _ = try await registry.createModelVersion(
                        ModelVersionCreation(name: "m", source: "runs:/\(run.id)/model"))
                }
                for source in ["http://elsewhere/model", "runs:/\(run.id)/../../etc", "file:///tmp/%2E%2E/x"] {
                    await expectError(.invalidParameterValue) {
                        _ = try await registry.createModelVersion(
                            ModelVersionCreation(name: "m", source: source, runID: run.id))
                    }
                }
                // Files of the tracking server: only inside the named run's artifacts.
                let inside = run.info.artifactURI + "/model"
                #expect(
                    try await registry.createModelVersion(
                        ModelVersionCreation(name: "m", source: inside, runID: run.id)
                    ).storageLocation == inside)
                await expectError(.invalidParameterValue) {
                    _ = try await registry.createModelVersion(
                        ModelVersionCreation(name: "m", source: inside, runID: other.id))
                }
                // Object storage is taken as given.
                #expect(
                    try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://bucket/m"))
                        .source
                        == "s3://bucket/m")
                #expect(try await registry.versions(of: "m").count == 2)
            },
            ConformanceCheck("a version from a logged model links to it and reads its files from the model's artifacts")
            {
                fixture in
                let (store, registry) = try fixture.storeAndRegistry()
                let run = try await store.newRun()
                let logged = try await store.createLoggedModel(
                    LoggedModelCreation(experimentID: Experiment.defaultID, name: "model", sourceRunID: run.id))
                _ = try await registry.createRegisteredModel(name: "m")
                let version = try await registry.createModelVersion(
                    ModelVersionCreation(name: "m", source: "models:/\(logged.modelID)", modelID: logged.modelID))
                #expect(version.modelID == logged.modelID)
                #expect(version.runID == run.id, "the run comes from the logged model")
                #expect(try await registry.modelVersionDownloadURI(name: "m", version: "1") == logged.artifactLocation)
                let fromModel = try await registry.allModelVersions(filter: "run_id = '\(run.id)'")
                #expect(fromModel.map(\.version) == [1])
                await expectError(.invalidParameterValue) {
                    _ = try await registry.createModelVersion(
                        ModelVersionCreation(
                            name: "m", source: "runs:/\(run.id)/model", runID: run.id, modelID: logged.modelID))
                }
                await expectError(.invalidParameterValue) {
                    _ = try await registry.createModelVersion(
                        ModelVersionCreation(
                            name: "m", source: "models:/m-0123456789abcdef0123456789abcdef",
                            modelID: "m-0123456789abcdef0123456789abcdef"))
                }
                // Another version as the source: stored by number, its files and links taken over.
                _ = try await registry.createRegisteredModel(name: "copy")
                let copied = try await registry.createModelVersion(
                    ModelVersionCreation(name: "copy", source: "models:/m/1"))
                #expect(copied.source == "models:/m/1")
                #expect(
                    try await registry.modelVersionDownloadURI(name: "copy", version: "1") == logged.artifactLocation)
                #expect(copied.modelID == logged.modelID && copied.runID == run.id)
                try await registry.setRegisteredModelAlias(name: "m", alias: "champion", version: "1")
                #expect(
                    try await registry.createModelVersion(
                        ModelVersionCreation(name: "copy", source: "models:/m@champion")
                    )
                    .source == "models:/m/1")
            },
            ConformanceCheck("aliases point at a version, move, and go with it; reserved and bad names are refused") {
                fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(name: "m")
                for _ in 0..<2 {
                    _ = try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://b/m"))
                }
                try await registry.setRegisteredModelAlias(name: "m", alias: "champion", version: "1")
                #expect(try await registry.modelVersion(name: "m", alias: "champion").version == 1)
                #expect(try await registry.modelVersion(name: "m", version: "1").aliases == ["champion"])
                try await registry.setRegisteredModelAlias(name: "m", alias: "champion", version: "2")
                #expect(try await registry.modelVersion(name: "m", alias: "champion").version == 2)
                #expect(try await registry.modelVersion(name: "m", version: "1").aliases.isEmpty)
                #expect(
                    try await registry.registeredModel(name: "m").aliases == [
                        RegisteredModelAlias(alias: "champion", version: 2)
                    ])
                #expect(try await registry.modelVersion(name: "m", alias: "LATEST").version == 2)
                #expect(try await registry.modelVersion(uri: "models:/m@champion").version == 2)
                #expect(try await registry.modelVersion(uri: "models:/m/latest").version == 2)
                #expect(try await registry.modelVersion(uri: "models:/m/1").version == 1)
                let reserved = await expectError(.invalidParameterValue) {
                    try await registry.setRegisteredModelAlias(name: "m", alias: "latest", version: "1")
                }
                #expect(reserved?.message == "'latest' alias name (case insensitive) is reserved.")
                let versionLike = await expectError(.invalidParameterValue) {
                    try await registry.setRegisteredModelAlias(name: "m", alias: "V2", version: "1")
                }
                #expect(versionLike?.message == "Version alias name 'V2' is reserved.")
                try await registry.setRegisteredModelAlias(name: "m", alias: "v2x", version: "1")
                let bad = await expectError(.invalidParameterValue) {
                    try await registry.setRegisteredModelAlias(name: "m", alias: "bad alias", version: "1")
                }
                #expect(
                    bad?.message
                        == "Invalid alias name: 'bad alias'. Names may only contain alphanumerics, underscores (_), and dashes (-)."
                )
                await expectError(.resourceDoesNotExist) {
                    try await registry.setRegisteredModelAlias(name: "m", alias: "x", version: "9")
                }
                let unknown = await expectError(.invalidParameterValue) {
                    _ = try await registry.modelVersion(name: "m", alias: "nope")
                }
                #expect(unknown?.message == "Registered model alias nope not found.")
                try await registry.deleteRegisteredModelAlias(name: "m", alias: "nope")
                try await registry.deleteRegisteredModelAlias(name: "m", alias: "v2x")
                // Deleting a version takes its aliases along.
                try await registry.deleteModelVersion(name: "m", version: "2")
                await expectError(.invalidParameterValue) {
                    _ = try await registry.modelVersion(name: "m", alias: "champion")
                }
                #expect(try await registry.registeredModel(name: "m").aliases.isEmpty)
            },
            ConformanceCheck("stages: any case in, canonical out; archiving the others; the latest version per stage") {
                fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(name: "m")
                for _ in 0..<3 {
                    _ = try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://b/m"))
                }
                let staged = try await registry.transitionModelVersionStage(
                    name: "m", version: "1", stage: "production", archiveExistingVersions: false)
                #expect(staged.currentStage == .production)
                _ = try await registry.transitionModelVersionStage(
                    name: "m", version: "2", stage: "Production", archiveExistingVersions: true)
                #expect(try await registry.modelVersion(name: "m", version: "1").currentStage == .archived)
                let latest = try await registry.latestVersions(name: "m", stages: [])
                #expect(latest.map(\.version) == [1, 2, 3])
                #expect(try await registry.latestVersions(name: "m", stages: ["PRODUCTION"]).map(\.version) == [2])
                #expect(try await registry.modelVersion(uri: "models:/m/Production").version == 2)
                #expect(
                    try await registry.registeredModel(name: "m").latestVersions.map(\.currentStage) == [
                        .none, .production, .archived,
                    ])
                let badStage = await expectError(.invalidParameterValue) {
                    _ = try await registry.transitionModelVersionStage(
                        name: "m", version: "3", stage: "Foo", archiveExistingVersions: false)
                }
                #expect(
                    badStage?.message
                        == "Invalid Model Version stage: Foo. Value must be one of None, Staging, Production, Archived."
                )
                await expectError(.internalError) {
                    _ = try await registry.transitionModelVersionStage(
                        name: "m", version: "3", stage: "Archived", archiveExistingVersions: true)
                }
                await expectError(.invalidParameterValue) {
                    _ = try await registry.latestVersions(name: "m", stages: ["Foo"])
                }
                await expectError(.resourceDoesNotExist) {
                    _ = try await registry.latestVersions(name: "nope", stages: [])
                }
            },
            ConformanceCheck("renaming keeps versions, tags and aliases; the old name is gone; a taken name is refused")
            {
                fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(
                    name: "old", tags: [RegistryTag(key: "t", value: "v")], description: nil)
                _ = try await registry.createModelVersion(ModelVersionCreation(name: "old", source: "s3://b/m"))
                try await registry.setRegisteredModelAlias(name: "old", alias: "prod", version: "1")
                try await registry.setModelVersionTag(name: "old", version: "1", RegistryTag(key: "vt", value: "x"))
                let renamed = try await registry.renameRegisteredModel(name: "old", to: "new")
                #expect(renamed.name == "new" && renamed.tag("t") == "v")
                #expect(renamed.aliases == [RegisteredModelAlias(alias: "prod", version: 1)])
                let version = try await registry.modelVersion(name: "new", version: "1")
                #expect(version.name == "new" && version.tag("vt") == "x")
                await expectError(.resourceDoesNotExist) { _ = try await registry.registeredModel(name: "old") }
                _ = try await registry.createRegisteredModel(name: "other")
                await expectError(.resourceAlreadyExists) {
                    _ = try await registry.renameRegisteredModel(name: "other", to: "new")
                }
                await expectError(.invalidParameterValue) {
                    _ = try await registry.renameRegisteredModel(name: "new", to: "a/b")
                }
            },
            ConformanceCheck("descriptions and tags of models and versions are set, replaced and removed") { fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(name: "m")
                _ = try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://b/m"))
                #expect(
                    try await registry.updateRegisteredModel(name: "m", description: "about").description == "about")
                #expect(try await registry.updateRegisteredModel(name: "m", description: nil).description == nil)
                #expect(
                    try await registry.updateModelVersion(name: "m", version: "1", description: "v1").description
                        == "v1")
                try await registry.setRegisteredModelTag(name: "m", RegistryTag(key: "a", value: "1"))
                try await registry.setRegisteredModelTag(name: "m", RegistryTag(key: "a", value: "2"))
                try await registry.setModelVersionTag(name: "m", version: "1", RegistryTag(key: "b", value: "1"))
                #expect(try await registry.registeredModel(name: "m").tags == [RegistryTag(key: "a", value: "2")])
                #expect(
                    try await registry.modelVersion(name: "m", version: "1").tags == [RegistryTag(key: "b", value: "1")]
                )
                try await registry.deleteRegisteredModelTag(name: "m", key: "a")
                try await registry.deleteModelVersionTag(name: "m", version: "1", key: "b")
                try await registry.deleteRegisteredModelTag(name: "m", key: "never-set")
                #expect(try await registry.registeredModel(name: "m").tags.isEmpty)
                #expect(try await registry.modelVersion(name: "m", version: "1").tags.isEmpty)
                await expectError(.invalidParameterValue) {
                    try await registry.setRegisteredModelTag(name: "m", RegistryTag(key: "bad*key", value: "1"))
                }
                await expectError(.resourceDoesNotExist) {
                    try await registry.setModelVersionTag(name: "m", version: "7", RegistryTag(key: "b", value: "1"))
                }
            },
            ConformanceCheck("deleting a model deletes its versions, tags and aliases") { fixture in
                let registry = try fixture.registry()
                _ = try await registry.createRegisteredModel(
                    name: "m", tags: [RegistryTag(key: "t", value: "v")], description: nil)
                _ = try await registry.createModelVersion(ModelVersionCreation(name: "m", source: "s3://b/m"))
                try await registry.setRegisteredModelAlias(name: "m", alias: "a", version: "1")
                try await registry.deleteRegisteredModel(name: "m")
                await expectError(.resourceDoesNotExist) { _ = try await registry.registeredModel(name: "m") }
                await expectError(.resourceDoesNotExist) {
                    _ = try await registry.modelVersion(name: "m", version: "1")
                }
                #expect(try await registry.allModelVersions().isEmpty)
                await expectError(.resourceDoesNotExist) { try await registry.deleteRegisteredModel(name: "m") }
            },
            ConformanceCheck("registered models are searched by name and tags, ordered and paged") { fixture in
                let registry = try fixture.registry()
                for name in ["alpha", "Beta", "gamma", "alphabet"] {
                    _ = try await registry.createRegisteredModel(
                        name: name, tags: [RegistryTag(key: "kind", value: name.count > 5 ? "long" : "short")],
                        description: nil)
                }
                _ = try await registry.createRegisteredModel(
                    name: "a-prompt", tags: [RegistryTag(key: "mlflow.prompt.is_prompt", value: "true")],
                    description: nil)
                func names(_ filter: String?, _ order: [String] = []) async throws -> [String] {
                    try await registry.allRegisteredModels(filter: filter, orderBy: order).map(\.name)
                }
                #expect(try await names(nil) == ["Beta", "alpha", "alphabet", "gamma"], "by name; prompts left out")
                #expect(try await names("name = 'alpha'") == ["alpha"])
                #expect(try await names("name LIKE 'alpha%'") == ["alpha", "alphabet"])
                #expect(try await names("name LIKE 'beta'").isEmpty, "LIKE is case-sensitive")
                #expect(try await names("name ILIKE 'beta'") == ["Beta"])
                #expect(try await names("name != 'alpha' AND tags.kind = 'short'") == ["Beta", "gamma"])
                #expect(try await names("tags.`mlflow.prompt.is_prompt` = 'true'") == ["a-prompt"])
                #expect(try await names(nil, ["name DESC"]) == ["gamma", "alphabet", "alpha", "Beta"])
                let first = try await registry.searchRegisteredModels(
                    filter: nil, maxResults: 3, orderBy: [], pageToken: nil)
                #expect(first.items.map(\.name) == ["Beta", "alpha", "alphabet"])
                let second = try await registry.searchRegisteredModels(
                    filter: nil, maxResults: 3, orderBy: [], pageToken: try #require(first.nextPageToken))
                #expect(second.items.map(\.name) == ["gamma"] && second.nextPageToken == nil)
                let attribute = await expectError(.invalidParameterValue) { _ = try await names("foo = 'x'") }
                #expect(
                    attribute?.message.contains("Invalid attribute key 'foo' specified. Valid keys are '{'name'}'")
                        == true)
                let comparator = await expectError(.invalidParameterValue) { _ = try await names("name > 'm1'") }
                #expect(comparator?.message.contains("Invalid comparator for attribute: >") == true)
                await expectError(.invalidParameterValue) {
                    _ = try await registry.searchRegisteredModels(
                        filter: nil, maxResults: 1001, orderBy: [], pageToken: nil)
                }
                await expectError(.invalidParameterValue) {
                    _ = try await registry.searchRegisteredModels(
                        filter: nil, maxResults: 5, orderBy: [], pageToken: "junk")
                }
            },
            ConformanceCheck("versions are searched by name, run, version number, source and tags, and paged") {
                fixture in
                let (store, registry) = try fixture.storeAndRegistry()
                let run = try await store.newRun()
                for name in ["a", "b"] {
                    _ = try await registry.createRegisteredModel(name: name)
                    for index in 1...3 {
                        _ = try await registry.createModelVersion(
                            ModelVersionCreation(
                                name: name,
                                source: index == 1 ? "runs:/\(run.id)/model" : "s3://bucket/\(name)/\(index)",
                                runID: index == 1 ? run.id : nil, tags: [RegistryTag(key: "i", value: "\(index)")]))
                    }
                }
                try await registry.deleteModelVersion(name: "b", version: "3")
                func found(_ filter: String?, _ order: [String] = []) async throws -> [String] {
                    try await registry.allModelVersions(filter: filter, orderBy: order).map {
                        "\($0.name)/\($0.version)"
                    }
                }
                #expect(try await found(nil).count == 5, "deleted versions never match")
                #expect(try await found("name = 'a'", ["version_number ASC"]) == ["a/1", "a/2", "a/3"])
                #expect(try await found("run_id = '\(run.id)'", ["name"]) == ["a/1", "b/1"])
                #expect(try await found("version_number > 1", ["name", "version_number"]) == ["a/2", "a/3", "b/2"])
                #expect(try await found("version_number = '2' AND name = 'b'") == ["b/2"])
                #expect(
                    try await found("source_path LIKE 's3://bucket/a/%'", ["version_number DESC"]) == ["a/3", "a/2"])
                #expect(try await found("tags.i = '3'") == ["a/3"])
                #expect(try await found("name IN ('b') AND tags.i != '1'") == ["b/2"])
                let page = try await registry.searchModelVersions(
                    filter: "name = 'a'", maxResults: 2, orderBy: ["version_number"], pageToken: nil)
                #expect(page.items.map(\.version) == [1, 2])
                let rest = try await registry.searchModelVersions(
                    filter: "name = 'a'", maxResults: 2, orderBy: ["version_number"],
                    pageToken: try #require(page.nextPageToken))
                #expect(rest.items.map(\.version) == [3] && rest.nextPageToken == nil)
                await expectError(.invalidParameterValue) { _ = try await found("current_stage = 'None'") }
                await expectError(.invalidParameterValue) {
                    _ = try await registry.searchModelVersions(filter: nil, maxResults: 0, orderBy: [], pageToken: nil)
                }
            },
        ]
    }
}

extension StoreFixture {
    /// The store under test as a model registry.
    func registry() throws -> any ModelRegistry {
        try #require(store as? any ModelRegistry, "\(type(of: store)) is not a ModelRegistry")
    }

    func storeAndRegistry() throws -> (any TrackingStore, any ModelRegistry) {
        (store, try registry())
    }
}
