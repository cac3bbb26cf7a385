/// A run's input setting, such as a learning rate. Write-once: a param's value never changes.
public struct Param: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
