import Foundation

/// The model registry (MLflow's `registered-models/…` and `model-versions/…`): named models and
/// their numbered versions, with tags, aliases and stages.
///
/// The SQL stores keep it beside the runs (``SQLRegistry``'s rules, the same for SQLite and
/// PostgreSQL); `RESTStore` asks a tracking server. `LogbookTesting`'s registry conformance suite
/// specifies the behaviour. Names of models are case-sensitive; versions are numbers sent as
/// text (`"3"`), as on MLflow's wire, so a bad one is reported as MLflow reports it.
public protocol ModelRegistry: Sendable {
    // MARK: Registered models

    /// Creates a registered model. A name that exists is `RESOURCE_ALREADY_EXISTS`.
    func createRegisteredModel(name: String, tags: [RegistryTag], description: String?) async throws
        -> RegisteredModel

    /// The registered model with this name, with its latest version per stage, tags and aliases.
    func registeredModel(name: String) async throws -> RegisteredModel

    /// Renames a model; its versions, tags and aliases go with it.
    func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel

    /// Sets the description (`nil` or empty clears it, as MLflow does when none is sent).
    func updateRegisteredModel(name: String, description: String?) async throws -> RegisteredModel

    /// Deletes a model with its versions, tags and aliases; the name can then be registered anew.
    func deleteRegisteredModel(name: String) async throws

    /// Registered models matching `filter` (see ``RegisteredModelSearch``), in `orderBy` order
    /// (default: by name), one page at a time.
    func searchRegisteredModels(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<RegisteredModel>

    /// For each of `stages` (all four when empty), the highest version in it, by version.
    func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion]

    /// Sets (inserts or replaces) a tag of a model.
    func setRegisteredModelTag(name: String, _ tag: RegistryTag) async throws

    /// Deletes a tag of a model; a missing tag is fine.
    func deleteRegisteredModelTag(name: String, key: String) async throws

    /// Points `alias` at a version (moving it if it pointed elsewhere).
    func setRegisteredModelAlias(name: String, alias: String, version: String) async throws

    /// Removes an alias; an unknown alias is fine.
    func deleteRegisteredModelAlias(name: String, alias: String) async throws

    /// The version `alias` points at; `latest` (any case) is the highest version.
    func modelVersion(name: String, alias: String) async throws -> ModelVersion

    // MARK: Versions

    /// Registers a new version under an existing model, numbered one above the highest number the
    /// model ever had. The source is checked and resolved as MLflow 3 does: a `runs:/<id>/…`
    /// source needs `runID` equal to that id; with `modelID` the source must be `models:/<model
    /// id>` or lie inside the logged model's artifacts, and `runID` defaults to the model's source
    /// run; a `models:/name/…` source must resolve to a version; `..` segments are refused.
    func createModelVersion(_ creation: ModelVersionCreation) async throws -> ModelVersion

    /// One version; a deleted one does not exist.
    func modelVersion(name: String, version: String) async throws -> ModelVersion

    /// Sets a version's description.
    func updateModelVersion(name: String, version: String, description: String?) async throws -> ModelVersion

    /// Moves a version to `stage`; with `archiveExistingVersions` (Staging or Production only),
    /// the other versions in that stage move to Archived.
    func transitionModelVersionStage(name: String, version: String, stage: String, archiveExistingVersions: Bool)
        async throws -> ModelVersion

    /// Deletes a version: it leaves every answer, its aliases go, and its number is never reused.
    func deleteModelVersion(name: String, version: String) async throws

    /// Versions matching `filter` (see ``ModelVersionSearch``), in `orderBy` order (default: last
    /// updated first), one page at a time.
    func searchModelVersions(filter: String?, maxResults: Int, orderBy: [String], pageToken: String?)
        async throws -> Page<ModelVersion>

    /// Where a version's files are read from.
    func modelVersionDownloadURI(name: String, version: String) async throws -> String

    /// Sets (inserts or replaces) a tag of a version.
    func setModelVersionTag(name: String, version: String, _ tag: RegistryTag) async throws

    /// Deletes a tag of a version; a missing tag is fine.
    func deleteModelVersionTag(name: String, version: String, key: String) async throws
}

