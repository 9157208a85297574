//! The store under stress: files that are not stores, newer schemas, concurrent writers, a
//! process dying mid-transaction, and the speed targets.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::open::network_fs_name;
use super::testkit::*;
use super::{FileSystem, SCHEMA_VERSION, filesystem_of, sync};
use crate::store::*;

/// Content digest and modification time: a refused file must keep both.
fn fingerprint(path: &Path) -> (String, std::time::SystemTime) {
    use sha2::{Digest, Sha256};
    let meta = std::fs::metadata(path).unwrap();
    let digest = Sha256::digest(std::fs::read(path).unwrap());
    (
        crate::contract::digest::hex(&digest),
        meta.modified().unwrap(),
    )
}

/// A store of some content whose whole state sits in the main file (no WAL beside it).
fn settled_store(dir: &Path) -> PathBuf {
    let path = dir.join("tessera.db");
    let store = SqliteStore::open_with(
        &path,
        &OpenOptions {
            create: true,
            journal: Journal::Rollback,
        },
    )
    .unwrap();
    store
        .sync_project(&big_declaration("shop", 40, 2), now(), None)
        .unwrap();
    path
}

fn assert_refused(path: &Path, check: impl Fn(&StoreError) -> bool) {
    let before = fingerprint(path);
    std::thread::sleep(Duration::from_millis(20));
    for create in [false, true] {
        let err = SqliteStore::open(path, create).unwrap_err();
        assert!(check(&err), "unexpected error: {err:?}");
        let report = format!("{:?}", miette::Report::new(err));
        assert!(report.contains("tessera::store::"), "{report}");
    }
    assert_eq!(
        fingerprint(path),
        before,
        "a refused file is never modified"
    );
    let dir = path.parent().unwrap();
    for leftover in ["-wal", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(leftover);
        assert!(
            !PathBuf::from(p).exists(),
            "no {leftover} file appears in {dir:?}"
        );
    }
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = settled_store(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    assert_refused(&path, |e| {
        matches!(e, StoreError::NewerSchema { found, supported, .. }
            if *found == SCHEMA_VERSION + 1 && *supported == SCHEMA_VERSION)
    });
}

#[test]
fn garbage_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    assert_refused(&path, |e| matches!(e, StoreError::NotSqlite { .. }));
    // Short text, and garbage behind a real SQLite header.
    std::fs::write(&path, b"hello").unwrap();
    assert_refused(&path, |e| matches!(e, StoreError::NotSqlite { .. }));
    let mut fake = b"SQLite format 3\0".to_vec();
    fake.extend_from_slice(&garbage);
    std::fs::write(&path, &fake).unwrap();
    assert_refused(&path, |e| {
        matches!(e, StoreError::NotSqlite { .. } | StoreError::Corrupt { .. })
    });
}

#[test]
fn another_applications_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        .unwrap();
    drop(conn);
    assert_refused(&path, |e| matches!(e, StoreError::NotTessera { .. }));

    let other = dir.path().join("other.db");
    let conn = Connection::open(&other).unwrap();
    conn.pragma_update(None, "application_id", 0x1234_5678)
        .unwrap();
    drop(conn);
    assert_refused(
        &other,
        |e| matches!(e, StoreError::NotTessera { detail, .. } if detail.contains("0x12345678")),
    );
}

#[test]
fn a_corrupt_store_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = settled_store(dir.path());
    // Page 1's b-tree (the schema) starts right after the 100-byte header.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100..400].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    assert_refused(&path, |e| {
        matches!(e, StoreError::Corrupt { .. } | StoreError::NotSqlite { .. })
    });
}

