import LogbookCore

/// `RegisteredModel` as MLflow's registry sends it: timestamps in milliseconds, the latest
/// version of each stage, tags and aliases (versions as text); empty lists and an empty
/// description left out.
public struct WireRegisteredModel: Codable, Sendable, Hashable {
    public var name: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var description: String?
    public var latestVersions: [WireModelVersion]?
    public var tags: [WireTag]?
    public var aliases: [WireAlias]?

    enum CodingKeys: String, CodingKey {
        case name
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case description
        case latestVersions = "latest_versions"
        case tags
        case aliases
    }

    public init(_ model: RegisteredModel) {
        name = model.name
        creationTimestamp = model.creationTime
        lastUpdatedTimestamp = model.lastUpdatedTime
        description = model.description
        latestVersions =
            model.latestVersions.isEmpty ? nil : model.latestVersions.map { WireModelVersion($0, aliases: false) }
        tags = model.tags.isEmpty ? nil : model.tags.map { WireTag(key: $0.key, value: $0.value) }
        aliases =
            model.aliases.isEmpty ? nil : model.aliases.map { WireAlias(alias: $0.alias, version: String($0.version)) }
    }
}

/// `RegisteredModelAlias`: an alias and the version it names, as text.
public struct WireAlias: Codable, Sendable, Hashable {
    public var alias: String
    public var version: String
}

/// `ModelVersion` as MLflow's registry sends it. `description`, `run_id` and `run_link` are
/// always present (empty when unset), `status` always (a client reading an absent status would
/// take it as PENDING_REGISTRATION and wait for minutes); `model_id` when the version came from
/// a logged model.
public struct WireModelVersion: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64
    public var userID: String?
    public var currentStage: String
    public var description: String
    public var source: String
    public var runID: String
    public var status: String
    public var statusMessage: String?
    public var tags: [WireTag]?
    public var runLink: String
    public var aliases: [String]?
    public var modelID: String?

    enum CodingKeys: String, CodingKey {
        case name, version
        case creationTimestamp = "creation_timestamp"
        case lastUpdatedTimestamp = "last_updated_timestamp"
        case userID = "user_id"
        case currentStage = "current_stage"
        case description, source
        case runID = "run_id"
        case status
        case statusMessage = "status_message"
        case tags
        case runLink = "run_link"
        case aliases
        case modelID = "model_id"
    }

    /// `aliases: false` leaves them out, as the latest versions inside a registered model.
    public init(_ version: ModelVersion, aliases: Bool = true) {
        name = version.name
        self.version = String(version.version)
        creationTimestamp = version.creationTime
        lastUpdatedTimestamp = version.lastUpdatedTime
        userID = version.userID
        currentStage = version.currentStage.rawValue
        description = version.description
        source = version.source
        runID = version.runID
        status = version.status.rawValue
        statusMessage = version.statusMessage
        tags = version.tags.isEmpty ? nil : version.tags.map { WireTag(key: $0.key, value: $0.value) }
        runLink = version.runLink
        self.aliases = aliases && !version.aliases.isEmpty ? version.aliases : nil
        modelID = version.modelID
    }
}

/// `{"registered_model": …}`: the answer of create, get, rename and update.
public struct RegisteredModelResponse: Codable, Sendable {
    public var registeredModel: WireRegisteredModel

    enum CodingKeys: String, CodingKey { case registeredModel = "registered_model" }

    public init(_ model: RegisteredModel) { registeredModel = WireRegisteredModel(model) }
}

/// The answer of `registered-models/search`.
public struct SearchRegisteredModelsResponse: Codable, Sendable {
    public var registeredModels: [WireRegisteredModel]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case registeredModels = "registered_models"
        case nextPageToken = "next_page_token"
    }

    public init(_ page: Page<RegisteredModel>) {
        registeredModels = page.items.isEmpty ? nil : page.items.map(WireRegisteredModel.init)
        nextPageToken = page.nextPageToken
    }
}

/// `{"model_version": …}`: the answer of create, get, update, transition and get-by-alias.
public struct ModelVersionResponse: Codable, Sendable {
    public var modelVersion: WireModelVersion

    enum CodingKeys: String, CodingKey { case modelVersion = "model_version" }

    public init(_ version: ModelVersion) { modelVersion = WireModelVersion(version) }
}

/// `{"model_versions": […], "next_page_token": …}`: the answer of `model-versions/search` and
/// (without a token) `registered-models/get-latest-versions`.
public struct ModelVersionsResponse: Codable, Sendable {
    public var modelVersions: [WireModelVersion]?
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case modelVersions = "model_versions"
        case nextPageToken = "next_page_token"
    }

    public init(_ versions: [ModelVersion], nextPageToken: String? = nil) {
        modelVersions = versions.isEmpty ? nil : versions.map { WireModelVersion($0) }
        self.nextPageToken = nextPageToken
    }
}

/// `{"artifact_uri": …}`: the answer of `model-versions/get-download-uri`.
public struct ModelVersionDownloadURIResponse: Codable, Sendable {
    public var artifactURI: String

    enum CodingKeys: String, CodingKey { case artifactURI = "artifact_uri" }

    public init(_ uri: String) { artifactURI = uri }
}

extension WireMessage {
    /// A `RegisteredModel` message.
    public func registeredModel() throws(LogbookError) -> RegisteredModel {
        let description = try string("description") ?? ""
        return RegisteredModel(
            name: try requiredString("name"), creationTime: try int64("creation_timestamp") ?? 0,
            lastUpdatedTime: try int64("last_updated_timestamp") ?? 0,
            description: description.isEmpty ? nil : description,
            latestVersions: try messages("latest_versions").map { version throws(LogbookError) in
                try version.modelVersion()
            },
            tags: try registryTags(),
            aliases: try messages("aliases").map { alias throws(LogbookError) in
                RegisteredModelAlias(
                    alias: try alias.requiredString("alias"), version: try alias.int64("version") ?? 0)
            })
    }

    /// A `ModelVersion` message.
    public func modelVersion() throws(LogbookError) -> ModelVersion {
        let stage = try string("current_stage") ?? "None"
        return ModelVersion(
            name: try requiredString("name"), version: try int64("version") ?? 0,
            creationTime: try int64("creation_timestamp") ?? 0,
            lastUpdatedTime: try int64("last_updated_timestamp") ?? 0, userID: try nonEmptyString("user_id"),
            currentStage: ModelVersionStage(name: stage) ?? .none, description: try string("description") ?? "",
            source: try string("source") ?? "", runID: try string("run_id") ?? "",
            runLink: try string("run_link") ?? "", modelID: try nonEmptyString("model_id"),
            status: ModelVersionStatus(rawValue: try string("status") ?? "READY") ?? .ready,
            statusMessage: try nonEmptyString("status_message"), tags: try registryTags(),
            aliases: try strings("aliases"))
    }

    /// The `tags` of a registry message; a missing value is the empty string.
    public func registryTags() throws(LogbookError) -> [RegistryTag] {
        try messages("tags").map { tag throws(LogbookError) in
            RegistryTag(key: try tag.requiredString("key"), value: try tag.string("value") ?? "")
        }
    }
}

extension WireMessage {
    /// The required `version` field of a registry request: text, or a JSON number taken as its text.
    public func versionText() throws(LogbookError) -> String {
        guard let value = try value("version") else { throw missing("version") }
        switch value {
        case .string(let text) where !text.isEmpty: return text
        case .number(let text): return text
        case .string: throw missing("version")
        default: throw invalid("version", value)
        }
    }
}
