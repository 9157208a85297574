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

#[test]
fn sync_twice_changes_nothing() {
    let (_dir, path, store) = fresh();
    let first = store.sync_project(&shop(), now(), Some("c1")).unwrap();
    assert!(first.changed);
    assert_eq!(first.assets.created.len(), 2);
    assert_eq!(first.versions.len(), 2);
    let dump_before = dump(&path);
    let events = event_count(&store);

    let second = store.sync_project(&shop(), now(), Some("c2")).unwrap();
    assert!(!second.changed);
    assert_eq!(
        second,
        SyncOutcome {
            project: "shop".into(),
            ..SyncOutcome::default()
        }
    );
    assert_eq!(event_count(&store), events);
    assert_eq!(dump(&path), dump_before);

    // The same declaration in another order takes the full diff path, and still finds nothing.
    let mut shuffled = shop();
    shuffled.assets.reverse();
    shuffled.users[0].teams.push("team-shop".into());
    let third = store.sync_project(&shuffled, now(), Some("c3")).unwrap();
    assert!(!third.changed, "{third:?}");
    assert_eq!(dump(&path), dump_before);
}

#[test]
fn what_a_project_stops_declaring_is_retired_not_deleted() {
    let (_dir, _path, store) = fresh();
    store.sync_project(&shop(), now(), None).unwrap();
    store.sync_project(&bi(), now(), None).unwrap();

    let mut shop2 = shop();
    shop2
        .assets
        .retain(|a| a.asset.key == "analytics.core.orders");
    shop2.users.clear();
    let out = store.sync_project(&shop2, now(), None).unwrap();
    assert_eq!(out.assets.retired, vec!["analytics.core.customers"]);
    assert_eq!(out.users.retired, vec!["ana@example.com"]);
    let gone = store.asset("analytics.core.customers").unwrap().unwrap();
    assert!(gone.retired);
    assert_eq!(store.contract_versions(&gone.key).unwrap().len(), 1);
    let active = store.assets(&AssetFilter::default()).unwrap();
    assert!(active.iter().all(|a| a.key != gone.key));
    let all = store
        .assets(&AssetFilter {
            include_retired: true,
            ..AssetFilter::default()
        })
        .unwrap();
    assert!(all.iter().any(|a| a.key == gone.key));
    assert!(
        store
            .users()
            .unwrap()
            .iter()
            .all(|u| u.email != "ana@example.com")
    );

    // Declared again with the same contract: restored, no new version.
    let out = store.sync_project(&shop(), now(), None).unwrap();
    assert_eq!(out.assets.updated, vec!["analytics.core.customers"]);
    assert!(out.versions.is_empty());
    assert!(!store.asset(&gone.key).unwrap().unwrap().retired);
    let restored = store
        .events(&EventFilter {
            subject: Some(gone.key.clone()),
            ..EventFilter::default()
        })
        .unwrap();
    let kinds: Vec<&str> = restored.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "asset.created",
            "contract.version",
            "consumer.registered",
            "asset.retired",
            "asset.restored"
        ]
    );

    // A consumer registration that is no longer declared is retired too.
    let mut bi2 = bi();
    bi2.consumers.pop();
    let out = store.sync_project(&bi2, now(), None).unwrap();
    assert_eq!(out.consumers.retired.len(), 1);
    assert!(
        store
            .consumers("analytics.core.customers")
            .unwrap()
            .is_empty()
    );
    let history = store
        .registrations(&ConsumerFilter {
            include_retired: true,
            ..ConsumerFilter::default()
        })
        .unwrap();
    assert_eq!(history.iter().filter(|c| c.retired).count(), 1);
}

