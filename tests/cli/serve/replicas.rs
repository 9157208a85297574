//! `tessera serve` over PostgreSQL: the URL's errors, `/health`, and replicas sharing one
//! database.

use super::support::{BOOTSTRAP, Server};
use crate::common::{code, stderr, stdout, tessera};
use crate::coordination::support::{World, json, tools_present};

/// Port 9 on loopback has no PostgreSQL: the connection is refused at once.
const NOWHERE: &str = "postgres://ana:s3cret@127.0.0.1:9/tessera";

#[test]
fn serve_over_an_unreachable_postgres_names_it_without_the_password() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = tessera()
        .current_dir(dir.path())
        .args([
            "serve",
            "--dev",
            "--listen",
            "127.0.0.1:0",
            "--store",
            NOWHERE,
        ])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("tessera::store::unreachable"), "{err}");
    assert!(
        err.contains("could not reach the PostgreSQL store at postgres://ana@127.0.0.1:9/"),
        "{err}"
    );
    assert!(err.contains("Connection refused"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}

/// The commands reach PostgreSQL only through the server, whose keys guard every write.
#[test]
fn the_cli_is_sent_to_tessera_serve_for_a_postgres_store() {
    let dir = tempfile::tempdir().expect("tmp");
    for args in [
        vec!["--store", NOWHERE, "status"],
        vec!["--store", NOWHERE, "assets"],
    ] {
        let o = tessera()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("through `tessera serve`"), "{err}");
        assert!(err.contains("tessera serve --store postgres://"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    // In tessera.yaml too: the line is named and the way out said.
    std::fs::write(
        dir.path().join("tessera.yaml"),
        format!("project: shop\nstore: {NOWHERE}\n"),
    )
    .expect("write");
    let o = tessera()
        .current_dir(dir.path())
        .args(["status"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("tessera.yaml"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tessera serve --store postgres://"),
        "{}",
        stderr(&o)
    );
}

/// Two replicas started at once on a new database migrate it once, report it in `/health`,
/// and each sees what the other wrote.
#[test]
fn two_replicas_share_one_database() {
    if !tools_present() {
        return;
    }
    let Some(db) = super::postgres::fresh() else {
        return;
    };
    let w = World::new();
    let dirs = [w.dir.path().join("a.db"), w.dir.path().join("b.db")];
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::with_keys_on(&db.url, &dirs[0]));
        let b = s.spawn(|| Server::with_keys_on(&db.url, &dirs[1]));
        (a.join().expect("a"), b.join().expect("b"))
    });
    for server in [&a, &b] {
        let health: serde_json::Value = ureq::get(format!("{}/health", server.url))
            .call()
            .expect("health answers")
            .body_mut()
            .read_json()
            .expect("json");
        assert_eq!(health["store"], "postgres", "{health}");
        assert_eq!(
            health["schema_version"],
            tessera::store::postgres::SCHEMA_VERSION,
            "{health}"
        );
    }
    // A key made on one replica works on the other: keys live in the shared database.
    let shop_key = a.key(BOOTSTRAP, "team-shop", "write");
    w.shop.git(&["checkout", "-q", "main"]);
    let o = w
        .cmd(&w.shop)
        .env("TESSERA_STORE", &b.url)
        .env("TESSERA_TOKEN", &shop_key)
        .args(["sync", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let o = w
        .cmd(&w.shop)
        .env("TESSERA_STORE", &a.url)
        .env("TESSERA_TOKEN", &shop_key)
        .args(["assets", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let assets = json(&o);
    assert!(assets.to_string().contains("marts.orders"), "{assets}");
}

/// The database vanishing under a running server: every answer is 503 with the store's code
/// (never a 500, never a crash), the CLI says it could not reach the store, and the server stops
/// cleanly.
#[test]
fn a_server_whose_database_went_away_answers_503_and_keeps_running() {
    let Some(db) = super::postgres::fresh() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start_on(&db.url, &dir.path().join("s.db"), &["--dev"], &[]);
    let health = |url: &str| {
        let mut answer = ureq::get(format!("{url}/health"))
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .expect("the server answers");
        let body: serde_json::Value = answer.body_mut().read_json().expect("json");
        (answer.status().as_u16(), body)
    };
    assert_eq!(health(&server.url).0, 200);
    db.drop_now();
    for _ in 0..2 {
        // The first request finds its pooled connection cut, the second cannot connect.
        let (status, body) = health(&server.url);
        assert_eq!(status, 503, "{body}");
        assert_eq!(
            body["error"]["code"], "tessera::store::unreachable",
            "{body}"
        );
    }
    let o = tessera()
        .current_dir(dir.path())
        .args(["--store", &server.url, "status"])
        .output()
        .expect("runs");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tessera::store::unreachable"),
        "{}",
        stderr(&o)
    );
    let (status, log) = server.stop();
    assert_eq!(status, Some(0), "{log}");
}

/// Connections cut under a running server (a database restart, a failover) are replaced: the
/// next write and read succeed, instead of failing once per pooled connection.
#[test]
fn connections_cut_under_the_server_are_replaced() {
    let Some(db) = super::postgres::fresh() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let server = Server::start_on(&db.url, &dir.path().join("s.db"), &["--dev"], &[]);
    let store = tessera::store::HttpStore::open(&server.url, None).expect("reach the server");
    let event = |n: u32| tessera::store::Event {
        id: 0,
        at: tessera::store::Timestamp(1_780_000_000),
        kind: "test.note".into(),
        project: None,
        subject: Some(format!("n{n}")),
        detail_json: "{}".into(),
    };
    use tessera::store::Store;
    store.append_event(&event(1)).expect("the first write");
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).expect("connect");
    let cut: i64 = admin
        .query_one(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
            &[],
        )
        .expect("terminate the server's connections")
        .get(0);
    assert!(cut >= 1, "the server kept a connection");
    // A POST is never retried by the client: this lands only if the server found a live
    // connection itself.
    store
        .append_event(&event(2))
        .expect("a write after the cut");
    let notes = store
        .events(&tessera::store::EventFilter {
            kind_prefix: Some("test.".into()),
            ..tessera::store::EventFilter::default()
        })
        .expect("a read after the cut");
    assert_eq!(notes.len(), 2, "{notes:?}");
}
