//! The PostgreSQL store: one database shared by several `tessera serve` replicas.
//!
//! It keeps the SQLite store's semantics exactly, down to the order of the event log. Every
//! write runs in a transaction that first takes one advisory lock, so writers queue one after
//! another as they do on SQLite's `BEGIN IMMEDIATE`, whichever replica they reach, and each sees
//! everything committed before it (READ COMMITTED takes a fresh snapshot per statement, after
//! the lock). Checks and writes therefore need no retry loop, and event ids grow in commit
//! order: with concurrent writers and a sequence alone, a transaction committing later could
//! hold a smaller id, and a reader following the log with `after_id` would skip its events.
//! Reads take no lock and never wait for writers. Concurrent syncs of different projects all
//! land; they take turns, like on SQLite.
//!
//! The client is the blocking `postgres` crate: the [`Store`] trait is synchronous, the CLI has
//! no async runtime, and the server runs every store call on tokio's blocking pool (the blocking
//! client must never run on a runtime's worker thread, and it does not).

mod coord;
mod keys;
mod migrations;
mod pool;
mod read;
mod sync;

use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Transaction};

use super::Store;
use super::error::{Result, StoreError};
use super::model::*;
use super::time::Timestamp;

pub use migrations::SCHEMA_VERSION;

/// Serialises writers across every process using the database: "TESS" and 2.
const WRITE_LOCK: i64 = 0x5445_5353_0000_0002;

/// Connections one store (one process) keeps at most.
const POOL_SIZE: usize = 16;

/// How long a call waits for a free connection, and a writer for the write lock, before
/// answering [`StoreError::Busy`]. Longer than SQLite's 10 s: replicas share one queue.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct PostgresStore {
    /// The URL without its password, for messages and `status`.
    location: String,
    pool: pool::Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Whether `value` names a PostgreSQL database (`postgres://…` or `postgresql://…`).
