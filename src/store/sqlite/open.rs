//! Opening a store file safely: inspect read-only, refuse what is not ours, then configure the
//! connection and migrate.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use super::migrations::{self, APPLICATION_ID, SCHEMA_VERSION};
use super::{Fail, Journal, OpenOptions, classify};
use crate::store::error::StoreError;

/// Long enough for 16 syncs to queue one behind the other, short enough that a hung writer is
/// reported rather than waited on forever.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What is at the store path before anything is written.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Absent,
    /// An empty database (a zero-byte file, or SQLite with no schema and no marker).
    Empty,
    Tessera,
}

/// Opens (and with `create`, creates and initialises) the store; returns the journal mode in
/// use.
pub(super) fn open(path: &Path, options: &OpenOptions) -> Result<(Connection, String), StoreError> {
    let found = inspect(path)?;
    match found {
        Found::Tessera => {}
        Found::Absent | Found::Empty if !options.create => {
            return Err(StoreError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Found::Absent => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(|source| io_error(path, "create it", source))?;
            }
        }
        Found::Empty => {}
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if options.create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let at = |op: &'static str| move |e: Fail| e.at(path, op);
    let mut conn =
        Connection::open_with_flags(path, flags).map_err(|e| at("open the database")(e.into()))?;
    let setup = |conn: &Connection| -> Result<String, Fail> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let want = journal_mode_for(path, options.journal);
        if found == Found::Tessera {
            // Switching the journal mode or migrating writes to the file: check it first, so a
            // damaged store is reported rather than written on top of.
            let current: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            let version = migrations::user_version(conn)?;
            if !current.eq_ignore_ascii_case(want) || version < SCHEMA_VERSION {
                quick_check(conn)?;
            }
        }
        let mode = set_journal_mode(conn, want)?;
        if mode == "wal" {
            // In WAL, NORMAL loses at most the last commits on power loss, never consistency.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.set_prepared_statement_cache_capacity(64);
        Ok(mode)
    };
    let mode = setup(&conn).map_err(at("configure the connection"))?;
    migrations::migrate(&mut conn).map_err(at("migrate its schema"))?;
    Ok((conn, mode))
}

/// Opens an existing store for reading only, for when it may not be written (a read-only file,
/// directory or mount). Nothing is migrated or reconfigured. A store in WAL mode needs its
/// shared-memory file, which a read-only directory cannot hold; with no pending log the file is
/// then read as immutable, which takes no locks and creates nothing.
pub(super) fn open_read_only(path: &Path) -> Result<(Connection, String), StoreError> {
    if inspect(path)? != Found::Tessera {
        return Err(StoreError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let opened = connect(path, flags).and_then(|conn| {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        let version = migrations::user_version(&conn)?;
        Ok((conn, mode, version))
    });
    let (conn, mode, version) = opened.map_err(|e| classify(e, path, "open it for reading"))?;
    if version < SCHEMA_VERSION {
        // An older schema must be migrated before this tessera can read it, and that writes.
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            operation: "upgrade its schema (a reading command run once with write access does it)",
        });
    }
    Ok((conn, format!("{} (read-only)", mode.to_ascii_lowercase())))
}

/// Whether the write-ahead log beside the store holds changes not yet in the main file.
fn wal_pending(path: &Path) -> bool {
    fs::metadata(wal_path(path)).is_ok_and(|m| m.len() > 0)
}

/// A file path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether this process may write the file (or, when it does not exist, its directory).
/// `access(2)` answers for the real user and knows about read-only mounts.
pub(super) fn writable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let can = |p: &Path| {
            std::ffi::CString::new(p.as_os_str().as_bytes())
                // SAFETY: a NUL-terminated path that outlives the call.
                .is_ok_and(|c| unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0)
        };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        can(path) && dir.is_none_or(can)
    }
    #[cfg(not(unix))]
    {
        fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
    }
}

