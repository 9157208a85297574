//! `tessera serve`: flags and environment to [`crate::server::Options`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::server::Backend;

use super::context::Context;
use super::store::Location;

/// Env var with the secret that may create the first admin key.
pub const BOOTSTRAP: &str = "TESSERA_BOOTSTRAP_KEY";

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The store is --store or TESSERA_STORE: a sqlite:PATH the server creates if missing (also from \
`store:` in tessera.yaml), or a postgres://USER@HOST:PORT/DATABASE that several replicas may share \
(the database must exist; the server migrates its schema at start; the password goes in PGPASSWORD). Every request needs an API key (`Authorization: Bearer KEY`), except \
GET /health. To give a new server its first admin key, start it with TESSERA_BOOTSTRAP_KEY set to \
a secret of 16 characters or more, then run `TESSERA_TOKEN=<that secret> tessera --store URL keys \
create --team TEAM --scope admin`.

Examples:
  tessera serve --store sqlite:/var/lib/tessera/tessera.db --listen 0.0.0.0:8080
  tessera serve --store postgres://tessera@db.internal:5432/tessera --listen 0.0.0.0:8080
  tessera serve --dev --store sqlite:/tmp/try.db     # no keys, 127.0.0.1 only
  tessera serve --demo                                # the examples' data, to try with curl")]
pub struct Args {
    /// Address and port to listen on (port 0: any free port, printed at start)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Run without API keys, for trying the API on one machine; refuses anything but loopback
    #[arg(long)]
    pub dev: bool,
    /// Serve a throwaway store seeded with the shipped examples (the `tessera demo` loop: shop,
    /// bi, a published proposal and its signed ack), without keys, on loopback; --store is ignored
    #[arg(long)]
    pub demo: bool,
    /// Largest request body accepted, in MiB (a larger one is answered 413)
    #[arg(long, default_value_t = 8, value_name = "MIB")]
    pub max_body: usize,
    /// Seconds one request may take before it is answered 503
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    // The demo's directory lives until the server stops.
    let (store, _demo_dir) = if args.demo {
        let (dir, store) = seed_demo()?;
        (Backend::Sqlite(store), Some(dir))
    } else {
        (configured_store(ctx)?, None)
    };
    crate::server::run(crate::server::Options {
        listen: args.listen,
        store,
        dev: args.dev || args.demo,
        bootstrap: std::env::var(BOOTSTRAP).ok(),
        max_body: args.max_body.saturating_mul(1024 * 1024),
        timeout: Duration::from_secs(args.timeout.max(1)),
    })?;
    Ok(ExitStatus::Success)
}

/// Runs `tessera demo --keep` into a temporary directory (its output discarded) and returns the
/// directory and the store it filled.
fn seed_demo() -> crate::error::Result<(tempfile::TempDir, PathBuf)> {
    let fail = |what: String| Error::Usage {
        message: what,
        help: "run `tessera demo` to see which step fails".into(),
    };
    let exe = std::env::current_exe()
        .map_err(|e| fail(format!("cannot find the tessera binary: {e}")))?;
    let dir = tempfile::Builder::new()
        .prefix("tessera-serve-demo")
        .tempdir()
        .map_err(|e| fail(format!("cannot create a temporary directory: {e}")))?;
    let keep = dir.path().join("demo");
    let status = std::process::Command::new(exe)
        .arg("demo")
        .arg("--keep")
        .arg(&keep)
        .env_remove("TESSERA_STORE")
        .env_remove("TESSERA_CONFIG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| fail(format!("cannot run the demo to seed the store: {e}")))?;
    if !status.success() {
        return Err(fail("seeding the demo store failed".into()).into());
    }
    Ok((dir, keep.join("tessera.db")))
}

fn configured_store(ctx: &Context) -> crate::error::Result<Backend> {
    let cfg = ctx.config()?;
    match super::store::location(ctx, &cfg) {
        Location::Sqlite(path) => Ok(Backend::Sqlite(path)),
        Location::Unsupported { value, .. } if crate::store::postgres::is_url(&value) => {
            Ok(Backend::Postgres(value))
        }
        // Opening it says what is wrong with the scheme.
        Location::Unsupported { value, scheme } => {
            Err(super::store::unsupported(&value, &scheme).into())
        }
        Location::Remote(url) => Err(Error::Usage {
            message: format!(
                "`tessera serve` keeps its store in a SQLite file or a PostgreSQL database, not at {url}"
            ),
            help: "pass --store sqlite:PATH or --store postgres://USER@HOST:PORT/DATABASE (or set TESSERA_STORE) on the server".into(),
        }
        .into()),
    }
}
