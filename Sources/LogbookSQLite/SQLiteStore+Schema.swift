import LogbookSQL
import GRDB

extension SQLiteStore {
    /// The schema's versions. Each release appends migrations; files made by older releases are
    /// upgraded when opened. Never edit a migration that has shipped.
    ///
    /// Design, for speed and growth:
    /// - Runs get a compact integer `run_key`; metric rows refer to a `metric_series` row
    ///   (one per run and key) by integer, so no text key or 32-character run id is repeated per point.
    /// - `metric_points` is a `WITHOUT ROWID` table whose primary key *is* the data
    ///   `(series_id, step, timestamp, is_nan, value)`: range reads by run, key and step are one
    ///   b-tree scan, exact duplicates are ignored, and there is no second index over the history.
    /// - `metric_series` holds each metric's summary point, maintained on write, so listing and
    ///   searching runs never read the history. It is clustered by `(run_key, key)`: a page of runs
    ///   reads its summaries in one range scan per run.
    /// - NaN is stored as value 0 with `is_nan = 1` (SQLite turns NaN into NULL); ±infinity is
    ///   stored as is and reads back exactly.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: experiments, runs, params, tags, metrics") { db in
            try db.execute(
                sql: """
                    CREATE TABLE experiments (
                        experiment_id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        artifact_location TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
                        creation_time INTEGER NOT NULL,
                        last_update_time INTEGER NOT NULL
                    );
                    CREATE INDEX experiments_by_creation ON experiments (creation_time DESC, experiment_id);
                    CREATE TABLE experiment_tags (
                        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (experiment_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE runs (
                        run_key INTEGER PRIMARY KEY,
                        run_id TEXT NOT NULL UNIQUE,
                        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
                        name TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_time INTEGER NOT NULL,
                        end_time INTEGER,
                        artifact_uri TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
                        deleted_time INTEGER
                    );
                    CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC, run_id);
                    CREATE TABLE params (
                        run_key INTEGER NOT NULL REFERENCES runs (run_key),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE tags (
                        run_key INTEGER NOT NULL REFERENCES runs (run_key),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE metric_series (
                        run_key INTEGER NOT NULL REFERENCES runs (run_key),
                        key TEXT NOT NULL,
                        series_id INTEGER NOT NULL UNIQUE,
                        step INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE metric_points (
                        series_id INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (series_id, step, timestamp, is_nan, value)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: metric summaries indexed by value, for search") { db in
            // Lets a search ordered by a metric walk the runs in metric order and stop after a page.
            try db.execute(sql: "CREATE INDEX metric_series_by_value ON metric_series (key, is_nan, value)")
        }
        migrator.registerMigration("v3: dataset inputs") { db in
            // Datasets are kept once per experiment by (name, digest), as MLflow does; runs link to
            // the ones they used, with tags of their own (the usage context).
            try db.execute(
                sql: """
                    CREATE TABLE datasets (
                        dataset_key INTEGER PRIMARY KEY,
                        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
                        name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        source_type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        schema TEXT,
                        profile TEXT,
                        UNIQUE (experiment_id, name, digest)
                    );
                    CREATE TABLE run_inputs (
                        run_key INTEGER NOT NULL REFERENCES runs (run_key),
                        dataset_key INTEGER NOT NULL REFERENCES datasets (dataset_key),
                        position INTEGER NOT NULL,
                        PRIMARY KEY (run_key, dataset_key)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_input_tags (
                        run_key INTEGER NOT NULL,
                        dataset_key INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, dataset_key, key),
                        FOREIGN KEY (run_key, dataset_key) REFERENCES run_inputs (run_key, dataset_key)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: metric blocks, for charts of long histories") { db in
            try db.execute(sql: SeriesBlocks.createTable)
            try SeriesBlocks.backfill(db)
        }
        migrator.registerMigration("v5: logged models and run outputs") { db in
            // MLflow 3's logged models. Metric points logged with a model id are kept twice: in the
            // run's history (metric_points) and here, with the run and dataset they came from.
            // Statuses are stored by name (PENDING, READY, FAILED). A model's points are clustered
            // by (model, key, timestamp, step): a metric filter or order is one short range read per
            // model (an index by value lured the planner into scanning every model's points).
            try db.execute(
                sql: """
                    CREATE TABLE logged_models (
                        model_key INTEGER PRIMARY KEY,
                        model_id TEXT NOT NULL UNIQUE,
                        experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
                        name TEXT NOT NULL,
                        artifact_location TEXT NOT NULL,
                        creation_time INTEGER NOT NULL,
                        last_updated_time INTEGER NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED')),
                        status_message TEXT,
                        model_type TEXT,
                        source_run_id TEXT,
                        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted'))
                    );
                    CREATE INDEX logged_models_by_experiment
                        ON logged_models (experiment_id, creation_time DESC, model_id);
                    CREATE INDEX logged_models_by_source_run ON logged_models (source_run_id);
                    CREATE TABLE logged_model_params (
                        model_key INTEGER NOT NULL REFERENCES logged_models (model_key),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (model_key, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE logged_model_tags (
                        model_key INTEGER NOT NULL REFERENCES logged_models (model_key),
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (model_key, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE logged_model_metrics (
                        model_key INTEGER NOT NULL REFERENCES logged_models (model_key),
                        key TEXT NOT NULL,
                        timestamp INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        run_id TEXT NOT NULL,
                        dataset_name TEXT NOT NULL,
                        dataset_digest TEXT NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (model_key, key, timestamp, step, run_id, dataset_name, dataset_digest, is_nan, value)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_outputs (
                        run_key INTEGER NOT NULL REFERENCES runs (run_key),
                        model_id TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (run_key, model_id, step)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v6: users, tokens and experiment permissions (logbook server --auth)") { db in
            try db.execute(sql: AccessSchema.sqlite)
        }
        migrator.registerMigration("v7: model registry") { db in
            try db.execute(sql: RegistrySchema.sqlite)
        }
        return migrator
    }
}
