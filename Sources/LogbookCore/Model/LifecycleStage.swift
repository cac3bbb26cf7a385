/// Whether an experiment or run is live or soft-deleted.
///
/// Deletion is soft: a deleted run or experiment keeps all its data and can be restored.
public enum LifecycleStage: String, Sendable, Hashable, Codable, CustomStringConvertible {
    case active
    case deleted

    public var description: String { rawValue }
}
