//! `tessera demo`, the README's main command: the whole loop from the binary alone.

use crate::common::{code, stderr, stdout, tessera};

/// Exit status of each numbered step, in order: sync bi, sync shop, consumers, check (break),
/// impact (blocked), ack, verify, impact (passes), sync on main.
const EXPECTED: [i32; 9] = [0, 0, 0, 1, 1, 0, 0, 0, 0];

#[test]
fn demo_walks_the_whole_loop_from_the_binary_alone() {
    // Run away from the checkout: the examples are inside the binary.
    let elsewhere = tempfile::tempdir().unwrap();
    let keep = elsewhere.path().join("demo");
    let out = tessera()
        .current_dir(elsewhere.path())
        .args(["demo", "--keep", "demo"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));

    let exits: Vec<i32> = text
        .lines()
        .filter_map(|l| l.strip_prefix("(exit "))
        .map(|rest| rest.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(exits, EXPECTED, "{text}");
    for step in 1..=EXPECTED.len() {
        assert!(
            text.contains(&format!("\n== {step}. ")),
            "step {step} missing:\n{text}"
        );
    }
    // What each step must show, not only how it exits.
    for needle in [
        "team-bi reads marts.orders",
        "amount, customer_id, order_date, status",
        "column_removed",
        "orders.status: team-bi",
        "gate: blocked · merge blocked: 1 breaking change waiting for team-bi",
        "--team team-bi --approve",
        "team-bi approved P-",
        "1 valid, 0 outdated, 0 rejected",
        "gate: pass · ready to merge",
        "new contract versions: marts.orders v2.0.0",
        "published: marts.orders v2.0.0",
    ] {
        assert!(text.contains(needle), "`{needle}` missing:\n{text}");
    }

    // The kept store tells the same story.
    let db = rusqlite::Connection::open(keep.join("tessera.db")).unwrap();
    let (status, version): (String, Option<String>) = db
        .query_row("SELECT status, published_version FROM proposals", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (status.as_str(), version.as_deref()),
        ("published", Some("2.0.0"))
    );
    let acks: i64 = db
        .query_row(
            "SELECT count(*) FROM acks WHERE decision = 'approve' AND team = 'team-bi'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(acks, 1);
    let versions: Vec<String> = db
        .prepare("SELECT version FROM contract_versions WHERE asset = 'marts.orders' ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(versions, ["1.0.0", "2.0.0"]);

    // The producer's main holds the merge of the pull request, and the key stayed private.
    let git = std::process::Command::new("git")
        .args(["log", "-1", "--format=%P %s", "main"])
        .current_dir(keep.join("shop"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&git.stdout);
    assert_eq!(
        head.split(' ').take_while(|p| p.len() == 40).count(),
        2,
        "{head}"
    );
    assert!(head.contains("Merge branch 'drop-status'"), "{head}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keep.join("id_ed25519"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }

    // The same directory cannot be reused: the demo never mixes into existing files.
    let again = tessera()
        .current_dir(elsewhere.path())
        .args(["demo", "--keep", "demo"])
        .output()
        .unwrap();
    assert_eq!(code(&again), 2);
    assert!(
        stderr(&again).contains("is not empty"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn demo_without_keep_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tessera()
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .arg("demo")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("tessera demo --keep DIR"));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn readme_shows_what_the_demo_prints() {
    if !crate::common::have_tool("python3") {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("bash")
        .arg(root.join("scripts/readme-demo.sh"))
        .arg("--check")
        .env("TESSERA_BIN", assert_cmd::cargo::cargo_bin("tessera"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
