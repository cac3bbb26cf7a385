/// Where `logbook server --auth` keeps its users, tokens and experiment permissions: in the
/// tracking store itself (the SQLite file or the PostgreSQL database), so every server over one
/// database shares them.
///
/// The store only keeps records; who may do what is decided by the server. Usernames are unique
/// and case-sensitive. Deleting a user deletes their tokens and permissions.
public protocol AccessStore: Sendable {
    /// Adds a user. A taken username is `RESOURCE_ALREADY_EXISTS`.
    func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> User

    /// The user with this name, or `nil`.
    func user(named username: String) async throws -> User?

    /// Every user, by id.
    func users() async throws -> [User]

    /// Changes a user's password hash and/or admin flag. An unknown user is `RESOURCE_DOES_NOT_EXIST`.
    func updateUser(named username: String, passwordHash: String?, isAdmin: Bool?) async throws

    /// Deletes a user with their tokens and permissions. An unknown user is `RESOURCE_DOES_NOT_EXIST`.
    func deleteUser(named username: String) async throws

    /// Keeps a token: `digest` is the SHA-256 of its secret (hex).
    func createToken(
        userID: Int64, kind: AccessToken.Kind, name: String, digest: String, creationTime: Int64, expiryTime: Int64?
    ) async throws -> AccessToken

    /// The token whose secret has this digest, and its user; `nil` when there is none.
    func token(digest: String) async throws -> (token: AccessToken, user: User)?

    /// A user's tokens of one kind, newest first.
    func tokens(userID: Int64, kind: AccessToken.Kind) async throws -> [AccessToken]

    /// Deletes one of a user's tokens; one that is not theirs is `RESOURCE_DOES_NOT_EXIST`.
    func deleteToken(id: Int64, userID: Int64) async throws

    /// Deletes a token by its secret's digest (signing out); nothing when there is none.
    func deleteToken(digest: String) async throws

    /// Grants `permission` on an experiment, replacing any grant the user had on it.
    func setPermission(_ permission: Permission, experimentID: String, userID: Int64) async throws

    /// The permission the user was granted on an experiment, or `nil` when none was.
    func permission(experimentID: String, userID: Int64) async throws -> Permission?

    /// Every grant a user has, by experiment id.
    func permissions(userID: Int64) async throws -> [String: Permission]

    /// Revokes a user's grant on an experiment; none is `RESOURCE_DOES_NOT_EXIST`.
    func deletePermission(experimentID: String, userID: Int64) async throws

    /// The experiment a run belongs to and the user's grant on it, in one lookup (every write to a
    /// run asks); `nil` for an unknown run.
    func permission(runID: String, userID: Int64) async throws -> (experimentID: String, permission: Permission?)?

    /// The experiment a logged model belongs to, or `nil` for an unknown model.
    func experimentID(ofLoggedModel modelID: String) async throws -> String?
}
