import Foundation
import LogbookCore

#if REST
    import LogbookREST
#endif

extension LogbookClient {
    /// Creates a logged model (status pending) in an experiment (default: the current one),
    /// produced by `sourceRunID` (default: the active run, if any).
    public func createLoggedModel(
        name: String? = nil, experimentID: String? = nil, sourceRunID: String? = nil, modelType: String? = nil,
        params: [String: String] = [:], tags: [String: String] = [:]
    ) async throws -> LoggedModel {
        let active = activeRun
        let experiment: String
        if let experimentID {
            experiment = experimentID
        } else if let active, sourceRunID == nil || sourceRunID == active.id {
            experiment = active.info.experimentID
        } else {
            experiment = try await currentExperimentID()
        }
        return try await store.createLoggedModel(
            LoggedModelCreation(
                experimentID: experiment, name: name, sourceRunID: sourceRunID ?? active?.id, modelType: modelType,
                params: params.sorted { $0.key < $1.key }.map { Param(key: $0.key, value: $0.value) },
                tags: tags.sorted { $0.key < $1.key }.map { LoggedModelTag(key: $0.key, value: $0.value) }))
    }

    /// Marks a model ready (its files are all uploaded) or failed.
    @discardableResult
    public func finalizeLoggedModel(_ modelID: String, status: LoggedModelStatus = .ready) async throws -> LoggedModel {
        try await store.finalizeLoggedModel(id: modelID, status: status)
    }

    /// The active logged model with this id.
    public func loggedModel(_ modelID: String) async throws -> LoggedModel {
        try await store.loggedModel(id: modelID)
    }

    /// Logged models of the given experiments (default: the current one) matching a filter such
    /// as `"metrics.accuracy > 0.9"`, in order (default: newest first).
    public func searchLoggedModels(
        experimentIDs: [String]? = nil, filter: String? = nil, orderBy: [LoggedModelOrder] = []
    ) async throws -> [LoggedModel] {
        let ids: [String]
        if let experimentIDs { ids = experimentIDs } else { ids = [try await currentExperimentID()] }
        return try await store.allLoggedModels(experimentIDs: ids, filter: filter, orderBy: orderBy)
    }

    /// Uploads every file under `directory` to the model's artifact location (the server's
    /// artifact proxy, or a local directory for the embedded store), keeping relative paths.
    public func uploadModelArtifacts(_ modelID: String, directory: String) async throws {
        let model = try await store.loggedModel(id: modelID)
        try await ArtifactUpload.directory(directory, to: model.artifactLocation, store: store)
    }

    /// Saves a model from the active run: see ``ActiveRun/logModel(name:directory:modelType:params:tags:step:)``.
    @discardableResult
    public func logModel(
        name: String, directory: String, modelType: String? = nil, params: [String: String] = [:],
        tags: [String: String] = [:], step: Int64 = 0
    ) async throws -> LoggedModel {
        try await requireActiveRun().logModel(
            name: name, directory: directory, modelType: modelType, params: params, tags: tags, step: step)
    }
}

extension ActiveRun {
    /// Saves a model the way `mlflow.<flavor>.log_model` does: creates a logged model produced by
    /// this run (in its experiment), uploads `directory` as its files, records it as an output of
    /// the run at `step`, and marks it ready. A failed upload marks the model failed and throws.
    ///
    /// ```swift
    /// try await logbook.withRun(name: "train") { run in
    ///     …
    ///     let model = try await run.logModel(name: "model", directory: savedModelPath)
    ///     print(model.modelID)   // loadable as models:/<id> or runs:/<run id>/model
    /// }
    /// ```
    @discardableResult
    public func logModel(
        name: String, directory: String, modelType: String? = nil, params: [String: String] = [:],
        tags: [String: String] = [:], step: Int64 = 0
    ) async throws -> LoggedModel {
        let store = client.store
        _ = try ArtifactUpload.files(under: directory)  // a missing directory creates no model
        let model = try await client.createLoggedModel(
            name: name, experimentID: info.experimentID, sourceRunID: id, modelType: modelType, params: params,
            tags: tags)
        do {
            try await ArtifactUpload.directory(directory, to: model.artifactLocation, store: store)
        } catch {
            _ = try? await store.finalizeLoggedModel(id: model.modelID, status: .failed)
            throw error
        }
        try await store.logOutputs(runID: id, models: [ModelOutput(modelID: model.modelID, step: step)])
        return try await store.finalizeLoggedModel(id: model.modelID, status: .ready)
    }
}

/// Copies or uploads a directory of files to an artifact location.
enum ArtifactUpload {
    static func directory(_ directory: String, to location: String, store: any TrackingStore) async throws {
        let files = try files(under: directory)
        if let path = proxiedPath(location) {
            #if REST
                if let rest = store as? RESTStore {
                    for file in files {
                        try await rest.uploadArtifact(file: directory + "/" + file, to: path + "/" + file)
                    }
                    return
                }
            #endif
            throw LogbookError(
                .invalidParameterValue,
                "'\(location)' is in a tracking server's artifact store (at \(path)); log through that server to upload to it."
            )
        }
        guard let target = localPath(location) else {
            throw LogbookError(
                .invalidParameterValue,
                "Logbook uploads artifacts to a local directory or a tracking server's artifact proxy, not to '\(location)'."
            )
        }
        // Copying a model (possibly gigabytes) blocks on the disk: done on a Dispatch thread, not on
        // the cooperative pool's.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let manager = FileManager.default
                        for file in files {
                            let destination = target + "/" + file
                            try manager.createDirectory(
                                atPath: (destination as NSString).deletingLastPathComponent,
                                withIntermediateDirectories: true)
                            if manager.fileExists(atPath: destination) { try manager.removeItem(atPath: destination) }
                            try manager.copyItem(atPath: directory + "/" + file, toPath: destination)
                        }
                    })
            }
        }
    }

    /// Every regular file under `directory`, as paths relative to it, sorted.
    static func files(under directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LogbookError(.invalidParameterValue, "'\(directory)' is not a directory.")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// `mlflow-artifacts:/a/b` (or `mlflow-artifacts://host/a/b`) → `a/b`.
    static func proxiedPath(_ location: String) -> String? {
        let scheme = "mlflow-artifacts:"
        guard location.hasPrefix(scheme) else { return nil }
        var rest = location.dropFirst(scheme.count)
        if rest.hasPrefix("//") { rest = rest.dropFirst(2).drop { $0 != "/" } }
        return String(rest.drop { $0 == "/" })
    }

    /// A local directory path from a path or `file:` URI.
    static func localPath(_ location: String) -> String? {
        if location.hasPrefix("/") { return location }
        if location.hasPrefix("file://") { return String(location.dropFirst("file://".count)) }
        if location.hasPrefix("file:") { return String(location.dropFirst("file:".count)) }
        if !location.contains(":") { return FileManager.default.currentDirectoryPath + "/" + location }
        return nil
    }
}
