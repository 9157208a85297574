//! Declarative sync: what a project declares is what the store says, and nothing else moves.

use super::Backend;
use crate::store::sqlite::testkit::*;
use crate::store::*;

pub(super) fn sync_twice_changes_nothing(b: &dyn Backend) {
    let store = b.store();
    let first = store.sync_project(&shop(), now(), Some("c1")).unwrap();
    assert!(first.changed);
    assert_eq!(first.assets.created.len(), 2);
    assert_eq!(first.versions.len(), 2);
    let dump_before = b.dump();
    let events = event_count(store);

    let second = store.sync_project(&shop(), now(), Some("c2")).unwrap();
    assert!(!second.changed);
    assert_eq!(
        second,
        SyncOutcome {
            project: "shop".into(),
            ..SyncOutcome::default()
        }
    );
    assert_eq!(event_count(store), events);
    assert_eq!(b.dump(), dump_before);

    // The same declaration in another order takes the full diff path, and still finds nothing.
    let mut shuffled = shop();
    shuffled.assets.reverse();
    shuffled.users[0].teams.push("team-shop".into());
    let third = store.sync_project(&shuffled, now(), Some("c3")).unwrap();
    assert!(!third.changed, "{third:?}");
    assert_eq!(b.dump(), dump_before);
}

pub(super) fn what_a_project_stops_declaring_is_retired_not_deleted(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn a_changed_contract_records_a_new_version(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn reusing_a_version_for_another_contract_is_refused_atomically(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    let before = b.dump();
    let mut bad = shop();
    bad.teams.push(team("team-new"));
    bad.assets[0] = asset("analytics.core.orders", &COLUMNS[2..], Some("1.0.0"));
    let err = store.sync_project(&bad, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidDeclaration { .. }),
        "{err:?}"
    );
    assert_eq!(b.dump(), before, "a refused sync writes nothing");
    bad.assets[0].version = Some("not-semver".into());
    assert!(matches!(
        store.sync_project(&bad, now(), None),
        Err(StoreError::InvalidDeclaration { .. })
    ));
}

pub(super) fn consumers_registered_before_their_producer_are_linked(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn projects_do_not_touch_each_others_rows(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn an_asset_has_one_producer(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&shop(), now(), None).unwrap();
    let before = b.dump();
    let mut thief = bi();
    thief
        .assets
        .push(asset("analytics.core.orders", COLUMNS, None));
    let err = store.sync_project(&thief, now(), None).unwrap_err();
    assert!(
        matches!(err, StoreError::AssetConflict { ref owner, .. } if owner == "shop"),
        "{err:?}"
    );
    assert_eq!(b.dump(), before);
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

pub(super) fn duplicate_registrations_merge(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn teams_and_members_keep_who_declared_them(b: &dyn Backend) {
    let store = b.store();
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

pub(super) fn invalid_stored_values_are_errors_not_panics(b: &dyn Backend) {
    let store = b.store();
    store.sync_project(&bi(), now(), None).unwrap();
    b.exec("UPDATE consumers SET source = 'telepathy'").unwrap();
    // Over HTTP the server's error arrives as the server said it, with the same code.
    let code = |e: StoreError| miette::Diagnostic::code(&e).map(|c| c.to_string());
    let err = store.consumers("analytics.core.orders").unwrap_err();
    assert_eq!(code(err).as_deref(), Some("tessera::store::invalid_data"));
    b.exec("UPDATE consumers SET source = 'dbt_source', columns_json = '{'")
        .unwrap();
    let err = store.consumers("analytics.core.orders").unwrap_err();
    assert_eq!(code(err).as_deref(), Some("tessera::store::invalid_data"));
}

/// Writers through handles of their own (processes, replicas) queue; none is lost.
pub(super) fn sixteen_concurrent_syncs_of_different_projects_all_land(b: &dyn Backend) {
    let start = std::sync::Barrier::new(16);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let store = b.another();
                let start = &start;
                s.spawn(move || {
                    let mut decl = big_declaration(&format!("p{i:02}"), 20, 2);
                    decl.consumers.push(consumer(
                        "analytics.p00.table_00000",
                        &format!("team-{i}"),
                        None,
                    ));
                    start.wait();
                    store.sync_project(&decl, now(), Some("c1"))
                })
            })
            .collect();
        for h in handles {
            let outcome = h
                .join()
                .expect("thread")
                .unwrap_or_else(|e| panic!("a writer failed: {e:?}"));
            assert_eq!(outcome.assets.created.len(), 20);
        }
    });
    let counts = b.store().status().unwrap().counts;
    assert_eq!(counts.projects, 16);
    assert_eq!(counts.assets, 16 * 20);
    assert_eq!(counts.consumers, 16 * (20 * 2 + 1));
    assert_eq!(
        b.store()
            .consumers("analytics.p00.table_00000")
            .unwrap()
            .len(),
        16
    );
}
