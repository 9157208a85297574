//! Claims, trust and honest publishing: a project name belongs to its repository, a team to the
//! project that owns it, and a sync only ever states what is on the default branch.

use super::support::{MARTS, World, edit, json, keygen, tools_present};
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

/// A repository of its own (its own root commit) holding `files`, committed on `main`.
fn repository(files: &[(&str, &str)]) -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "a history of its own",
    ]);
    repo.write(
        "dbt_project.yml",
        "name: other\nversion: '1.0'\nprofile: other\n",
    );
    for (path, text) in files {
        repo.write(path, text);
    }
    repo.commit("declarations");
    repo
}

fn count(w: &World, sql: &str) -> i64 {
    w.db().query_row(sql, [], |r| r.get(0)).expect("count")
}

#[test]
fn a_second_repository_cannot_sync_as_an_existing_project_without_a_recorded_takeover() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    w.propose_id();
    let active_bi = "SELECT count(*) FROM consumers WHERE project = 'bi' AND retired = 0";
    let consumers = count(&w, active_bi);
    assert!(consumers > 0);
    let impostor = repository(&[(
        "tessera.yaml",
        "project: bi\nwarehouse: postgres\ndbt:\n  project_dir: .\n",
    )]);

    let o = w.run(&impostor, &["sync"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
    assert!(err.contains("project `bi` belongs to"), "{err}");
    assert!(
        err.contains("root commit"),
        "names both repositories: {err}"
    );
    assert!(err.contains("--takeover"), "says the fix: {err}");
    assert_eq!(count(&w, active_bi), consumers, "bi's consumers stay");
    assert_eq!(w.gate(&[]), 1, "the gate still waits for team-bi");

    let o = w.run(
        &impostor,
        &[
            "sync",
            "--takeover",
            "--reason",
            "bi moved to a new repository",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = w.run(&w.shop, &["status"]);
    let text = stdout(&o);
    assert!(text.contains("takeovers:"), "{text}");
    assert!(text.contains("project bi moved from"), "{text}");
    assert!(text.contains("bi moved to a new repository"), "{text}");
    let o = w.run(&w.shop, &["status", "--format", "json"]);
    let takeovers = json(&o)["claims"]["takeovers"].clone();
    assert_eq!(takeovers[0]["kind"], "project.takeover", "{takeovers}");
    assert!(
        takeovers[0]["detail"]["old"]["root_commit"].is_string(),
        "{takeovers}"
    );
    assert!(takeovers[0]["detail"]["by"].is_string(), "{takeovers}");
    // The old repository is the impostor now, and is refused in turn.
    assert_eq!(code(&w.run(&w.bi, &["sync"])), 2);
    let o = w.run(&impostor, &["sync", "--takeover", "--reason", "again"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("took nothing over"), "{}", stderr(&o));
}

/// A project of its own that declares team-bi and a member with a key of its own.
fn intruder(w: &World, owner: bool) -> (TestRepo, String) {
    let (key, public) = keygen(w.dir.path(), "mallory", "mallory@example.com");
    let owner = if owner { "owner: team-bi\n" } else { "" };
    let repo = repository(&[(
        "tessera.yaml",
        &format!(
            "project: intruder\n{owner}warehouse: postgres\ndbt:\n  project_dir: .\n\
             teams:\n  - {{name: team-bi}}\nusers:\n  \
             - {{email: mallory@example.com, teams: [team-bi], ssh_keys: [\"{public}\"]}}\n"
        ),
    )]);
    (repo, key.display().to_string())
}

#[test]
fn a_team_speaks_only_through_the_project_that_owns_it() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let (repo, key) = intruder(&w, true);
    let o = w.run(&repo, &["sync"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
    assert!(
        err.contains("team `team-bi` is owned by project `bi`"),
        "{err}"
    );
    let (o, _) = w.ack(&id, &["--approve", "--key", &key, "--team", "team-bi"]);
    assert_ne!(code(&o), 0, "{}", stderr(&o));
    let (_, acks) = w.verify(&[]);
    assert!(acks.iter().all(|a| a["valid"] == false), "{acks:?}");
    assert_eq!(w.gate(&[]), 1, "nobody approved for team-bi");

    // Taking the team over is possible, on the record; then bi is the one refused.
    let o = w.run(
        &repo,
        &["sync", "--takeover", "--reason", "team-bi reorganised"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("team team-bi taken over from project bi by"),
        "{}",
        stdout(&o)
    );
    let text = stdout(&w.run(&w.shop, &["status"]));
    assert!(
        text.contains("team team-bi moved from project bi to intruder"),
        "{text}"
    );
    assert!(text.contains("owns team team-bi"), "{text}");
    let o = w.run(&w.bi, &["sync"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("owned by project `intruder`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_project_without_the_claim_cannot_vouch_for_a_member_of_an_owned_team() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    // Listed under `teams:` without `owner:`: nothing to refuse, and nothing that counts.
    let (repo, key) = intruder(&w, false);
    w.sync(&repo);
    let (o, ack) = w.ack(&id, &["--approve", "--key", &key, "--team", "team-bi"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(ack["rejection"], "signer_not_in_team", "{ack}");
    assert_eq!(w.gate(&[]), 1);
}

#[test]
fn a_producer_cannot_vouch_for_a_consumer_team_that_owns_no_project() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    // bi registers a second consumer, team-fin, which has no repository of its own.
    w.bi.git(&["checkout", "-q", "main"]);
    let yaml = std::fs::read_to_string(w.bi.path().join("tessera.yaml")).expect("read");
    w.bi.write(
        "tessera.yaml",
        &format!(
            "{yaml}consumes:\n  - {{asset: marts.orders, team: team-fin, columns: [status]}}\n"
        ),
    );
    w.bi.commit("team-fin reads orders.status");
    w.sync(&w.bi);
    // The producer lists team-fin under its own teams, with a member of its choosing.
    let (mallory, public) = keygen(w.dir.path(), "mallory", "mallory@example.com");
    w.shop.git(&["checkout", "-q", "main"]);
    let yaml = std::fs::read_to_string(w.shop.path().join("tessera.yaml")).expect("read");
    let yaml = yaml.replace(
        "users:\n",
        &format!(
            "  - {{name: team-fin}}\nusers:\n  \
             - {{email: mallory@example.com, teams: [team-fin], ssh_keys: [\"{public}\"]}}\n"
        ),
    );
    w.shop.write("tessera.yaml", &yaml);
    w.shop.commit("vouch for team-fin");
    w.sync(&w.shop);
    w.shop.git(&["checkout", "-q", "drop-status"]);
    let p = w.propose(&[]);
    let id = p["id"].as_str().expect("id");
    assert!(
        p.to_string().contains("team-fin"),
        "team-fin is impacted: {p}"
    );

    let key = mallory.display().to_string();
    let (o, ack) = w.ack(id, &["--approve", "--key", &key, "--team", "team-fin"]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(ack["rejection"], "signer_not_in_team", "{ack}");
}

#[test]
fn sync_publishes_only_the_default_branch_of_a_clean_tree() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    // shop is on drop-status.
    let o = w.run(&w.shop, &["sync"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("default branch `main`") && err.contains("drop-status"),
        "{err}"
    );
    assert!(err.contains("--allow-branch"), "{err}");
    let o = w.run(&w.shop, &["sync", "--head", "drop-status"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = w.run(&w.shop, &["sync", "--head", "main"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // A detached checkout of main's tip (CI) is main; one of another commit is not, even when
    // the CI says it runs for main (a re-run of an old pipeline); GitLab names a job's branch.
    let detached = |ci_branch: Option<&str>| {
        let mut cmd = w.cmd(&w.shop);
        cmd.args(["sync"])
            .env_remove("CI_COMMIT_BRANCH")
            .env_remove("GITHUB_REF")
            .env_remove("CI_DEFAULT_BRANCH");
        if let Some(b) = ci_branch {
            cmd.env("CI_COMMIT_BRANCH", b);
        }
        code(&cmd.output().expect("runs"))
    };
    w.shop.git(&["checkout", "-q", "--detach", "main"]);
    assert_eq!(detached(None), 0);
    assert_eq!(detached(Some("drop-status")), 2);
    w.shop.git(&["checkout", "-q", "--detach", "drop-status"]);
    assert_eq!(detached(None), 2);
    assert_eq!(detached(Some("main")), 2);

    w.shop.git(&["checkout", "-q", "main"]);
    edit(&w.shop, MARTS, ORDERS_AMOUNT, "");
    let o = w.run(&w.shop, &["sync"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{}{err}", stdout(&o));
    assert!(
        err.contains("uncommitted changes") && err.contains("_marts.yml"),
        "{err}"
    );
    // A file Tessera does not read is no reason to refuse.
    w.shop.git(&["checkout", "-q", "--", MARTS]);
    w.shop.write("NOTES.md", "scratch");
    assert_eq!(code(&w.run(&w.shop, &["sync"])), 0);
    edit(&w.shop, MARTS, ORDERS_AMOUNT, "");
    let o = w.run(&w.shop, &["sync", "--allow-branch", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_default_branch_git_cannot_name_comes_from_the_ci() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = format!("sqlite:{}", dir.path().join("s.db").display());
    let repo = repository(&[("tessera.yaml", "project: solo\nowner: team-solo\n")]);
    repo.git(&["branch", "-m", "trunk"]);
    let event = dir.path().join("event.json");
    std::fs::write(&event, r#"{"repository": {"default_branch": "trunk"}}"#).expect("write");
    let sync = |event: Option<&std::path::Path>| {
        let mut cmd = crate::common::tessera();
        cmd.current_dir(repo.path())
            .args(["sync", "--store", &store])
            .env_remove("CI_DEFAULT_BRANCH")
            .env_remove("GITHUB_EVENT_PATH");
        if let Some(e) = event {
            cmd.env("GITHUB_EVENT_PATH", e);
        }
        cmd.output().expect("runs")
    };
    let o = sync(None);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains("default branch"), "{}", stderr(&o));
    let o = sync(Some(&event));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