/// Whether the filesystem holding the store has (next to) no room left for an unprivileged
/// writer: less than a few pages.
pub(super) fn no_space_left(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let Ok(c_dir) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        let mut buf = std::mem::MaybeUninit::<libc::statvfs>::uninit();
        // SAFETY: `c_dir` is NUL-terminated and outlives the call; `buf` is read only after
        // statvfs reported success, which means it filled the struct.
        if unsafe { libc::statvfs(c_dir.as_ptr(), buf.as_mut_ptr()) } != 0 {
            return false;
        }
        let st = unsafe { buf.assume_init() };
        #[allow(clippy::unnecessary_cast)]
        let free = st.f_bavail as u64 * st.f_frsize as u64;
        free < 64 * 1024
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// An I/O error while creating the store, named when the user can act on it.
fn io_error(path: &Path, operation: &'static str, source: std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    match source.kind() {
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied => {
            StoreError::ReadOnly { path, operation }
        }
        std::io::ErrorKind::StorageFull => StoreError::Full { path, operation },
        _ => StoreError::Io { path, source },
    }
}

/// Switching the journal mode needs the file to itself for a moment, and SQLite reports a
/// conflict at once instead of calling the busy handler; that happens when several processes
/// create the store together, so wait here as the busy timeout would.
fn set_journal_mode(conn: &Connection, want: &str) -> rusqlite::Result<String> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        let current: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if current.eq_ignore_ascii_case(want) {
            return Ok(current.to_ascii_lowercase());
        }
        match conn.pragma_update_and_check(None, "journal_mode", want, |r| r.get::<_, String>(0)) {
            // SQLite answers with the mode it kept when it cannot use the one asked for.
            Ok(mode) => return Ok(mode.to_ascii_lowercase()),
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn journal_mode_for(path: &Path, journal: Journal) -> &'static str {
    match journal {
        Journal::Wal => "wal",
        Journal::Rollback => "delete",
        Journal::Auto => match filesystem_of(path) {
            // WAL's index lives in shared memory, which hosts on a network share do not share.
            FileSystem::Network(_) => "delete",
            FileSystem::Local => "wal",
        },
    }
}

/// Decides what the file is through a read-only connection, so a file that is not a store of a
/// schema we understand is never written to.
fn inspect(path: &Path) -> Result<Found, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Absent),
        Err(e) => return Err(io(e)),
    };
    let not_sqlite = || StoreError::NotSqlite {
        path: path.to_path_buf(),
    };
    if !meta.is_file() {
        return Err(not_sqlite());
    }
    let wal = wal_path(path);
    let wal_has_data = fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    if meta.len() == 0 && !wal_has_data {
        return Ok(Found::Empty);
    }
    if meta.len() > 0 {
        // Checked by hand first: some garbage makes SQLite report an I/O error rather than
        // "not a database", which would be a misleading message.
        let mut magic = [0u8; 16];
        let mut file = fs::File::open(path).map_err(io)?;
        if file.read_exact(&mut magic).is_err() || &magic != SQLITE_MAGIC {
            return Err(not_sqlite());
        }
    }
    let read = |flags| -> rusqlite::Result<(i64, i64, i64)> {
        let conn = connect(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // One read transaction: a store being created at this moment must not be seen half
        // before and half after its migration commits.
        let tx = conn.unchecked_transaction()?;
        let app: i64 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version = migrations::user_version(&tx)?;
        // Reading the schema also parses page 1 beyond the header, where damage shows first.
        let objects: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, objects))
    };
    let (app, version, objects) = match read(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        // A writer died mid-transaction and left its journal: only a read-write connection may
        // roll it back, which restores the last committed state (what any SQLite opener does).
        Err(e) if needs_recovery(&e) => read(OpenFlags::SQLITE_OPEN_READ_WRITE),
        other => other,
    }
    .map_err(|e| classify(e, path, "inspect the file"))?;
    if app == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        return Ok(Found::Tessera);
    }
    if app == 0 && objects == 0 {
        return Ok(Found::Empty);
    }
    let detail = if app == 0 {
        format!("it has {objects} schema objects and no Tessera marker")
    } else {
        format!("its application id is {app:#010x}, not Tessera's {APPLICATION_ID:#010x}")
    };
    Err(StoreError::NotTessera {
        path: path.to_path_buf(),
        detail,
    })
}

