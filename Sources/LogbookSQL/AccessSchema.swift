/// The tables of `logbook server --auth` (users, tokens, experiment permissions), the same in
/// both SQL stores. Tokens are kept by the SHA-256 of their secret, never the secret; a
/// permission row names the experiment by id without a foreign key, so that deleting an
/// experiment's rows (which the stores never do: deletion is soft) could not be blocked by it.
public enum AccessSchema {
    /// For SQLite.
    public static let sqlite = """
        CREATE TABLE users (
            user_id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            is_admin INTEGER NOT NULL
        );
        CREATE TABLE access_tokens (
            token_id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('token', 'session')),
            name TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            creation_time INTEGER NOT NULL,
            expiry_time INTEGER
        );
        CREATE INDEX access_tokens_by_user ON access_tokens (user_id, kind, creation_time);
        CREATE TABLE experiment_permissions (
            experiment_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
            PRIMARY KEY (experiment_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX experiment_permissions_by_user ON experiment_permissions (user_id);
        """

    /// For PostgreSQL, one statement each.
    public static let postgres = [
        """
        CREATE TABLE users (
            user_id BIGSERIAL PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            is_admin BOOLEAN NOT NULL
        )
        """,
        """
        CREATE TABLE access_tokens (
            token_id BIGSERIAL PRIMARY KEY,
            user_id BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('token', 'session')),
            name TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            creation_time BIGINT NOT NULL,
            expiry_time BIGINT
        )
        """,
        "CREATE INDEX access_tokens_by_user ON access_tokens (user_id, kind, creation_time)",
        """
        CREATE TABLE experiment_permissions (
            experiment_id BIGINT NOT NULL,
            user_id BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
            PRIMARY KEY (experiment_id, user_id)
        )
        """,
        "CREATE INDEX experiment_permissions_by_user ON experiment_permissions (user_id)",
    ]
}
