/// What ``TrackingStore/createLoggedModel(_:)`` needs to create a logged model.
public struct LoggedModelCreation: Sendable, Hashable {
    public var experimentID: String
    /// `nil` gets a generated name such as `"smiling-owl-42"`. Names may not contain
    /// `/ : . % " '` (they appear in `models:/` and `runs:/` URIs).
    public var name: String?
    public var sourceRunID: String?
    public var modelType: String?
    public var params: [Param]
    public var tags: [LoggedModelTag]

    public init(
        experimentID: String, name: String? = nil, sourceRunID: String? = nil, modelType: String? = nil,
        params: [Param] = [], tags: [LoggedModelTag] = []
    ) {
        self.experimentID = experimentID
        self.name = name
        self.sourceRunID = sourceRunID
        self.modelType = modelType
        self.params = params
        self.tags = tags
    }
}
