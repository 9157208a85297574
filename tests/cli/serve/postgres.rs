//! A PostgreSQL database of its own for one test, on the server `TESSERA_TEST_POSTGRES_URL`
//! names (a role that may create databases); dropped afterwards. Without the variable a test
//! says why it does not run, unless `TESSERA_TEST_REQUIRE_TOOLS=1` (CI), where that fails it.

use std::sync::atomic::{AtomicU32, Ordering};

pub const POSTGRES_ENV: &str = "TESSERA_TEST_POSTGRES_URL";

pub struct Database {
    admin: String,
    name: String,
    pub url: String,
}

impl Database {
    /// Drops the database now, cutting off whoever is connected to it.
    pub fn drop_now(&self) {
        let mut admin = postgres::Client::connect(&self.admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
        admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .unwrap_or_else(|e| panic!("cannot drop the test database: {e:?}"));
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub fn fresh() -> Option<Database> {
    let Ok(admin) = std::env::var(POSTGRES_ENV) else {
        assert!(
            std::env::var("TESSERA_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{POSTGRES_ENV} is unset, and TESSERA_TEST_REQUIRE_TOOLS=1 requires the PostgreSQL \
             tests to run: start a cluster (see .ci/postgres.sh) and export its URL"
        );
        eprintln!("skipped: {POSTGRES_ENV} is unset, so there is no PostgreSQL to serve from");
        return None;
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "tessera_cli_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(&admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_ENV}: {e}"));
    // A database left by an earlier run that died with the same pid; each statement on its
    // own, since CREATE DATABASE cannot run in the implicit transaction of a batch.
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        format!("CREATE DATABASE \"{name}\""),
    ] {
        client
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("cannot create a test database: {e:?}"));
    }
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin.as_str(), String::new()),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let host = rest.split('/').next().unwrap_or(rest);
    let url = format!("{scheme}://{host}/{name}{query}");
    Some(Database { admin, name, url })
}