#[test]
fn a_store_with_damaged_pages_is_not_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = settled_store(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let last = bytes.len() / page - 1;
    // Damage an interior page and the last one: opening may still work, writing must not.
    for p in [3, last] {
        bytes[p * page..p * page + 64].fill(0x5A);
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = fingerprint(&path);
    std::thread::sleep(Duration::from_millis(20));
    // In its own journal mode the store opens without writing; the sync checks before writing.
    let same_mode = OpenOptions {
        create: true,
        journal: Journal::Rollback,
    };
    let store = SqliteStore::open_with(&path, &same_mode).unwrap();
    let err = store
        .sync_project(&big_declaration("shop", 41, 2), now(), None)
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    drop(store);
    // Switching to WAL would write the header: refused at open.
    let err = SqliteStore::open(&path, true).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert_eq!(
        fingerprint(&path),
        before,
        "a damaged store is never written to"
    );
}

#[test]
fn network_filesystems_are_recognised() {
    assert_eq!(network_fs_name(0x6969), Some("nfs"));
    assert_eq!(network_fs_name(0xFF53_4D42), Some("cifs"));
    assert_eq!(network_fs_name(0x6573_5546), Some("fuse"));
    assert_eq!(network_fs_name(0xEF53), None, "ext4 is local");
    assert_eq!(network_fs_name(0x0102_1994), None, "tmpfs is local");
    let dir = tempfile::tempdir().unwrap();
    let tmp_fs = filesystem_of(&dir.path().join("not/yet/created.db"));
    // The temp dir of CI machines is local; say so if this ever runs somewhere it is not.
    assert_eq!(tmp_fs, FileSystem::Local, "temp dir on {tmp_fs:?}");
}

#[test]
fn rollback_journal_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let options = OpenOptions {
        create: true,
        journal: Journal::Rollback,
    };
    let store = SqliteStore::open_with(&path, &options).unwrap();
    assert_eq!(store.journal_mode(), "delete");
    store
        .sync_project(&big_declaration("shop", 3, 1), now(), None)
        .unwrap();
    assert_eq!(store.status().unwrap().journal_mode, "delete");
}

fn sixteen_writers(journal: Journal) {
    let dir = tempfile::tempdir().unwrap();
    let path = Arc::new(dir.path().join("fresh/tessera.db"));
    let start = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let (path, start) = (Arc::clone(&path), Arc::clone(&start));
            std::thread::spawn(move || -> Result<SyncOutcome, StoreError> {
                let mut decl = big_declaration(&format!("p{i:02}"), 60, 3);
                decl.consumers.push(consumer(
                    "analytics.p00.table_00000",
                    &format!("team-{i}"),
                    None,
                ));
                start.wait();
                // Each thread opens its own connection to a file that may not exist yet.
                let options = OpenOptions {
                    create: true,
                    journal,
                };
                let store = SqliteStore::open_with(&path, &options)?;
                store.sync_project(&decl, now(), Some("c1"))
            })
        })
        .collect();
    for h in handles {
        let outcome = h
            .join()
            .expect("thread")
            .unwrap_or_else(|e| panic!("a writer failed: {e:?}"));
        assert_eq!(outcome.assets.created.len(), 60);
    }
    let store = SqliteStore::open(&path, false).unwrap();
    let counts = store.status().unwrap().counts;
    assert_eq!(counts.projects, 16);
    assert_eq!(counts.assets, 16 * 60);
    assert_eq!(counts.consumers, 16 * (60 * 3 + 1));
    assert_eq!(
        store.consumers("analytics.p00.table_00000").unwrap().len(),
        16
    );
}

#[test]
fn sixteen_concurrent_syncs_all_land_in_wal() {
    sixteen_writers(Journal::Wal);
}

#[test]
fn sixteen_concurrent_syncs_all_land_with_a_rollback_journal() {
    sixteen_writers(Journal::Rollback);
}

const CRASH_ENV: &str = "TESSERA_TEST_CRASH_STORE";
const CRASH_JOURNAL_ENV: &str = "TESSERA_TEST_CRASH_JOURNAL";

