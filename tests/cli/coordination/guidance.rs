//! What a team sees while coordinating: proposals named by a unique prefix, what waits on a
//! team, ack comments wherever the ack shows, and the blocked hook saying what to do next.

use super::support::{World, json, tools_present};
use crate::common::{code, stderr, stdout};

#[test]
fn a_unique_prefix_names_a_proposal_and_an_ambiguous_one_lists_the_candidates() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let prefix = id[..6].to_lowercase();
    let (o, ack) = w.ack(&prefix, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(ack["proposal"], id.as_str(), "{ack}");
    let o = w.run(&w.shop, &["proposals", "show", &id[..8]]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains(&id), "{}", stdout(&o));
    // "P-" fits every proposal, and is too short to pick one.
    let o = w.run(&w.shop, &["proposals", "show", "P-"]);
    assert_eq!(code(&o), 2, "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&id),
        "lists the candidates: {}",
        stderr(&o)
    );
}

#[test]
fn proposals_list_team_shows_what_waits_on_that_team() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let listed = |w: &World, team: &str| -> Vec<String> {
        let o = w.run(
            &w.shop,
            &["proposals", "list", "--team", team, "--format", "json"],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        json(&o)["proposals"]
            .as_array()
            .expect("list")
            .iter()
            .map(|p| p["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(listed(&w, "team-bi"), vec![id.clone()]);
    assert!(
        listed(&w, "team-shop").is_empty(),
        "the producer is not asked"
    );
    let (o, _) = w.ack(&id, &["--approve", "--key", &w.key()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        listed(&w, "team-bi").is_empty(),
        "nothing waits once approved"
    );
}

#[test]
fn an_ack_comment_shows_wherever_the_ack_does() {
    if !tools_present() {
        return;
    }
    let w = World::new();
    let id = w.propose_id();
    let said = "we still read status until the Q3 dashboard ships";
    let (o, _) = w.ack(
        &id,
        &[
            "--migrating",
            "2026-09-01",
            "--comment",
            said,
            "--key",
            &w.key(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for args in [
        vec!["impact", "--base", "main"],
        vec!["impact", "--base", "main", "--format", "markdown"],
        vec!["proposals", "show", id.as_str()],
    ] {
        let o = w.run(&w.shop, &args);
        assert!(stdout(&o).contains(said), "{args:?}:\n{}", stdout(&o));
    }
    let o = w.run(&w.shop, &["proposals", "show", &id, "--format", "json"]);
    assert_eq!(json(&o)["acks"][0]["comment"], said);
}