#[test]
fn a_changed_contract_records_a_new_version() {
    let (_dir, _path, store) = fresh();
    store.sync_project(&shop(), now(), Some("c1")).unwrap();
    let mut shop2 = shop();
    shop2.assets[0] = asset("analytics.core.orders", &COLUMNS[1..], Some("2.0.0"));
    shop2.assets[0].unacknowledged_break = true;
    // No suggestion: the next major.
    shop2.assets[1] = asset("analytics.core.customers", &[("id", "varchar")], None);
    let later = Timestamp(now().0 + 60);
    let out = store.sync_project(&shop2, later, Some("c2")).unwrap();
    let got: Vec<(&str, &str, Option<&str>, bool)> = out
        .versions
        .iter()
        .map(|v| {
            (
                v.asset.as_str(),
                v.version.as_str(),
                v.previous.as_deref(),
                v.unacknowledged_break,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("analytics.core.customers", "2.0.0", Some("1.0.0"), false),
            ("analytics.core.orders", "2.0.0", Some("1.0.0"), true),
        ]
    );
    let versions = store.contract_versions("analytics.core.orders").unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].version, "1.0.0");
    assert_eq!(versions[1].commit.as_deref(), Some("c2"));
    assert_eq!(versions[1].recorded_at, later);
    assert!(versions[1].unacknowledged_break);
    assert!(!versions[1].contract_json.contains("\"name\":\"id\""));
    let latest = store
        .latest_contract("analytics.core.orders")
        .unwrap()
        .unwrap();
    assert_eq!(latest, versions[1]);
    let flagged = store
        .events(&EventFilter {
            kind_prefix: Some(kinds::CONTRACT_UNACKNOWLEDGED_BREAK.into()),
            ..EventFilter::default()
        })
        .unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].subject.as_deref(), Some("analytics.core.orders"));
    // Owner and mode changes alone update the asset without a version.
    let mut shop3 = shop2.clone();
    shop3.assets[0].asset.mode = "FULL".into();
    let out = store.sync_project(&shop3, later, None).unwrap();
    assert_eq!(out.assets.updated, vec!["analytics.core.orders"]);
    assert!(out.versions.is_empty());
}

#[test]
fn reusing_a_version_for_another_contract_is_refused_atomically() {
    let (_dir, path, store) = fresh();
    store.sync_project(&shop(), now(), None).unwrap();
    let before = dump(&path);
    let mut bad = shop();
    bad.teams.push(team("team-new"));
    bad.assets[0] = asset("analytics.core.orders", &COLUMNS[2..], Some("1.0.0"));
    let err = store.sync_project(&bad, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidDeclaration { .. }),
        "{err:?}"
    );
    assert_eq!(dump(&path), before, "a refused sync writes nothing");
    bad.assets[0].version = Some("not-semver".into());
    assert!(matches!(
        store.sync_project(&bad, now(), None),
        Err(StoreError::InvalidDeclaration { .. })
    ));
}

#[test]
fn consumers_registered_before_their_producer_are_linked() {
    let (_dir, _path, store) = fresh();
    let out = store.sync_project(&bi(), now(), None).unwrap();
    assert_eq!(out.consumers.registered.len(), 2);
    assert!(store.asset("analytics.core.orders").unwrap().is_none());
    let waiting = store.consumers("analytics.core.orders").unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        waiting[0].columns.as_deref(),
        Some(&["id".to_string(), "status".into()][..])
    );

    let out = store.sync_project(&shop(), now(), None).unwrap();
    let linked: Vec<(&str, &str)> = out
        .linked
        .iter()
        .map(|c| (c.asset.as_str(), c.project.as_str()))
        .collect();
    assert_eq!(
        linked,
        [
            ("analytics.core.customers", "bi"),
            ("analytics.core.orders", "bi")
        ]
    );
    let consumers = store.consumers("analytics.core.customers").unwrap();
    assert_eq!(consumers.len(), 1);
    assert_eq!(consumers[0].team, "team-bi");
    assert_eq!(consumers[0].columns, None);
    assert_eq!(consumers[0].all_columns_reason.as_deref(), Some("select *"));
    assert_eq!(consumers[0].source, RegistrationSource::DbtSource);
}

