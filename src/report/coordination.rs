//! What `tessera impact` adds to a report: one proposal per broken asset, where each impacted
//! team's acknowledgment stands, the exact command each team runs, and the merge gate. Pure, like
//! the other renderers.

use std::fmt::Write as _;

use serde::Serialize;

use super::escape::{self, terminal};
use super::markdown::{cell, code, column_and_change, text};
use super::{RenderInput, plural, relation_label};
use crate::compat::Finding;
use crate::impact::proposal::TeamState;
use crate::store::ProposalStatus;

/// A proposal as reports show it.
pub struct ProposalView<'a> {
    pub id: &'a str,
    /// The store's asset key.
    pub asset: &'a str,
    /// The dbt name.
    pub node: &'a str,
    /// `None`: not proposed yet (impact ran without `--propose`).
    pub status: Option<ProposalStatus>,
    /// The stored proposal has another breaking set than this run computed.
    pub outdated: bool,
    pub digest: &'a str,
    pub findings: Vec<&'a Finding>,
    pub teams: Vec<(String, TeamState)>,
    pub acks: Vec<AckView>,
}

/// One stored acknowledgment and whether it counts.
#[derive(Debug, Clone, Serialize)]
pub struct AckView {
    pub id: i64,
    pub team: String,
    pub signer: String,
    pub decision: String,
    pub migrating_until: Option<String>,
    pub at: String,
    pub counts: bool,
    /// The note signed with the decision (`ack --comment`).
    pub comment: Option<String>,
    /// Stable word for why it does not count.
    pub rejection: Option<&'static str>,
    /// The sentence for people.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Gate {
    pub require_acks: bool,
    pub passes: bool,
    pub consumers_known: bool,
    pub proposed: bool,
    /// Breaking findings on relations Tessera could not place: no team can ack them.
    pub unplaced: usize,
}

/// The command a team runs to approve, quoted for a POSIX shell: a name is one word, whatever
/// it holds.
pub fn ack_command(id: &str, team: &str) -> String {
    format!(
        "tessera ack {} --team {} --approve",
        escape::shell(id),
        escape::shell(team)
    )
}

fn waiting_teams(proposals: &[ProposalView]) -> Vec<String> {
    let mut teams: Vec<String> = proposals
        .iter()
        .filter(|p| p.outdated || p.status.is_none_or(|s| s.is_open()))
        .flat_map(|p| {
            p.teams
                .iter()
                .filter(|(_, s)| !s.approves() || p.outdated)
                .map(|(t, _)| t.clone())
        })
        .collect();
    teams.sort();
    teams.dedup();
    teams
}

/// Whether a proposal lets the merge through: approved or published, for the breaking set this
/// run computed.
pub fn proposal_passes(p: &ProposalView) -> bool {
    !p.outdated && p.status.is_some_and(crate::impact::proposal::passes_gate)
}

/// The one-line verdict, for the terminal, the PR comment and JSON. It says "ready to merge" only
/// when every proposal passes, and "merge blocked" exactly when the gate fails, so the line and
/// the exit status never disagree.
pub fn verdict(proposals: &[ProposalView], gate: &Gate) -> String {
    if !gate.consumers_known {
        return "consumers unknown: no coordination store to ask (run `tessera sync` on main first)"
            .into();
    }
    // Breaks on relations nobody could place: their readers are unknown, so nobody can ack them.
    let unplaced = (gate.unplaced > 0).then(|| {
        format!(
            "{} on relations whose readers are unknown (place them, see the warning)",
            plural(gate.unplaced, "breaking finding")
        )
    });
    let verb = if gate.passes {
        "needs attention"
    } else {
        "merge blocked"
    };
    if proposals.is_empty() {
        return match unplaced {
            Some(u) => format!("{verb}: {u}"),
            None => "no breaking change for a registered consumer; nothing to acknowledge".into(),
        };
    }
    let changes = plural(proposals.len(), "breaking change");
    if proposals.iter().all(proposal_passes) {
        return match (&unplaced, gate.passes) {
            (Some(u), _) => format!("{verb}: {u}"),
            (None, true) => format!("ready to merge: every impacted consumer approved {changes}"),
            (None, false) => format!("merge blocked: {changes} approved, but the gate failed"),
        };
    }
    let mut reasons: Vec<String> = proposals
        .iter()
        .filter(|p| !p.outdated && p.status.is_some_and(|s| s.is_open()))
        .flat_map(|p| {
            p.teams
                .iter()
                .filter(|(_, s)| *s == TeamState::Blocked)
                .map(move |(t, _)| format!("{t} blocked {}", p.id))
        })
        .collect();
    // Closed without shipping: nobody's ack can count on it any more.
    reasons.extend(
        proposals
            .iter()
            .filter(|p| !p.outdated)
            .filter_map(|p| match p.status {
                Some(s) if !s.is_open() && s != ProposalStatus::Published => Some(format!(
                    "{} is {s} (`tessera impact --propose` reopens it)",
                    p.id
                )),
                _ => None,
            }),
    );
    let waiting = waiting_teams(proposals);
    if !waiting.is_empty() {
        reasons.push(format!("{changes} waiting for {}", few(&waiting)));
    }
    reasons.extend(unplaced);
    if reasons.is_empty() {
        // Proposed for another breaking set, or not proposed: acks are not on record yet.
        reasons.push(format!("{changes} not yet proposed for this breaking set"));
    }
    let verb = if gate.passes {
        "needs acknowledgment"
    } else {
        "merge blocked"
    };
    format!("{verb}: {}", few(&reasons))
}

