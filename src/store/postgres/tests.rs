//! What only the PostgreSQL store has: its URL, its connections, its migrations.

use super::*;
use crate::store::conformance::fresh_postgres;

#[test]
fn passwords_never_reach_messages() {
    assert_eq!(
        redact("postgres://ana:s3cret@db.example.com:5432/tessera"),
        "postgres://ana@db.example.com:5432/tessera"
    );
    assert_eq!(
        redact("postgresql://ana@h/db?sslmode=disable&password=s3cret"),
        "postgresql://ana@h/db?sslmode=disable"
    );
    assert_eq!(redact("postgres://h/db?password=x"), "postgres://h/db");
    assert_eq!(redact("postgres://h:5/db"), "postgres://h:5/db");
}

#[test]
fn only_postgres_urls_are_postgres_urls() {
    assert!(is_url("postgres://h/db") && is_url(" POSTGRESQL://h/db"));
    // Not a char boundary at the prefix's length: no panic, just no.
    assert!(!is_url("postgres:/é/db") && !is_url("sqlite:x.db") && !is_url("pg"));
}

#[test]
fn a_refused_connection_names_the_url_without_its_password() {
    // Port 9 on loopback (discard) has no PostgreSQL: the connection is refused at once.
    let err = PostgresStore::open("postgres://ana:s3cret@127.0.0.1:9/tessera").unwrap_err();
    assert!(
        err.to_string()
            .contains("postgres://ana@127.0.0.1:9/tessera: error connecting to server"),
        "{err}"
    );
    assert!(err.to_string().contains("Connection refused"), "{err}");
    let text = format!("{:?}", miette::Report::new(err));
    assert!(text.contains("tessera::store::unreachable"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

/// Replicas started together on a new database: one migrates, the others wait and find it done.
#[test]
fn replicas_starting_together_migrate_once() {
    let Some(db) = fresh_postgres() else {
        return;
    };
    let start = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    PostgresStore::open(&db.url).map(|store| store.status())
                })
            })
            .collect();
        for h in handles {
            let status = h.join().expect("thread").expect("open").expect("status");
            assert_eq!(i64::from(status.schema_version), SCHEMA_VERSION);
        }
    });
    let applied: Vec<i64> = db
        .connect()
        .query("SELECT version FROM tessera_schema ORDER BY version", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(applied, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
}

/// Someone else's database is refused and left as it was; so is a newer Tessera's.
#[test]
fn other_databases_are_refused_untouched() {
    let Some(db) = fresh_postgres() else {
        return;
    };
    db.connect()
        .batch_execute("CREATE TABLE invoices (id int)")
        .unwrap();
    let err = PostgresStore::open(&db.url).unwrap_err();
    assert!(matches!(err, StoreError::NotTessera { .. }), "{err:?}");
    let tables: i64 = db
        .connect()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 1, "nothing was created");

    let Some(db) = fresh_postgres() else {
        return;
    };
    drop(PostgresStore::open(&db.url).unwrap());
    db.connect()
        .batch_execute("INSERT INTO tessera_schema (version) VALUES (99)")
        .unwrap();
    let err = PostgresStore::open(&db.url).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err:?}"
    );
}

/// A database that does not exist is named, without the password, with how to create it.
#[test]
fn a_missing_database_says_so() {
    let Some(db) = fresh_postgres() else {
        return;
    };
    let url = format!("{}_missing", db.url);
    let err = PostgresStore::open(&url).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let text = format!("{:?}", miette::Report::new(err));
    assert!(text.contains("tessera::store::unreachable"), "{text}");
    assert!(text.contains("createdb"), "{text}");
}
