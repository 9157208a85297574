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