/// A list for one line: a PR comment's verdict must stay a line even with 200 teams waiting.
fn few(items: &[String]) -> String {
    const SHOWN: usize = 6;
    if items.len() <= SHOWN {
        return items.join(", ");
    }
    format!(
        "{} and {} more",
        items[..SHOWN].join(", "),
        items.len() - SHOWN
    )
}

fn status_word(p: &ProposalView) -> String {
    match (p.status, p.outdated) {
        (None, _) => "not proposed (run `tessera impact --propose`)".into(),
        (Some(_), true) => {
            "outdated: the breaking set changed (run `tessera impact --propose`)".into()
        }
        (Some(s), false) => s.name().into(),
    }
}

fn state_word(state: TeamState, p: &ProposalView) -> String {
    if p.status.is_none() || p.outdated {
        return "waiting".into();
    }
    state.describe()
}

/// The comment of the team's latest ack that counts, as the producer should read it.
fn team_comment<'p>(p: &'p ProposalView, team: &str) -> Option<&'p str> {
    p.acks
        .iter()
        .rev()
        .find(|a| a.counts && a.team == team)
        .and_then(|a| a.comment.as_deref())
}

fn state_icon(state: TeamState) -> &'static str {
    match state {
        TeamState::Approved | TeamState::Migrated(_) => "✅",
        TeamState::Blocked => "⛔",
        TeamState::Migrating(_) => "🚧",
        TeamState::Waiting => "⏳",
    }
}

/// Lines for a terminal, after the findings.
pub fn human(proposals: &[ProposalView], gate: &Gate) -> String {
    let mut out = String::new();
    for p in proposals {
        let _ = writeln!(
            out,
            "proposal {} · {} ({}) · {}",
            terminal(p.id),
            terminal(p.node),
            terminal(p.asset),
            status_word(p)
        );
        for (team, state) in &p.teams {
            let word = state_word(*state, p);
            let team_shown = terminal(team);
            let _ = write!(out, "  {team_shown:<16} {word}");
            if !state.approves() || p.outdated {
                let _ = write!(out, "    → {}", ack_command(p.id, team));
            }
            out.push('\n');
            if let Some(c) = team_comment(p, team) {
                let _ = writeln!(out, "  {:<16} “{}”", "", terminal(c));
            }
        }
        for a in p.acks.iter().filter(|a| !a.counts) {
            let _ = writeln!(
                out,
                "  rejected ack #{} by {} for {}: {}",
                a.id,
                terminal(&a.signer),
                terminal(&a.team),
                terminal(a.reason.as_deref().unwrap_or(""))
            );
        }
        out.push('\n');
    }
    let word = if gate.passes { "pass" } else { "blocked" };
    let _ = writeln!(
        out,
        "gate: {word} · {}",
        terminal(&verdict(proposals, gate))
    );
    out
}