pub fn is_url(value: &str) -> bool {
    let v = value.trim();
    ["postgres://", "postgresql://"].iter().any(|p| {
        v.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// `url` without a password, wherever it was given (`user:secret@` or `?password=secret`).
pub fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| !kv.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    if scheme.is_empty() {
        format!("{authority}{tail}")
    } else {
        format!("{scheme}://{authority}{tail}")
    }
}

impl PostgresStore {
    /// Connects to the database at `url` and migrates it to [`SCHEMA_VERSION`]. The database
    /// must exist; an empty one becomes a store, one with other tables is refused untouched.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let location = redact(url.trim());
        let bad = |detail: String| StoreError::BadLocation {
            location: location.clone(),
            detail,
        };
        if !is_url(url) {
            return Err(bad("it does not start with postgres://".into()));
        }
        let mut config: postgres::Config = url
            .trim()
            .parse()
            .map_err(|e: postgres::Error| bad(redact(&e.to_string())))?;
        if config.get_dbname().is_none() {
            return Err(bad(
                "it names no database (the part after the last `/`)".into()
            ));
        }
        if config.get_password().is_none()
            && let Ok(password) = std::env::var("PGPASSWORD")
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("tessera");
        let store = PostgresStore {
            location: location.clone(),
            pool: pool::Pool::new(config, POOL_SIZE, PATIENCE),
        };
        let mut client = store.pool.get().map_err(|e| e.at(&location, "connect"))?;
        migrations::migrate(&mut client, &location).map_err(|e| e.at(&location, "migrate"))?;
        drop(client);
        Ok(store)
    }

    /// `postgres://user@host:port/db`, without the password.
    pub fn location(&self) -> &str {
        &self.location
    }

    fn read<T>(
        &self,
        operation: &'static str,
        f: impl Fn(&mut Client) -> Result<T, Fail>,
    ) -> Result<T> {
        let run = || -> Result<T, Fail> {
            let mut client = self.pool.get()?;
            match f(&mut client) {
                // The connection was cut while idle: a read may simply be asked again.
                Err(_) if client.is_closed() => {
                    drop(client);
                    f(&mut *self.pool.get_live()?)
                }
                done => done,
            }
        };
        run().map_err(|e| e.at(&self.location, operation))
    }

    /// Runs `f` in a transaction holding the write lock and commits; an error rolls back.
    fn write<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T> {
        let run = || -> Result<T, Fail> {
            // Checked first: a write that found its connection dead could not tell whether its
            // commit landed, so it must never be the one to find out.
            let mut client = self.pool.get_live()?;
            let mut tx = client.transaction()?;
            tx.batch_execute(&format!(
                "SET LOCAL lock_timeout = '{}s'; SELECT pg_advisory_xact_lock({WRITE_LOCK})",
                PATIENCE.as_secs()
            ))?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|e| e.at(&self.location, operation))
    }
}

/// An error inside the backend, before it is given its location and operation.
pub(crate) enum Fail {
    Sql(postgres::Error),
    Connect(postgres::Error),
    /// Every pooled connection stayed in use for [`PATIENCE`].
    Exhausted,
    Store(StoreError),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Fail {
        Fail::Sql(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Store(e)
    }
}

impl Fail {
    fn at(self, location: &str, operation: &'static str) -> StoreError {
        let path = std::path::PathBuf::from(location);
        let unreachable = |e: &postgres::Error| StoreError::Unreachable {
            location: location.to_string(),
            detail: redact(&chain(e)),
        };
        match self {
            Fail::Store(e) => e,
            Fail::Exhausted => StoreError::Busy { path },
            Fail::Connect(e) => unreachable(&e),
            Fail::Sql(e) if e.is_closed() => unreachable(&e),
            Fail::Sql(e) => match e.code() {
                Some(c)
                    if *c == SqlState::LOCK_NOT_AVAILABLE
                        || *c == SqlState::T_R_SERIALIZATION_FAILURE
                        || *c == SqlState::T_R_DEADLOCK_DETECTED
                        || *c == SqlState::TOO_MANY_CONNECTIONS =>
                {
                    StoreError::Busy { path }
                }
                Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => {
                    StoreError::ReadOnly { path, operation }
                }
                Some(c) if *c == SqlState::DISK_FULL => StoreError::Full { path, operation },
                Some(c)
                    if *c == SqlState::INVALID_PASSWORD
                        || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                        || *c == SqlState::INVALID_CATALOG_NAME
                        || *c == SqlState::ADMIN_SHUTDOWN
                        || *c == SqlState::CANNOT_CONNECT_NOW =>
                {
                    unreachable(&e)
                }
                _ => StoreError::Backend {
                    path,
                    operation,
                    source: Box::new(e),
                },
            },
        }
    }
}

/// The error and its causes on one line: the client's own message ("error connecting to
/// server") says nothing of why ("Connection refused").
fn chain(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// A value read from the database that does not parse: its contents are outside data.
pub(crate) fn invalid(what: &'static str, detail: impl std::fmt::Display) -> Fail {
    Fail::Store(StoreError::InvalidData {
        what,
        detail: detail.to_string(),
    })
}

impl Store for PostgresStore {
    fn status(&self) -> Result<StoreStatus> {
        self.read("read its status", |c| {
            read::status(c, self.location.clone())
        })
    }

    fn sync_project(
        &self,
        declaration: &Declaration,
        now: Timestamp,
        commit: Option<&str>,
    ) -> Result<SyncOutcome> {
        let prepared = crate::store::sqlite::sync::prepare(declaration)?;
        // As on SQLite: an unchanged declaration (the common case in CI) does not queue for
        // the write lock.
        let unchanged = self.read("read the project", |c| sync::is_unchanged(c, &prepared))?;
        if unchanged {
            return Ok(SyncOutcome {
                project: declaration.project.clone(),
                ..SyncOutcome::default()
            });
        }
        self.write("record the sync", |tx| {
            sync::apply(tx, &prepared, now, commit)
        })
    }

    fn projects(&self) -> Result<Vec<ProjectInfo>> {
        self.read("read projects", read::projects)
    }

    fn team_claims(&self) -> Result<Vec<super::TeamClaim>> {
        self.read("read team claims", read::team_claims)
    }

    fn assets(&self, filter: &AssetFilter) -> Result<Vec<Asset>> {
        self.read("read assets", |c| read::assets(c, filter))
    }

    fn asset(&self, key: &str) -> Result<Option<Asset>> {
        self.read("read an asset", |c| read::asset(c, key))
    }

    fn contract_versions(&self, asset: &str) -> Result<Vec<ContractVersion>> {
        self.read("read contract versions", |c| {
            read::contract_versions(c, asset, None)
        })
    }

    fn latest_contract(&self, asset: &str) -> Result<Option<ContractVersion>> {
        self.read("read the latest contract", |c| {
            Ok(read::contract_versions(c, asset, Some(1))?.pop())
        })
    }

    fn registrations(&self, filter: &ConsumerFilter) -> Result<Vec<Consumer>> {
        self.read("read consumers", |c| read::registrations(c, filter))
    }

    fn teams(&self) -> Result<Vec<Team>> {
        self.read("read teams", read::teams)
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read("read users", read::users)
    }

    fn put_proposal(&self, proposal: &Proposal) -> Result<bool> {
        self.write("record the proposal", |tx| {
            coord::put_proposal(tx, proposal)
        })
    }

    fn proposal(&self, id: &str) -> Result<Option<Proposal>> {
        self.read("read a proposal", |c| coord::proposal(c, id))
    }

    fn proposals(&self, filter: &ProposalFilter) -> Result<Vec<Proposal>> {
        self.read("read proposals", |c| coord::proposals(c, filter))
    }

    fn set_proposal_status(&self, id: &str, status: ProposalStatus, now: Timestamp) -> Result<()> {
        self.write("change the proposal's status", |tx| {
            coord::set_proposal_status(tx, id, status, now)
        })
    }

    fn add_ack(&self, ack: &Ack) -> Result<Ack> {
        self.write("record the acknowledgment", |tx| coord::add_ack(tx, ack))
    }

    fn acks(&self, proposal: &str) -> Result<Vec<Ack>> {
        self.read("read acknowledgments", |c| coord::acks(c, proposal))
    }

    fn commit(&self, batch: &Batch) -> Result<Committed> {
        self.write("record the proposals and acknowledgments", |tx| {
            coord::commit(tx, batch)
        })
    }

    fn append_event(&self, event: &Event) -> Result<Event> {
        self.write("append the event", |tx| coord::append_event(tx, event))
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        self.read("read events", |c| coord::events(c, filter))
    }
}

#[cfg(test)]
mod tests;
