import GRDB

/// The versioned schema. Each migration is added, never edited: a store records which it has, and
/// a Verdict that meets a migration it does not know refuses the store.
enum HistorySchema {
    /// v1, as SQL both SQLite and PostgreSQL accept (PostgreSQL spells the id column differently).
    static func v1(autoIncrement: String) -> [String] {
        [
            """
            CREATE TABLE runs (
                id \(autoIncrement),
                build TEXT NOT NULL,
                job TEXT,
                branch TEXT,
                revision TEXT,
                recorded_at DOUBLE PRECISION NOT NULL,
                tests INTEGER NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX runs_build_job ON runs (build, COALESCE(job, ''))",
            "CREATE INDEX runs_recorded ON runs (recorded_at, id)",
            "CREATE INDEX runs_revision ON runs (revision)",
            """
            CREATE TABLE tests (
                id \(autoIncrement),
                classname TEXT NOT NULL,
                name TEXT NOT NULL,
                file TEXT,
                source TEXT NOT NULL,
                UNIQUE (classname, name)
            )
            """,
            """
            CREATE TABLE results (
                run_id BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                test_id BIGINT NOT NULL REFERENCES tests (id),
                outcome SMALLINT NOT NULL,
                time DOUBLE PRECISION NOT NULL,
                flaky SMALLINT NOT NULL DEFAULT 0,
                message TEXT
            )
            """,
            "CREATE INDEX results_run ON results (run_id)",
            "CREATE INDEX results_test ON results (test_id, run_id)",
        ]
    }

    static var sqliteMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            for statement in v1(autoIncrement: "INTEGER PRIMARY KEY AUTOINCREMENT") { try db.execute(sql: statement) }
        }
        return migrator
    }
}
