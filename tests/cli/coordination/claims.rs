//! Claims, trust and honest publishing: a project name belongs to its repository, a team to the
//! project that owns it, and a sync only ever states what is on the default branch.

use super::support::{MARTS, World, edit, json, tools_present};
use crate::common::{TestRepo, code, stderr, stdout};

/// Adds a column to shop's orders mart: a non-breaking change (a minor version).
const ORDERS_AMOUNT: &str = "      - name: amount\n        data_type: numeric(12,2)\n";

fn sync_json(w: &World, repo: &TestRepo, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sync", "--format", "json"];
    args.extend_from_slice(extra);
    w.run(repo, &args)
}

fn proposal_status(w: &World, id: &str) -> String {
    let o = w.run(&w.shop, &["proposals", "show", id, "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    json(&o)["status"].as_str().expect("status").to_string()
}

#[test]
fn an_unrelated_commit_on_main_publishes_no_pending_proposal() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    w.shop.git(&["checkout", "-q", "main"]);
    edit(
        &w.shop,
        MARTS,
        ORDERS_AMOUNT,
        &format!("{ORDERS_AMOUNT}      - name: note\n        data_type: text\n"),
    );
    w.shop.commit("add orders.note");
    let o = sync_json(&w, &w.shop, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = json(&o);
    let versions = v["outcome"]["versions"].to_string();
    assert!(
        versions.contains("1.1.0"),
        "a minor version was recorded: {v}"
    );
    assert_eq!(v["published"], serde_json::json!([]), "{v}");
    assert_eq!(proposal_status(&w, &id), "pending");
}

/// bi's tessera.yaml with `from` replaced by `to`, committed, then synced.
fn sync_bi_with(w: &World, from: &str, to: &str) -> std::process::Output {
    edit(&w.bi, "tessera.yaml", from, to);
    w.bi.commit("edit the parties");
    w.run(&w.bi, &["sync"])
}

const BO_LINE: &str = "  - {email: bo@example.com, name: Bo Chen, teams: [team-bi]";

#[test]
fn a_bad_email_key_or_team_name_is_refused_at_its_line_and_nothing_is_stored() {
    if !tools_present() {
        return;
    }
    let cases = [
        (
            format!("  - {{email: \"*\", teams: [team-bi]}}\n{BO_LINE}"),
            "is not an email address",
        ),
        (
            format!(
                "  - {{email: eve@example.com, teams: [team-bi], ssh_keys: [\"not a key\"]}}\n{BO_LINE}"
            ),
            "is not an OpenSSH public key",
        ),
        (
            format!("  - {{email: eve@example.com, teams: [\"team-bi\\n```\"]}}\n{BO_LINE}"),
            "is not a valid team name",
        ),
    ];
    for (to, message) in cases {
        let w = World::new();
        let users_before: i64 = w
            .db()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .expect("count");
        let o = sync_bi_with(&w, BO_LINE, &to);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
        assert!(err.contains(message), "{err}");
        assert!(
            err.contains("tessera.yaml:11"),
            "names the file and line: {err}"
        );
        let users_after: i64 = w
            .db()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .expect("count");
        assert_eq!(users_before, users_after, "nothing stored");
        let export = w.run(&w.shop, &["signers", "export", "-o", "signers.txt"]);
        assert_eq!(code(&export), 0, "{}", stderr(&export));
    }
}
