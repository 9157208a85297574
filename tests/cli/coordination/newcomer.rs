//! The newcomer's path from the built binary: `tessera init` in a producer's and a consumer's
//! repository (no hand-written tessera.yaml), then sync, check, impact, a signed ack with the key
//! init registered, and the gate opening.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::support::{BO, MARTS, ORDERS_STATUS, edit, example_repo, json, keygen, tools_present};
use crate::common::{TestRepo, code, stderr, stdout, tessera};

struct Newcomer {
    dir: tempfile::TempDir,
}

impl Newcomer {
    /// A home with `~/.ssh/id_ed25519` for `email` (the key `ack` and `init` default to).
    fn home(&self, who: &str, email: &str) -> PathBuf {
        let home = self.dir.path().join(who);
        std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
        keygen(&home.join(".ssh"), "id_ed25519", email);
        home
    }

    fn run(&self, repo: &TestRepo, home: &Path, args: &[&str]) -> Output {
        tessera()
            .current_dir(repo.path())
            .env("HOME", home)
            .env(
                "TESSERA_STORE",
                format!("sqlite:{}", self.dir.path().join("store.db").display()),
            )
            .env_remove("SSH_AUTH_SOCK")
            .args(args)
            .output()
            .expect("tessera runs")
    }

    fn ok(&self, repo: &TestRepo, home: &Path, args: &[&str]) -> Output {
        let o = self.run(repo, home, args);
        assert_eq!(code(&o), 0, "{args:?}: {}{}", stdout(&o), stderr(&o));
        o
    }
}

/// A copy of `examples/<name>` with its tessera.yaml removed, committed by `email`.
fn bare(name: &str, email: &str) -> TestRepo {
    let repo = example_repo(name);
    repo.git(&["config", "user.email", email]);
    repo.remove("tessera.yaml");
    repo.commit("no tessera.yaml yet");
    repo
}

#[test]
fn init_then_sync_check_impact_and_a_signed_ack() {
    if !tools_present() {
        return;
    }
    let n = Newcomer {
        dir: tempfile::tempdir().expect("tmp"),
    };
    let ana = n.home("ana", "ana@example.com");
    let bo = n.home("bo", BO);
    let shop = bare("shop", "ana@example.com");
    let bi = bare("bi", BO);
    bi.write(
        "profiles.yml",
        "bi:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      schema: analytics\n",
    );

    let o = n.ok(&shop, &ana, &["init"]);
    assert!(stdout(&o).contains("tessera sync"), "{}", stdout(&o));
    let yaml = std::fs::read_to_string(shop.path().join("tessera.yaml")).expect("written");
    for want in [
        "project: shop",
        "owner: team-shop",
        "contracts: public",
        "email: ana@example.com",
    ] {
        assert!(yaml.contains(want), "{want}:\n{yaml}");
    }
    let ana_pub = std::fs::read_to_string(ana.join(".ssh/id_ed25519.pub")).expect("pub");
    let material = ana_pub.split_whitespace().nth(1).expect("key");
    assert!(
        yaml.contains(material),
        "registers the key ack uses:\n{yaml}"
    );
    // Never over an existing file.
    let again = n.run(&shop, &ana, &["init"]);
    assert_eq!(code(&again), 2, "{}", stderr(&again));
    assert_eq!(
        std::fs::read_to_string(shop.path().join("tessera.yaml")).expect("kept"),
        yaml
    );

    n.ok(&bi, &bo, &["init", "--consumer"]);
    let yaml = std::fs::read_to_string(bi.path().join("tessera.yaml")).expect("written");
    for want in [
        "project: bi",
        "owner: team-bi",
        "contracts: []",
        "warehouse: postgres",
    ] {
        assert!(yaml.contains(want), "{want}:\n{yaml}");
    }
    shop.commit("tessera init");
    bi.commit("tessera init --consumer");
    n.ok(&bi, &bo, &["sync"]);
    n.ok(&shop, &ana, &["sync"]);

    shop.git(&["checkout", "-q", "-b", "drop-status"]);
    edit(&shop, MARTS, ORDERS_STATUS, "");
    let o = n.run(&shop, &ana, &["check"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("team-bi"), "{}", stdout(&o));
    shop.commit("drop status");
    let o = n.run(
        &shop,
        &ana,
        &[
            "impact",
            "--base",
            "main",
            "--propose",
            "--require-acks",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let id = json(&o)["proposals"][0]["id"]
        .as_str()
        .expect("a proposal")
        .to_string();
    n.ok(&bi, &bo, &["ack", &id, "--approve"]);
    n.ok(&shop, &ana, &["impact", "--base", "main", "--require-acks"]);
}
