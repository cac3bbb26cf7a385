/// What a user may do with an experiment and everything in it (runs, logged models, artifacts),
/// with MLflow's names and meanings: `READ` reads; `EDIT` also writes (logs, creates runs,
/// renames); `MANAGE` also deletes and restores, and grants permissions to others;
/// `NO_PERMISSIONS` does nothing.
public enum Permission: String, Sendable, Hashable, CaseIterable, Codable {
    case read = "READ"
    case edit = "EDIT"
    case manage = "MANAGE"
    case noPermissions = "NO_PERMISSIONS"

    /// Whether it lets its holder read the experiment, its runs and artifacts.
    public var canRead: Bool { self != .noPermissions }
    /// Whether it lets its holder write: log to runs, create runs, change the experiment.
    public var canUpdate: Bool { self == .edit || self == .manage }
    /// Whether it lets its holder delete and restore the experiment, its runs and models.
    public var canDelete: Bool { self == .manage }
    /// Whether it lets its holder grant, change and revoke other users' permissions on it.
    public var canManage: Bool { self == .manage }

    /// Whether it allows `needed` (and so everything `needed` allows).
    public func allows(_ needed: Permission) -> Bool {
        switch needed {
        case .read: canRead
        case .edit: canUpdate
        case .manage: canManage
        case .noPermissions: true
        }
    }

    /// The permission named `name` (`READ`, `EDIT`, `MANAGE`, `NO_PERMISSIONS`, any case).
    /// - Throws: `INVALID_PARAMETER_VALUE` naming the valid values.
    public init(named name: String) throws {
        guard let permission = Permission(rawValue: name.uppercased()) else {
            throw LogbookError(
                .invalidParameterValue,
                "Invalid permission '\(name)'. Valid permissions are: \(Permission.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        self = permission
    }
}
