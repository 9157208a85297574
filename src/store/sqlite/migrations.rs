//! Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied
//! and `PRAGMA application_id` marks the file as a Tessera store; both live in the database
//! header and change inside the migration's transaction, so a crash never leaves a half-migrated
//! store.
//!
//! Append new migrations to [`MIGRATIONS`]; never edit one that has shipped.

use std::path::PathBuf;

use rusqlite::{Connection, TransactionBehavior};

use super::Fail;
use crate::store::error::StoreError;

/// "TESS" in ASCII: `file(1)` and `sqlite3 .dbinfo` show it, and it tells a Tessera store apart
/// from any other SQLite file without reading a table.
pub const APPLICATION_ID: i64 = 0x5445_5353;

/// The schema version this binary writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const MIGRATIONS: &[&str] = &[V1, V2, V3_CLAIMS, V4_IDENTITY, V5_API_KEYS];

/// Everything the store holds. Registrations, proposals and events name assets by key, without
/// a foreign key, because they may exist before (or outlive) the asset row.
const V1: &str = r#"
CREATE TABLE tessera_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO tessera_meta (key, value) VALUES ('application', 'tessera');

CREATE TABLE projects (
    name               TEXT PRIMARY KEY,
    owner              TEXT,
    declaration_digest TEXT NOT NULL,
    first_synced_at    INTEGER NOT NULL,
    last_changed_at    INTEGER NOT NULL,
    last_commit        TEXT
);

CREATE TABLE teams (
    project       TEXT NOT NULL REFERENCES projects (name),
    name          TEXT NOT NULL,
    slack_channel TEXT,
    email         TEXT,
    retired       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project, name)
);
CREATE INDEX teams_by_name ON teams (name);

CREATE TABLE users (
    project         TEXT NOT NULL REFERENCES projects (name),
    email           TEXT NOT NULL,
    name            TEXT,
    teams_json      TEXT NOT NULL,
    github          TEXT,
    gitlab          TEXT,
    slack_member_id TEXT,
    ssh_keys_json   TEXT NOT NULL,
    retired         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project, email)
);
CREATE INDEX users_by_email ON users (email);