/// The pull-request comment: verdict, breaking findings with impacted teams and their ack
/// status, the commands to run, then every finding folded away.
pub fn markdown(input: &RenderInput, proposals: &[ProposalView], gate: &Gate, all: &str) -> String {
    let mut out = String::new();
    let icon = if !gate.passes {
        "❌"
    } else if proposals.iter().all(proposal_passes) {
        "✅"
    } else {
        "⏳"
    };
    let _ = writeln!(out, "{icon} **{}**", text(&verdict(proposals, gate)));
    let mut context = "tessera impact".to_string();
    if let (Some(base), Some(head)) = (input.base, input.head) {
        let _ = write!(context, " · {} → {}", code(base), code(head));
    }
    let _ = writeln!(out, "\n<sub>{context}</sub>");
    if !proposals.is_empty() {
        out.push_str("\n| asset | column | change | impacted | acknowledgment |\n");
        out.push_str("|---|---|---|---|---|\n");
        for p in proposals {
            for f in &p.findings {
                let (column, what) = column_and_change(f);
                let acks: Vec<String> = p
                    .teams
                    .iter()
                    .filter(|(t, _)| f.impacted.contains(t))
                    .map(|(t, s)| {
                        let said = team_comment(p, t)
                            .map(|c| format!(" — “{}”", text(c)))
                            .unwrap_or_default();
                        format!(
                            "{} {}: {}{said}",
                            state_icon(*s),
                            text(t),
                            text(&state_word(*s, p))
                        )
                    })
                    .collect();
                let cells = [
                    code(&relation_label(f)),
                    column,
                    what,
                    text(&f.impacted.join(", ")),
                    acks.join("<br>"),
                ];
                let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
        out.push_str("\n**Proposals**\n\n");
        for p in proposals {
            let _ = writeln!(
                out,
                "- {} · {} · {}",
                code(p.id),
                code(p.asset),
                text(&status_word(p))
            );
            for a in p.acks.iter().filter(|a| !a.counts) {
                let _ = writeln!(
                    out,
                    "  - rejected ack #{} by {} for {}: {}",
                    a.id,
                    text(&a.signer),
                    text(&a.team),
                    text(a.reason.as_deref().unwrap_or(""))
                );
            }
        }
        let commands: Vec<String> = proposals
            .iter()
            .flat_map(|p| {
                p.teams
                    .iter()
                    .filter(|(_, s)| !s.approves() || p.outdated || p.status.is_none())
                    .map(|(t, _)| {
                        format!(
                            "# {}: {} ({})\n{}",
                            terminal(t),
                            terminal(p.node),
                            terminal(p.id),
                            ack_command(p.id, t)
                        )
                    })
            })
            .collect();
        if !commands.is_empty() {
            out.push_str("\n**Acknowledge**: each impacted team runs, with its own SSH key (`--block` or `--migrating YYYY-MM-DD` instead of `--approve` to object or ask for time):\n\n");
            out.push_str(&escape::md_fence("sh", &commands.join("\n")));
        }
    }
    if !input.report.findings.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{}</summary>\n\n{}\n</details>",
            plural(input.report.findings.len(), "finding"),
            all.trim_end()
        );
    }
    out
}

#[derive(Serialize)]
struct JsonProposal<'a> {
    id: &'a str,
    asset: &'a str,
    node: &'a str,
    digest: &'a str,
    /// `null` when not proposed yet.
    status: Option<ProposalStatus>,
    outdated: bool,
    passes: bool,
    consumers: Vec<JsonConsumer<'a>>,
    findings: Vec<JsonRef<'a>>,
}

#[derive(Serialize)]
struct JsonConsumer<'a> {
    team: &'a str,
    state: &'static str,
    migrating_until: Option<String>,
    command: String,
    acks: Vec<&'a AckView>,
}

#[derive(Serialize)]
struct JsonRef<'a> {
    rule: &'a str,
    path: &'a str,
}

/// The `proposals` and `gate` keys added to the report's JSON document.
pub fn json(
    proposals: &[ProposalView],
    gate: &Gate,
    passes: &dyn Fn(&ProposalView) -> bool,
) -> serde_json::Value {
    let list: Vec<JsonProposal> = proposals
        .iter()
        .map(|p| JsonProposal {
            id: p.id,
            asset: p.asset,
            node: p.node,
            digest: p.digest,
            status: p.status,
            outdated: p.outdated,
            passes: passes(p),
            consumers: p
                .teams
                .iter()
                .map(|(team, state)| JsonConsumer {
                    team,
                    state: if p.status.is_none() || p.outdated {
                        "waiting"
                    } else {
                        state.code()
                    },
                    migrating_until: match state {
                        TeamState::Migrating(d) | TeamState::Migrated(d) => Some(d.to_string()),
                        _ => None,
                    },
                    command: ack_command(p.id, team),
                    acks: p.acks.iter().filter(|a| &a.team == team).collect(),
                })
                .collect(),
            findings: p
                .findings
                .iter()
                .map(|f| JsonRef {
                    rule: f.rule,
                    path: &f.path,
                })
                .collect(),
        })
        .collect();
    serde_json::json!({
        "proposals": list,
        "gate": {
            "require_acks": gate.require_acks,
            "passes": gate.passes,
            "proposed": gate.proposed,
            "verdict": verdict(proposals, gate),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_stays_one_short_line_with_many_teams() {
        let teams: Vec<(String, TeamState)> = (0..200)
            .map(|i| (format!("team-{i:03}"), TeamState::Waiting))
            .collect();
        let p = ProposalView {
            id: "P-1",
            asset: "marts.orders",
            node: "orders",
            status: Some(ProposalStatus::Pending),
            outdated: false,
            digest: "sha256:x",
            findings: Vec::new(),
            teams,
            acks: Vec::new(),
        };
        let gate = Gate {
            require_acks: true,
            passes: false,
            consumers_known: true,
            proposed: true,
            unplaced: 0,
        };
        let v = verdict(&[p], &gate);
        assert_eq!(
            v,
            "merge blocked: 1 breaking change waiting for team-000, team-001, team-002, team-003, team-004, team-005 and 194 more"
        );
    }
}
