//! The world the coordination tests share: the shipped producer (`examples/shop`) and consumer
//! (`examples/bi`) in two git repositories, one SQLite store, Bo's real ssh-keygen key registered
//! by bi, and shop on a branch that drops `orders.status`, which bi reads.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{TestRepo, code, have_tool, stderr, stdout, tessera};

pub const BO: &str = "bo@example.com";
pub const MARTS: &str = "models/marts/_marts.yml";
pub const ORDERS_STATUS: &str = "      - name: status\n        data_type: text\n        data_tests:\n          - accepted_values: {values: [placed, shipped, completed, returned]}\n";
/// bi's `revenue_by_status` reads it.
pub const ORDERS_ORDER_DATE: &str = "      - name: order_date\n        data_type: date\n";
/// No bi model reads it.
pub const ORDERS_ORDER_ID: &str = "      - name: order_id\n        data_type: integer\n        constraints: [{type: not_null}, {type: primary_key}]\n";

/// git and ssh-keygen, or a printed skip (a failure under `TESSERA_TEST_REQUIRE_TOOLS=1`).
pub fn tools_present() -> bool {
    have_tool("git") && have_tool("ssh-keygen")
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub shop: TestRepo,
    pub bi: TestRepo,
    /// Bo's private key; its `.pub` sits beside it.
    pub bo_key: PathBuf,
    /// A `tessera serve` on this world's store file, instead of the file itself.
    pub remote: Option<Remote>,
}

/// Where a served world's commands go, and the API key each repository's CI would hold.
pub struct Remote {
    pub url: String,
    pub shop_token: Option<String>,
    pub bi_token: Option<String>,
}

impl World {
    pub fn new() -> World {
        World::at(tempfile::tempdir().expect("tmp"), None)
    }

    /// A world in `dir` (its store is `dir/store.db`), reached through `remote` when given.
    pub fn at(dir: tempfile::TempDir, remote: Option<Remote>) -> World {
        std::fs::create_dir(dir.path().join("home")).expect("mkdir home");
        let (bo_key, bo_pub) = keygen(dir.path(), "bo", BO);
        let world = World {
            shop: example_repo("shop"),
            bi: example_repo("bi"),
            dir,
            bo_key,
            remote,
        };
        edit(
            &world.bi,
            "tessera.yaml",
            "teams: [team-bi]}",
            &format!("teams: [team-bi], ssh_keys: [\"{bo_pub}\"]}}"),
        );
        world.bi.commit("register bo's key");
        world.sync(&world.bi);
        world.sync(&world.shop);
        world.shop.git(&["checkout", "-q", "-b", "drop-status"]);
        // The model stops selecting `status` and its YAML entry goes with it: a real drop.
        edit(&world.shop, "models/marts/orders.sql", "    status,\n", "");
        world.drop_column(ORDERS_STATUS);
        world
    }

    pub fn store(&self) -> String {
        match &self.remote {
            Some(r) => r.url.clone(),
            None => format!("sqlite:{}", self.db_path().display()),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("store.db")
    }

    /// The store file opened directly, as an attacker with write access to it would.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db_path()).expect("open the store")
    }

    /// How many acks the store holds, read from the file itself.
    pub fn stored_acks(&self) -> i64 {
        self.db()
            .query_row("SELECT count(*) FROM acks", [], |r| r.get(0))
            .expect("count acks")
    }

    /// Asserts that an `ack` run was refused before anything was written: exit 1, the reason
    /// on stderr and in JSON, and no new row in the store.
    pub fn assert_refused(&self, o: &Output, ack: &Value, code_word: &str, before: i64) {
        assert_eq!(code(o), 1, "{}{}", stdout(o), stderr(o));
        assert!(
            stderr(o).contains("was not recorded"),
            "says nothing was recorded: {}",
            stderr(o)
        );
        assert_eq!(ack["recorded"], false, "{ack}");
        assert_eq!(ack["rejection"], code_word, "{ack}");
        assert_eq!(self.stored_acks(), before, "nothing stored");
        assert_eq!(self.gate(&[]), 1, "the gate stays closed");
    }

    pub fn key(&self) -> String {
        self.bo_key.display().to_string()
    }

