//! `tessera impact`, `ack`, `proposals` and `sync --force` beyond the demo's happy path. Each
//! test starts from a kept `tessera demo`: two real repositories, a store where v2.0.0 of the
//! orders mart is published, and Bo's registered key.

use std::path::PathBuf;
use std::process::Output;

use crate::common::{code, git_in, stderr, stdout, tessera};

struct Demo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("demo");
        let out = tessera()
            .current_dir(dir.path())
            .args(["demo", "--keep", "demo"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        Demo { _dir: dir, root }
    }

    fn shop(&self) -> PathBuf {
        self.root.join("shop")
    }

    fn key(&self) -> String {
        self.root.join("id_ed25519").display().to_string()
    }

    /// `tessera ARGS` in `shop` or `bi`, on the demo's store, on a given day.
    fn run(&self, dir: &str, today: &str, args: &[&str]) -> Output {
        tessera()
            .current_dir(self.root.join(dir))
            .env(
                "TESSERA_STORE",
                format!("sqlite:{}", self.root.join("tessera.db").display()),
            )
            .env("TESSERA_TODAY", today)
            .args(args)
            .output()
            .unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(&self.shop(), args)
    }

    /// On a new branch from main, the producer drops orders.amount (bi reads it) and commits.
    fn drop_amount(&self, branch: &str) {
        self.git(&["checkout", "-q", "-b", branch, "main"]);
        let path = self.shop().join("models/marts/_marts.yml");
        let text = std::fs::read_to_string(&path).unwrap();
        let cut = "      - name: amount\n        data_type: numeric(12,2)\n";
        assert!(text.contains(cut), "{text}");
        std::fs::write(&path, text.replacen(cut, "", 1)).unwrap();
        // The contract is what the SQL outputs: the column leaves the select too.
        let sql_path = self.shop().join("models/marts/orders.sql");
        let sql = std::fs::read_to_string(&sql_path).unwrap();
        assert!(sql.contains(",\n    amount\n"), "{sql}");
        std::fs::write(&sql_path, sql.replacen(",\n    amount\n", "\n", 1)).unwrap();
        self.git(&["commit", "-q", "-am", "Drop orders.amount"]);
    }

    fn json(&self, dir: &str, today: &str, args: &[&str]) -> serde_json::Value {
        let out = self.run(dir, today, args);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)))
    }

    /// The id of the one proposal `impact --propose` opened for the branch.
    fn propose(&self, today: &str) -> String {
        let v = self.json(
            "shop",
            today,
            &["impact", "--base", "main", "--propose", "--format", "json"],
        );
        let list = v["proposals"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{v:#}");
        list[0]["id"].as_str().unwrap().to_string()
    }
}

const DAY: &str = "2026-06-01";

#[test]
fn base_auto_reads_the_pull_request_merge_commit_or_the_ci_base_branch() {
    let demo = Demo::new();
    demo.drop_amount("drop-amount");
    // GitHub checks out a merge of the PR into its base, detached, with two parents.
    demo.git(&["checkout", "-q", "--detach", "main"]);
    demo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge drop-amount into main",
        "drop-amount",
    ]);
    let v = demo.json(
        "shop",
        DAY,
        &[
            "impact",
            "--base",
            "auto",
            "--change",
            "drop-amount",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["command"], "impact");
    assert!(v["base"].as_str().unwrap().starts_with("HEAD^1"), "{v:#}");
    let f = &v["findings"].as_array().unwrap()[0];
    assert_eq!(
        (f["rule"].as_str(), f["path"].as_str()),
        (Some("column_removed"), Some("amount"))
    );
    let p = &v["proposals"][0];
    assert_eq!(p["asset"], "marts.orders");
    assert!(
        p["status"].is_null(),
        "not proposed without --propose: {p:#}"
    );
    assert_eq!(p["consumers"][0]["team"], "team-bi");
    assert_eq!(p["consumers"][0]["state"], "waiting");
    assert_eq!(
        p["consumers"][0]["command"],
        format!(
            "tessera ack {} --team team-bi --approve",
            p["id"].as_str().unwrap()
        )
    );
    assert_eq!(
        v["gate"]["passes"], true,
        "no block and no --require-acks: {v:#}"
    );

    // On the branch itself (one parent), CI names the base branch.
    demo.git(&["checkout", "-q", "drop-amount"]);
    let out = tessera()
        .current_dir(demo.shop())
        .env(
            "TESSERA_STORE",
            format!("sqlite:{}", demo.root.join("tessera.db").display()),
        )
        .env("GITHUB_BASE_REF", "main")
        .env("GITHUB_HEAD_REF", "drop-amount")
        .args(["impact", "--base", "auto", "--format", "json"])
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        w["base"]
            .as_str()
            .unwrap()
            .starts_with("merge-base of main"),
        "{w:#}"
    );
    assert_eq!(
        w["proposals"][0]["id"], p["id"],
        "the same change keeps the same id"
    );

    let none = demo.run("shop", DAY, &["impact", "--base", "auto"]);
    assert_eq!(code(&none), 2);
    assert!(
        stderr(&none).contains("--base origin/main"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn migrating_waits_for_its_date_and_a_block_always_exits_1() {
    let demo = Demo::new();
    demo.drop_amount("drop-amount");
    let id = demo.propose(DAY);
    let gate = ["impact", "--base", "main", "--require-acks"];
    assert_eq!(code(&demo.run("shop", DAY, &gate)), 1);

    let key = demo.key();
    let past = demo.run(
        "bi",
        DAY,
        &["ack", &id, "--migrating", "2026-05-01", "--key", &key],
    );
    assert_eq!(code(&past), 2, "a migration cannot end in the past");
    let ack = demo.run(
        "bi",
        DAY,
        &["ack", &id, "--migrating", "2026-06-15", "--key", &key],
    );
    assert_eq!(code(&ack), 0, "{}", stderr(&ack));
    let waiting = demo.run("shop", DAY, &gate);
    assert_eq!(code(&waiting), 1);
    assert!(
        stdout(&waiting).contains("migrating until 2026-06-15"),
        "{}",
        stdout(&waiting)
    );
    assert_eq!(
        code(&demo.run("shop", "2026-06-15", &gate)),
        0,
        "the day has come"
    );

    let block = demo.run(
        "bi",
        DAY,
        &[
            "ack",
            &id,
            "--block",
            "--comment",
            "the finance export reads amount",
            "--key",
            &key,
        ],
    );
    assert_eq!(code(&block), 0, "{}", stderr(&block));
    let md = demo.run(
        "shop",
        "2026-06-15",
        &["impact", "--base", "main", "--format", "markdown"],
    );
    assert_eq!(code(&md), 1, "a block exits 1 even without --require-acks");
    let md = stdout(&md);
    assert!(
        md.starts_with("❌ **merge blocked: team-bi blocked"),
        "{md}"
    );
    assert!(md.contains("| `orders` | `amount` |"), "{md}");
    assert!(md.contains("⛔ team-bi: blocked"), "{md}");
    assert!(
        md.contains(&format!("tessera ack {id} --team team-bi --approve")),
        "{md}"
    );

    let show = demo.json("shop", DAY, &["proposals", "show", &id, "--format", "json"]);
    assert_eq!(show["status"], "blocked");
    let acks = show["acks"].as_array().unwrap();
    assert_eq!(acks.len(), 2);
    assert!(acks.iter().all(|a| a["valid"] == true), "{show:#}");
}

#[test]
fn a_repush_without_the_break_supersedes_and_idle_proposals_expire() {
    let demo = Demo::new();
    demo.drop_amount("drop-amount");
    let id = demo.propose(DAY);
    // The producer changes its mind: the column comes back on the same branch.
    demo.git(&["revert", "--no-edit", "HEAD"]);
    let v = demo.json(
        "shop",
        DAY,
        &["impact", "--base", "main", "--propose", "--format", "json"],
    );
    assert_eq!(v["proposals"].as_array().unwrap().len(), 0, "{v:#}");
    let list = demo.json(
        "shop",
        DAY,
        &["proposals", "list", "--all", "--format", "json"],
    );
    let mine = list["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap();
    assert_eq!(mine["status"], "superseded");
    assert_eq!(mine["change"], "drop-amount");

    demo.drop_amount("drop-amount-again");
    let id = demo.propose(DAY);
    let open = demo.json("shop", "2026-06-30", &["proposals", "--format", "json"]);
    assert_eq!(
        open["proposals"][0]["id"],
        id.as_str(),
        "29 days: still open"
    );
    let later = demo.json("shop", "2026-07-01", &["proposals", "--format", "json"]);
    assert_eq!(later["proposals"].as_array().unwrap().len(), 0, "{later:#}");
    let ack = demo.run(
        "bi",
        "2026-07-01",
        &["ack", &id, "--approve", "--key", &demo.key()],
    );
    assert_eq!(code(&ack), 2);
    assert!(stderr(&ack).contains("is expired"), "{}", stderr(&ack));
}

#[test]
fn withdraw_and_force_leave_who_and_why_on_record() {
    let demo = Demo::new();
    demo.drop_amount("drop-amount");
    let id = demo.propose(DAY);
    let out = demo.run(
        "shop",
        DAY,
        &["proposals", "withdraw", &id, "--reason", "wrong approach"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let show = demo.json("shop", DAY, &["proposals", "show", &id, "--format", "json"]);
    assert_eq!(show["status"], "withdrawn");
    let kinds: Vec<&str> = show["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"proposal.withdrawn"), "{kinds:?}");
    assert_eq!(
        code(&demo.run("shop", DAY, &["proposals", "withdraw", &id])),
        2
    );

    // The break goes in anyway, on purpose: merged without acks and synced with a reason.
    let id = demo.propose(DAY);
    demo.git(&["checkout", "-q", "main"]);
    demo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge drop-amount",
        "drop-amount",
    ]);
    let sync = demo.run(
        "shop",
        DAY,
        &[
            "sync",
            "--force",
            "--reason",
            "amount moves to the payments mart",
        ],
    );
    assert_eq!(code(&sync), 0, "{}", stderr(&sync));
    assert!(
        stdout(&sync).contains("marts.orders v3.0.0"),
        "{}",
        stdout(&sync)
    );
    assert!(
        stdout(&sync).contains("forced by ana@example.com: amount moves to the payments mart"),
        "{}",
        stdout(&sync)
    );
    let show = demo.run("shop", DAY, &["proposals", "show", &id]);
    let text = stdout(&show);
    assert!(text.contains("published"), "{text}");
    assert!(
        text.contains(
            "forced           amount moves to the payments mart (forced by ana@example.com)"
        ),
        "{text}"
    );
    assert!(text.contains("contract.forced"), "{text}");

    let reasonless = demo.run("shop", DAY, &["sync", "--force"]);
    assert_eq!(code(&reasonless), 2, "--force needs --reason");
}

#[test]
fn ack_finds_its_key_like_git_and_unlocks_it_with_the_passphrase() {
    if !crate::common::have_tool("ssh-keygen") {
        return;
    }
    let demo = Demo::new();
    // Bo gets a second, passphrase-protected key, registered by his own team's project.
    let enc = demo.root.join("id_enc");
    let made = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "s3cret",
            "-C",
            "bo@example.com",
            "-f",
        ])
        .arg(&enc)
        .status()
        .unwrap();
    assert!(made.success());
    let public = std::fs::read_to_string(enc.with_extension("pub")).unwrap();
    let config = demo.root.join("bi/tessera.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replacen(
        "ssh_keys: [",
        &format!("ssh_keys: [\"{}\", ", public.trim()),
        1,
    );
    std::fs::write(&config, text).unwrap();
    git_in(
        &demo.root.join("bi"),
        &["commit", "-qam", "Bo's second key"],
    );
    assert_eq!(code(&demo.run("bi", DAY, &["sync"])), 0);

    demo.drop_amount("drop-amount");
    let id = demo.propose(DAY);
    let enc_arg = enc.display().to_string();
    let bi = demo.root.join("bi");
    let ack = |extra: &[(&str, &str)], args: &[&str]| {
        let mut cmd = tessera();
        cmd.current_dir(&bi)
            .env(
                "TESSERA_STORE",
                format!("sqlite:{}", demo.root.join("tessera.db").display()),
            )
            .env("HOME", demo.root.join("no-home"));
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.args(["ack", &id]).args(args).output().unwrap()
    };

    let locked = ack(&[("TESSERA_SIGNING_KEY", &enc_arg)], &["--approve"]);
    assert_eq!(code(&locked), 2);
    assert!(
        stderr(&locked).contains("protected by a passphrase"),
        "{}",
        stderr(&locked)
    );
    let wrong = ack(
        &[
            ("TESSERA_SIGNING_KEY", &enc_arg),
            ("TESSERA_SSH_PASSPHRASE", "nope"),
        ],
        &["--approve"],
    );
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("wrong passphrase"),
        "{}",
        stderr(&wrong)
    );
    let ok = ack(
        &[
            ("TESSERA_SIGNING_KEY", &enc_arg),
            ("TESSERA_SSH_PASSPHRASE", "s3cret"),
        ],
        &["--approve", "--format", "json"],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let record: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(record["signer"], "bo@example.com");
    assert_eq!(record["team"], "team-bi");
    assert!(
        record["payload"]
            .as_str()
            .unwrap()
            .starts_with("tessera-ack v1\n")
    );
    assert!(
        record["signature"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN SSH SIGNATURE-----")
    );

    // git's SSH signing key is used when gpg.format=ssh, and --key still wins over it.
    git_in(&bi, &["config", "gpg.format", "ssh"]);
    git_in(&bi, &["config", "user.signingkey", &demo.key()]);
    let via_git = ack(&[], &["--block", "--format", "json"]);
    assert_eq!(code(&via_git), 0, "{}", stderr(&via_git));
    let via_git: serde_json::Value = serde_json::from_slice(&via_git.stdout).unwrap();
    assert_ne!(via_git["fingerprint"], record["fingerprint"]);
    let flag = ack(
        &[("TESSERA_SSH_PASSPHRASE", "s3cret")],
        &["--approve", "--key", &enc_arg, "--format", "json"],
    );
    let flag: serde_json::Value = serde_json::from_slice(&flag.stdout).unwrap();
    assert_eq!(flag["fingerprint"], record["fingerprint"]);
    // No key anywhere: the message says where it looked.
    git_in(&bi, &["config", "--unset", "user.signingkey"]);
    let none = ack(&[], &["--approve"]);
    assert_eq!(code(&none), 2);
    assert!(
        stderr(&none).contains("no-home/.ssh/id_ed25519"),
        "{}",
        stderr(&none)
    );
}
