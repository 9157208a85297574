//! Tessera's pre-commit hooks driven by the real tools: the `pre-commit` framework (from PyPI)
//! running this checkout's `.pre-commit-hooks.yaml` (the `system` hook and the `rust` hook, which
//! builds tessera with `cargo install`), and the plain git hook `tessera hook install` writes.
//! Every verdict comes from `git commit`, so git runs the hook exactly as it does for a developer.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use crate::common::{
    SHOP_ORDERS as ORDERS, SHOP_PROJECT as PROJECT, TestRepo, code, have_tool, stderr, tessera,
};

/// These tests are about the hook's mechanics, so the YAML alone says what the model outputs: a
/// `*` over a table dbt does not know leaves the SQL unresolved and the YAML stands in.
const ORDERS_SQL: &str = "select * from raw.orders\n";
const STATUS: &str = "      - name: status\n        data_type: text\n";
const SCHEMA: &str = "models/schema.yml";

/// `schema` without the `status` column: `column_removed`, an ERR.
fn drop_status(schema: &str) -> String {
    assert!(schema.contains(STATUS));
    schema.replace(STATUS, "")
}

/// `schema` with one more nullable column: `column_added`, compatible.
fn add_column(schema: &str, name: &str) -> String {
    format!("{schema}      - name: {name}\n        data_type: text\n")
}

fn tessera_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tessera"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Runs git and pre-commit as a developer would, but cut off from the caller's machine: a
/// throwaway HOME (no global git config, hooks path or pre-commit cache), a throwaway
/// `PRE_COMMIT_HOME`, no inherited `GIT_*`/`TESSERA_*`/`PRE_COMMIT*` variables, and a PATH of
/// our choosing.
struct Sandbox {
    home: tempfile::TempDir,
    path: OsString,
    vars: Vec<(OsString, OsString)>,
}

impl Sandbox {
    /// `first` goes in front of the caller's PATH.
    fn new(first: &[PathBuf]) -> Sandbox {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            first
                .iter()
                .cloned()
                .chain(std::env::split_paths(&inherited)),
        )
        .expect("PATH entries join");
        let home = tempfile::tempdir().expect("temp HOME");
        // Rust's tools find their homes through HOME unless told; keep the real ones so the
        // toolchain and the registry cache stay reachable under the throwaway HOME.
        let real_home = std::env::var_os("HOME").map(PathBuf::from);
        let mut vars = Vec::new();
        for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
            let dir = std::env::var_os(var)
                .map(PathBuf::from)
                .or_else(|| real_home.as_ref().map(|h| h.join(default)));
            if let Some(dir) = dir.filter(|d| d.is_dir()) {
                vars.push((var.into(), dir.into_os_string()));
            }
        }
        Sandbox { home, path, vars }
    }

    fn env(&mut self, key: &str, value: impl AsRef<OsStr>) -> &mut Sandbox {
        self.vars.push((key.into(), value.as_ref().to_owned()));
        self
    }

    fn pre_commit_home(&self) -> PathBuf {
        self.home.path().join("pre-commit-home")
    }

    fn command(&self, dir: &Path, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir);
        for (k, _) in std::env::vars_os() {
            if let Some(k) = k.to_str()
                && (["TESSERA_", "GITHUB_", "GIT_", "PRE_COMMIT"]
                    .iter()
                    .any(|p| k.starts_with(p))
                    || k == "SKIP")
            {
                cmd.env_remove(k);
            }
        }
        let home = self.home.path();
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("PRE_COMMIT_HOME", self.pre_commit_home())
            .env("PATH", &self.path)
            .env("NO_COLOR", "1")
            .env("TESSERA_TODAY", "2026-06-01")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_AUTHOR_DATE", "2026-06-01T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-06-01T12:00:00Z");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, dir: &Path, program: impl AsRef<OsStr>, args: &[&str]) -> Output {
        let program = program.as_ref();
        self.command(dir, program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", program.display()))
    }

    /// Runs and insists on success; the output, for further checks.
    fn ok(&self, dir: &Path, program: impl AsRef<OsStr>, args: &[&str]) -> String {
        let program = program.as_ref();
        let o = self.run(dir, program, args);
        assert!(
            o.status.success(),
            "`{} {}` failed ({}):\n{}{}",
            program.display(),
            args.join(" "),
            code(&o),
            text(&o),
            self.pre_commit_log()
        );
        text(&o)
    }

    /// pre-commit writes the details of a failed environment install here.
    fn pre_commit_log(&self) -> String {
        std::fs::read_to_string(self.pre_commit_home().join("pre-commit.log"))
            .map(|log| format!("\n--- pre-commit.log ---\n{log}"))
            .unwrap_or_default()
    }

    fn head(&self, repo: &TestRepo) -> String {
        self.ok(repo.path(), "git", &["rev-parse", "HEAD"])
            .trim()
            .to_string()
    }

    /// `git commit <args>` must be refused by the hook, show the finding, and leave HEAD alone.
    fn refused(&self, repo: &TestRepo, args: &[&str]) -> String {
        let before = self.head(repo);
        let start = Instant::now();
        let o = self.run(repo.path(), "git", &[&["commit"][..], args].concat());
        let out = text(&o);
        assert_ne!(code(&o), 0, "git commit {args:?} should be refused:\n{out}");
        assert!(
            out.contains("column_removed"),
            "the refusal should name the finding:\n{out}"
        );
        assert_eq!(self.head(repo), before, "nothing was committed");
        eprintln!(
            "refused `git commit {}` in {:.1?}",
            args.join(" "),
            start.elapsed()
        );
        out
    }

    /// `git commit <args>` must pass the hook and make a commit.
    fn accepted(&self, repo: &TestRepo, args: &[&str]) -> String {
        let before = self.run(repo.path(), "git", &["rev-parse", "-q", "--verify", "HEAD"]);
        let start = Instant::now();
        let o = self.run(repo.path(), "git", &[&["commit"][..], args].concat());
        let out = text(&o);
        assert_eq!(code(&o), 0, "git commit {args:?} should pass:\n{out}");
        assert_ne!(text(&before).trim(), self.head(repo), "a commit was made");
        eprintln!(
            "accepted `git commit {}` in {:.1?}",
            args.join(" "),
            start.elapsed()
        );
        out
    }
}