CREATE TABLE assets (
    key           TEXT PRIMARY KEY,
    project       TEXT NOT NULL REFERENCES projects (name),
    unique_id     TEXT,
    node          TEXT NOT NULL,
    owner_team    TEXT,
    owner_user    TEXT,
    mode          TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    retired       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX assets_by_project ON assets (project);

CREATE TABLE contract_versions (
    id                   INTEGER PRIMARY KEY,
    asset                TEXT NOT NULL REFERENCES assets (key),
    seq                  INTEGER NOT NULL,
    version              TEXT NOT NULL,
    digest               TEXT NOT NULL,
    contract_json        TEXT NOT NULL,
    git_commit           TEXT,
    recorded_at          INTEGER NOT NULL,
    unacknowledged_break INTEGER NOT NULL DEFAULT 0,
    UNIQUE (asset, seq),
    UNIQUE (asset, version)
);

CREATE TABLE consumers (
    id                 INTEGER PRIMARY KEY,
    asset              TEXT NOT NULL,
    project            TEXT NOT NULL REFERENCES projects (name),
    team               TEXT NOT NULL,
    source             TEXT NOT NULL,
    columns_json       TEXT,
    all_columns_reason TEXT,
    purpose            TEXT,
    contact            TEXT,
    retired            INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (project, asset, team, source)
);
CREATE INDEX consumers_by_asset ON consumers (asset, retired);

CREATE TABLE proposals (
    id              TEXT PRIMARY KEY,
    asset           TEXT NOT NULL,
    base_digest     TEXT NOT NULL,
    head_digest     TEXT NOT NULL,
    breaking_digest TEXT NOT NULL,
    findings_json   TEXT NOT NULL,
    impacted_json   TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    force_reason    TEXT
);
CREATE INDEX proposals_by_asset ON proposals (asset, status);
CREATE INDEX proposals_by_breaking_digest ON proposals (breaking_digest);

CREATE TABLE acks (
    id              INTEGER PRIMARY KEY,
    proposal        TEXT NOT NULL REFERENCES proposals (id),
    team            TEXT NOT NULL,
    decision        TEXT NOT NULL,
    migrating_until TEXT,
    signer          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    signature       TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX acks_by_proposal ON acks (proposal);

-- AUTOINCREMENT: ids are never reused, so a reader following the log by id cannot miss one.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    project     TEXT,
    subject     TEXT,
    detail_json TEXT NOT NULL
);
CREATE INDEX events_by_project ON events (project);
CREATE INDEX events_by_subject ON events (subject);
CREATE INDEX events_by_kind ON events (kind);

-- Signed acknowledgments and the event log are evidence: nothing may rewrite them.
CREATE TRIGGER acks_no_update BEFORE UPDATE ON acks
BEGIN SELECT RAISE(ABORT, 'acks are append-only'); END;
CREATE TRIGGER acks_no_delete BEFORE DELETE ON acks
BEGIN SELECT RAISE(ABORT, 'acks are append-only'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"#;

/// Proposals remember which change (a branch, a merge request) they came from, so a re-run of
/// `impact` on the same change finds them, and which contract version published them.
const V2: &str = r#"
ALTER TABLE proposals ADD COLUMN change_ref TEXT;
ALTER TABLE proposals ADD COLUMN published_version TEXT;
CREATE INDEX proposals_by_change ON proposals (change_ref);
"#;

/// Claims: a project name is bound to the repository that first synced it, and a team to the
/// project that first declared it as `owner:`. Existing projects are bound by their next sync;
/// an existing team goes to the earliest project that declares it as owner (ties by name).
const V3_CLAIMS: &str = r#"
ALTER TABLE projects ADD COLUMN root_commit TEXT;
ALTER TABLE projects ADD COLUMN remote_url TEXT;
CREATE TABLE team_claims (
    team       TEXT PRIMARY KEY,
    project    TEXT NOT NULL REFERENCES projects (name),
    claimed_at INTEGER NOT NULL
);
CREATE INDEX team_claims_by_project ON team_claims (project);
INSERT INTO team_claims (team, project, claimed_at)
SELECT p.owner, p.name, p.first_synced_at FROM projects p
WHERE p.owner IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM projects q
    WHERE q.owner = p.owner
      AND (q.first_synced_at < p.first_synced_at
           OR (q.first_synced_at = p.first_synced_at AND q.name < p.name)));
"#;

/// Each asset remembers what placed it in the warehouse (manifest, profile, config, store,
/// unknown), so `assets` can say how far its key can be trusted.
const V4_IDENTITY: &str = r#"
ALTER TABLE assets ADD COLUMN identity_source TEXT;
"#;

/// API keys of `tessera serve`: per team, with a scope, kept as a hash of the secret. A key is
/// revoked, never deleted, so the event log's "key k… did it" always names a known key.
const V5_API_KEYS: &str = r#"
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    team       TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    hash       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_keys_by_team ON api_keys (team);
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON api_keys
BEGIN SELECT RAISE(ABORT, 'api keys are revoked, not deleted'); END;
"#;

/// Brings the schema to [`SCHEMA_VERSION`]. The version is read again under the write lock, so
/// several processes opening a new file at once migrate it exactly once.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), Fail> {
    if user_version(conn)? == SCHEMA_VERSION {
        // The common case takes no write lock: readers never queue behind writers here.
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let app: i64 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version = user_version(&tx)?;
    let objects: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let path = || tx.path().map(PathBuf::from).unwrap_or_default();
    if app != APPLICATION_ID && (app != 0 || objects > 0) {
        // Someone else filled the file between the read-only inspection and now.
        return Err(StoreError::NotTessera {
            path: path(),
            detail: "another program initialised it first".into(),
        }
        .into());
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path(),
            found: version,
            supported: SCHEMA_VERSION,
        }
        .into());
    }
    let from = usize::try_from(version).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(from) {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ProposalFilter, SqliteStore, Store};

    /// Assets written before migration 3 read back with no identity source, and keep their key.
    #[test]
    fn a_version_2_store_migrates_with_its_assets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V2).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO projects (name, declaration_digest, first_synced_at, last_changed_at)
                 VALUES ('shop', 'sha256:x', 1, 1);
             INSERT INTO assets (key, project, node, mode, resource_type, created_at, updated_at)
                 VALUES ('marts.orders', 'shop', 'orders', 'FORWARD', 'model', 1, 1);",
        )
        .unwrap();
        drop(conn);

        let store = SqliteStore::open(&path, false).unwrap();
        let a = store.asset("marts.orders").unwrap().unwrap();
        assert_eq!((a.node.as_str(), a.identity), ("orders", None));
    }

    /// A store written by the first release keeps its proposals when a newer binary opens it.
    #[test]
    fn a_version_1_store_migrates_with_its_proposals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO proposals (id, asset, base_digest, head_digest, breaking_digest,
                 findings_json, impacted_json, status, created_at, updated_at, created_by)
             VALUES ('P-1', 'marts.orders', 'sha256:a', 'sha256:b', 'sha256:c', '[]',
                 '[\"team-bi\"]', 'pending', 1, 1, 'ana@example.com')",
            [],
        )
        .unwrap();
        drop(conn);

        let store = SqliteStore::open(&path, false).unwrap();
        assert_eq!(
            i64::from(store.status().unwrap().schema_version),
            SCHEMA_VERSION
        );
        let p = store.proposal("P-1").unwrap().unwrap();
        assert_eq!(p.impacted, ["team-bi"]);
        assert_eq!((p.change_ref, p.published_version), (None, None));
        let by_change = store
            .proposals(&ProposalFilter {
                change_ref: Some("x".into()),
                ..ProposalFilter::default()
            })
            .unwrap();
        assert!(by_change.is_empty());
    }

    /// A store of schema 2 (before claims) migrates: each team goes to the project that declared
    /// it as owner first, and the projects are bound to a repository by their next sync.
    #[test]
    fn a_version_2_store_gains_claims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V2).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO projects (name, owner, declaration_digest, first_synced_at,
                 last_changed_at)
             VALUES ('bi', 'team-bi', 'x', 10, 10), ('copycat', 'team-bi', 'y', 20, 20),
                    ('shop', 'team-shop', 'z', 30, 30), ('loose', NULL, 'w', 5, 5);",
        )
        .unwrap();
        drop(conn);

        let store = SqliteStore::open(&path, false).unwrap();
        assert_eq!(
            i64::from(store.status().unwrap().schema_version),
            SCHEMA_VERSION
        );
        let claims: Vec<(String, String)> = store
            .team_claims()
            .unwrap()
            .into_iter()
            .map(|c| (c.team, c.project))
            .collect();
        assert_eq!(
            claims,
            [
                ("team-bi".to_string(), "bi".to_string()),
                ("team-shop".to_string(), "shop".to_string())
            ]
        );
        let projects = store.projects().unwrap();
        assert!(projects.iter().all(|p| !p.repository.is_known()));
    }
}