#[test]
fn projects_do_not_touch_each_others_rows() {
    let (_dir, _path, store) = fresh();
    store.sync_project(&shop(), now(), None).unwrap();
    let shop_assets = store.assets(&AssetFilter::default()).unwrap();
    store.sync_project(&bi(), now(), None).unwrap();
    // bi declares nothing any more: only bi's rows retire.
    let out = store
        .sync_project(
            &Declaration {
                project: "bi".into(),
                ..Declaration::default()
            },
            now(),
            None,
        )
        .unwrap();
    assert_eq!(out.assets.retired, vec!["analytics.bi.revenue"]);
    assert_eq!(out.teams.retired, vec!["team-bi"]);
    let shop_now = store
        .assets(&AssetFilter {
            project: Some("shop".into()),
            ..AssetFilter::default()
        })
        .unwrap();
    assert_eq!(shop_now, shop_assets);
    assert_eq!(
        store
            .teams()
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["team-shop"]
    );
    let names: Vec<String> = store
        .projects()
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["bi", "shop"]);
}

#[test]
fn an_asset_has_one_producer() {
    let (_dir, path, store) = fresh();
    store.sync_project(&shop(), now(), None).unwrap();
    let before = dump(&path);
    let mut thief = bi();
    thief
        .assets
        .push(asset("analytics.core.orders", COLUMNS, None));
    let err = store.sync_project(&thief, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::AssetConflict { ref owner, .. } if owner == "shop"),
        "{err:?}"
    );
    assert_eq!(dump(&path), before);
    // Once shop stops declaring it, bi may take it over, keeping its history.
    let mut shop2 = shop();
    shop2
        .assets
        .retain(|a| a.asset.key != "analytics.core.orders");
    store.sync_project(&shop2, now(), None).unwrap();
    let out = store.sync_project(&thief, now(), None).unwrap();
    assert!(
        out.assets
            .updated
            .contains(&"analytics.core.orders".to_string())
    );
    let moved = store.asset("analytics.core.orders").unwrap().unwrap();
    assert_eq!((moved.project.as_str(), moved.retired), ("bi", false));
    assert_eq!(store.contract_versions(&moved.key).unwrap().len(), 1);
}

#[test]
fn duplicate_registrations_merge() {
    let (_dir, _path, store) = fresh();
    let mut d = bi();
    d.consumers = vec![
        consumer("analytics.core.orders", "team-bi", Some(&["status"])),
        consumer("analytics.core.orders", "team-bi", Some(&["id", "status"])),
        consumer("analytics.core.customers", "team-bi", Some(&["id"])),
        consumer("analytics.core.customers", "team-bi", None),
    ];
    store.sync_project(&d, now(), None).unwrap();
    let orders = store.consumers("analytics.core.orders").unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].columns, Some(vec!["id".into(), "status".into()]));
    let customers = store.consumers("analytics.core.customers").unwrap();
    assert_eq!(customers[0].columns, None);
    assert_eq!(customers[0].all_columns_reason.as_deref(), Some("select *"));
}

#[test]
fn teams_and_members_keep_who_declared_them() {
    let (_dir, _path, store) = fresh();
    store.sync_project(&shop(), now(), None).unwrap();
    let mut bi = bi();
    bi.users
        .push(user("ana@example.com", &["team-bi", "team-shop"]));
    store.sync_project(&bi, now(), None).unwrap();
    let members = store.team_members("team-shop").unwrap();
    let who: Vec<(&str, &str)> = members
        .iter()
        .map(|u| (u.email.as_str(), u.project.as_str()))
        .collect();
    assert_eq!(
        who,
        [("ana@example.com", "bi"), ("ana@example.com", "shop")]
    );
    assert_eq!(store.team_members("team-bi").unwrap().len(), 2);
    assert!(store.team_members("team-none").unwrap().is_empty());
}

#[test]
fn invalid_stored_values_are_errors_not_panics() {
    let (_dir, path, store) = fresh();
    store.sync_project(&bi(), now(), None).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE consumers SET source = 'telepathy'", [])
        .unwrap();
    let err = store.consumers("analytics.core.orders").unwrap_err();
    assert!(matches!(err, StoreError::InvalidData { .. }), "{err:?}");
    conn.execute(
        "UPDATE consumers SET source = 'dbt_source', columns_json = '{'",
        [],
    )
    .unwrap();
    assert!(matches!(
        store.consumers("analytics.core.orders"),
        Err(StoreError::InvalidData { .. })
    ));
}
