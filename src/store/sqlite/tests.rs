//! Behaviour of the SQLite store: schema, declarative sync, reads, coordination records.

use rusqlite::Connection;

use super::testkit::*;
use super::{APPLICATION_ID, SCHEMA_VERSION};
use crate::store::*;

#[test]
fn migrates_an_empty_file_and_marks_it() {
    let (_dir, path, store) = fresh();
    let status = store.status().unwrap();
    assert_eq!(i64::from(status.schema_version), SCHEMA_VERSION);
    assert_eq!(status.counts, Counts::default());
    assert_eq!(status.location, format!("sqlite:{}", path.display()));
    assert_eq!(status.journal_mode, "wal");
    let conn = Connection::open(&path).unwrap();
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    assert_eq!(app, APPLICATION_ID);
    let marker: String = conn
        .query_row(
            "SELECT value FROM tessera_meta WHERE key = 'application'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(marker, "tessera");
    let fk: bool = store
        .read("t", |c| {
            Ok(c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?)
        })
        .unwrap();
    assert!(fk, "foreign keys are enforced on every connection");
}

#[test]
fn reopening_changes_nothing() {
    let (_dir, path, store) = fresh();
    store.sync_project(&shop(), now(), Some("abc")).unwrap();
    drop(store);
    let before = std::fs::read(&path).unwrap();
    let dump_before = dump(&path);
    let store = SqliteStore::open(&path, true).unwrap();
    assert_eq!(store.assets(&AssetFilter::default()).unwrap().len(), 2);
    drop(store);
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the file is byte for byte the same"
    );
    assert_eq!(dump(&path), dump_before);
}

#[test]
fn a_missing_store_is_not_created_without_create() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none/tessera.db");
    let err = SqliteStore::open(&path, false).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(!path.exists() && !path.parent().unwrap().exists());
    // An empty file is an empty database: a store only once created.
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        SqliteStore::open(&path, false),
        Err(StoreError::NotFound { .. })
    ));
    let store = SqliteStore::open(&path, true).unwrap();
    assert_eq!(
        i64::from(store.status().unwrap().schema_version),
        SCHEMA_VERSION
    );
}
