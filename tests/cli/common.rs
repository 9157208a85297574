//! Shared harness: run the real binary with a clean environment.
#![allow(dead_code)]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

/// The built binary, with every `TESSERA_*` variable and colour forcing cleared so the caller's
/// shell cannot change the outcome.
pub fn tessera() -> Command {
    let mut cmd = Command::cargo_bin("tessera").expect("the tessera binary is built");
    for (k, _) in std::env::vars_os() {
        if let Some(k) = k.to_str()
            && (k.starts_with("TESSERA_") || k.starts_with("GITHUB_"))
            && k != "TESSERA_TEST_REQUIRE_TOOLS"
        {
            cmd.env_remove(k);
        }
    }
    // dbt's own variables would move where models land.
    cmd.env_remove("DBT_PROFILES_DIR").env_remove("DBT_TARGET");
    cmd.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("TESSERA_TODAY", "2026-06-01");
    cmd
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    tessera()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("tessera runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Whether a test may run a tool; under `TESSERA_TEST_REQUIRE_TOOLS=1` (CI) a missing tool fails.
pub fn have_tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("TESSERA_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "{name} is required (TESSERA_TEST_REQUIRE_TOOLS=1) but not installed"
        );
        eprintln!("skipped: {name} not found");
    }
    found
}

/// The real git CLI in `dir`, with a pinned identity and dates; panics with git's message.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-06-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-06-01T12:00:00Z")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A throwaway git repository with pinned identities and dates, driven by the real git CLI.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = TestRepo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    pub fn write(&self, rel: &str, content: &str) -> &TestRepo {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, content).expect("write");
        self
    }

    pub fn remove(&self, rel: &str) -> &TestRepo {
        let _ = std::fs::remove_file(self.path().join(rel));
        self
    }

    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args)
    }
}

/// Compares `actual` with the stored snapshot `tests/cli/snapshots/<name>.txt`; with
/// `TESSERA_BLESS=1` the snapshot is (re)written instead.
pub fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var("TESSERA_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with TESSERA_BLESS=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        expected, actual,
        "snapshot {name} differs (TESSERA_BLESS=1 rewrites it)"
    );
}

/// Makes output stable across machines: temp paths become `[TMP]`.
pub fn scrub(text: &str, tmp: &Path) -> String {
    let mut s = text.to_string();
    for p in [
        tmp.to_path_buf(),
        std::fs::canonicalize(tmp).unwrap_or_else(|_| tmp.to_path_buf()),
    ] {
        s = s.replace(&p.display().to_string(), "[TMP]");
    }
    s
}

/// The real dbt manifests in `shared/fixtures/dbt`, or `None` where a clone has no `shared/`
/// (the calling test then returns; it has printed why).
pub fn fixtures() -> Option<std::path::PathBuf> {
    crate::shared::shared_path("fixtures/dbt")
}

/// A small dbt project used across the CLI tests: one contract-enforced `orders` model.
pub const SHOP_PROJECT: &str = "name: shop\nversion: '1.0'\nprofile: shop\nmodel-paths: [models]\nmodels:\n  shop:\n    +materialized: table\n";
pub const SHOP_ORDERS_SQL: &str = "select 1 as id, 'x' as status, 1.0 as amount\n";
pub const SHOP_ORDERS: &str = "version: 2
models:
  - name: orders
    config: {contract: {enforced: true}}
    columns:
      - name: id
        data_type: int
        constraints: [{type: not_null}]
      - name: status
        data_type: text
      - name: amount
        data_type: numeric(12,2)
";

/// stdout parsed as JSON, or a panic that shows what was printed instead.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(o), stderr(o)))
}

/// `rule node.path SEVERITY` for every finding of a JSON report, sorted: a verdict in one line
/// per finding, easy to compare.
pub fn rules(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}.{} {}",
                f["rule"].as_str().unwrap_or("?"),
                f["node"].as_str().unwrap_or("?"),
                f["path"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or("?")
            )
        })
        .collect();
    out.sort();
    out
}

/// A repository holding the one-model shop project (`SHOP_*`), committed.
pub fn shop_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("dbt_project.yml", SHOP_PROJECT)
        .write("models/orders.sql", SHOP_ORDERS_SQL)
        .write("models/schema.yml", SHOP_ORDERS);
    repo.commit("orders");
    repo
}
