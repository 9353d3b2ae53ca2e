/// The registry's schema, as the ordered list of its migration steps.
///
/// Times are INTEGER microseconds since the Unix epoch, durations INTEGER microseconds (see
/// ``DatabaseTime``). Runs deliberately have no foreign key to skills: removing a skill keeps
/// the history of its runs, which name the exact file by hash. A token is kept as the
/// SHA-256 of its secret, never the secret; a revoked token stays, so its name can be
/// given to a new one while the old one's history remains.
enum RegistrySchema {
    /// Every step, oldest first. Append new steps; never edit a released one.
    static let migrator = DatabaseMigrator(migrations: [
        .init(name: "create skills and runs", sql: """
            CREATE TABLE skills (
                name          TEXT    NOT NULL,
                version       TEXT    NOT NULL,
                sha256        TEXT    NOT NULL CHECK (length(sha256) = 64),
                size          INTEGER NOT NULL CHECK (size >= 0),
                description   TEXT    NOT NULL,
                input_schema  TEXT,
                output_schema TEXT,
                flags         INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 4294967295),
                abi_major     INTEGER NOT NULL,
                abi_minor     INTEGER NOT NULL,
                isolation     TEXT    NOT NULL CHECK (isolation IN ('process', 'inprocess')),
                installed_at  INTEGER NOT NULL,
                PRIMARY KEY (name, version)
            ) WITHOUT ROWID;
            CREATE INDEX skills_by_sha256 ON skills (sha256);

            CREATE TABLE runs (
                id                INTEGER PRIMARY KEY AUTOINCREMENT,
                skill_name        TEXT    NOT NULL,
                skill_version     TEXT    NOT NULL,
                skill_sha256      TEXT    NOT NULL,
                input             TEXT    NOT NULL,
                output            TEXT,
                status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded',
                                      'failed', 'timeout', 'crashed', 'cancelled', 'interrupted')),
                error_kind        TEXT,
                error_message     TEXT,
                model             TEXT,
                trigger           TEXT    NOT NULL,
                caller_uid        INTEGER CHECK (caller_uid BETWEEN 0 AND 4294967295),
                created_at        INTEGER NOT NULL,
                started_at        INTEGER,
                finished_at       INTEGER,
                duration_us       INTEGER CHECK (duration_us >= 0),
                prompt_tokens     INTEGER NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
                completion_tokens INTEGER NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
                CHECK ((status IN ('queued', 'running')) = (finished_at IS NULL))
            );
            CREATE INDEX runs_by_skill ON runs (skill_name, id);
            CREATE INDEX runs_by_status ON runs (status, id);
            """),
        .init(name: "create run logs", sql: """
            CREATE TABLE run_logs (
                run_id  INTEGER NOT NULL,
                seq     INTEGER NOT NULL CHECK (seq >= 0),
                level   TEXT    NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error', 'stdout', 'stderr')),
                message TEXT    NOT NULL,
                PRIMARY KEY (run_id, seq)
            ) WITHOUT ROWID;
            """),
        .init(name: "add per-skill memory limits", sql: """
            ALTER TABLE skills ADD COLUMN memory_limit_bytes INTEGER CHECK (memory_limit_bytes >= 0);
            """),
        .init(name: "create batches", sql: """
            CREATE TABLE batches (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                skill_name    TEXT    NOT NULL,
                skill_version TEXT    NOT NULL,
                skill_sha256  TEXT    NOT NULL CHECK (length(skill_sha256) = 64),
                parallelism   INTEGER NOT NULL CHECK (parallelism BETWEEN 1 AND 64),
                max_retries   INTEGER NOT NULL CHECK (max_retries BETWEEN 0 AND 10),
                timeout_ms    INTEGER CHECK (timeout_ms > 0),
                model         TEXT,
                caller_uid    INTEGER CHECK (caller_uid BETWEEN 0 AND 4294967295),
                status        TEXT    NOT NULL CHECK (status IN ('running', 'done', 'cancelled')),
                created_at    INTEGER NOT NULL,
                finished_at   INTEGER,
                CHECK (status <> 'running' OR finished_at IS NULL),
                CHECK (status <> 'done' OR finished_at IS NOT NULL)
            );
            CREATE TABLE batch_items (
                batch_id      INTEGER NOT NULL REFERENCES batches (id),
                item_index    INTEGER NOT NULL CHECK (item_index >= 0),
                input         TEXT    NOT NULL,
                status        TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
                attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                run_id        INTEGER,
                output        TEXT,
                error_kind    TEXT,
                error_message TEXT,
                not_before    INTEGER,
                PRIMARY KEY (batch_id, item_index)
            ) WITHOUT ROWID;
            CREATE INDEX batch_items_by_status ON batch_items (batch_id, status, item_index);
            ALTER TABLE runs ADD COLUMN batch_id INTEGER;
            ALTER TABLE runs ADD COLUMN batch_item INTEGER CHECK (batch_item >= 0);
            CREATE INDEX runs_by_batch ON runs (batch_id, batch_item) WHERE batch_id IS NOT NULL;
            """),
        .init(name: "create schedules", sql: """
            CREATE TABLE schedules (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                skill        TEXT    NOT NULL,
                cron         TEXT    NOT NULL,
                time_zone    TEXT    NOT NULL,
                input        TEXT,
                input_file   TEXT,
                parallelism  INTEGER NOT NULL CHECK (parallelism BETWEEN 1 AND 64),
                concurrency  TEXT    NOT NULL CHECK (concurrency IN ('allow', 'forbid', 'replace')),
                catch_up     TEXT    NOT NULL CHECK (catch_up IN ('skip', 'once')),
                paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
                caller_uid   INTEGER CHECK (caller_uid BETWEEN 0 AND 4294967295),
                caller_gid   INTEGER CHECK (caller_gid BETWEEN 0 AND 4294967295),
                created_at   INTEGER NOT NULL,
                last_fire_at INTEGER,
                next_fire_at INTEGER,
                CHECK ((input IS NULL) <> (input_file IS NULL))
            );
            CREATE TABLE schedule_fires (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                schedule_id  INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
                scheduled_at INTEGER NOT NULL,
                fired_at     INTEGER NOT NULL,
                outcome      TEXT    NOT NULL CHECK (outcome IN ('started', 'skipped', 'missed')),
                run_id       INTEGER,
                batch_id     INTEGER,
                reason       TEXT
            );
            CREATE INDEX schedule_fires_by_schedule ON schedule_fires (schedule_id, id);
            ALTER TABLE runs ADD COLUMN schedule_id INTEGER;
            ALTER TABLE batches ADD COLUMN schedule_id INTEGER;
            """),
        .init(name: "add per-skill grants", sql: """
            ALTER TABLE skills ADD COLUMN network TEXT NOT NULL DEFAULT 'none' CHECK (network IN ('none', 'host'));
            ALTER TABLE skills ADD COLUMN read_only_paths TEXT NOT NULL DEFAULT '';
            ALTER TABLE skills ADD COLUMN process_limit INTEGER CHECK (process_limit > 0);
            ALTER TABLE skills ADD COLUMN cpu_seconds_per_run INTEGER CHECK (cpu_seconds_per_run > 0);
            """),
        .init(name: "create tokens", sql: """
            CREATE TABLE tokens (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                name         TEXT    NOT NULL,
                scope        TEXT    NOT NULL CHECK (scope IN ('run', 'admin', 'metrics')),
                skills       TEXT    CHECK (skills <> ''),
                sha256       TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
                created_at   INTEGER NOT NULL,
                created_by   INTEGER CHECK (created_by BETWEEN 0 AND 4294967295),
                last_used_at INTEGER,
                revoked_at   INTEGER
            );
            CREATE UNIQUE INDEX tokens_by_unrevoked_name ON tokens (name) WHERE revoked_at IS NULL;
            """),
        .init(name: "record the token that started a run, a batch or a schedule", sql: """
            ALTER TABLE runs ADD COLUMN caller_token TEXT;
            ALTER TABLE runs ADD COLUMN caller_token_id INTEGER;
            ALTER TABLE batches ADD COLUMN caller_token TEXT;
            ALTER TABLE batches ADD COLUMN caller_token_id INTEGER;
            ALTER TABLE schedules ADD COLUMN caller_token TEXT;
            ALTER TABLE schedules ADD COLUMN caller_token_id INTEGER;
            """),
        .init(name: "add skill lifecycle states and replays", sql: """
            ALTER TABLE skills ADD COLUMN state TEXT NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled', 'draining'));
            ALTER TABLE runs ADD COLUMN replay_of INTEGER;
            """),
    ])
}
