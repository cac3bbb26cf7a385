import LogbookCore
import LogbookSQL
import PostgresNIO

extension PostgresStore: AccessStore {
    public func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> User {
        try await write(idempotent: false) { db in
            // The name's uniqueness is the table's: of two servers creating one name, one inserts.
            guard
                let id = try await db.first(
                    """
                    INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ? <> 0)
                    ON CONFLICT (username) DO NOTHING RETURNING user_id
                    """, [.text(username), .text(passwordHash), .integer(isAdmin ? 1 : 0)])
            else { throw LogbookError.userExists(username) }
            return User(id: try id.decode(Int64.self), username: username, passwordHash: passwordHash, isAdmin: isAdmin)
        }
    }

    public func user(named username: String) async throws -> User? {
        try await read { db in try await Self.fetchUsers(db, where: "username = ?", [.text(username)]).first }
    }

    public func users() async throws -> [User] {
        try await read { db in try await Self.fetchUsers(db, where: "TRUE", []) }
    }

    public func updateUser(named username: String, passwordHash: String?, isAdmin: Bool?) async throws {
        try await write { db in
            let updated = try await db.first(
                """
                UPDATE users SET password_hash = COALESCE(?, password_hash),
                    is_admin = COALESCE(CAST(? AS BIGINT) <> 0, is_admin)
                WHERE username = ? RETURNING user_id
                """, [Bind(passwordHash), Bind(isAdmin.map { Int64($0 ? 1 : 0) }), .text(username)])
            guard updated != nil else { throw LogbookError.userNotFound(username) }
        }
    }

    public func deleteUser(named username: String) async throws {
        try await write { db in
            let deleted = try await db.first(
                "DELETE FROM users WHERE username = ? RETURNING user_id", [.text(username)])
            guard deleted != nil else { throw LogbookError.userNotFound(username) }
        }
    }

    public func createToken(
        userID: Int64, kind: AccessToken.Kind, name: String, digest: String, creationTime: Int64, expiryTime: Int64?
    ) async throws -> AccessToken {
        try await write(idempotent: false) { db in
            let id = try await db.first(
                """
                INSERT INTO access_tokens (user_id, kind, name, digest, creation_time, expiry_time)
                VALUES (?, ?, ?, ?, ?, ?) RETURNING token_id
                """,
                [
                    .integer(userID), .text(kind.rawValue), .text(name), .text(digest), .integer(creationTime),
                    Bind(expiryTime),
                ])
            return AccessToken(
                id: try id?.decode(Int64.self) ?? 0, userID: userID, kind: kind, name: name,
                creationTime: creationTime, expiryTime: expiryTime)
        }
    }

    public func token(digest: String) async throws -> (token: AccessToken, user: User)? {
        try await read { db in
            guard
                let row = try await db.rows(
                    """
                    SELECT t.token_id, t.user_id, t.kind, t.name, t.creation_time, t.expiry_time,
                           u.username, u.password_hash, u.is_admin
                    FROM access_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.digest = ?
                    """, [.text(digest)]
                ).first
            else { return nil }
            let token = try Self.token(row)
            let user = User(
                id: token.userID, username: try row.text(6), passwordHash: try row.text(7),
                isAdmin: try row[8].decode(Bool.self))
            return (token, user)
        }
    }

    public func tokens(userID: Int64, kind: AccessToken.Kind) async throws -> [AccessToken] {
        try await read { db in
            try await db.rows(
                """
                SELECT token_id, user_id, kind, name, creation_time, expiry_time FROM access_tokens
                WHERE user_id = ? AND kind = ? ORDER BY creation_time DESC, token_id DESC
                """, [.integer(userID), .text(kind.rawValue)]
            ).map(Self.token)
        }
    }

    public func deleteToken(id: Int64, userID: Int64) async throws {
        try await write { db in
            let deleted = try await db.first(
                "DELETE FROM access_tokens WHERE token_id = ? AND user_id = ? RETURNING token_id",
                [.integer(id), .integer(userID)])
            guard deleted != nil else { throw LogbookError.tokenNotFound(id) }
        }
    }

    public func deleteToken(digest: String) async throws {
        try await write { db in try await db.execute("DELETE FROM access_tokens WHERE digest = ?", [.text(digest)]) }
    }

    public func setPermission(_ permission: Permission, experimentID: String, userID: Int64) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try await write { db in
            try await db.execute(
                """
                INSERT INTO experiment_permissions (experiment_id, user_id, permission) VALUES (?, ?, ?)
                ON CONFLICT (experiment_id, user_id) DO UPDATE SET permission = excluded.permission
                """, [.integer(number), .integer(userID), .text(permission.rawValue)])
        }
    }

    public func permission(experimentID: String, userID: Int64) async throws -> Permission? {
        guard let number = Int64(experimentID) else { return nil }
        return try await read { db in
            try await db.first(
                "SELECT permission FROM experiment_permissions WHERE experiment_id = ? AND user_id = ?",
                [.integer(number), .integer(userID)]
            ).flatMap { Permission(rawValue: try $0.decode(String.self)) }
        }
    }

    public func permissions(userID: Int64) async throws -> [String: Permission] {
        try await read { db in
            var grants: [String: Permission] = [:]
            for row in try await db.rows(
                "SELECT experiment_id, permission FROM experiment_permissions WHERE user_id = ?", [.integer(userID)])
            {
                grants[String(try row.int64(0))] = Permission(rawValue: try row.text(1))
            }
            return grants
        }
    }

    public func deletePermission(experimentID: String, userID: Int64) async throws {
        guard let number = Int64(experimentID) else { throw LogbookError.permissionNotFound(experimentID) }
        try await write { db in
            let deleted = try await db.first(
                "DELETE FROM experiment_permissions WHERE experiment_id = ? AND user_id = ? RETURNING user_id",
                [.integer(number), .integer(userID)])
            guard deleted != nil else { throw LogbookError.permissionNotFound(experimentID) }
        }
    }

    public func permission(runID: String, userID: Int64) async throws -> (
        experimentID: String, permission: Permission?
    )? {
        try await read { db in
            guard
                let row = try await db.rows(
                    """
                    SELECT r.experiment_id, p.permission FROM runs r
                    LEFT JOIN experiment_permissions p ON p.experiment_id = r.experiment_id AND p.user_id = ?
                    WHERE r.run_id = ?
                    """, [.integer(userID), .text(runID)]
                ).first
            else { return nil }
            return (String(try row.int64(0)), try row.optionalText(1).flatMap(Permission.init(rawValue:)))
        }
    }

    public func experimentID(ofLoggedModel modelID: String) async throws -> String? {
        try await read { db in
            try await db.first("SELECT experiment_id FROM logged_models WHERE model_id = ?", [.text(modelID)])
                .map { String(try $0.decode(Int64.self)) }
        }
    }

    private static func fetchUsers(_ db: SQLSession, where condition: String, _ binds: [Bind]) async throws -> [User] {
        try await db.rows(
            "SELECT user_id, username, password_hash, is_admin FROM users WHERE \(condition) ORDER BY user_id", binds
        ).map {
            User(
                id: try $0.int64(0), username: try $0.text(1), passwordHash: try $0.text(2),
                isAdmin: try $0[3].decode(Bool.self))
        }
    }

    private static func token(_ row: PostgresRandomAccessRow) throws -> AccessToken {
        AccessToken(
            id: try row.int64(0), userID: try row.int64(1), kind: AccessToken.Kind(rawValue: try row.text(2)) ?? .token,
            name: try row.text(3), creationTime: try row.int64(4), expiryTime: try row.optionalInt64(5))
    }
}
