//! Numbered schema migrations for PostgreSQL. `tessera_schema` has one row per migration
//! applied; each runs in the same transaction as its row, under an advisory lock, so replicas
//! starting together migrate a new database exactly once and a crash never leaves half of one.
//!
//! The numbers mean what the SQLite store's mean (schema 5 is the same tables and rules on both
//! backends), so `/health` and `tessera status` report one schema version for both. Append new
//! migrations to [`MIGRATIONS`], in step with the SQLite store's; never edit one that has shipped.

use postgres::Client;

use super::Fail;
use crate::store::error::StoreError;

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Held while migrating: "TESS" and 1.
const MIGRATION_LOCK: i64 = 0x5445_5353_0000_0001;

const MIGRATIONS: &[&str] = &[V1, V2, V3_CLAIMS, V4_IDENTITY, V5_API_KEYS];

/// Everything the store holds, as in the SQLite store's first migration. Times are Unix seconds;
/// `retired` and the break flag are booleans. Evidence (acks, events) refuses every change and
/// deletion, `TRUNCATE` included, in the database itself.
const V1: &str = r#"
CREATE TABLE tessera_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO tessera_meta (key, value) VALUES ('application', 'tessera');

CREATE TABLE projects (
    name               TEXT PRIMARY KEY,
    owner              TEXT,
    declaration_digest TEXT NOT NULL,
    first_synced_at    BIGINT NOT NULL,
    last_changed_at    BIGINT NOT NULL,
    last_commit        TEXT
);

CREATE TABLE teams (
    project       TEXT NOT NULL REFERENCES projects (name),
    name          TEXT NOT NULL,
    slack_channel TEXT,
    email         TEXT,
    retired       BOOLEAN NOT NULL DEFAULT false,
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
    retired         BOOLEAN NOT NULL DEFAULT false,
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
    retired       BOOLEAN NOT NULL DEFAULT false,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX assets_by_project ON assets (project);

CREATE TABLE contract_versions (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset                TEXT NOT NULL REFERENCES assets (key),
    seq                  BIGINT NOT NULL,
    version              TEXT NOT NULL,
    digest               TEXT NOT NULL,
    contract_json        TEXT NOT NULL,
    git_commit           TEXT,
    recorded_at          BIGINT NOT NULL,
    unacknowledged_break BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (asset, seq),
    UNIQUE (asset, version)
);

CREATE TABLE consumers (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset              TEXT NOT NULL,
    project            TEXT NOT NULL REFERENCES projects (name),
    team               TEXT NOT NULL,
    source             TEXT NOT NULL,
    columns_json       TEXT,
    all_columns_reason TEXT,
    purpose            TEXT,
    contact            TEXT,
    retired            BOOLEAN NOT NULL DEFAULT false,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
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
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    force_reason    TEXT
);
CREATE INDEX proposals_by_asset ON proposals (asset, status);
CREATE INDEX proposals_by_breaking_digest ON proposals (breaking_digest);

CREATE TABLE acks (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal        TEXT NOT NULL REFERENCES proposals (id),
    team            TEXT NOT NULL,
    decision        TEXT NOT NULL,
    migrating_until TEXT,
    signer          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    signature       TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX acks_by_proposal ON acks (proposal);

CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    project     TEXT,
    subject     TEXT,
    detail_json TEXT NOT NULL
);
CREATE INDEX events_by_project ON events (project);
CREATE INDEX events_by_subject ON events (subject);
CREATE INDEX events_by_kind ON events (kind text_pattern_ops);

-- Signed acknowledgments and the event log are evidence: nothing may rewrite them.
CREATE FUNCTION tessera_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER acks_no_update BEFORE UPDATE OR DELETE ON acks
    FOR EACH ROW EXECUTE FUNCTION tessera_refuse('acks are append-only');
CREATE TRIGGER acks_no_truncate BEFORE TRUNCATE ON acks
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_refuse('acks are append-only');
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION tessera_refuse('the event log is append-only');
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_refuse('the event log is append-only');
"#;

const V2: &str = r#"
ALTER TABLE proposals ADD COLUMN change_ref TEXT;
ALTER TABLE proposals ADD COLUMN published_version TEXT;
CREATE INDEX proposals_by_change ON proposals (change_ref);
"#;

const V3_CLAIMS: &str = r#"
ALTER TABLE projects ADD COLUMN root_commit TEXT;
ALTER TABLE projects ADD COLUMN remote_url TEXT;
CREATE TABLE team_claims (
    team       TEXT PRIMARY KEY,
    project    TEXT NOT NULL REFERENCES projects (name),
    claimed_at BIGINT NOT NULL
);
CREATE INDEX team_claims_by_project ON team_claims (project);
"#;

const V4_IDENTITY: &str = r#"
ALTER TABLE assets ADD COLUMN identity_source TEXT;
"#;

/// A key is revoked, never deleted, so the event log's "key k… did it" always names a known key.
const V5_API_KEYS: &str = r#"
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    team       TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    hash       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_by_team ON api_keys (team);
CREATE TRIGGER api_keys_no_delete BEFORE DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION tessera_refuse('api keys are revoked, not deleted');
CREATE TRIGGER api_keys_no_truncate BEFORE TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_refuse('api keys are revoked, not deleted');
"#;

/// The last migration applied; 0 for a database without Tessera's tables.
pub(super) fn version(client: &mut impl postgres::GenericClient) -> Result<i64, Fail> {
    let exists: bool = client
        // A plain query, not `to_regclass`: its catalog lookup may predate the migration lock,
        // and a replica that waited for another's migration would not see its table.
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_tables
                            WHERE schemaname = current_schema() AND tablename = 'tessera_schema')",
            &[],
        )?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let row = client.query_one("SELECT coalesce(max(version), 0) FROM tessera_schema", &[])?;
    Ok(row.try_get(0)?)
}

/// Brings the schema to [`SCHEMA_VERSION`], refusing a database that holds someone else's
/// tables or a newer schema (and then writing nothing).
pub(super) fn migrate(client: &mut Client, location: &str) -> Result<(), Fail> {
    if version(client)? == SCHEMA_VERSION {
        return Ok(());
    }
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    let found = version(&mut tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: location.into(),
            found,
            supported: SCHEMA_VERSION,
        }
        .into());
    }
    if found == 0 {
        let tables: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()",
                &[],
            )?
            .try_get(0)?;
        if tables > 0 {
            return Err(StoreError::NotTessera {
                path: location.into(),
                detail: format!("its schema already has {tables} tables of another application"),
            }
            .into());
        }
        tx.batch_execute(
            "CREATE TABLE tessera_schema (
                 version    BIGINT PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )?;
    }
    for (n, sql) in (1_i64..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(found).unwrap_or(0))
    {
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO tessera_schema (version) VALUES ($1)", &[&n])?;
    }
    tx.commit()?;
    Ok(())
}