extension ModelRegistry {
    /// Creates a registered model without tags or description.
    public func createRegisteredModel(name: String) async throws -> RegisteredModel {
        try await createRegisteredModel(name: name, tags: [], description: nil)
    }

    /// Every registered model matching a search, fetched page by page.
    public func allRegisteredModels(filter: String? = nil, orderBy: [String] = []) async throws -> [RegisteredModel] {
        var models: [RegisteredModel] = []
        var token: String?
        repeat {
            let page = try await searchRegisteredModels(
                filter: filter, maxResults: RegisteredModelSearch.maxResultsLimit, orderBy: orderBy, pageToken: token)
            models += page.items
            token = page.nextPageToken
        } while token != nil
        return models
    }

    /// Every version matching a search, fetched page by page.
    public func allModelVersions(filter: String? = nil, orderBy: [String] = []) async throws -> [ModelVersion] {
        var versions: [ModelVersion] = []
        var token: String?
        repeat {
            let page = try await searchModelVersions(
                filter: filter, maxResults: 10_000, orderBy: orderBy, pageToken: token)
            versions += page.items
            token = page.nextPageToken
        } while token != nil
        return versions
    }

    /// The versions of one model, newest number first.
    public func versions(of name: String) async throws -> [ModelVersion] {
        // The filter language has no escapes: quote with the quote the name lacks, or (both in it)
        // match quotes with `_` and keep the exact name.
        let filter =
            !name.contains("'")
            ? "name = '\(name)'"
            : !name.contains("\"")
                ? "name = \"\(name)\"" : "name LIKE '\(name.replacingOccurrences(of: "'", with: "_"))'"
        return try await allModelVersions(filter: filter, orderBy: ["version_number DESC"]).filter { $0.name == name }
    }

    /// Resolves a `models:/` URI of the registry — `models:/name/3`, `models:/name/latest`,
    /// `models:/name/Production`, `models:/name@alias` — to the version it names.
    public func modelVersion(uri: String) async throws -> ModelVersion {
        guard let reference = RegistryURI(uri) else {
            throw LogbookError(
                .invalidParameterValue,
                "'\(uri)' is not a registered model URI: use models:/<name>/<version>, models:/<name>/latest, models:/<name>/<stage> or models:/<name>@<alias>."
            )
        }
        switch reference.selector {
        case .version(let version): return try await modelVersion(name: reference.name, version: version)
        case .alias(let alias): return try await modelVersion(name: reference.name, alias: alias)
        case .latest:
            guard
                let latest = try await latestVersions(name: reference.name, stages: []).max(by: {
                    $0.version < $1.version
                })
            else {
                throw LogbookError(.resourceDoesNotExist, "No versions of model with name '\(reference.name)' found.")
            }
            return latest
        case .stage(let stage):
            guard let latest = try await latestVersions(name: reference.name, stages: [stage]).first else {
                throw LogbookError(
                    .resourceDoesNotExist,
                    "No versions of model with name '\(reference.name)' and stage '\(stage)' found.")
            }
            return latest
        }
    }
}

/// A `models:/` URI that names a registry version: by number, stage, `latest` or alias.
public struct RegistryURI: Sendable, Hashable {
    public enum Selector: Sendable, Hashable {
        case version(String)
        case stage(String)
        case latest
        case alias(String)
    }

    public var name: String
    public var selector: Selector

    /// Parses `models:/name/3`, `models:/name/latest`, `models:/name/Staging`, `models:/name@alias`;
    /// `nil` for anything else (a logged model's `models:/m-…` included).
    public init?(_ uri: String) {
        guard uri.hasPrefix("models:/") else { return nil }
        var rest = Substring(uri.dropFirst("models:/".count))
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        if let at = rest.lastIndex(of: "@"), !rest.contains("/") {
            let name = String(rest[..<at])
            let alias = String(rest[rest.index(after: at)...])
            guard !name.isEmpty, !alias.isEmpty else { return nil }
            self.name = name
            selector = .alias(alias)
            return
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        name = String(parts[0])
        let suffix = String(parts[1])
        if Int64(suffix) != nil {
            selector = .version(suffix)
        } else if suffix.lowercased() == "latest" {
            selector = .latest
        } else if ModelVersionStage(name: suffix) != nil {
            selector = .stage(suffix)
        } else {
            return nil
        }
    }
}
