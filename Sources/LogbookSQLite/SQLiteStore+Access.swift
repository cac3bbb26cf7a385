import GRDB
import LogbookCore

extension SQLiteStore: AccessStore {
    public func createUser(username: String, passwordHash: String, isAdmin: Bool) async throws -> User {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE username = ?", arguments: [username]) != nil {
                throw LogbookError.userExists(username)
            }
            try db.execute(
                sql: "INSERT INTO users (username, password_hash, is_admin) VALUES (?, ?, ?)",
                arguments: [username, passwordHash, isAdmin])
            return User(id: db.lastInsertedRowID, username: username, passwordHash: passwordHash, isAdmin: isAdmin)
        }
    }

    public func user(named username: String) async throws -> User? {
        try lookup { db in
            var user: User?
            try db.forEachRow(
                "SELECT user_id, username, password_hash, is_admin FROM users WHERE username = ?",
                arguments: [username], cached: true
            ) { row in
                user = User(id: row.int64(0), username: row.text(1), passwordHash: row.text(2), isAdmin: row.bool(3))
            }
            return user
        }
    }

    public func users() async throws -> [User] {
        try await read { db in try Self.fetchUsers(db, where: "1", []) }
    }

    public func updateUser(named username: String, passwordHash: String?, isAdmin: Bool?) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE users SET password_hash = COALESCE(?, password_hash), is_admin = COALESCE(?, is_admin)
                    WHERE username = ?
                    """, arguments: [passwordHash, isAdmin, username])
            guard db.changesCount == 1 else { throw LogbookError.userNotFound(username) }
        }
    }

    public func deleteUser(named username: String) async throws {
        try await write { db in
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT user_id FROM users WHERE username = ?", arguments: [username])
            else { throw LogbookError.userNotFound(username) }
            try db.execute(sql: "DELETE FROM access_tokens WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM experiment_permissions WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM users WHERE user_id = ?", arguments: [id])
        }
    }

    public func createToken(
        userID: Int64, kind: AccessToken.Kind, name: String, digest: String, creationTime: Int64, expiryTime: Int64?
    ) async throws -> AccessToken {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO access_tokens (user_id, kind, name, digest, creation_time, expiry_time)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [userID, kind.rawValue, name, digest, creationTime, expiryTime])
            return AccessToken(
                id: db.lastInsertedRowID, userID: userID, kind: kind, name: name, creationTime: creationTime,
                expiryTime: expiryTime)
        }
    }

    public func token(digest: String) async throws -> (token: AccessToken, user: User)? {
        try lookup { db in
            var found: (token: AccessToken, user: User)?
            try db.forEachRow(
                """
                SELECT t.token_id, t.user_id, t.kind, t.name, t.creation_time, t.expiry_time,
                       u.username, u.password_hash, u.is_admin
                FROM access_tokens t JOIN users u ON u.user_id = t.user_id WHERE t.digest = ?
                """, arguments: [digest], cached: true
            ) { row in
                let token = AccessToken(
                    id: row.int64(0), userID: row.int64(1), kind: AccessToken.Kind(rawValue: row.text(2)) ?? .token,
                    name: row.text(3), creationTime: row.int64(4), expiryTime: row.isNull(5) ? nil : row.int64(5))
                found = (
                    token,
                    User(id: token.userID, username: row.text(6), passwordHash: row.text(7), isAdmin: row.bool(8))
                )
            }
            return found
        }
    }

    public func tokens(userID: Int64, kind: AccessToken.Kind) async throws -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT token_id, user_id, kind, name, creation_time, expiry_time FROM access_tokens
                    WHERE user_id = ? AND kind = ? ORDER BY creation_time DESC, token_id DESC
                    """, arguments: [userID, kind.rawValue]
            ).map(Self.token)
        }
    }

    public func deleteToken(id: Int64, userID: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM access_tokens WHERE token_id = ? AND user_id = ?", arguments: [id, userID])
            guard db.changesCount == 1 else { throw LogbookError.tokenNotFound(id) }
        }
    }

    public func deleteToken(digest: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM access_tokens WHERE digest = ?", arguments: [digest])
        }
    }

    public func setPermission(_ permission: Permission, experimentID: String, userID: Int64) async throws {
        let number = try Validation.experimentNumber(experimentID)
        try await write { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO experiment_permissions (experiment_id, user_id, permission) VALUES (?, ?, ?)",
                arguments: [number, userID, permission.rawValue])
        }
    }

    public func permission(experimentID: String, userID: Int64) async throws -> Permission? {
        guard let number = Int64(experimentID) else { return nil }
        return try lookup { db in
            var permission: Permission?
            try db.forEachRow(
                "SELECT permission FROM experiment_permissions WHERE experiment_id = ? AND user_id = ?",
                arguments: [number, userID], cached: true
            ) { row in permission = Permission(rawValue: row.text(0)) }
            return permission
        }
    }

    public func permissions(userID: Int64) async throws -> [String: Permission] {
        try lookup { db in
            var grants: [String: Permission] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT experiment_id, permission FROM experiment_permissions WHERE user_id = ?",
                arguments: [userID])
            {
                grants[String(row[0] as Int64)] = Permission(rawValue: row[1])
            }
            return grants
        }
    }

    public func deletePermission(experimentID: String, userID: Int64) async throws {
        guard let number = Int64(experimentID) else { throw LogbookError.permissionNotFound(experimentID) }
        try await write { db in
            try db.execute(
                sql: "DELETE FROM experiment_permissions WHERE experiment_id = ? AND user_id = ?",
                arguments: [number, userID])
            guard db.changesCount == 1 else { throw LogbookError.permissionNotFound(experimentID) }
        }
    }

    public func permission(runID: String, userID: Int64) async throws -> (
        experimentID: String, permission: Permission?
    )? {
        try lookup { db in
            var found: (experimentID: String, permission: Permission?)?
            try db.forEachRow(
                """
                SELECT r.experiment_id, p.permission FROM runs r
                LEFT JOIN experiment_permissions p ON p.experiment_id = r.experiment_id AND p.user_id = ?
                WHERE r.run_id = ?
                """, arguments: [userID, runID], cached: true
            ) { row in
                found = (String(row.int64(0)), row.isNull(1) ? nil : Permission(rawValue: row.text(1)))
            }
            return found
        }
    }

    public func experimentID(ofLoggedModel modelID: String) async throws -> String? {
        try lookup { db in
            try Self.experimentID(db, "SELECT experiment_id FROM logged_models WHERE model_id = ?", modelID)
        }
    }

    private static func experimentID(_ db: Database, _ sql: String, _ id: String) throws -> String? {
        var experimentID: String?
        try db.forEachRow(sql, arguments: [id], cached: true) { row in experimentID = String(row.int64(0)) }
        return experimentID
    }

    private static func fetchUsers(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [User]
    {
        try Row.fetchAll(
            db,
            sql: "SELECT user_id, username, password_hash, is_admin FROM users WHERE \(condition) ORDER BY user_id",
            arguments: arguments
        ).map { User(id: $0[0], username: $0[1], passwordHash: $0[2], isAdmin: $0[3]) }
    }

    private static func token(_ row: Row) -> AccessToken {
        AccessToken(
            id: row[0], userID: row[1], kind: AccessToken.Kind(rawValue: row[2]) ?? .token, name: row[3],
            creationTime: row[4], expiryTime: row[5])
    }
}
