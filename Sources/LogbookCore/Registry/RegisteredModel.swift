/// A named model in the model registry: the versions registered under it, with tags, aliases
/// and a description. What a team hands from training to whoever deploys (`models:/name/3`,
/// `models:/name@champion`).
public struct RegisteredModel: Sendable, Hashable, Codable, Identifiable {
    /// Unique; no `/` or `:` (it appears in `models:/` URIs).
    public var name: String
    /// Milliseconds since the Unix epoch.
    public var creationTime: Int64
    /// Milliseconds since the Unix epoch: the last rename, description change or version change
    /// (tags and aliases do not count, as in MLflow).
    public var lastUpdatedTime: Int64
    /// `nil` when empty.
    public var description: String?
    /// For each stage that has one, the highest version in it (without its aliases), by stage.
    public var latestVersions: [ModelVersion]
    /// Sorted by key.
    public var tags: [RegistryTag]
    /// Sorted by alias.
    public var aliases: [RegisteredModelAlias]

    public var id: String { name }

    public init(
        name: String, creationTime: Int64, lastUpdatedTime: Int64, description: String? = nil,
        latestVersions: [ModelVersion] = [], tags: [RegistryTag] = [], aliases: [RegisteredModelAlias] = []
    ) {
        self.name = name
        self.creationTime = creationTime
        self.lastUpdatedTime = lastUpdatedTime
        self.description = description
        self.latestVersions = latestVersions
        self.tags = tags
        self.aliases = aliases
    }

    /// The value of tag `key`, if set.
    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

    /// The version an alias points to, if set.
    public func version(alias: String) -> Int64? { aliases.first { $0.alias == alias }?.version }
}

/// A tag of a registered model or of a model version.
public struct RegistryTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A name for one version of a registered model (`champion` → 3), moved by setting it again.
public struct RegisteredModelAlias: Sendable, Hashable, Codable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}
