//! The merge gate can't be talked round: who is impacted is asked of the registrations at gate
//! time, a producer's waiver can't answer for a consumer, the verdict line and the exit status
//! agree in every state, a pinned date is announced, expiry stays within the project that runs
//! it, and concurrent or interrupted writers leave the proposal whole.

use serde_json::Value;

use super::support::{World, edit, json, tools_present};
use crate::common::{TestRepo, code, stderr, stdout};

/// `tessera ARGS` in `repo` with "today" pinned to `day`.
fn at(w: &World, repo: &TestRepo, day: &str, args: &[&str]) -> std::process::Output {
    w.cmd(repo)
        .env("TESSERA_TODAY", day)
        .args(args)
        .output()
        .expect("tessera runs")
}

/// The human gate's exit status and its last line, which must agree with each other.
fn gate_line(w: &World, day: &str) -> (i32, String) {
    let o = at(
        w,
        &w.shop,
        day,
        &["impact", "--base", "main", "--require-acks"],
    );
    let out = stdout(&o);
    let line = out
        .lines()
        .rev()
        .find(|l| l.starts_with("gate: "))
        .unwrap_or_else(|| panic!("no gate line in:\n{out}\n{}", stderr(&o)))
        .to_string();
    let status = code(&o);
    match status {
        0 => assert!(
            line.starts_with("gate: pass · ready to merge")
                || line.starts_with("gate: pass · no breaking change"),
            "exit 0 with: {line}"
        ),
        1 => assert!(
            line.starts_with("gate: blocked · merge blocked"),
            "exit 1 with: {line}"
        ),
        other => panic!("exit {other}: {}", stderr(&o)),
    }
    (status, line)
}

