//! The coordination loop against `tessera serve`: sync producer and consumer, `check` naming the
//! consumer, `impact --propose`, a signed ack, `verify`, and the merge publishing the proposal.

use tessera::store::{
    AssetFilter, ConsumerFilter, EventFilter, PostgresStore, ProposalFilter, SqliteStore, Store,
};

use super::support::{Server, served_world, served_world_on};
use crate::common::{code, stderr, stdout};
use crate::coordination::support::{BO, World, json, tools_present};

/// Runs the loop; `open` opens the store the commands wrote to, read at the end.
fn the_loop(w: &World, open: &dyn Fn() -> Box<dyn Store>) -> String {
    // `check` on the branch names the consumer the server knows.
    let o = w.run(&w.shop, &["check", "--base", "main", "--format", "json"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "column_removed", "{v}");
    assert_eq!(f["impacted"], serde_json::json!(["team-bi"]), "{v}");

    let id = w.propose_id();
    assert_eq!(w.gate(&[]), 1, "the gate waits for team-bi");
    let (o, ack) = w.ack(&id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(ack["counts"], true, "{ack}");
    assert_eq!(ack["signer"], BO, "{ack}");
    assert_eq!(w.gate(&[]), 0, "team-bi approved");

    let (status, acks) = w.verify(&[]);
    assert_eq!(status, 0);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["valid"], true, "{acks:?}");

    // The merge, then `sync` on main publishes the proposal.
    w.shop.git(&["checkout", "-q", "main"]);
    w.shop.git(&["merge", "-q", "--ff-only", "drop-status"]);
    let o = w.run(&w.shop, &["sync", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    assert_eq!(v["published"][0]["proposal"], id.as_str(), "{v}");
    assert_eq!(v["published"][0]["version"], "2.0.0", "{v}");

    // The store holds what a local run would have, read from the store itself.
    let store = open();
    let p = store
        .proposal(&id)
        .expect("read the proposal")
        .expect("the proposal is stored");
    assert_eq!(
        (p.status.name(), p.published_version.as_deref()),
        ("published", Some("2.0.0"))
    );
    assert_eq!(store.acks(&id).expect("read acks").len(), 1);
    summary(store.as_ref())
}

/// What the loop left in the store, without times and ids: equal summaries mean the backends
/// recorded the same assets, versions, registrations, proposals, acks and events.
fn summary(store: &dyn Store) -> String {
    let mut out = Vec::new();
    for p in store.projects().expect("projects") {
        out.push(format!("project {} owner {:?}", p.name, p.owner));
    }
    let all = AssetFilter {
        include_retired: true,
        ..AssetFilter::default()
    };
    for a in store.assets(&all).expect("assets") {
        out.push(format!(
            "asset {} of {} retired {}",
            a.key, a.project, a.retired
        ));
        for v in store.contract_versions(&a.key).expect("versions") {
            out.push(format!("  version {} {}", v.version, v.digest));
        }
    }
    for c in store
        .registrations(&ConsumerFilter::default())
        .expect("consumers")
    {
        out.push(format!(
            "consumer {} {} {} {:?}",
            c.asset, c.project, c.team, c.columns
        ));
    }
    for p in store
        .proposals(&ProposalFilter::default())
        .expect("proposals")
    {
        out.push(format!(
            "proposal {} {} {:?} {:?}",
            p.asset,
            p.status.name(),
            p.impacted,
            p.published_version
        ));
        for a in store.acks(&p.id).expect("acks") {
            out.push(format!("  ack {} {:?} {}", a.team, a.decision, a.signer));
        }
    }
    let events = store.events(&EventFilter::default()).expect("events");
    out.extend(
        events
            .iter()
            .map(|e| format!("event {} {:?}", e.kind, e.subject)),
    );
    out.join("\n")
}

fn sqlite_at(path: std::path::PathBuf) -> impl Fn() -> Box<dyn Store> {
    move || Box::new(SqliteStore::open(&path, false).expect("open the store file"))
}

#[test]
fn the_loop_runs_the_same_against_a_local_file() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    the_loop(&w, &sqlite_at(w.db_path()));
}

#[test]
fn the_loop_runs_against_tessera_serve_in_dev_mode() {
    if !tools_present() {
        return;
    }
    let (w, _server) = served_world(false);
    let served = the_loop(&w, &sqlite_at(w.db_path()));
    let local = World::new();
    assert_eq!(served, the_loop(&local, &sqlite_at(local.db_path())));
}

/// `tessera serve` over PostgreSQL records exactly what a local SQLite file does.
#[test]
fn the_loop_runs_against_tessera_serve_over_postgres_as_on_a_local_file() {
    if !tools_present() {
        return;
    }
    let Some(db) = super::postgres::fresh() else {
        return;
    };
    let (w, _server) = served_world_on(Some(&db.url), false);
    let url = db.url.clone();
    let served = the_loop(&w, &move || {
        Box::new(PostgresStore::open(&url).expect("open the database"))
    });
    let local = World::new();
    assert_eq!(served, the_loop(&local, &sqlite_at(local.db_path())));
    assert!(served.contains("event ack.recorded"), "{served}");
}

#[test]
fn the_loop_runs_against_tessera_serve_over_postgres_with_team_keys() {
    if !tools_present() {
        return;
    }
    let Some(db) = super::postgres::fresh() else {
        return;
    };
    let (w, server) = served_world_on(Some(&db.url), true);
    let url = db.url.clone();
    the_loop(&w, &move || {
        Box::new(PostgresStore::open(&url).expect("open the database"))
    });
    let (status, log) = server.stop();
    assert_eq!(status, Some(0), "{log}");
    assert!(log.contains("store=postgres://"), "{log}");
}

#[test]
fn the_loop_runs_against_tessera_serve_with_team_keys() {
    if !tools_present() {
        return;
    }
    let (w, server) = served_world(true);
    the_loop(&w, &sqlite_at(w.db_path()));
    // SIGTERM is a clean stop, and every request was logged with its id.
    let (status, log) = server.stop();
    assert_eq!(status, Some(0), "{log}");
    assert!(log.contains("request{id=r"), "{log}");
    // Who asked is on the request's log lines.
    assert!(log.contains("caller=key k"), "{log}");
    assert!(log.contains("(team-bi)"), "{log}");
    assert!(log.contains("stopped"), "{log}");
}

#[test]
fn a_server_that_cannot_be_reached_is_a_clear_error_with_exit_2() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start(&dir.path().join("s.db"), &["--dev"], &[]);
    let url = server.url.clone();
    let _ = server.stop();
    let o = crate::common::tessera()
        .current_dir(dir.path())
        .args(["--store", &url, "status"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tessera::store::unreachable"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains(&url), "{}", stderr(&o));
}

#[test]
fn racing_acks_and_impacts_through_the_server_lose_no_approval() {
    if !tools_present() {
        return;
    }
    let (w, _server) = served_world(true);
    crate::coordination::gate::concurrent_acks_and_impacts(&w);
}

#[test]
fn serve_demo_answers_with_the_examples_data() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    // --demo ignores --store: the given file stays absent.
    let unused = dir.path().join("unused.db");
    let server = Server::start(&unused, &["--demo"], &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into();
    let get = |path: &str| -> serde_json::Value {
        agent
            .get(format!("{}{path}", server.url))
            .call()
            .expect("answers")
            .body_mut()
            .read_json()
            .expect("json")
    };
    let health = get("/health");
    assert_eq!(health["auth"], false, "{health}");
    let assets = get("/api/v1/assets");
    let keys: Vec<&str> = assets
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["key"].as_str())
        .collect();
    assert!(keys.contains(&"marts.orders"), "{assets}");
    let proposals = get("/api/v1/proposals");
    assert_eq!(proposals[0]["status"], "published", "{proposals}");
    let consumers = get("/api/v1/consumers?asset=marts.orders");
    assert_eq!(consumers[0]["team"], "team-bi", "{consumers}");
    assert!(!unused.exists());
    let (status, log) = server.stop();
    assert_eq!(status, Some(0), "{log}");
}

#[test]
fn check_without_its_server_still_reports_the_break_and_says_consumers_are_unknown() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start(&dir.path().join("s.db"), &["--dev"], &[]);
    let url = server.url.clone();
    let _ = server.stop();
    let o = w
        .cmd(&w.shop)
        .env("TESSERA_STORE", &url)
        .args(["check", "--base", "main", "--format", "json"])
        .output()
        .expect("runs");
    // The break still blocks; only who it hurts is unknown.
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("could not reach the store server"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("the consumer list is unknown"),
        "{}",
        stderr(&o)
    );
    assert_eq!(json(&o)["findings"][0]["rule"], "column_removed");
}

#[test]
fn plain_http_is_refused_off_loopback_before_any_request() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = crate::common::tessera()
        .current_dir(dir.path())
        .args(["--store", "http://192.0.2.1:8080", "status"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plain http on a non-loopback host"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("https://"), "{}", stderr(&o));
}

#[test]
fn store_in_tessera_yaml_may_be_the_server() {
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start(&dir.path().join("s.db"), &["--dev"], &[]);
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("mkdir");
    std::fs::write(
        repo.join("tessera.yaml"),
        format!("project: shop\nstore: {}/\n", server.url),
    )
    .expect("write");
    let o = crate::common::tessera()
        .current_dir(&repo)
        .args(["status", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let location = v["location"].as_str().expect("location");
    assert!(location.starts_with(&server.url), "{v}");
    assert!(location.contains("serving sqlite:"), "{v}");
    assert_eq!(
        v["schema_version"],
        tessera::store::sqlite::SCHEMA_VERSION,
        "{v}"
    );
}