/// A dbt project with one contracted model, written but not committed (the first commit goes
/// through the hook too).
fn shop_files(repo: &TestRepo) {
    repo.write("dbt_project.yml", PROJECT)
        .write("models/orders.sql", ORDERS_SQL)
        .write(SCHEMA, ORDERS);
}

/// What every hook must get right, starting from a committed `ORDERS`. Returns with the work
/// tree clean.
fn exercise(sb: &Sandbox, repo: &TestRepo) {
    let git = |args: &[&str]| sb.ok(repo.path(), "git", args);
    let restore = || {
        git(&["checkout", "HEAD", "--", SCHEMA]);
    };

    // A staged breaking change.
    repo.write(SCHEMA, &drop_status(ORDERS));
    git(&["add", SCHEMA]);
    sb.refused(repo, &["-q", "-m", "drop status"]);
    restore();

    // `commit -a` and `commit <path>` stage into a temporary index that only GIT_INDEX_FILE names.
    repo.write(SCHEMA, &drop_status(ORDERS));
    sb.refused(repo, &["-q", "-a", "-m", "drop status, all"]);
    sb.refused(
        repo,
        &["-q", "-m", "drop status, only this path", "--", SCHEMA],
    );
    restore();

    // A compatible change: a new nullable column.
    let with_note = add_column(ORDERS, "note");
    repo.write(SCHEMA, &with_note);
    git(&["add", SCHEMA]);
    sb.accepted(repo, &["-q", "-m", "add note"]);

    // The hook judges what is committed: a compatible staged change passes even when the work
    // tree holds a breaking edit that is not staged, and that edit survives the commit.
    let staged = add_column(&with_note, "channel");
    let unstaged = drop_status(&staged);
    repo.write(SCHEMA, &staged);
    git(&["add", SCHEMA]);
    repo.write(SCHEMA, &unstaged);
    sb.accepted(repo, &["-q", "-m", "add channel"]);
    assert_eq!(git(&["show", &format!("HEAD:{SCHEMA}")]), staged);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(SCHEMA)).expect("schema"),
        unstaged,
        "the unstaged edit is left in the work tree"
    );
    restore();

    // Files the hook does not look at.
    repo.write("README.md", "# shop\n");
    git(&["add", "README.md"]);
    sb.accepted(repo, &["-q", "-m", "readme"]);
    assert_eq!(
        git(&["status", "--porcelain"]),
        "",
        "the work tree is clean"
    );
}

