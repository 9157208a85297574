//! A `tessera serve` child process on 127.0.0.1 with a port the system picks, stopped with
//! SIGTERM when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::common::{code, stderr, stdout, tessera};
use crate::coordination::support::{Remote, World};

pub const BOOTSTRAP: &str = "bootstrap-secret-for-tests-0123456789";

pub struct Server {
    child: Child,
    pub url: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `tessera serve --listen 127.0.0.1:0 --store sqlite:DB ARGS` and waits for its
    /// "listening on" line.
    pub fn start(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_on(&format!("sqlite:{}", db.display()), db, args, env)
    }

    /// The same with any `--store` (`postgres://…`); `db` says where the log goes and the server
    /// runs.
    pub fn start_on(store: &str, db: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let log = db.with_extension("log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tessera"));
        for (k, _) in std::env::vars_os() {
            if k.to_str().is_some_and(|k| k.starts_with("TESSERA_")) {
                cmd.env_remove(k);
            }
        }
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--store", store])
            .args(args)
            .envs(env.iter().copied())
            .current_dir(db.parent().expect("db dir"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("server log"));
        let mut child = cmd.spawn().expect("tessera serve starts");
        let mut line = String::new();
        let out = child.stdout.take().expect("stdout");
        BufReader::new(out).read_line(&mut line).expect("read");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "no listening line: {line:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        Server { child, url, log }
    }

    /// A server with API keys, whose bootstrap secret is [`BOOTSTRAP`].
    pub fn with_keys(db: &Path) -> Server {
        Server::with_keys_on(&format!("sqlite:{}", db.display()), db)
    }

    pub fn with_keys_on(store: &str, db: &Path) -> Server {
        Server::start_on(store, db, &[], &[("TESSERA_BOOTSTRAP_KEY", BOOTSTRAP)])
    }

    /// Creates a key with `tessera keys create` and returns its token.
    pub fn key(&self, admin: &str, team: &str, scope: &str) -> String {
        let o = tessera()
            .env("TESSERA_STORE", &self.url)
            .env("TESSERA_TOKEN", admin)
            .args(["keys", "create", "--team", team, "--scope", scope])
            .args(["--format", "json"])
            .output()
            .expect("tessera runs");
        assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["token"].as_str().expect("token").to_string()
    }

    /// Stops the server as an operator would (SIGTERM) and returns its exit status and log.
    pub fn stop(mut self) -> (Option<i32>, String) {
        self.terminate();
        let status = self.child.wait().expect("wait");
        (
            status.code(),
            std::fs::read_to_string(&self.log).unwrap_or_default(),
        )
    }

    fn terminate(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child's pid, which we have not reaped yet.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
            let _ = self.child.wait();
        }
    }
}

/// The coordination world (shop produces, bi consumes) served by a `tessera serve` on its store
/// file; with `keys`, shop's and bi's commands each carry their own team's write key.
pub fn served_world(keys: bool) -> (World, Server) {
    served_world_on(None, keys)
}

/// The same served from `postgres` (a `postgres://…` URL) when given, else from the world's
/// store file.
pub fn served_world_on(postgres: Option<&str>, keys: bool) -> (World, Server) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("store.db");
    let store = match postgres {
        Some(url) => url.to_string(),
        None => format!("sqlite:{}", db.display()),
    };
    let (server, remote) = if keys {
        let server = Server::with_keys_on(&store, &db);
        let remote = Remote {
            url: server.url.clone(),
            shop_token: Some(server.key(BOOTSTRAP, "team-shop", "write")),
            bi_token: Some(server.key(BOOTSTRAP, "team-bi", "write")),
        };
        (server, remote)
    } else {
        let server = Server::start_on(&store, &db, &["--dev"], &[]);
        let remote = Remote {
            url: server.url.clone(),
            shop_token: None,
            bi_token: None,
        };
        (server, remote)
    };
    (World::at(dir, Some(remote)), server)
}
