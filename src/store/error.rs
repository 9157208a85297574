//! Store errors. Every one means "Tessera could not do its job" (exit 2), and every one says
//! what to do next. Backend errors are carried as boxed sources so that no SQLite (or HTTP) type
//! appears in the [`super::Store`] signature.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum StoreError {
    #[error("there is no coordination store at {}", path.display())]
    #[diagnostic(
        code(tessera::store::not_found),
        help(
            "run `tessera sync` in a project to create it, or point `store:` in tessera.yaml, \
             `--store` or `TESSERA_STORE` at the right file"
        )
    )]
    NotFound { path: PathBuf },

    #[error("could not create or open the store at {}", path.display())]
    #[diagnostic(
        code(tessera::store::io),
        help("check that the directory exists or can be created, and that you may write to it")
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a SQLite database, so it cannot be a Tessera store", path.display())]
    #[diagnostic(
        code(tessera::store::not_sqlite),
        help(
            "the file was left untouched; point the store at another path, or move this file \
             away and run `tessera sync` to create a new store"
        )
    )]
    NotSqlite { path: PathBuf },

    #[error("the store at {} is corrupt: {detail}", path.display())]
    #[diagnostic(
        code(tessera::store::corrupt),
        help(
            "the file was left untouched; restore it from a backup, or move it aside and run \
             `tessera sync` in every project to rebuild it from git (proposals and acks are only \
             in the store and would be lost)"
        )
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error("{} is a SQLite database but not a Tessera store ({detail})", path.display())]
    #[diagnostic(
        code(tessera::store::not_tessera),
        help(
            "the file was left untouched; the store path probably points at another \
             application's database: choose another path for `store:`"
        )
    )]
    NotTessera { path: PathBuf, detail: String },

    #[error(
        "the store at {} has schema version {found}, newer than the {supported} this tessera knows",
        path.display()
    )]
    #[diagnostic(
        code(tessera::store::newer_schema),
        help(
            "a newer tessera wrote this store; upgrade tessera (the store was not modified and \
             must not be written by an older version)"
        )
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("the store at {} stayed locked by another writer for too long", path.display())]
    #[diagnostic(
        code(tessera::store::busy),
        help(
            "another tessera process is writing, or one hung while holding the lock; retry, and \
             if it persists look for a stuck process using the file"
        )
    )]
    Busy { path: PathBuf },

    #[error("the store at {} is read-only, so tessera could not {operation}", path.display())]
    #[diagnostic(
        code(tessera::store::read_only),
        help(
            "reading commands (assets, consumers, graph, status, verify, proposals list) work on a \
             read-only store; to write, run where the file and its directory are writable (check \
             the permissions, a read-only mount, or a cache restored read-only)"
        )
    )]
    ReadOnly {
        path: PathBuf,
        operation: &'static str,
    },

    #[error("the disk holding the store at {} is full, so tessera could not {operation}", path.display())]
    #[diagnostic(
        code(tessera::store::disk_full),
        help(
            "free space on that filesystem and run again; nothing was half-written (the \
             transaction was rolled back)"
        )
    )]
    Full {
        path: PathBuf,
        operation: &'static str,
    },

    #[error("the store at {} could not {operation}", path.display())]
    #[diagnostic(
        code(tessera::store::backend),
        help("this is unexpected; run again with the same store, and report it if it persists")
    )]
    Backend {
        path: PathBuf,
        operation: &'static str,
        #[source]
        source: BoxError,
    },

    #[error("the store holds an invalid {what}: {detail}")]
    #[diagnostic(
        code(tessera::store::invalid_data),
        help(
            "something other than this tessera wrote to the store; restore it from a backup or \
             rebuild it with `tessera sync`"
        )
    )]
    InvalidData { what: &'static str, detail: String },

    #[error("project `{project}` declares something the store cannot record: {message}")]
    #[diagnostic(code(tessera::store::invalid_declaration), help("{help}"))]
    InvalidDeclaration {
        project: String,
        message: String,
        help: String,
    },

    #[error("asset `{asset}` is already declared by project `{owner}`, not `{project}`")]
    #[diagnostic(
        code(tessera::store::asset_conflict),
        help(
            "one relation has one producer: remove it from one of the two projects; to move it, \
             remove it from `{owner}` and sync that project first"
        )
    )]
    AssetConflict {
        asset: String,
        owner: String,
        project: String,
    },

    #[error("project `{project}` belongs to {held_by}; this sync comes from {from}")]
    #[diagnostic(code(tessera::store::project_claimed), help("{help}"))]
    ProjectClaimed {
        project: String,
        held_by: String,
        from: String,
        help: String,
    },

    #[error(
        "team `{team}` is owned by project `{owner}`; project `{project}` cannot also declare it \
         as `owner:`"
    )]
    #[diagnostic(
        code(tessera::store::team_claimed),
        help(
            "only the owning project's members and keys speak for a team. Use a team name of your \
             own; or have `{owner}` stop declaring `owner: {team}` and sync it, which releases the \
             team; or, if `{project}` now owns it, run `tessera sync --takeover --reason \"…\"` \
             (recorded in the event log and shown by `tessera status`)"
        )
    )]
    TeamClaimed {
        team: String,
        owner: String,
        project: String,
    },

    #[error("there is no proposal `{id}`")]
    #[diagnostic(
        code(tessera::store::proposal_not_found),
        help("`tessera proposals` lists the proposals the store knows")
    )]
    ProposalNotFound { id: String },

    #[error("proposal {id} changed while this command was deciding what to write: {what}")]
    #[diagnostic(
        code(tessera::store::conflict),
        help(
            "another `tessera impact` or `tessera ack` wrote to the same proposal at the same \
             moment; nothing of this run was written: run the command again"
        )
    )]
    Conflict { id: String, what: String },

    #[error("could not reach the PostgreSQL store at {location}: {detail}")]
    #[diagnostic(
        code(tessera::store::unreachable),
        help(
            "check that PostgreSQL runs and accepts TCP connections at that host and port, and \
             that the URL's user and database are right (postgres://USER@HOST:PORT/DATABASE); \
             create the database first if it does not exist (`createdb`), and give the password \
             in PGPASSWORD rather than in the URL"
        )
    )]
    Unreachable { location: String, detail: String },

    #[error("`{location}` is not a PostgreSQL URL tessera can use: {detail}")]
    #[diagnostic(
        code(tessera::store::bad_location),
        help(
            "write postgres://USER@HOST:PORT/DATABASE, e.g. \
             postgres://tessera@127.0.0.1:5432/tessera, and give the password in PGPASSWORD"
        )
    )]
    BadLocation { location: String, detail: String },

    /// A `tessera serve` refused or could not be reached; carries the server's own code.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Remote(Box<super::http::RemoteError>),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