    /// `tessera` in `repo` on this world's store, with a home of its own (no global git config,
    /// no default key) and no ssh-agent unless the caller sets one.
    pub fn cmd(&self, repo: &TestRepo) -> assert_cmd::Command {
        let mut cmd = tessera();
        cmd.current_dir(repo.path())
            .env("TESSERA_STORE", self.store())
            .env("HOME", self.dir.path().join("home"))
            .env_remove("SSH_AUTH_SOCK");
        if let Some(remote) = &self.remote {
            let token = if repo.path() == self.bi.path() {
                &remote.bi_token
            } else {
                &remote.shop_token
            };
            if let Some(token) = token {
                cmd.env("TESSERA_TOKEN", token);
            }
        }
        cmd
    }

    pub fn run(&self, repo: &TestRepo, args: &[&str]) -> Output {
        self.cmd(repo).args(args).output().expect("tessera runs")
    }

    pub fn sync(&self, repo: &TestRepo) {
        let o = self.run(repo, &["sync"]);
        assert_eq!(code(&o), 0, "sync failed: {}{}", stdout(&o), stderr(&o));
    }

    /// Removes a column block from shop's marts and commits it on the current branch.
    pub fn drop_column(&self, block: &str) {
        edit(&self.shop, MARTS, block, "");
        self.shop.commit("drop a column");
    }

    /// `tessera impact --base main` in shop with JSON output.
    pub fn impact(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["impact", "--base", "main", "--format", "json"];
        args.extend_from_slice(extra);
        let o = self.run(&self.shop, &args);
        (code(&o), json(&o))
    }

    /// Opens (or updates) the proposal for `marts.orders` and returns it; the gate is closed.
    pub fn propose(&self, extra: &[&str]) -> Value {
        let mut args = vec!["--propose", "--require-acks"];
        args.extend_from_slice(extra);
        let (status, v) = self.impact(&args);
        assert_eq!(status, 1, "a fresh proposal waits for team-bi: {v}");
        let proposals = v["proposals"].as_array().expect("proposals");
        assert_eq!(proposals.len(), 1, "{v}");
        let p = proposals[0].clone();
        assert_eq!(p["asset"], "marts.orders", "{v}");
        assert_eq!(p["consumers"][0]["team"], "team-bi", "{v}");
        assert!(
            p["id"].as_str().is_some_and(|id| id.starts_with("P-")),
            "{v}"
        );
        p
    }

    pub fn propose_id(&self) -> String {
        self.propose(&[])["id"].as_str().expect("id").to_string()
    }

    /// The merge gate's exit status (`impact --require-acks`), checked against its JSON verdict.
    pub fn gate(&self, extra: &[&str]) -> i32 {
        let mut args = vec!["--require-acks"];
        args.extend_from_slice(extra);
        let (status, v) = self.impact(&args);
        assert_eq!(v["gate"]["passes"], status == 0, "{v}");
        status
    }

    /// `tessera ack PROPOSAL ARGS --format json` in bi.
    pub fn ack(&self, proposal: &str, args: &[&str]) -> (Output, Value) {
        let mut all = vec!["ack", proposal];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json"]);
        let o = self.run(&self.bi, &all);
        let v = if o.stdout.is_empty() {
            Value::Null
        } else {
            json(&o)
        };
        (o, v)
    }

    /// `tessera verify --format json`: its exit status and its acks.
    pub fn verify(&self, args: &[&str]) -> (i32, Vec<Value>) {
        let mut all = vec!["verify", "--format", "json"];
        all.extend_from_slice(args);
        let o = self.run(&self.shop, &all);
        let v = json(&o);
        let acks = v["acks"].as_array().cloned().expect("acks");
        assert_eq!(
            v["rejected"].as_u64(),
            Some(acks.iter().filter(|a| a["valid"] == false).count() as u64),
            "{v}"
        );
        (code(&o), acks)
    }