fn propose_on(w: &World, day: &str) -> String {
    let o = at(
        w,
        &w.shop,
        day,
        &["impact", "--base", "main", "--propose", "--format", "json"],
    );
    let v = json(&o);
    v["proposals"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no proposal: {v}"))
        .to_string()
}

fn ack_on(w: &World, id: &str, day: &str, decision: &[&str]) -> i32 {
    let mut args = vec!["ack", id, "--key"];
    let key = w.key();
    args.push(&key);
    args.extend_from_slice(decision);
    let o = at(w, &w.bi, day, &args);
    assert!(code(&o) == 0, "{}{}", stdout(&o), stderr(&o));
    code(&o)
}

/// A third repository whose team reads `marts.orders.status`, synced into the world's store.
fn ops_consumer(w: &World) -> TestRepo {
    let ops = TestRepo::new();
    ops.write(
        "tessera.yaml",
        "project: ops\nowner: team-ops\nwarehouse: postgres\nteams:\n  - {name: team-ops}\n\
         consumes:\n  - {asset: marts.orders, team: team-ops, columns: [status], purpose: ops dashboard}\n",
    );
    ops.commit("ops reads the orders mart");
    w.sync(&ops);
    ops
}

#[test]
fn a_consumer_that_registers_after_the_approval_is_asked_too() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let day = "2026-12-01";
    let id = propose_on(&w, day);
    ack_on(&w, &id, day, &["--approve"]);
    assert_eq!(gate_line(&w, day).0, 0, "team-bi approved");

    let _ops = ops_consumer(&w);
    let (status, line) = gate_line(&w, day);
    assert_eq!(status, 1, "team-ops has not acknowledged: {line}");
    assert!(line.contains("team-ops"), "{line}");
    let o = at(&w, &w.shop, day, &["proposals", "list", "--format", "json"]);
    let v = json(&o);
    assert_eq!(
        v["proposals"][0]["impacted"],
        serde_json::json!(["team-bi", "team-ops"]),
        "{v}"
    );
    // The proposal waits again, now for team-ops.
    let o = at(
        &w,
        &w.shop,
        day,
        &["proposals", "show", &id, "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(v["status"], "pending", "{v}");
}

#[test]
fn editing_the_impacted_teams_in_the_store_changes_nothing() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let day = "2026-12-01";
    let id = propose_on(&w, day);
    w.db()
        .execute(
            "UPDATE proposals SET impacted_json = '[]', status = 'approved'",
            [],
        )
        .expect("tamper");
    let (status, line) = gate_line(&w, day);
    assert_eq!(status, 1, "team-bi still has to acknowledge: {line}");
    assert!(line.contains("team-bi"), "{line}");
    let o = at(
        &w,
        &w.shop,
        day,
        &["proposals", "show", &id, "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(v["status"], "pending", "the acks decide, not the row: {v}");
    assert_eq!(v["impacted"], serde_json::json!(["team-bi"]), "{v}");
}

#[test]
fn a_producers_waiver_cannot_answer_for_a_consumer() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let day = "2026-12-01";
    edit(
        &w.shop,
        "tessera.yaml",
        "compatibility:\n  default_mode: FORWARD\n",
        "compatibility:\n  default_mode: FORWARD\n  waivers:\n    - {rule: column_removed, target: orders.status, reason: we decided, owner: team-shop, expires: 2027-06-01}\n",
    );
    w.shop.commit("waive it");
    let o = at(
        &w,
        &w.shop,
        day,
        &[
            "impact",
            "--base",
            "main",
            "--require-acks",
            "--propose",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert_eq!(code(&o), 1, "the consumer was not asked: {v}");
    let f = v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "column_removed"))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(f["waived_by"].is_null(), "{f}");
    assert!(
        f["overruled_waiver"]
            .as_str()
            .is_some_and(|s| s.starts_with("waived by the producer")),
        "{f}"
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("consumer not asked")),
        "{f}"
    );
    let id = v["proposals"][0]["id"]
        .as_str()
        .expect("a proposal")
        .to_string();
    assert_eq!(v["proposals"][0]["consumers"][0]["team"], "team-bi", "{v}");
    ack_on(&w, &id, day, &["--approve"]);
    assert_eq!(gate_line(&w, day).0, 0, "the consumer said yes");
}

#[test]
fn the_verdict_and_the_exit_status_agree_in_every_state() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let day = "2026-12-01";
    let id = propose_on(&w, day);
    let (_, line) = gate_line(&w, day);
    assert!(line.contains("waiting for team-bi"), "pending: {line}");

    ack_on(&w, &id, day, &["--block"]);
    let (status, line) = gate_line(&w, day);
    assert_eq!(status, 1);
    assert!(line.contains("team-bi blocked"), "blocked: {line}");

    ack_on(&w, &id, day, &["--migrating", "2026-12-20"]);
    assert_eq!(gate_line(&w, day).0, 1, "migrating, before its date");
    assert_eq!(gate_line(&w, "2026-12-20").0, 0, "migrating, on its date");

    ack_on(&w, &id, day, &["--approve"]);
    assert_eq!(gate_line(&w, day).0, 0, "approved");

    // Idle past `expire_after_days` (30): closed, and no longer a pass.
    let o = at(&w, &w.shop, "2027-01-15", &["proposals", "list", "--all"]);
    assert!(stdout(&o).contains("expired"), "{}", stdout(&o));
    let (status, line) = gate_line(&w, "2027-01-15");
    assert_eq!(status, 1, "expired: {line}");
    assert!(line.contains("expired"), "{line}");

    // Reopened by a new push, then withdrawn by its author.
    let id = propose_on(&w, "2027-01-15");
    let o = at(
        &w,
        &w.shop,
        "2027-01-15",
        &["proposals", "withdraw", &id, "--reason", "not now"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (status, line) = gate_line(&w, "2027-01-15");
    assert_eq!(status, 1, "withdrawn: {line}");
    assert!(line.contains("withdrawn"), "{line}");
}

#[test]
fn a_pinned_date_is_announced_on_stderr_and_in_json() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let o = at(
        &w,
        &w.shop,
        "2027-06-01",
        &["proposals", "list", "--format", "json"],
    );
    assert!(
        stderr(&o).contains("TESSERA_TODAY=2027-06-01 pins today's date"),
        "{}",
        stderr(&o)
    );
    assert_eq!(json(&o)["today_pinned"], "2027-06-01");
    let o = at(
        &w,
        &w.shop,
        "2027-06-01",
        &["impact", "--base", "main", "--format", "json"],
    );
    assert_eq!(json(&o)["today_pinned"], "2027-06-01", "{}", stdout(&o));
    let o = w
        .cmd(&w.shop)
        .env_remove("TESSERA_TODAY")
        .args(["impact", "--base", "main", "--format", "json"])
        .output()
        .expect("runs");
    assert!(json(&o).get("today_pinned").is_none(), "{}", stdout(&o));
    assert!(!stderr(&o).contains("TESSERA_TODAY"), "{}", stderr(&o));
}

#[test]
fn expiry_touches_only_the_proposals_of_the_project_that_runs_it() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = propose_on(&w, "2026-12-01");
    // The consumer's repository, far in the future: shop's proposal is not bi's to close.
    let o = at(
        &w,
        &w.bi,
        "9999-12-31",
        &["proposals", "list", "--all", "--format", "json"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let status = |w: &World| -> String {
        w.db()
            .query_row("SELECT status FROM proposals WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .expect("status")
    };
    assert_eq!(status(&w), "pending");
    let o = at(&w, &w.shop, "2027-01-15", &["proposals", "list"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(status(&w), "expired", "its own project expires it");
}

#[test]
fn impact_writes_all_its_proposals_or_none() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    // Two broken assets, both read by team-bi.
    edit(
        &w.shop,
        super::support::MARTS,
        "      - name: first_order_date\n        data_type: date\n",
        "",
    );
    w.shop.commit("drop customers.first_order_date");
    // The disk fills up after the first proposal is written.
    w.db()
        .execute_batch(
            "CREATE TRIGGER full_disk BEFORE INSERT ON proposals
             WHEN (SELECT count(*) FROM proposals) >= 1
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .expect("trigger");
    let o = at(
        &w,
        &w.shop,
        "2026-12-01",
        &["impact", "--base", "main", "--propose"],
    );
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    let (proposals, events): (i64, i64) = w
        .db()
        .query_row(
            "SELECT (SELECT count(*) FROM proposals), (SELECT count(*) FROM events WHERE kind LIKE 'proposal.%')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert_eq!((proposals, events), (0, 0), "nothing half-written");
    w.db()
        .execute_batch("DROP TRIGGER full_disk")
        .expect("drop");
    let o = at(
        &w,
        &w.shop,
        "2026-12-01",
        &["impact", "--base", "main", "--propose", "--format", "json"],
    );
    assert_eq!(json(&o)["proposals"].as_array().map(Vec::len), Some(2));
}

#[test]
fn concurrent_acks_and_impacts_never_undo_an_approval() {
    if !tools_present() {
        return;
    }
    concurrent_acks_and_impacts(&World::new());
}

/// Twelve impacts race six acks on one proposal; once approved, it never goes back to pending.
/// Also run against `tessera serve` (tests/cli/serve), where the store's conflicts cross HTTP.
pub fn concurrent_acks_and_impacts(w: &World) {
    let day = "2026-12-01";
    let id = propose_on(w, day);
    let key = w.key();
    std::thread::scope(|s| {
        let impacts = s.spawn(|| {
            for _ in 0..12 {
                let o = at(w, &w.shop, day, &["impact", "--base", "main", "--propose"]);
                assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
            }
        });
        for _ in 0..6 {
            let o = at(w, &w.bi, day, &["ack", &id, "--approve", "--key", &key]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
        }
        impacts.join().expect("impacts");
    });
    // Once team-bi approved, nothing may have written the proposal back to pending.
    let mut stmt = w
        .db()
        .prepare("SELECT kind, detail_json FROM events WHERE subject = ?1 ORDER BY id")
        .expect("events")
        .query_map([&id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("read");
    let mut approved = false;
    for (kind, detail) in stmt.drain(..) {
        let d: Value = serde_json::from_str(&detail).expect("json");
        let to = d
            .get("to")
            .or_else(|| d.get("status"))
            .and_then(Value::as_str);
        if approved {
            assert_ne!(to, Some("pending"), "lost update: {kind} {d}");
        }
        if kind == "ack.recorded" || to == Some("approved") {
            approved = approved || to == Some("approved");
        }
    }
    assert!(approved, "the approval was recorded");
    let status: String = w
        .db()
        .query_row("SELECT status FROM proposals WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .expect("status");
    assert_eq!(status, "approved");
}
