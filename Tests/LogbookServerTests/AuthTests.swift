import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logbook
import LogbookCore
import LogbookSQLite
import LogbookServer
import LogbookWire
import Testing

/// `logbook server --auth`: who may call what, checked over HTTP for every endpoint and every
/// kind of caller; searches filtered and still paged exactly; identity from the sign-in;
/// tokens; throttling; the first admin.
@Suite("Authentication and permissions")
struct AuthTests {
    /// bcrypt's cheapest cost: the tests check behaviour, not hashing time.
    static let access = AccessConfiguration(bcryptCost: 4, freeFailedSignIns: 1000)
    static let password = "correct horse battery"

    /// The kinds of caller the table checks.
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case anonymous, wrongPassword, expiredToken, noPermissions, reader, editor, manager, admin
        var description: String { rawValue }

        /// The user each signed-in kind is (the wrong password is the reader's name).
        var username: String {
            switch self {
            case .anonymous, .expiredToken: ""
            case .wrongPassword, .reader: "reader"
            case .noPermissions: "nobody"
            case .editor: "editor"
            case .manager: "manager"
            case .admin: "admin"
            }
        }

        var grant: Permission? {
            switch self {
            case .noPermissions: .noPermissions
            case .reader: .read
            case .editor: .edit
            case .manager: .manage
            default: nil
            }
        }
    }

    /// What an endpoint needs.
    enum Need: Sendable {
        case open, signedIn, read, edit, manage, admin

        func expectedStatus(for caller: Caller) -> HTTPResponse.Status {
            if self == .open { return .ok }
            switch caller {
            case .anonymous, .wrongPassword, .expiredToken: return .unauthorized
            case .admin: return .ok
            case .noPermissions: return [.open, .signedIn].contains(self) ? .ok : .forbidden
            case .reader: return [.open, .signedIn, .read].contains(self) ? .ok : .forbidden
            case .editor: return [.open, .signedIn, .read, .edit].contains(self) ? .ok : .forbidden
            case .manager: return self == .admin ? .forbidden : .ok
            }
        }
    }

    /// What a row works on, made fresh for each request so that one caller's write does not
    /// change the next one's answer.
    struct Subject: Sendable {
        var experimentID: String
        var runID: String
        var modelID: String
        /// A user with a READ grant on the experiment, for the user and permission endpoints.
        var username: String
        /// A user with no grant, for creating one.
        var newcomer: String
        var unique: String
        /// A registered model with version 1 (from the run), alias `champion` and tag `t`, on
        /// which every signed-in kind of caller has the grant it has on the experiment.
        var model: String
    }

    struct Row: CustomStringConvertible, Sendable {
        var method: HTTPRequest.Method
        var path: @Sendable (Subject) -> String
        var body: (@Sendable (Subject) -> String)?
        var need: Need
        var name: String
        /// What the store must hold before the request (a deleted experiment to restore, say).
        var setup: (@Sendable (SQLiteStore, Subject) async throws -> Void)?
        var description: String { name }

        init(
            _ method: HTTPRequest.Method, _ name: String, _ need: Need, path: (@Sendable (Subject) -> String)? = nil,
            body: (@Sendable (Subject) -> String)? = nil,
            setup: (@Sendable (SQLiteStore, Subject) async throws -> Void)? = nil
        ) {
            self.setup = setup
            self.method = method
            self.name = name
            self.need = need
            self.path = path ?? { _ in "/api/2.0/mlflow/\(name)" }
            self.body = body
        }
    }

    static let rows: [Row] =
        [
            Row(.get, "health", .open, path: { _ in "/health" }),
            Row(.get, "version", .open, path: { _ in "/version" }),
            Row(.post, "experiments/create", .signedIn, body: { #"{"name": "new-\#($0.unique)"}"# }),
            Row(.post, "experiments/search", .signedIn, body: { _ in #"{"max_results": 10}"# }),
            Row(
                .get, "experiments/get", .read,
                path: { "/api/2.0/mlflow/experiments/get?experiment_id=\($0.experimentID)" }
            ),
            Row(
                .get, "experiments/get-by-name", .read,
                path: { _ in "/api/2.0/mlflow/experiments/get-by-name?experiment_name=shared" }),
            Row(
                .post, "experiments/update", .edit,
                body: { #"{"experiment_id": "\#($0.experimentID)", "new_name": "shared"}"# }),
            Row(
                .post, "experiments/set-experiment-tag", .edit,
                body: { #"{"experiment_id": "\#($0.experimentID)", "key": "k", "value": "v"}"# }),
            Row(.post, "experiments/delete", .manage, body: { #"{"experiment_id": "\#($0.experimentID)"}"# }),
            Row(
                .post, "experiments/restore", .manage, body: { #"{"experiment_id": "\#($0.experimentID)"}"# },
                setup: { store, subject in try await store.deleteExperiment(id: subject.experimentID) }),
            Row(.post, "runs/create", .edit, body: { #"{"experiment_id": "\#($0.experimentID)"}"# }),
            Row(.get, "runs/get", .read, path: { "/api/2.0/mlflow/runs/get?run_id=\($0.runID)" }),
            Row(.post, "runs/update", .edit, body: { #"{"run_id": "\#($0.runID)", "status": "FINISHED"}"# }),
            Row(.post, "runs/delete", .manage, body: { #"{"run_id": "\#($0.runID)"}"# }),
            Row(
                .post, "runs/restore", .manage, body: { #"{"run_id": "\#($0.runID)"}"# },
                setup: { store, subject in try await store.deleteRun(id: subject.runID) }),
            Row(.post, "runs/search", .signedIn, body: { #"{"experiment_ids": ["\#($0.experimentID)"]}"# }),
            Row(
                .post, "runs/log-metric", .edit,
                body: { #"{"run_id": "\#($0.runID)", "key": "m", "value": 1, "timestamp": 1, "step": 0}"# }),
            Row(
                .post, "runs/log-batch", .edit,
                body: {
                    #"{"run_id": "\#($0.runID)", "metrics": [{"key": "m", "value": 2, "timestamp": 2, "step": 1}]}"#
                }),
            Row(.post, "runs/log-parameter", .edit, body: { #"{"run_id": "\#($0.runID)", "key": "p", "value": "1"}"# }),
            Row(.post, "runs/set-tag", .edit, body: { #"{"run_id": "\#($0.runID)", "key": "t", "value": "1"}"# }),
            Row(.post, "runs/delete-tag", .edit, body: { #"{"run_id": "\#($0.runID)", "key": "seed"}"# }),
            Row(
                .post, "runs/log-inputs", .edit,
                body: {
                    #"{"run_id": "\#($0.runID)", "datasets": [{"dataset": {"name": "d", "digest": "x", "source_type": "local", "source": "/d"}}]}"#
                }),
            Row(
                .get, "metrics/get-history", .read,
                path: { "/api/2.0/mlflow/metrics/get-history?run_id=\($0.runID)&metric_key=loss" }),
            Row(
                .get, "metrics/get-history-bulk-interval", .read,
                path: { "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=\($0.runID)&metric_key=loss" }),
            Row(.get, "artifacts/list", .read, path: { "/api/2.0/mlflow/artifacts/list?run_id=\($0.runID)" }),
            Row(
                .post, "logged-models", .edit, path: { _ in "/api/2.0/mlflow/logged-models" },
                body: { #"{"experiment_id": "\#($0.experimentID)"}"# }),
            Row(.get, "logged-models/<id>", .read, path: { "/api/2.0/mlflow/logged-models/\($0.modelID)" }),
            Row(.delete, "logged-models/<id> DELETE", .manage, path: { "/api/2.0/mlflow/logged-models/\($0.modelID)" }),
            Row(
                .get, "series (web UI charts)", .read,
                path: { "/ajax-api/2.0/logbook/metrics/series?run_id=\($0.runID)&metric_key=loss" }),
            Row(
                .put, "artifact upload", .edit,
                path: { "/api/2.0/mlflow-artifacts/artifacts/\($0.experimentID)/\($0.runID)/artifacts/a.txt" },
                body: { _ in "hello" }),
            Row(
                .get, "artifact download", .read,
                path: { "/api/2.0/mlflow-artifacts/artifacts/\($0.experimentID)/seed.txt" }),
            Row(
                .get, "artifact listing", .read, path: { "/api/2.0/mlflow-artifacts/artifacts?path=\($0.experimentID)" }
            ),
            Row(.get, "web UI: runs page", .read, path: { "/experiments/\($0.experimentID)" }),
            Row(.get, "web UI: run page", .read, path: { "/runs/\($0.runID)" }),
            Row(.get, "users/get self", .signedIn, path: { _ in "/api/2.0/mlflow/users/get?username=SELF" }),
            Row(.get, "users/get other", .admin, path: { "/api/2.0/mlflow/users/get?username=\($0.username)" }),
            Row(.get, "users/list", .admin),
            Row(
                .post, "users/create", .admin,
                body: { #"{"username": "u-\#($0.unique)", "password": "long enough password"}"# }),
            Row(
                .patch, "users/update-password", .admin,
                body: { #"{"username": "\#($0.username)", "password": "another long password"}"# }),
            Row(.patch, "users/update-admin", .admin, body: { #"{"username": "\#($0.username)", "is_admin": false}"# }),
            Row(.delete, "users/delete", .admin, body: { #"{"username": "\#($0.username)"}"# }),
            Row(.get, "users/current", .signedIn, path: { _ in "/api/3.0/mlflow/users/current" }),
            Row(
                .post, "experiments/permissions/create", .manage,
                body: {
                    #"{"experiment_id": "\#($0.experimentID)", "username": "\#($0.newcomer)", "permission": "READ"}"#
                }),
            Row(
                .get, "experiments/permissions/get", .manage,
                path: {
                    "/api/2.0/mlflow/experiments/permissions/get?experiment_id=\($0.experimentID)&username=\($0.username)"
                }),
            Row(
                .patch, "experiments/permissions/update", .manage,
                body: {
                    #"{"experiment_id": "\#($0.experimentID)", "username": "\#($0.username)", "permission": "EDIT"}"#
                }),
            Row(
                .delete, "experiments/permissions/delete", .manage,
                body: { #"{"experiment_id": "\#($0.experimentID)", "username": "\#($0.username)"}"# }),
            Row(
                .post, "users/permissions/grant (MLflow 3)", .manage,
                path: { _ in "/api/3.0/mlflow/users/permissions/grant" },
                body: {
                    #"{"username": "\#($0.username)", "resource_type": "experiment", "resource_id": "\#($0.experimentID)", "permission": "EDIT"}"#
                }),
            Row(
                .post, "users/permissions/revoke (MLflow 3)", .manage,
                path: { _ in "/api/3.0/mlflow/users/permissions/revoke" },
                body: {
                    #"{"username": "\#($0.username)", "resource_type": "experiment", "resource_id": "\#($0.experimentID)"}"#
                }),
            Row(
                .post, "tokens/create (own)", .signedIn, path: { _ in "/api/2.0/logbook/tokens/create" },
                body: { _ in #"{"name": "laptop"}"# }),
            Row(.get, "tokens/list (own)", .signedIn, path: { _ in "/api/2.0/logbook/tokens/list" }),
            Row(
                .post, "experiments/delete-experiment-tag", .edit,
                body: { #"{"experiment_id": "\#($0.experimentID)", "key": "team"}"# }),
            Row(
                .post, "experiments/search-datasets", .signedIn,
                path: { _ in "/ajax-api/2.0/mlflow/experiments/search-datasets" },
                body: { #"{"experiment_ids": ["\#($0.experimentID)"]}"# }),
            Row(
                .post, "logged-models/search", .signedIn, body: { #"{"experiment_ids": ["\#($0.experimentID)"]}"# }),
            Row(
                .get, "metrics/get-history-bulk", .read,
                path: { "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=\($0.runID)&metric_key=loss" }),
            Row(
                .post, "runs/outputs", .edit,
                body: { #"{"run_id": "\#($0.runID)", "models": [{"model_id": "\#($0.modelID)", "step": 0}]}"# }),
            Row(
                .get, "users/permissions/get (MLflow 3)", .manage,
                path: {
                    "/api/3.0/mlflow/users/permissions/get?username=\($0.username)&resource_type=experiment&resource_id=\($0.experimentID)"
                }),
            Row(
                .patch, "logged-models/<id> PATCH (finalize)", .edit,
                path: { "/api/2.0/mlflow/logged-models/\($0.modelID)" },
                body: { #"{"model_id": "\#($0.modelID)", "status": "LOGGED_MODEL_READY"}"# }),
            Row(
                .post, "logged-models/<id>/params", .edit,
                path: { "/api/2.0/mlflow/logged-models/\($0.modelID)/params" },
                body: { #"{"model_id": "\#($0.modelID)", "params": [{"key": "lr", "value": "0.1"}]}"# }),
            Row(
                .patch, "logged-models/<id>/tags", .edit, path: { "/api/2.0/mlflow/logged-models/\($0.modelID)/tags" },
                body: { #"{"model_id": "\#($0.modelID)", "tags": [{"key": "t", "value": "1"}]}"# }),
            Row(
                .delete, "logged-models/<id>/tags/<key>", .edit,
                path: { "/api/2.0/mlflow/logged-models/\($0.modelID)/tags/stage" }),
            Row(
                .get, "logged-models/<id>/artifacts/files", .read,
                path: { "/api/2.0/mlflow/logged-models/\($0.modelID)/artifacts/files?artifact_file_path=m.txt" }),
            Row(
                .get, "logged-models/<id>/artifacts/directories", .read,
                path: { "/api/2.0/mlflow/logged-models/\($0.modelID)/artifacts/directories" }),
            Row(
                .get, "ajax get-artifact", .read,
                path: { "/ajax-api/2.0/mlflow/get-artifact?run_id=\($0.runID)&path=a.txt" }),
            Row(
                .post, "ajax upload-artifact", .edit,
                path: { "/ajax-api/2.0/mlflow/upload-artifact?run_uuid=\($0.runID)&path=up.txt" }, body: { _ in "data" }
            ),
            Row(.get, "web UI: artifact download", .read, path: { "/get-artifact?run_id=\($0.runID)&path=a.txt" }),
            Row(.get, "web UI: compare", .read, path: { "/compare?run=\($0.runID)" }),
            Row(.get, "server-info", .signedIn, path: { _ in "/api/3.0/mlflow/server-info" }),
        ] + registryRows

    /// The model registry's routes: permissions on the registered model (MLflow's
    /// `registered_model` resource type).
    static let registryRows: [Row] = [
        Row(.post, "registered-models/create", .signedIn, body: { #"{"name": "new-\#($0.unique)"}"# }),
        Row(.get, "registered-models/get", .read, path: { "/api/2.0/mlflow/registered-models/get?name=\($0.model)" }),
        Row(
            .post, "registered-models/rename", .edit,
            body: { #"{"name": "\#($0.model)", "new_name": "renamed-\#($0.unique)"}"# }),
        Row(.patch, "registered-models/update", .edit, body: { #"{"name": "\#($0.model)", "description": "d"}"# }),
        Row(.delete, "registered-models/delete", .manage, body: { #"{"name": "\#($0.model)"}"# }),
        Row(.get, "registered-models/search", .signedIn),
        Row(.post, "registered-models/get-latest-versions", .read, body: { #"{"name": "\#($0.model)"}"# }),
        Row(
            .get, "registered-models/get-latest-versions GET", .read,
            path: { "/api/2.0/mlflow/registered-models/get-latest-versions?name=\($0.model)" }),
        Row(
            .post, "registered-models/set-tag", .edit,
            body: { #"{"name": "\#($0.model)", "key": "k", "value": "v"}"# }),
        Row(.delete, "registered-models/delete-tag", .edit, body: { #"{"name": "\#($0.model)", "key": "t"}"# }),
        Row(
            .post, "registered-models/alias", .edit,
            body: { #"{"name": "\#($0.model)", "alias": "staging", "version": "1"}"# }),
        Row(
            .delete, "registered-models/alias DELETE", .manage,
            path: { _ in "/api/2.0/mlflow/registered-models/alias" },
            body: { #"{"name": "\#($0.model)", "alias": "champion"}"# }),
        Row(
            .get, "registered-models/alias GET", .read,
            path: { "/api/2.0/mlflow/registered-models/alias?name=\($0.model)&alias=champion" }),
        Row(.post, "model-versions/create", .edit, body: { #"{"name": "\#($0.model)", "source": "s3://b/m"}"# }),
        Row(
            .get, "model-versions/get", .read, path: { "/api/2.0/mlflow/model-versions/get?name=\($0.model)&version=1" }
        ),
        Row(
            .patch, "model-versions/update", .edit,
            body: { #"{"name": "\#($0.model)", "version": "1", "description": "d"}"# }),
        Row(
            .post, "model-versions/transition-stage", .edit,
            body: { #"{"name": "\#($0.model)", "version": "1", "stage": "Staging"}"# }),
        Row(.delete, "model-versions/delete", .manage, body: { #"{"name": "\#($0.model)", "version": "1"}"# }),
        Row(.get, "model-versions/search", .signedIn),
        Row(
            .get, "model-versions/get-download-uri", .read,
            path: { "/api/2.0/mlflow/model-versions/get-download-uri?name=\($0.model)&version=1" }),
        Row(
            .post, "model-versions/set-tag", .edit,
            body: { #"{"name": "\#($0.model)", "version": "1", "key": "k", "value": "v"}"# }),
        Row(
            .delete, "model-versions/delete-tag", .manage,
            body: { #"{"name": "\#($0.model)", "version": "1", "key": "vt"}"# }),
        Row(
            .get, "model-versions/get-artifact", .read,
            path: { "/model-versions/get-artifact?name=\($0.model)&version=1&path=a.txt" }),
        Row(
            .post, "users/permissions/grant (registered model)", .manage,
            path: { _ in "/api/3.0/mlflow/users/permissions/grant" },
            body: {
                #"{"username": "\#($0.newcomer)", "resource_type": "registered_model", "resource_id": "\#($0.model)", "permission": "READ"}"#
            }),
        Row(
            .post, "users/permissions/revoke (registered model)", .manage,
            path: { _ in "/api/3.0/mlflow/users/permissions/revoke" },
            body: {
                #"{"username": "\#($0.username)", "resource_type": "registered_model", "resource_id": "\#($0.model)"}"#
            }),
        Row(
            .get, "users/permissions/get (registered model)", .manage,
            path: {
                "/api/3.0/mlflow/users/permissions/get?username=\($0.username)&resource_type=registered_model&resource_id=\($0.model)"
            }),
    ]

    /// Every endpoint × every kind of caller → the status MLflow's rules give, over HTTP to a live
    /// server on loopback; and a refused write leaves the run as it was.
    @Test func everyEndpointChecksEveryCaller() async throws {
        let fixture = try ServerFixture(access: Self.access)
        let store = fixture.store
        let access = try #require(fixture.server.access)
        try await access.bootstrapAdmin(username: "admin", password: Self.password)
        let experimentID = try await store.createExperiment(name: "shared")
        var users: [Caller: User] = [:]
        for caller in Caller.allCases where caller.grant != nil {
            let user = try await store.createUser(
                username: caller.username, passwordHash: try await access.hash(Self.password), isAdmin: false)
            try await store.setPermission(caller.grant!, experimentID: experimentID, userID: user.id)
            users[caller] = user
        }
        users[.admin] = try await store.user(named: "admin")
        // An editor's token that expired a minute ago.
        let expired = "lbk_expired-\(UUID().uuidString)"
        _ = try await store.createToken(
            userID: users[.editor]!.id, kind: .token, name: "old", digest: AccessControl.digest(secret: expired),
            creationTime: WallClock.nowMilliseconds() - 120_000, expiryTime: WallClock.nowMilliseconds() - 60_000)
        try FileManager.default.createDirectory(
            atPath: fixture.artifacts + "/\(experimentID)", withIntermediateDirectories: true)
        try Data("seed".utf8).write(to: URL(fileURLWithPath: fixture.artifacts + "/\(experimentID)/seed.txt"))

        try await fixture.test(.live) { api in
            var counter = 0
            for row in Self.rows {
                for caller in Caller.allCases {
                    counter += 1
                    let subject = try await Self.subject(
                        store, experimentID: experimentID, unique: "\(counter)", artifacts: fixture.artifacts)
                    try await row.setup?(store, subject)
                    var headers: HTTPFields =
                        row.body == nil || row.path(subject).contains("artifacts/")
                            || row.path(subject).contains("upload-artifact") ? [:] : APIClient.json
                    if row.name.hasPrefix("web UI") { headers[.accept] = "text/html" }
                    switch caller {
                    case .anonymous: break
                    case .expiredToken: headers[.authorization] = "Bearer \(expired)"
                    case .wrongPassword: headers[.authorization] = Self.basic("reader", "wrong password!")
                    default: headers[.authorization] = Self.basic(caller.username, Self.password)
                    }
                    let path = row.path(subject).replacingOccurrences(of: "SELF", with: caller.username)
                    let response = try await api.client.execute(
                        uri: path, method: row.method, headers: headers,
                        body: row.body.map { ByteBuffer(string: $0(subject)) })
                    var expected = row.need.expectedStatus(for: caller)
                    if row.name.hasPrefix("web UI"), expected == .unauthorized { expected = .seeOther }
                    #expect(
                        response.status == expected,
                        "\(row.name) as \(caller): \(response.status) \(String(buffer: response.body).prefix(300))")
                    if response.status == .unauthorized {
                        #expect(response.headers[.wwwAuthenticate] != nil, "\(row.name) as \(caller)")
                        #expect(try response.json["error_code"].string == "UNAUTHENTICATED")
                    }
                    if response.status == .forbidden, !row.name.hasPrefix("web UI") {
                        #expect(try response.json["error_code"].string == "PERMISSION_DENIED", "\(row.name)")
                    }
                    if expected != .ok, row.name.hasPrefix("runs/"), row.setup == nil {
                        // A refused write wrote nothing.
                        let run = try await store.run(id: subject.runID)
                        #expect(run.info.status == .running && run.info.lifecycleStage == .active, "\(row.name)")
                        #expect(run.data.params.isEmpty && run.data.metrics.count == 1, "\(row.name)")
                        #expect(run.data.tags.contains { $0.key == "seed" }, "\(row.name)")
                    }
                }
            }
        }
    }

    static func subject(_ store: SQLiteStore, experimentID: String, unique: String, artifacts: String) async throws
        -> Subject
    {
        let experiment = try await store.experiment(id: experimentID)
        if experiment.lifecycleStage == .deleted { try await store.restoreExperiment(id: experimentID) }
        let run = try await store.createRun(
            RunCreation(experimentID: experimentID, tags: [RunTag(key: "seed", value: "1")]))
        try await store.logMetric(runID: run.info.runID, Metric(key: "loss", value: 1, timestamp: 1, step: 0))
        let model = try await store.createLoggedModel(
            LoggedModelCreation(experimentID: experimentID, tags: [LoggedModelTag(key: "stage", value: "dev")]))
        try await store.setExperimentTag(experimentID: experimentID, ExperimentTag(key: "team", value: "a"))
        // A file in the run's and one in the model's artifacts, where the proxy keeps them.
        for (directory, name) in [
            ("\(experimentID)/\(run.info.runID)/artifacts", "a.txt"),
            ("\(experimentID)/models/\(model.modelID)/artifacts", "m.txt"),
        ] {
            try FileManager.default.createDirectory(
                atPath: artifacts + "/" + directory, withIntermediateDirectories: true)
            try Data("file".utf8).write(to: URL(fileURLWithPath: artifacts + "/" + directory + "/" + name))
        }
        let user = try await store.createUser(username: "target-\(unique)", passwordHash: "x", isAdmin: false)
        try await store.setPermission(.read, experimentID: experimentID, userID: user.id)
        let newcomer = try await store.createUser(username: "newcomer-\(unique)", passwordHash: "x", isAdmin: false)
        let registered = "rm-\(unique)"
        _ = try await store.createRegisteredModel(
            name: registered, tags: [RegistryTag(key: "t", value: "1")], description: nil)
        _ = try await store.createModelVersion(
            ModelVersionCreation(
                name: registered, source: "runs:/\(run.info.runID)", runID: run.info.runID,
                tags: [RegistryTag(key: "vt", value: "1")]))
        try await store.setRegisteredModelAlias(name: registered, alias: "champion", version: "1")
        for caller in Caller.allCases {
            guard let grant = caller.grant, let granted = try await store.user(named: caller.username) else { continue }
            try await store.setRegisteredModelPermission(grant, modelName: registered, userID: granted.id)
        }
        try await store.setRegisteredModelPermission(.read, modelName: registered, userID: user.id)
        return Subject(
            experimentID: experimentID, runID: run.info.runID, modelID: model.modelID, username: user.username,
            newcomer: newcomer.username, unique: unique, model: registered)
    }

    static func basic(_ username: String, _ password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    // MARK: Searches

    /// Registry searches show only the models the caller may read, with either default permission.
    @Test(arguments: [Permission.read, .noPermissions])
    func registrySearchesShowOnlyReadableModels(defaultPermission: Permission) async throws {
        var configuration = Self.access
        configuration.defaultPermission = defaultPermission
        let fixture = try ServerFixture(access: configuration)
        let store = fixture.store
        try await fixture.server.access!.bootstrapAdmin(username: "admin", password: Self.password)
        let user = try await store.createUser(
            username: "alice", passwordHash: try await fixture.server.access!.hash(Self.password), isAdmin: false)
        for name in ["visible", "hidden"] {
            _ = try await store.createRegisteredModel(name: name)
            _ = try await store.createModelVersion(ModelVersionCreation(name: name, source: "s3://b/\(name)"))
        }
        if defaultPermission.canRead {
            try await store.setRegisteredModelPermission(.noPermissions, modelName: "hidden", userID: user.id)
        } else {
            try await store.setRegisteredModelPermission(.read, modelName: "visible", userID: user.id)
        }
        let headers: HTTPFields = [.authorization: Self.basic("alice", Self.password)]
        try await fixture.test(.live) { api in
            for path in ["registered-models/search", "model-versions/search"] {
                let answer = try await api.client.execute(
                    uri: "/api/2.0/mlflow/\(path)", method: .get, headers: headers)
                #expect(answer.status == .ok)
                let items = try answer.json[path.hasPrefix("registered") ? "registered_models" : "model_versions"]
                #expect(items.array.map { $0["name"].string } == ["visible"], "\(path)")
            }
            let hidden = try await api.client.execute(
                uri: "/api/2.0/mlflow/registered-models/get?name=hidden", method: .get, headers: headers)
            #expect(hidden.status == .forbidden)
        }
    }

    /// A user who may read one of two experiments sees only its runs and only it, across pages,
    /// with the server's default permission READ (the other set to NO_PERMISSIONS) and NO_PERMISSIONS
    /// (the one granted READ).
    @Test(arguments: [Permission.read, .noPermissions])
    func searchesShowOnlyWhatTheCallerMayRead(defaultPermission: Permission) async throws {
        var configuration = Self.access
        configuration.defaultPermission = defaultPermission
        let fixture = try ServerFixture(access: configuration)
        let store = fixture.store
        try await fixture.server.access!.bootstrapAdmin(username: "admin", password: Self.password)
        let visible = try await store.createExperiment(name: "visible")
        let hidden = try await store.createExperiment(name: "hidden")
        var visibleRuns: Set<String> = []
        for index in 0..<25 {
            visibleRuns.insert(
                try await store.createRun(RunCreation(experimentID: visible, runName: "v\(index)")).info.runID)
            _ = try await store.createRun(RunCreation(experimentID: hidden, runName: "h\(index)"))
        }
        let user = try await store.createUser(
            username: "alice", passwordHash: try await fixture.server.access!.hash(Self.password), isAdmin: false)
        if defaultPermission.canRead {
            try await store.setPermission(.noPermissions, experimentID: hidden, userID: user.id)
        } else {
            try await store.setPermission(.read, experimentID: visible, userID: user.id)
        }
        let headers: HTTPFields = [
            .authorization: Self.basic("alice", Self.password), .contentType: "application/json",
        ]
        let expectedRuns = visibleRuns
        try await fixture.test(.live) { api in
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let tokenField = token.map { #", "page_token": "\#($0)""# } ?? ""
                let response = try await api.client.execute(
                    uri: "/api/2.0/mlflow/runs/search", method: .post, headers: headers,
                    body: ByteBuffer(
                        string: #"{"experiment_ids": ["\#(visible)", "\#(hidden)"], "max_results": 10\#(tokenField)}"#))
                #expect(response.status == .ok, "\(response.text)")
                let page = try response.json
                let runs = page["runs"].array
                seen += runs.map { $0["info"]["run_id"].string }
                for run in runs { #expect(run["info"]["experiment_id"].string == visible) }
                token = page["next_page_token"].string.isEmpty ? nil : page["next_page_token"].string
                pages += 1
            } while token != nil && pages < 10
            #expect(pages == 3)
            #expect(seen.count == 25 && Set(seen) == expectedRuns)

            // Experiments one per page: never the hidden one, and every readable one once.
            var names: [String] = []
            token = nil
            pages = 0
            repeat {
                let tokenField = token.map { #", "page_token": "\#($0)""# } ?? ""
                let response = try await api.client.execute(
                    uri: "/api/2.0/mlflow/experiments/search", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"max_results": 1, "filter": "name != 'x'"\#(tokenField)}"#))
                #expect(response.status == .ok, "\(response.text)")
                let page = try response.json
                names += page["experiments"].array.map { $0["name"].string }
                token = page["next_page_token"].string.isEmpty ? nil : page["next_page_token"].string
                pages += 1
            } while token != nil && pages < 10
            let expected = defaultPermission.canRead ? ["Default", "visible"] : ["visible"]
            #expect(names.sorted() == expected, "\(names)")

            // The hidden experiment's runs by id: refused, not revealed.
            let hiddenRun = try await store.searchRuns(
                experimentIDs: [hidden], filter: nil, viewType: .activeOnly, maxResults: 1, orderBy: [], pageToken: nil
            ).items[0].info.runID
            let response = try await api.client.execute(
                uri: "/api/2.0/mlflow/runs/get?run_id=\(hiddenRun)", method: .get, headers: headers)
            try response.expectError(.forbidden, .permissionDenied, containing: "READ")
        }
    }

    // MARK: Identity, tokens, throttling, the first admin

    /// A run's user is whoever signed in, whatever the client claims.
    @Test func runsAreCreatedInTheSignedInUsersName() async throws {
        let fixture = try ServerFixture(access: Self.access)
        let access = fixture.server.access!
        try await access.bootstrapAdmin(username: "admin", password: Self.password)
        let bob = try await fixture.store.createUser(
            username: "bob", passwordHash: try await access.hash(Self.password), isAdmin: false)
        try await fixture.store.setPermission(.edit, experimentID: "0", userID: bob.id)
        try await fixture.test(.live) { api in
            let headers: HTTPFields = [
                .authorization: Self.basic("bob", Self.password), .contentType: "application/json",
            ]
            let created = try await api.client.execute(
                uri: "/api/2.0/mlflow/runs/create", method: .post, headers: headers,
                body: ByteBuffer(
                    string:
                        #"{"experiment_id": "0", "user_id": "mallory", "tags": [{"key": "mlflow.user", "value": "mallory"}]}"#
                ))
            #expect(created.status == .ok, "\(created.text)")
            let runID = try created.json["run"]["info"]["run_id"].string
            _ = try await api.client.execute(
                uri: "/api/2.0/mlflow/runs/set-tag", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"run_id": "\#(runID)", "key": "mlflow.user", "value": "eve"}"#))
            let run = try await fixture.store.run(id: runID)
            #expect(run.info.userID == "bob")
            #expect(run.data.tags.first { $0.key == "mlflow.user" }?.value == "bob")
        }
    }

    /// A user makes a token for themselves (shown once), uses it as a bearer credential, lists it
    /// without its secret, revokes it, and it stops working.
    @Test func accessTokensWorkUntilRevokedOrExpired() async throws {
        let fixture = try ServerFixture(access: Self.access)
        let access = fixture.server.access!
        try await access.bootstrapAdmin(username: "admin", password: Self.password)
        _ = try await fixture.store.createUser(
            username: "carol", passwordHash: try await access.hash(Self.password), isAdmin: false)
        try await fixture.test(.live) { api in
            let basic: HTTPFields = [
                .authorization: Self.basic("carol", Self.password), .contentType: "application/json",
            ]
            let created = try await api.client.execute(
                uri: "/api/2.0/logbook/tokens/create", method: .post, headers: basic,
                body: ByteBuffer(string: #"{"name": "ci", "expires_in_days": 30}"#))
            #expect(created.status == .ok, "\(created.text)")
            let secret = try created.json["secret"].string
            let id = try #require(try created.json["token"]["id"].int)
            #expect(secret.hasPrefix("lbk_") && secret.count > 40)
            let bearer: HTTPFields = [.authorization: "Bearer \(secret)"]
            let current = try await api.client.execute(
                uri: "/api/3.0/mlflow/users/current", method: .get, headers: bearer)
            #expect(try current.json["user"]["username"].string == "carol")
            let listed = try await api.client.execute(
                uri: "/api/2.0/logbook/tokens/list", method: .get, headers: bearer)
            #expect(try listed.json["tokens"].array.map { $0["name"].string } == ["ci"])
            #expect(!listed.text.contains(secret))
            // The store keeps the digest, never the secret.
            #expect(
                try await fixture.store.token(digest: AccessControl.digest(secret: secret))?.user.username == "carol")
            let revoked = try await api.client.execute(
                uri: "/api/2.0/logbook/tokens/delete", method: .post, headers: basic,
                body: ByteBuffer(string: #"{"id": \#(id)}"#))
            #expect(revoked.status == .ok, "\(revoked.text)")
            let after = try await api.client.execute(
                uri: "/api/3.0/mlflow/users/current", method: .get, headers: bearer)
            try after.expectError(.unauthorized, .unauthenticated, containing: "revoked or expired")
        }
    }

    /// After five wrong passwords for one user from one address, attempts must wait — each one
    /// made while waiting doubles the wait — and even the right password is refused meanwhile.
    @Test func failedSignInsAreSlowedDown() async throws {
        var configuration = Self.access
        configuration.freeFailedSignIns = 5
        let fixture = try ServerFixture(access: configuration)
        try await fixture.server.access!.bootstrapAdmin(username: "admin", password: Self.password)
        try await fixture.test(.live) { api in
            for _ in 0..<5 {
                let wrong = try await api.client.execute(
                    uri: "/api/3.0/mlflow/users/current", method: .get,
                    headers: [.authorization: Self.basic("admin", "not the password")])
                try wrong.expectError(.unauthorized, .unauthenticated)
            }
            // Eight more: each counts as a failure, refused while waiting or checked after, so the
            // wait is then at least 2⁸ s, however slowly this busy machine answers each one.
            for _ in 0..<8 {
                let early = try await api.client.execute(
                    uri: "/api/3.0/mlflow/users/current", method: .get,
                    headers: [.authorization: Self.basic("admin", "not the password")])
                #expect(early.status == .tooManyRequests || early.status == .unauthorized)
            }
            let right = try await api.client.execute(
                uri: "/api/3.0/mlflow/users/current", method: .get,
                headers: [.authorization: Self.basic("admin", Self.password)])
            try right.expectError(.tooManyRequests, .requestLimitExceeded, containing: "try again")
        }
    }

    /// With auth on and no admin yet, no password means no start; the first start creates the
    /// admin; later starts need no password and never change it.
    @Test func theFirstAdminComesFromTheEnvironment() async throws {
        let fixture = try ServerFixture(access: Self.access)
        let access = fixture.server.access!
        await #expect(throws: LogbookError.self) { try await access.bootstrapAdmin(username: "admin", password: nil) }
        await #expect(throws: LogbookError.self) {
            try await access.bootstrapAdmin(username: "admin", password: "short")
        }
        #expect(try await access.bootstrapAdmin(username: "admin", password: Self.password))
        #expect(try await !access.bootstrapAdmin(username: "admin", password: nil))
        #expect(try await !access.bootstrapAdmin(username: "admin", password: "a different password"))
        let admin = try #require(try await fixture.store.user(named: "admin"))
        #expect(admin.isAdmin && admin.passwordHash.hasPrefix("$2b$") && !admin.passwordHash.contains(Self.password))
    }

    /// The web UI: a page without a sign-in goes to the form; signing in sets an HttpOnly cookie
    /// that opens pages; signing out ends it.
    @Test func theWebUISignsInWithAForm() async throws {
        let fixture = try ServerFixture(access: Self.access)
        try await fixture.server.access!.bootstrapAdmin(username: "admin", password: Self.password)
        try await fixture.test(.live) { api in
            let page = try await api.client.execute(
                uri: "/experiments/0", method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login?next=%2Fexperiments%2F0")
            let form = try await api.client.execute(uri: "/login?next=/experiments/0", method: .get)
            #expect(form.text.contains("name=\"password\"") && form.text.contains("value=\"/experiments/0\""))
            let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await api.client.execute(
                uri: "/login", method: .post, headers: formHeaders,
                body: ByteBuffer(string: "username=admin&password=nope&next=%2Fexperiments%2F0"))
            #expect(wrong.status == .unauthorized && wrong.text.contains("Wrong username or password"))
            let signedIn = try await api.client.execute(
                uri: "/login", method: .post, headers: formHeaders,
                body: ByteBuffer(string: "username=admin&password=correct+horse+battery&next=%2F%2Fevil.example"))
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/", "no redirect off the server")
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let session = String(cookie.split(separator: ";")[0])
            let opened = try await api.client.execute(
                uri: "/experiments/0", method: .get, headers: [.accept: "text/html", .cookie: session])
            #expect(opened.status == .ok)
            #expect(opened.text.contains("Sign out") && opened.text.contains("admin"))
            let out = try await api.client.execute(uri: "/logout", method: .post, headers: [.cookie: session])
            #expect(out.status == .seeOther)
            let after = try await api.client.execute(
                uri: "/api/2.0/mlflow/experiments/get?experiment_id=0", method: .get, headers: [.cookie: session])
            try after.expectError(.unauthorized, .unauthenticated)
        }
    }

    // MARK: The Swift side

    /// `LogbookClient` sends the credentials the environment gives (the mlflow client's
    /// variables): a username and password, or a token; none is refused with UNAUTHENTICATED.
    @Test func theSwiftClientSignsInFromTheEnvironment() async throws {
        let fixture = try ServerFixture(access: Self.access)
        let access = fixture.server.access!
        try await access.bootstrapAdmin(username: "admin", password: Self.password)
        let grace = try await fixture.store.createUser(
            username: "grace", passwordHash: try await access.hash(Self.password), isAdmin: false)
        let experimentID = try await fixture.store.createExperiment(name: "grace's")
        try await fixture.store.setPermission(.edit, experimentID: experimentID, userID: grace.id)
        let secret = AccessControl.newSecret()
        _ = try await fixture.store.createToken(
            userID: grace.id, kind: .token, name: "swift", digest: AccessControl.digest(secret: secret),
            creationTime: 0, expiryTime: nil)
        try await fixture.test(.live) { api in
            let url = "http://127.0.0.1:\(api.client.port!)"
            var options = LogbookClient.Options()
            options.handlesProcessEnd = false
            for environment in [
                ["MLFLOW_TRACKING_USERNAME": "grace", "MLFLOW_TRACKING_PASSWORD": Self.password],
                ["LOGBOOK_TRACKING_TOKEN": secret],
            ] {
                let logbook = try LogbookClient(trackingURI: url, options: options, environment: environment)
                try await logbook.setExperiment(id: experimentID)
                let runID = try await logbook.withRun(name: "signed-in") { run in
                    for step in 0..<100 { try await run.logMetric("loss", 1 / Double(step + 1), step: step) }
                    return run.id
                }
                let run = try await fixture.store.run(id: runID)
                #expect(run.info.status == .finished && run.info.userID == "grace")
                #expect(try await fixture.store.metricHistory(runID: runID, key: "loss").count == 100)
            }
            let anonymous = try LogbookClient(trackingURI: url, options: options, environment: [:])
            await #expect(throws: LogbookError(.unauthenticated, "")) {
                do {
                    try await anonymous.setExperiment(id: experimentID)
                } catch let error as LogbookError {
                    throw LogbookError(error.code, "")
                }
            }
        }
    }
}