    /// The one rejection code `verify` gives the ack `id` (`None`: it is valid).
    pub fn rejection(&self, id: i64) -> Option<String> {
        let (status, acks) = self.verify(&[]);
        let ack = acks
            .iter()
            .find(|a| a["ack"] == id)
            .unwrap_or_else(|| panic!("no ack #{id} in {acks:?}"));
        assert_eq!(ack["valid"], ack["rejection"].is_null(), "{ack}");
        let code = ack["rejection"].as_str().map(String::from);
        if code.as_deref() == Some("stale_digest") {
            // A revised proposal's old acks are its history, not a forgery.
            assert_eq!(status, 0, "verify passes over an outdated ack: {ack}");
        } else if code.is_some() {
            assert_eq!(status, 1, "verify fails on a rejected ack: {ack}");
        }
        if code.is_some() {
            assert!(
                ack["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{ack}"
            );
        }
        code
    }

    /// Asserts that ack `id` is rejected with `code` and that the merge gate stays closed.
    pub fn assert_rejected(&self, id: i64, code: &str, gate_args: &[&str]) {
        assert_eq!(self.rejection(id).as_deref(), Some(code));
        assert_eq!(
            self.gate(gate_args),
            1,
            "the gate must not pass on a {code} ack"
        );
    }
}

/// A new ed25519 key made by ssh-keygen: its path and its public line.
pub fn keygen(dir: &Path, name: &str, comment: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let o = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen runs");
    assert!(o.status.success(), "ssh-keygen: {}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let public = std::fs::read_to_string(path.with_extension("pub")).expect("public key");
    (path, public.trim().to_string())
}

/// `ssh-keygen -Y sign -n NAMESPACE -f KEY` over `payload`: the armored signature.
pub fn ssh_sign(key: &Path, namespace: &str, payload: &str) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("payload");
    std::fs::write(&file, payload).expect("write payload");
    let o = std::process::Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(&file)
        .output()
        .expect("ssh-keygen runs");
    assert!(o.status.success(), "ssh-keygen -Y sign: {}", stderr(&o));
    std::fs::read_to_string(file.with_extension("sig")).expect("signature")
}

/// `ssh-keygen -Y ARGS -s SIG` with `payload` on stdin.
pub fn ssh_keygen_y(args: &[&str], signature: &str, payload: &str) -> Output {
    let dir = tempfile::tempdir().expect("tmp");
    let sig = dir.path().join("ack.sig");
    std::fs::write(&sig, signature).expect("write signature");
    assert_cmd::Command::new("ssh-keygen")
        .arg("-Y")
        .args(args)
        .arg("-s")
        .arg(&sig)
        .write_stdin(payload.as_bytes().to_vec())
        .output()
        .expect("ssh-keygen runs")
}

/// A private ssh-agent, killed by its pid when dropped, even when the test panics.
pub struct Agent {
    pub sock: PathBuf,
    pid: String,
}

impl Agent {
    pub fn start(dir: &Path) -> Agent {
        let sock = dir.join("agent.sock");
        let o = std::process::Command::new("ssh-agent")
            .arg("-s")
            .arg("-a")
            .arg(&sock)
            .output()
            .expect("ssh-agent runs");
        assert!(o.status.success(), "ssh-agent: {}", stderr(&o));
        let out = stdout(&o);
        let pid = out
            .split(';')
            .find_map(|part| part.trim().strip_prefix("SSH_AGENT_PID="))
            .unwrap_or_else(|| panic!("no SSH_AGENT_PID in {out}"))
            .to_string();
        assert!(pid.chars().all(|c| c.is_ascii_digit()), "{out}");
        let agent = Agent { sock, pid };
        assert!(
            out.contains(&format!("SSH_AUTH_SOCK={}", agent.sock.display())),
            "{out}"
        );
        agent
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let killed = std::process::Command::new("ssh-agent")
            .arg("-k")
            .env("SSH_AGENT_PID", &self.pid)
            .env("SSH_AUTH_SOCK", &self.sock)
            .output()
            .is_ok_and(|o| o.status.success());
        if !killed {
            let _ = std::process::Command::new("kill").arg(&self.pid).status();
        }
    }
}

pub fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// Replaces the one occurrence of `from` in `repo/rel`; fails when the fixture no longer has it.
pub fn edit(repo: &TestRepo, rel: &str, from: &str, to: &str) {
    let path = repo.path().join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{rel} lacks `{from}`:\n{text}"
    );
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// A git repository holding a copy of `examples/<name>`.
pub fn example_repo(name: &str) -> TestRepo {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let repo = TestRepo::new();
    for entry in walkdir::WalkDir::new(&from).into_iter().flatten() {
        let dest = repo
            .path()
            .join(entry.path().strip_prefix(&from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
    repo.commit(name);
    repo
}
