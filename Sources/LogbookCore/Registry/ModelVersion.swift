/// One version of a registered model: where its files are, the run or logged model it came
/// from, its stage, tags and aliases. Versions of a model are numbered 1, 2, 3…; a deleted
/// version's number is never given again.
public struct ModelVersion: Sendable, Hashable, Codable {
    /// The registered model's name.
    public var name: String
    public var version: Int64
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    /// Milliseconds since the Unix epoch: the last description or stage change.
    public var lastUpdatedTime: Int64
    /// Who registered it, where the store knows (a signed-in user of `logbook server --auth`).
    public var userID: String?
    public var currentStage: ModelVersionStage
    /// Empty when none was given.
    public var description: String
    /// Where the version's files came from, as registered: `runs:/<run id>/model`,
    /// `models:/<model id>`, `mlflow-artifacts:/…`, a path or a storage URI.
    public var source: String
    /// The run that produced it; empty when unknown.
    public var runID: String
    /// Empty when none was given.
    public var runLink: String
    /// The logged model it was registered from, if any.
    public var modelID: String?
    public var status: ModelVersionStatus
    public var statusMessage: String?
    /// Sorted by key.
    public var tags: [RegistryTag]
    /// The aliases pointing at this version, sorted.
    public var aliases: [String]
    /// Where its files are read from (`get-download-uri`): `source`, with `models:/` sources
    /// resolved to the logged model's or the other version's location.
    public var storageLocation: String

    public init(
        name: String, version: Int64, creationTime: Int64, lastUpdatedTime: Int64, userID: String? = nil,
        currentStage: ModelVersionStage = .none, description: String = "", source: String, runID: String = "",
        runLink: String = "", modelID: String? = nil, status: ModelVersionStatus = .ready,
        statusMessage: String? = nil, tags: [RegistryTag] = [], aliases: [String] = [], storageLocation: String? = nil
    ) {
        self.name = name
        self.version = version
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.userID = userID
        self.currentStage = currentStage
        self.description = description
        self.source = source
        self.runID = runID
        self.runLink = runLink
        self.modelID = modelID
        self.status = status
        self.statusMessage = statusMessage
        self.tags = tags
        self.aliases = aliases
        self.storageLocation = storageLocation ?? source
    }

    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

    /// `models:/<name>/<version>`, the URI that loads this version.
    public var uri: String { "models:/\(name)/\(version)" }
}

/// The deployment stage of a model version (deprecated in MLflow in favour of aliases, and still
/// sent by clients): every version starts in ``none``.
public enum ModelVersionStage: String, Sendable, Hashable, Codable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    /// The stage `name` means, in any case (`production`, `PRODUCTION`); `nil` for other words.
    public init?(name: String) {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = stage
    }

    /// `stage`, or MLflow's error for a word that names no stage.
    public static func parse(_ name: String) throws -> ModelVersionStage {
        guard let stage = ModelVersionStage(name: name) else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid Model Version stage: \(name). Value must be one of \(allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        return stage
    }
}

/// Whether a version's registration finished. Logbook registers at once, so versions are
/// ``ready``; the other states exist for stores that copy files first (and for MLflow's wire).
public enum ModelVersionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pendingRegistration = "PENDING_REGISTRATION"
    case failedRegistration = "FAILED_REGISTRATION"
    case ready = "READY"
}

/// What creating a model version takes (`model-versions/create`).
public struct ModelVersionCreation: Sendable, Hashable {
    /// The registered model, which must exist.
    public var name: String
    /// Where the files are: `runs:/<run id>/<path>`, `models:/<model id>`,
    /// `models:/<name>/<version>` or `models:/<name>@<alias>`, `mlflow-artifacts:/…`, a path or a
    /// storage URI (`s3://…`). See ``ModelRegistry/createModelVersion(_:)`` for the rules.
    public var source: String
    public var runID: String?
    /// The logged model the version is made from, if any.
    public var modelID: String?
    public var tags: [RegistryTag]
    public var runLink: String?
    public var description: String?
    /// Who registers it.
    public var userID: String?

    public init(
        name: String, source: String, runID: String? = nil, modelID: String? = nil, tags: [RegistryTag] = [],
        runLink: String? = nil, description: String? = nil, userID: String? = nil
    ) {
        self.name = name
        self.source = source
        self.runID = runID
        self.modelID = modelID
        self.tags = tags
        self.runLink = runLink
        self.description = description
        self.userID = userID
    }
}
