//! The backends the behaviour suite runs against, each fresh and private to one test.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::store::sqlite::testkit;
use crate::store::{HttpStore, KeyStore, PostgresStore, SqliteStore, Store};

/// A fresh store, with ways to look at and meddle with its database behind the store's back.
pub(crate) trait Backend {
    fn store(&self) -> &dyn Store;
    /// Another handle on the same store: another connection, pool or HTTP client, as another
    /// process (or replica) would have.
    fn another(&self) -> Box<dyn Store>;
    /// Every row of every table, sorted: equal dumps mean nothing was written.
    fn dump(&self) -> String;
    /// Runs SQL on the database directly, as an operator with the database's password could.
    fn exec(&self, sql: &str) -> Result<(), String>;
    /// The server's API keys, on the backends `tessera serve` runs on.
    fn keys(&self) -> Option<&dyn KeyStore> {
        None
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Sqlite,
    Postgres,
    Http,
}

impl Kind {
    /// `None` when this backend cannot run here (and that is allowed): the reason is printed.
    pub(crate) fn make(self) -> Option<Box<dyn Backend>> {
        match self {
            Kind::Sqlite => Some(Box::new(SqliteBackend::new())),
            Kind::Http => Some(Box::new(HttpBackend::new())),
            Kind::Postgres => {
                let db = fresh_postgres()?;
                let store = PostgresStore::open(&db.url).expect("open the test database");
                Some(Box::new(PostgresBackend { store, db }))
            }
        }
    }
}

struct SqliteBackend {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: SqliteStore,
}

impl SqliteBackend {
    fn new() -> SqliteBackend {
        let (dir, path, store) = testkit::fresh();
        SqliteBackend {
            _dir: dir,
            path,
            store,
        }
    }
}

fn sqlite_exec(path: &std::path::Path, sql: &str) -> Result<(), String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
    conn.execute_batch(sql).map_err(|e| e.to_string())
}

impl Backend for SqliteBackend {
    fn store(&self) -> &dyn Store {
        &self.store
    }
    fn another(&self) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.path, false).expect("reopen"))
    }
    fn dump(&self) -> String {
        testkit::dump(&self.path)
    }
    fn exec(&self, sql: &str) -> Result<(), String> {
        sqlite_exec(&self.path, sql)
    }
    fn keys(&self) -> Option<&dyn KeyStore> {
        Some(&self.store)
    }
}

/// `tessera serve` without keys, in this process, over a SQLite file of its own.
struct HttpBackend {
    sqlite: SqliteBackend,
    url: String,
    store: HttpStore,
}

impl HttpBackend {
    fn new() -> HttpBackend {
        let sqlite = SqliteBackend::new();
        let served = SqliteStore::open(&sqlite.path, false).expect("open for the server");
        let url = crate::server::serve_for_tests(Arc::new(served));
        let store = HttpStore::open(&url, None).expect("reach the test server");
        HttpBackend { sqlite, url, store }
    }
}

impl Backend for HttpBackend {
    fn store(&self) -> &dyn Store {
        &self.store
    }
    fn another(&self) -> Box<dyn Store> {
        Box::new(HttpStore::open(&self.url, None).expect("reach the test server"))
    }
    fn dump(&self) -> String {
        self.sqlite.dump()
    }
    fn exec(&self, sql: &str) -> Result<(), String> {
        self.sqlite.exec(sql)
    }
}

struct PostgresBackend {
    // Dropped first: its connections must close before the database is dropped.
    store: PostgresStore,
    db: TestDatabase,
}

impl Backend for PostgresBackend {
    fn store(&self) -> &dyn Store {
        &self.store
    }
    fn another(&self) -> Box<dyn Store> {
        Box::new(PostgresStore::open(&self.db.url).expect("open again"))
    }
    fn dump(&self) -> String {
        let mut c = self.db.connect();
        let tables = c
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()
                 ORDER BY tablename",
                &[],
            )
            .expect("list tables");
        let mut out = String::new();
        for t in tables {
            let table: String = t.get(0);
            let mut rows: Vec<String> = c
                .query(&format!("SELECT t::text FROM \"{table}\" t"), &[])
                .expect("rows")
                .iter()
                .map(|r| r.get(0))
                .collect();
            rows.sort();
            out.push_str(&format!("## {table}\n{}\n", rows.join("\n")));
        }
        out
    }
    fn exec(&self, sql: &str) -> Result<(), String> {
        self.db.connect().batch_execute(sql).map_err(|e| {
            e.as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string())
        })
    }
    fn keys(&self) -> Option<&dyn KeyStore> {
        Some(&self.store)
    }
}

/// The variable naming a PostgreSQL server the tests may create databases on.
pub const POSTGRES_ENV: &str = "TESSERA_TEST_POSTGRES_URL";

/// A database created for one test, dropped (with whatever still connects to it) when dropped.
pub(crate) struct TestDatabase {
    admin: String,
    name: String,
    /// The new database's URL.
    pub url: String,
}

impl TestDatabase {
    pub(crate) fn connect(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}/{db}{query}")
}

/// A new, empty database on the server of [`POSTGRES_ENV`]; `None` (with the reason printed)
/// when the variable is unset, which fails the test when `TESSERA_TEST_REQUIRE_TOOLS=1`.
pub(crate) fn fresh_postgres() -> Option<TestDatabase> {
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        assert!(
            std::env::var("TESSERA_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{POSTGRES_ENV} is unset, and TESSERA_TEST_REQUIRE_TOOLS=1 requires the PostgreSQL \
             tests to run: start a cluster (see .ci/postgres.sh) and export its URL"
        );
        eprintln!("skipped: {POSTGRES_ENV} is unset, so there is no PostgreSQL to test against");
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!(
        "tessera_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
    let url = with_database(&admin, &name);
    Some(TestDatabase { admin, name, url })
}
