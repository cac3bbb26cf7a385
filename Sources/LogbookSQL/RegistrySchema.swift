/// The model registry's tables, the same in both SQL stores (one migration each).
///
/// A registered model has an integer `model_key`, which its versions, tags, aliases and
/// permissions refer to, so a rename changes one row. A deleted version stays as a row in stage
/// `Deleted_Internal` (its source and run redacted) so that its number is never given again; a
/// deleted model takes every row of it along. Permissions of `logbook server --auth` on a model
/// live here too, removed with it. The same step adds the logged models a run used as inputs
/// (`run_model_inputs`), which came with the registry's release.
public enum RegistrySchema {
    /// For SQLite.
    public static let sqlite = """
        CREATE TABLE registered_models (
            model_key INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL,
            description TEXT NOT NULL
        );
        CREATE INDEX registered_models_by_update ON registered_models (last_updated_time, name);
        CREATE TABLE registered_model_tags (
            model_key INTEGER NOT NULL REFERENCES registered_models (model_key),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_key, key)
        ) WITHOUT ROWID;
        CREATE TABLE model_versions (
            model_key INTEGER NOT NULL REFERENCES registered_models (model_key),
            version INTEGER NOT NULL,
            creation_time INTEGER NOT NULL,
            last_updated_time INTEGER NOT NULL,
            user_id TEXT,
            current_stage TEXT NOT NULL,
            description TEXT NOT NULL,
            source TEXT NOT NULL,
            storage_location TEXT NOT NULL,
            run_id TEXT NOT NULL,
            run_link TEXT NOT NULL,
            model_id TEXT,
            status TEXT NOT NULL,
            status_message TEXT,
            PRIMARY KEY (model_key, version)
        ) WITHOUT ROWID;
        CREATE INDEX model_versions_by_update ON model_versions (last_updated_time);
        CREATE INDEX model_versions_by_number ON model_versions (version);
        CREATE INDEX model_versions_by_run ON model_versions (run_id);
        CREATE INDEX model_versions_by_model_id ON model_versions (model_id);
        CREATE TABLE model_version_tags (
            model_key INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_key, version, key),
            FOREIGN KEY (model_key, version) REFERENCES model_versions (model_key, version)
        ) WITHOUT ROWID;
        CREATE TABLE registered_model_aliases (
            model_key INTEGER NOT NULL REFERENCES registered_models (model_key),
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (model_key, alias)
        ) WITHOUT ROWID;
        CREATE TABLE registered_model_permissions (
            model_key INTEGER NOT NULL REFERENCES registered_models (model_key),
            user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
            PRIMARY KEY (model_key, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX registered_model_permissions_by_user ON registered_model_permissions (user_id);
        CREATE TABLE run_model_inputs (
            run_key INTEGER NOT NULL REFERENCES runs (run_key),
            model_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (run_key, model_id)
        ) WITHOUT ROWID;
        """

    /// For PostgreSQL, one statement each; text in the "C" collation, as the other tables.
    public static let postgres = [
        """
        CREATE TABLE registered_models (
            model_key BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT COLLATE "C" NOT NULL UNIQUE,
            creation_time BIGINT NOT NULL,
            last_updated_time BIGINT NOT NULL,
            description TEXT COLLATE "C" NOT NULL
        )
        """,
        "CREATE INDEX registered_models_by_update ON registered_models (last_updated_time, name)",
        """
        CREATE TABLE registered_model_tags (
            model_key BIGINT NOT NULL REFERENCES registered_models (model_key),
            key TEXT COLLATE "C" NOT NULL,
            value TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (model_key, key)
        )
        """,
        """
        CREATE TABLE model_versions (
            model_key BIGINT NOT NULL REFERENCES registered_models (model_key),
            version BIGINT NOT NULL,
            creation_time BIGINT NOT NULL,
            last_updated_time BIGINT NOT NULL,
            user_id TEXT COLLATE "C",
            current_stage TEXT COLLATE "C" NOT NULL,
            description TEXT COLLATE "C" NOT NULL,
            source TEXT COLLATE "C" NOT NULL,
            storage_location TEXT COLLATE "C" NOT NULL,
            run_id TEXT COLLATE "C" NOT NULL,
            run_link TEXT COLLATE "C" NOT NULL,
            model_id TEXT COLLATE "C",
            status TEXT COLLATE "C" NOT NULL,
            status_message TEXT COLLATE "C",
            PRIMARY KEY (model_key, version)
        )
        """,
        "CREATE INDEX model_versions_by_update ON model_versions (last_updated_time)",
        "CREATE INDEX model_versions_by_number ON model_versions (version)",
        "CREATE INDEX model_versions_by_run ON model_versions (run_id)",
        "CREATE INDEX model_versions_by_model_id ON model_versions (model_id)",
        """
        CREATE TABLE model_version_tags (
            model_key BIGINT NOT NULL,
            version BIGINT NOT NULL,
            key TEXT COLLATE "C" NOT NULL,
            value TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (model_key, version, key),
            FOREIGN KEY (model_key, version) REFERENCES model_versions (model_key, version)
        )
        """,
        """
        CREATE TABLE registered_model_aliases (
            model_key BIGINT NOT NULL REFERENCES registered_models (model_key),
            alias TEXT COLLATE "C" NOT NULL,
            version BIGINT NOT NULL,
            PRIMARY KEY (model_key, alias)
        )
        """,
        """
        CREATE TABLE registered_model_permissions (
            model_key BIGINT NOT NULL REFERENCES registered_models (model_key),
            user_id BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
            permission TEXT NOT NULL CHECK (permission IN ('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')),
            PRIMARY KEY (model_key, user_id)
        )
        """,
        "CREATE INDEX registered_model_permissions_by_user ON registered_model_permissions (user_id)",
        """
        CREATE TABLE run_model_inputs (
            run_key BIGINT NOT NULL REFERENCES runs (run_key),
            model_id TEXT COLLATE "C" NOT NULL,
            position BIGINT NOT NULL,
            PRIMARY KEY (run_key, model_id)
        )
        """,
    ]
}