/// Commits the files of `dir` as a repository of its own; returns the commit id.
fn commit_all(sb: &Sandbox, dir: &Path) -> String {
    sb.ok(dir, "git", &["init", "-q", "-b", "main"]);
    sb.ok(dir, "git", &["add", "-A"]);
    sb.ok(dir, "git", &["commit", "-q", "--no-verify", "-m", "hooks"]);
    sb.ok(dir, "git", &["rev-parse", "HEAD"]).trim().to_string()
}

/// A hook repository holding only this checkout's `.pre-commit-hooks.yaml`: enough for the
/// `system` hook, which builds nothing.
fn hooks_only_repo(sb: &Sandbox) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    std::fs::copy(&manifest, dir.path().join(".pre-commit-hooks.yaml")).expect("copy hooks file");
    std::fs::write(dir.path().join("README.md"), "tessera hooks, for tests\n").expect("readme");
    let rev = commit_all(sb, dir.path());
    (dir, rev)
}

/// A hook repository holding this crate as it is on disk (tracked files with their uncommitted
/// edits, and new files git does not ignore), for the `rust` hook to `cargo install`.
fn crate_repo(sb: &Sandbox) -> (tempfile::TempDir, String) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = sb.ok(
        src,
        "git",
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files: Vec<&str> = listed.split('\0').filter(|f| !f.is_empty()).collect();
    files.push("Cargo.lock");
    for rel in files {
        if rel.starts_with("target/") || rel.starts_with("fuzz/") {
            continue;
        }
        let from = src.join(rel);
        // Deleted in the work tree but still in the index.
        if !from.is_file() {
            continue;
        }
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {rel}: {e}"));
    }
    let rev = commit_all(sb, dir.path());
    (dir, rev)
}

fn pre_commit_config(hooks_repo: &Path, rev: &str, id: &str) -> String {
    format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {id}\n",
        hooks_repo.display()
    )
}

/// A shop repository whose `.pre-commit-config.yaml` uses hook `id` from `hooks_repo`, with
/// pre-commit's git hook and the hook's environment installed. Returns the repository, uncommitted.
fn framework_repo(sb: &Sandbox, hooks_repo: &Path, rev: &str, id: &str) -> TestRepo {
    let repo = TestRepo::new();
    shop_files(&repo);
    repo.write(
        ".pre-commit-config.yaml",
        &pre_commit_config(hooks_repo, rev, id),
    );
    sb.ok(repo.path(), "pre-commit", &["install"]);
    assert!(repo.path().join(".git/hooks/pre-commit").is_file());
    let start = Instant::now();
    sb.ok(repo.path(), "pre-commit", &["install-hooks"]);
    eprintln!(
        "`pre-commit install-hooks` for {id} took {:.1?}",
        start.elapsed()
    );
    repo
}

#[test]
fn the_system_hook_refuses_a_breaking_commit_under_pre_commit() {
    if !have_tool("git") || !have_tool("pre-commit") {
        return;
    }
    // `entry: tessera check` finds the freshly built binary first on PATH.
    let sb = Sandbox::new(&[tessera_bin().parent().expect("bin dir").to_path_buf()]);
    let (hooks, rev) = hooks_only_repo(&sb);
    let repo = framework_repo(&sb, hooks.path(), &rev, "tessera-check-system");

    // The repository's first commit has no HEAD to compare with; it passes.
    sb.ok(repo.path(), "git", &["add", "-A"]);
    let out = sb.accepted(&repo, &["-m", "shop"]);
    assert!(
        out.contains("tessera check (tessera on PATH)") && out.contains("Passed"),
        "{out}"
    );

    exercise(&sb, &repo);
}