/// The child's half of a crash test: writes a large sync into an open transaction, forcing
/// pages out of the cache onto disk, then dies without committing.
fn crash_child(path: String) -> ! {
    let journal = match std::env::var(CRASH_JOURNAL_ENV).as_deref() {
        Ok("rollback") => Journal::Rollback,
        _ => Journal::Wal,
    };
    let store = SqliteStore::open_with(
        Path::new(&path),
        &OpenOptions {
            create: false,
            journal,
        },
    )
    .unwrap();
    let decl = big_declaration("shop", 3000, 2);
    let prepared = sync::prepare(&decl).unwrap();
    let mut conn = store.lock();
    // A tiny cache makes SQLite spill uncommitted pages to the journal and the file.
    conn.pragma_update(None, "cache_size", 8).unwrap();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    if sync::apply(&tx, &prepared, now(), Some("doomed")).is_err() {
        std::process::exit(3);
    }
    std::process::abort();
}

/// Runs as the parent; re-runs this same test in a child process (with the store path in the
/// environment), which plays the part of a sync that dies mid-transaction.
fn crash_mid_sync(journal: Journal, name: &str, test_name: &str) {
    if let Ok(path) = std::env::var(CRASH_ENV) {
        crash_child(path);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tessera.db");
    let options = OpenOptions {
        create: true,
        journal,
    };
    let store = SqliteStore::open_with(&path, &options).unwrap();
    let v1 = big_declaration("shop", 50, 2);
    store.sync_project(&v1, now(), Some("good")).unwrap();
    drop(store);
    let before = dump(&path);

    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test_name, "--nocapture"])
        .env(CRASH_ENV, &path)
        .env(CRASH_JOURNAL_ENV, name)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(libc::SIGABRT),
            "the helper must die mid-transaction"
        );
    }
    assert!(
        !status.success(),
        "the helper must die mid-transaction: {status:?}"
    );
    let mut journal_file = path.as_os_str().to_owned();
    journal_file.push(if journal == Journal::Wal {
        "-wal"
    } else {
        "-journal"
    });
    assert!(
        std::fs::metadata(&journal_file).is_ok_and(|m| m.len() > 0),
        "the dead transaction left its journal behind, so recovery is really exercised"
    );

    let store = SqliteStore::open_with(&path, &options).unwrap();
    assert_eq!(dump(&path), before, "the previous state is intact");
    let v2 = big_declaration("shop", 60, 2);
    let out = store.sync_project(&v2, now(), Some("next")).unwrap();
    assert_eq!(out.assets.created.len(), 10);
    assert_eq!(store.status().unwrap().counts.assets, 60);
}

#[test]
fn a_crash_mid_sync_leaves_the_previous_state_in_wal() {
    crash_mid_sync(
        Journal::Wal,
        "wal",
        "store::sqlite::tests_reliability::a_crash_mid_sync_leaves_the_previous_state_in_wal",
    );
}

#[test]
fn a_crash_mid_sync_leaves_the_previous_state_with_a_rollback_journal() {
    crash_mid_sync(
        Journal::Rollback,
        "rollback",
        "store::sqlite::tests_reliability::a_crash_mid_sync_leaves_the_previous_state_with_a_rollback_journal",
    );
}

#[test]
fn many_writers_creating_one_store_at_once() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = Arc::new(dir.path().join("fresh/tessera.db"));
        let start = Arc::new(Barrier::new(16));
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (path, start) = (Arc::clone(&path), Arc::clone(&start));
                std::thread::spawn(move || -> Result<SyncOutcome, StoreError> {
                    let decl = big_declaration(&format!("p{i:02}"), 2, 1);
                    start.wait();
                    SqliteStore::open(&path, true)?.sync_project(&decl, now(), None)
                })
            })
            .collect();
        for h in handles {
            h.join()
                .expect("thread")
                .unwrap_or_else(|e| panic!("a writer failed: {e:?}"));
        }
    }
}
