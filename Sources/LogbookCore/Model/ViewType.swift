/// Which lifecycle stages a listing includes.
public enum ViewType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only active experiments or runs (the default everywhere).
    case activeOnly = "ACTIVE_ONLY"
    /// Only soft-deleted ones.
    case deletedOnly = "DELETED_ONLY"
    /// Both.
    case all = "ALL"

    /// Whether an entity in `stage` is part of this view.
    public func includes(_ stage: LifecycleStage) -> Bool {
        switch self {
        case .activeOnly: stage == .active
        case .deletedOnly: stage == .deleted
        case .all: true
        }
    }

    /// The lifecycle stages this view covers.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}