#[test]
fn the_rust_hook_builds_tessera_and_refuses_a_breaking_commit_under_pre_commit() {
    if !have_tool("git") || !have_tool("pre-commit") || !have_tool("cargo") {
        return;
    }
    // The cargo (and rustc) that built these tests comes first, so pre-commit finds a working
    // toolchain and uses it (`language_version: system`) instead of downloading rustup.
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let first: Vec<PathBuf> = cargo
        .parent()
        .filter(|p| p.is_absolute())
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    let mut sb = Sandbox::new(&first);
    // A quick unoptimised build into a target directory kept between runs, from the registry
    // cache the main build filled.
    quick_release_build(&mut sb);
    let version = sb.run(Path::new("/"), "cargo", &["--version"]);
    assert!(
        version.status.success(),
        "pre-commit must find a working cargo on PATH, else it downloads rustup: {}",
        text(&version)
    );

    let (hooks, rev) = crate_repo(&sb);
    let repo = framework_repo(&sb, hooks.path(), &rev, "tessera-check");
    // The hook runs the tessera pre-commit built into its environment.
    let built = std::fs::read_dir(sb.pre_commit_home())
        .expect("PRE_COMMIT_HOME")
        .filter_map(Result::ok)
        .any(|e| e.path().join("rustenv-system/bin/tessera").is_file());
    assert!(built, "cargo install put tessera in the hook environment");

    sb.ok(repo.path(), "git", &["add", "-A"]);
    let out = sb.accepted(&repo, &["-m", "shop"]);
    assert!(
        out.contains("tessera check") && out.contains("Passed"),
        "{out}"
    );

    exercise(&sb, &repo);
}

