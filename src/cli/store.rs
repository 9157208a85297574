//! Where the coordination store is, and opening it: `--store`, `TESSERA_STORE`, then `store:` in
//! tessera.yaml, then `sqlite:.tessera/tessera.db` next to the configuration. An `http://` or
//! `https://` store is a `tessera serve`, reached with the API key in `TESSERA_TOKEN`.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Error;
use crate::store::{HttpStore, SqliteStore, Store};

use super::context::{Context, LoadedConfig};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Remote(String),
    /// `--store` named a scheme the CLI does not open (`mysql://…`): opening it is an error,
    /// never a SQLite file that happens to be called `mysql:`. A `postgres://…` database is one
    /// too: only `tessera serve` opens it, so every write goes through the server's keys.
    Unsupported {
        value: String,
        scheme: String,
    },
}

impl Location {
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("sqlite:{}", p.display()),
            Location::Remote(u) => u.clone(),
            Location::Unsupported { value, .. } => crate::store::postgres::redact(value),
        }
    }
}

/// The URI scheme `value` starts with, if any (`mysql` in `mysql://x`). One letter is a
/// Windows drive (`C:\x`), not a scheme.
fn scheme(value: &str) -> Option<&str> {
    let (head, _) = value.split_once(':')?;
    let mut chars = head.chars();
    let first = chars.next()?;
    (head.len() > 1
        && first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)))
    .then_some(head)
}

fn parse(value: &str, base: &Path) -> Location {
    let v = value.trim();
    if v.starts_with("http://") || v.starts_with("https://") {
        return Location::Remote(v.to_string());
    }
    if let Some(scheme) = scheme(v).filter(|s| !s.eq_ignore_ascii_case("sqlite")) {
        return Location::Unsupported {
            value: v.to_string(),
            scheme: scheme.to_string(),
        };
    }
    let path = v
        .strip_prefix("sqlite:")
        .map(|p| p.strip_prefix("//").unwrap_or(p))
        .unwrap_or(v);
    Location::Sqlite(base.join(path))
}

pub fn location(ctx: &Context, cfg: &LoadedConfig) -> Location {
    if let Some(flag) = ctx.global.store.as_deref() {
        return parse(flag, &ctx.cwd);
    }
    // A store path in tessera.yaml is relative to that file; with no file, to the repository.
    let base = match &cfg.path {
        Some(_) => cfg.base_dir.clone(),
        None => crate::git::Repo::discover(&ctx.cwd)
            .map(|r| r.root().to_path_buf())
            .unwrap_or_else(|_| ctx.cwd.clone()),
    };
    match &cfg.config.store.value {
        config::Store::Sqlite(p) => Location::Sqlite(base.join(p)),
        config::Store::Remote(u) => Location::Remote(u.clone()),
    }
}

/// Opens the store; `create` makes an empty one (and its directory) when missing.
pub fn open(loc: &Location, create: bool) -> crate::error::Result<Box<dyn Store>> {
    match loc {
        Location::Sqlite(path) => {
            let fresh = create && !path.exists();
            let store = SqliteStore::open(path, create)?;
            if fresh {
                keep_out_of_git(path);
            }
            Ok(Box::new(store))
        }
        Location::Remote(url) => Ok(Box::new(open_remote(url)?)),
        Location::Unsupported { value, scheme } => Err(unsupported(value, scheme).into()),
    }
}

/// The environment variable holding the API key for an HTTP store.
pub const TOKEN: &str = "TESSERA_TOKEN";

/// Connects to a `tessera serve` with the key in `TESSERA_TOKEN`. Plain `http://` is accepted
/// only on loopback: anywhere else the key would cross the network in the clear.
pub fn open_remote(url: &str) -> crate::error::Result<HttpStore> {
    if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        let loopback =
            matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.starts_with("127.");
        if !loopback {
            return Err(Error::Usage {
                message: format!("the store {url} is plain http on a non-loopback host"),
                help: "use https:// for a server on another machine (put TLS in front of `tessera serve`); plain http is for 127.0.0.1".into(),
            }
            .into());
        }
    }
    Ok(HttpStore::open(url, std::env::var(TOKEN).ok())?)
}

/// The SQLite file must never be committed: git holds declarations, the store coordination.
fn keep_out_of_git(db: &Path) {
    if let Some(dir) = db.parent() {
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(
                ignore,
                "# The coordination store is not for git.\n*.db\n*.db-*\n",
            );
        }
    }
}

/// A store location whose scheme tessera does not know (`mysql://…`): never a file by that name.
pub fn unsupported(value: &str, scheme: &str) -> Error {
    if crate::store::postgres::is_url(value) {
        return Error::Usage {
            message: format!(
                "`{}` is a PostgreSQL database: the commands reach it through `tessera serve`",
                crate::report::escape::terminal(&crate::store::postgres::redact(value))
            ),
            help: "run `tessera serve --store postgres://…` (several replicas may share the database), then point `store:` in tessera.yaml, --store or TESSERA_STORE at the server's https:// URL, with an API key in TESSERA_TOKEN".into(),
        };
    }
    Error::Usage {
        message: format!(
            "`{}` is not a store tessera can open: it does not know the `{}` scheme",
            crate::report::escape::terminal(value),
            crate::report::escape::terminal(scheme)
        ),
        help: "use `sqlite:PATH` or a plain path for a SQLite file (e.g. `--store sqlite:.tessera/tessera.db`); `https://…` is a `tessera serve` server, and `postgres://…` a database for `tessera serve`".into(),
    }
}
