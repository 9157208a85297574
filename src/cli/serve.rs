//! `tessera serve`: flags and environment to [`crate::server::Options`].

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::Error;
use crate::exit::ExitStatus;

use super::context::Context;
use super::store::Location;

/// Env var with the secret that may create the first admin key.
pub const BOOTSTRAP: &str = "TESSERA_BOOTSTRAP_KEY";

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The store is --store (or TESSERA_STORE, or `store:` in tessera.yaml), a sqlite:PATH the server \
creates if missing. Every request needs an API key (`Authorization: Bearer KEY`), except \
GET /health. To give a new server its first admin key, start it with TESSERA_BOOTSTRAP_KEY set to \
a secret of 16 characters or more, then run `TESSERA_TOKEN=<that secret> tessera --store URL keys \
create --team TEAM --scope admin`.

Examples:
  tessera serve --store sqlite:/var/lib/tessera/tessera.db --listen 0.0.0.0:8080
  tessera serve --dev --store sqlite:/tmp/try.db     # no keys, 127.0.0.1 only")]
pub struct Args {
    /// Address and port to listen on (port 0: any free port, printed at start)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Run without API keys, for trying the API on one machine; refuses anything but loopback
    #[arg(long)]
    pub dev: bool,
    /// Largest request body accepted, in MiB (a larger one is answered 413)
    #[arg(long, default_value_t = 8, value_name = "MIB")]
    pub max_body: usize,
    /// Seconds one request may take before it is answered 503
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let store = match super::store::location(ctx, &cfg) {
        Location::Sqlite(path) => path,
        Location::Remote(url) => {
            return Err(Error::Usage {
                message: format!("`tessera serve` keeps its store in a SQLite file, not at {url}"),
                help: "pass --store sqlite:PATH (or set TESSERA_STORE) on the server".into(),
            }
            .into());
        }
    };
    crate::server::run(crate::server::Options {
        listen: args.listen,
        store,
        dev: args.dev,
        bootstrap: std::env::var(BOOTSTRAP).ok(),
        max_body: args.max_body.saturating_mul(1024 * 1024),
        timeout: Duration::from_secs(args.timeout.max(1)),
    })?;
    Ok(ExitStatus::Success)
}