#[test]
fn the_plain_git_hook_refuses_a_breaking_commit() {
    if !have_tool("git") {
        return;
    }
    // No tessera on PATH: the hook calls the binary that installed it.
    let sb = Sandbox::new(&[]);
    let repo = TestRepo::new();
    let install = |args: &[&str]| {
        tessera()
            .current_dir(repo.path())
            .args([&["hook", "install"][..], args].concat())
            .output()
            .expect("tessera runs")
    };
    let o = install(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let hook = repo.path().join(".git/hooks/pre-commit");
    assert!(stderr(&o).contains("pre-commit"), "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook)
            .expect("hook written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "the hook is executable: {mode:o}");
    }

    // The first commit, with no HEAD yet, passes.
    shop_files(&repo);
    sb.ok(repo.path(), "git", &["add", "-A"]);
    sb.accepted(&repo, &["-q", "-m", "shop"]);

    exercise(&sb, &repo);

    // Installing again replaces tessera's own hook.
    let o = install(&[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Someone else's hook is kept unless --force.
    let foreign = "#!/bin/sh\necho their hook\n";
    std::fs::write(&hook, foreign).expect("write foreign hook");
    let o = install(&[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(".git/hooks/pre-commit") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&hook).expect("hook"), foreign);
    let o = install(&["--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    repo.write(SCHEMA, &drop_status(ORDERS));
    sb.ok(repo.path(), "git", &["add", SCHEMA]);
    sb.refused(&repo, &["-q", "-m", "drop status"]);
    sb.ok(repo.path(), "git", &["checkout", "HEAD", "--", SCHEMA]);
}

#[test]
fn the_plain_git_hook_falls_back_to_tessera_on_path_when_its_binary_is_gone() {
    if !have_tool("git") {
        return;
    }
    let repo = TestRepo::new();
    shop_files(&repo);
    repo.commit("shop");
    // Installed by a binary that is then deleted (a `cargo run`, an upgrade that moved it).
    let gone = tempfile::tempdir().expect("temp dir");
    let copy = gone.path().join("tessera");
    std::fs::copy(tessera_bin(), &copy).expect("copy tessera");
    let o = Command::new(&copy)
        .current_dir(repo.path())
        .args(["hook", "install"])
        .output()
        .expect("the copy runs");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    drop(gone);

    repo.write(SCHEMA, &drop_status(ORDERS));
    repo.git(&["add", SCHEMA]);

    // Nothing to fall back to: the commit is refused with a reason, not let through.
    let sb = Sandbox::new(&[]);
    if !sb
        .ok(repo.path(), "sh", &["-c", "command -v tessera || true"])
        .trim()
        .is_empty()
    {
        eprintln!("skipped the no-tessera case: a tessera is installed on PATH");
    } else {
        let o = sb.run(repo.path(), "git", &["commit", "-q", "-m", "drop status"]);
        assert_ne!(code(&o), 0, "{}", text(&o));
        assert!(
            text(&o).contains("tessera is not installed"),
            "{}",
            text(&o)
        );
    }

    // tessera on PATH takes over.
    let sb = Sandbox::new(&[tessera_bin().parent().expect("bin dir").to_path_buf()]);
    sb.refused(&repo, &["-q", "-m", "drop status"]);
    repo.write(SCHEMA, &add_column(ORDERS, "note"));
    repo.git(&["add", SCHEMA]);
    sb.accepted(&repo, &["-q", "-m", "add note"]);
}

/// The Cargo settings the hook tests build tessera with: an unoptimised release build into a
/// target directory they share and keep between runs, offline from the registry cache.
fn quick_release_build(sb: &mut Sandbox) {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-rust-hook");
    sb.env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TERM_COLOR", "never");
}

#[test]
fn the_wheel_installs_tessera_without_rust_and_runs_as_a_python_hook() {
    if !have_tool("git")
        || !have_tool("pre-commit")
        || !have_tool("maturin")
        || !have_tool("python3")
    {
        return;
    }
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let first: Vec<PathBuf> = cargo
        .parent()
        .filter(|p| p.is_absolute())
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    let mut sb = Sandbox::new(&first);
    quick_release_build(&mut sb);
    // maturin asks `cargo metadata` about every platform's dependencies, which the offline
    // registry cache of a Linux build does not hold; the registry is reachable here.
    sb.env("CARGO_NET_OFFLINE", "false");
    let wheels = tempfile::tempdir().expect("temp dir");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let start = Instant::now();
    sb.ok(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        "maturin",
        &[
            "build",
            "--release",
            "--locked",
            "--manifest-path",
            manifest.to_str().expect("utf-8 path"),
            "--out",
            wheels.path().to_str().expect("utf-8 path"),
        ],
    );
    eprintln!("`maturin build` took {:.1?}", start.elapsed());
    let wheel = std::fs::read_dir(wheels.path())
        .expect("wheels dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("maturin wrote a wheel");
    let wheel = wheel.to_str().expect("utf-8 path").to_string();

    // pip installs it into a fresh virtual environment, no toolchain and no network involved.
    let venv = wheels.path().join("venv");
    sb.ok(
        wheels.path(),
        "python3",
        &["-m", "venv", venv.to_str().expect("utf-8")],
    );
    sb.ok(
        wheels.path(),
        venv.join("bin/pip"),
        &["install", "--quiet", "--no-index", &wheel],
    );
    let version = sb.ok(wheels.path(), venv.join("bin/tessera"), &["--version"]);
    assert!(
        version.contains(&format!("tessera {}", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );

    // pre-commit's `language: python` puts the wheel's tessera in the hook's own environment.
    let repo = TestRepo::new();
    shop_files(&repo);
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: tessera-check\n        name: tessera check (wheel)\n        entry: tessera check\n        language: python\n        additional_dependencies: [\"{wheel}\"]\n        files: '(\\.ya?ml|\\.sql|\\.py)$'\n        require_serial: true\n"
        ),
    );
    sb.ok(repo.path(), "pre-commit", &["install"]);
    sb.ok(repo.path(), "pre-commit", &["install-hooks"]);
    sb.ok(repo.path(), "git", &["add", "-A"]);
    let out = sb.accepted(&repo, &["-m", "shop"]);
    assert!(
        out.contains("tessera check (wheel)") && out.contains("Passed"),
        "{out}"
    );
    exercise(&sb, &repo);
}