/// Opens `path` with `flags`; a read-only open that SQLite refuses because it cannot create the
/// WAL index beside a store that may not be written, with no pending log, is retried as
/// immutable.
fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    let probe = |conn: Connection| -> rusqlite::Result<Connection> {
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
            r.get::<_, i64>(0)
        })?;
        Ok(conn)
    };
    let first = Connection::open_with_flags(path, flags).and_then(probe);
    match first {
        Err(e)
            if flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY)
                && matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
                )
                && !writable(path)
                && !wal_pending(path) =>
        {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                .and_then(probe)
                .map_err(|_| e)
        }
        other => other,
    }
}

/// `SQLITE_READONLY_RECOVERY`, `_CANTINIT` and `_ROLLBACK`: the read-only connection met a
/// journal it is not allowed to recover.
fn needs_recovery(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| matches!(f.extended_code, 264 | 1288 | 776))
}

fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

/// A page-level check before writing: a damaged store is reported, not written on top of.
/// Linear in the file size (tens of milliseconds at 5,000 assets).
pub(super) fn quick_check(conn: &Connection) -> Result<(), Fail> {
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let problems = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        path: conn.path().map(PathBuf::from).unwrap_or_default(),
        detail: problems.join("; "),
    }
    .into())
}

/// The kind of filesystem a path lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileSystem {
    Local,
    /// A network or userspace filesystem, by name (`nfs`, `cifs`, `fuse`, …).
    Network(&'static str),
}

/// The filesystem of `path`, or of its nearest existing ancestor when it does not exist yet.
/// Unknown (and non-Linux) is taken as local.
pub fn filesystem_of(path: &Path) -> FileSystem {
    let mut probe = Some(path);
    while let Some(p) = probe {
        if let Some(magic) = fs_magic(p) {
            return network_fs_name(magic).map_or(FileSystem::Local, FileSystem::Network);
        }
        probe = p.parent().filter(|d| !d.as_os_str().is_empty());
    }
    FileSystem::Local
}

#[cfg(target_os = "linux")]
fn fs_magic(path: &Path) -> Option<u32> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut buf = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: `c_path` is NUL-terminated and outlives the call; `buf` is only read after statfs
    // reported success, which means it filled the struct.
    let rc = unsafe { libc::statfs(c_path.as_ptr(), buf.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    let st = unsafe { buf.assume_init() };
    // f_type's width differs between architectures; the magic numbers are 32-bit.
    #[allow(clippy::unnecessary_cast)]
    Some((st.f_type as i64 & 0xFFFF_FFFF) as u32)
}

#[cfg(not(target_os = "linux"))]
fn fs_magic(_path: &Path) -> Option<u32> {
    None
}

/// Linux `statfs` magic numbers of filesystems where WAL's shared-memory index is unsafe
/// (`linux/magic.h` and the filesystems' own sources).
pub(super) fn network_fs_name(magic: u32) -> Option<&'static str> {
    Some(match magic {
        0x0000_6969 => "nfs",
        0x0000_517B => "smb",
        0xFF53_4D42 => "cifs",
        0xFE53_4D42 => "smb2",
        0x6573_5546 => "fuse",
        0x0102_1997 => "9p",
        0x786F_4256 => "vboxsf",
        0x00C3_6400 => "ceph",
        0x5346_414F => "afs",
        0x6B41_4653 => "kafs",
        0x4750_4653 => "gpfs",
        0x0BD0_0BD0 => "lustre",
        0x7375_7245 => "coda",
        0x0000_564C => "ncp",
        0x1983_0326 => "beegfs",
        0xAAD7_AAEA => "panfs",
        _ => return None,
    })
}
