//! The embedded store: one SQLite file shared by every project that syncs into it.
//!
//! Opening never writes to a file before it is known to be a Tessera store of a schema this
//! binary understands: the file is first inspected through a read-only connection. Every write
//! runs in a `BEGIN IMMEDIATE` transaction, which takes the write lock up front so a writer never
//! has to upgrade a read lock (an upgrade can fail with `SQLITE_BUSY` that `busy_timeout` cannot
//! wait out); with a 10 s busy timeout, concurrent syncs queue instead of failing.

pub(crate) mod coord;
mod keys;
mod migrations;
mod open;
mod read;
pub(crate) mod sync;

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_reliability;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::Store;
use super::error::{Result, StoreError};
use super::model::*;
use super::time::Timestamp;

pub use migrations::{APPLICATION_ID, SCHEMA_VERSION};
pub use open::{FileSystem, filesystem_of};

/// How the file journals its writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Journal {
    /// WAL on local disks, a rollback journal on network filesystems, where WAL's shared memory
    /// index does not work.
    #[default]
    Auto,
    Wal,
    /// `journal_mode=DELETE`.
    Rollback,
}

#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Create the file (and its directory) when it does not exist, and initialise an empty one.
    pub create: bool,
    pub journal: Journal,
}

pub struct SqliteStore {
    path: PathBuf,
    journal_mode: String,
    // A `Connection` is `Send` but not `Sync`; the mutex lets one store serve `&self` methods from
    // several threads. Each process (and each test thread) opens its own store for parallelism.
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .field("journal_mode", &self.journal_mode)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the store at `path`; with `create`, makes it (and its directory) when missing.
    pub fn open(path: &Path, create: bool) -> Result<SqliteStore> {
        SqliteStore::open_with(
            path,
            &OpenOptions {
                create,
                ..OpenOptions::default()
            },
        )
    }

    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<SqliteStore> {
        let path = std::path::absolute(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let (conn, journal_mode) = match open::open(&path, options) {
            // A store that may not be written still serves every reading command; a write then
            // fails with the same read-only error.
            Err(e @ StoreError::ReadOnly { .. }) => match open::open_read_only(&path) {
                Ok(opened) => opened,
                Err(StoreError::Backend { .. } | StoreError::NotFound { .. }) => return Err(e),
                Err(other) => return Err(other),
            },
            other => other?,
        };
        Ok(SqliteStore {
            path,
            journal_mode,
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `wal` or `delete`.
    pub fn journal_mode(&self) -> &str {
        &self.journal_mode
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its transaction, which rolled back: the
        // connection is still sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Connection) -> Result<T, Fail>,
    ) -> Result<T> {
        let conn = self.lock();
        f(&conn).map_err(|e| e.at(&self.path, operation))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction and commits; any error rolls everything back.
    fn write<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, Fail>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let run = |conn: &mut Connection| -> Result<T, Fail> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run(&mut conn).map_err(|e| e.at(&self.path, operation))
    }
}

/// An error inside the backend, before it is given its path and operation.
pub(crate) enum Fail {
    Sql(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        Fail::Sql(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Fail {
        Fail::Store(e)
    }
}

impl Fail {
    fn at(self, path: &Path, operation: &'static str) -> StoreError {
        match self {
            Fail::Store(e) => e,
            Fail::Sql(e) => classify(e, path, operation),
        }
    }
}

/// Names the SQLite failures a user can act on; everything else is a backend error.
fn classify(e: rusqlite::Error, path: &Path, operation: &'static str) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path, operation },
        Some(ErrorCode::DiskFull) => StoreError::Full { path, operation },
        // A full disk often surfaces as an I/O error (growing the WAL index, syncing the log).
        Some(ErrorCode::SystemIoFailure) if open::no_space_left(&path) => {
            StoreError::Full { path, operation }
        }
        // SQLite cannot open the file or create its journal beside it: on a store that is there
        // but may not be written, that is a read-only store, not a mystery.
        Some(ErrorCode::CannotOpen) if path.exists() && !open::writable(&path) => {
            StoreError::ReadOnly { path, operation }
        }
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::NotADatabase) => StoreError::NotSqlite { path },
        _ => StoreError::Backend {
            path,
            operation,
            source: Box::new(e),
        },
    }
}

/// A value read from the database that does not parse: DB contents are outside data.
pub(crate) fn invalid(what: &'static str, detail: impl std::fmt::Display) -> Fail {
    Fail::Store(StoreError::InvalidData {
        what,
        detail: detail.to_string(),
    })
}

impl Store for SqliteStore {
    fn status(&self) -> Result<StoreStatus> {
        let location = format!("sqlite:{}", self.path.display());
        self.read("read its status", |c| {
            read::status(c, location, &self.journal_mode)
        })
    }

    fn sync_project(
        &self,
        declaration: &Declaration,
        now: Timestamp,
        commit: Option<&str>,
    ) -> Result<SyncOutcome> {
        let prepared = sync::prepare(declaration)?;
        // The same declaration as last time leaves nothing to do; checking outside the write
        // lock keeps no-op syncs (the common case in CI) from queueing behind real ones.
        let unchanged = self.read("read the project", |c| sync::is_unchanged(c, &prepared))?;
        if unchanged {
            return Ok(SyncOutcome {
                project: declaration.project.clone(),
                ..SyncOutcome::default()
            });
        }
        self.read("check its integrity", open::quick_check)?;
        self.write("record the sync", |tx| {
            sync::apply(tx, &prepared, now, commit)
        })
    }

    fn projects(&self) -> Result<Vec<ProjectInfo>> {
        self.read("read projects", read::projects)
    }

    fn team_claims(&self) -> Result<Vec<TeamClaim>> {
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
