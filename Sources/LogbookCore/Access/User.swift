/// Someone who may sign in to `logbook server` when it runs with `--auth`.
///
/// The password is kept only as a bcrypt hash; the server never sends it (MLflow's wire shape
/// has no password field).
public struct User: Sendable, Hashable, Identifiable {
    /// A number the store assigns, stable for the user's lifetime.
    public var id: Int64
    public var username: String
    /// The bcrypt hash of the password (`$2b$…`).
    public var passwordHash: String
    /// Admins may do everything, on every experiment, and manage users.
    public var isAdmin: Bool

    public init(id: Int64, username: String, passwordHash: String, isAdmin: Bool) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
    }
}

/// A bearer credential a user made for themselves (`MLFLOW_TRACKING_TOKEN`), or a web UI sign-in.
///
/// The secret itself is shown once, when it is made; the store keeps only its SHA-256 digest.
public struct AccessToken: Sendable, Hashable, Identifiable {
    /// What a token is for: an API token the user made, or the web UI's sign-in session.
    public enum Kind: String, Sendable, Hashable {
        case token
        case session
    }

    public var id: Int64
    public var userID: Int64
    public var kind: Kind
    /// What the user called it ("laptop", "ci"), to tell their tokens apart.
    public var name: String
    /// Milliseconds since the epoch.
    public var creationTime: Int64
    /// Milliseconds since the epoch after which it no longer works; `nil` for never.
    public var expiryTime: Int64?

    public init(id: Int64, userID: Int64, kind: Kind, name: String, creationTime: Int64, expiryTime: Int64?) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.name = name
        self.creationTime = creationTime
        self.expiryTime = expiryTime
    }

    /// Whether it has expired at `time` (milliseconds since the epoch).
    public func isExpired(at time: Int64) -> Bool {
        expiryTime.map { time >= $0 } ?? false
    }
}
