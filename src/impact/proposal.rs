//! Proposals as data: which findings form an asset's breaking set, the digest acks are bound to,
//! a proposal's id, and what a set of acknowledgments means for the merge gate.
//!
//! Pure: the caller reads acks from the store and decides which ones verify
//! ([`crate::sign::evaluate`]); this module only turns the ones that count into team states and a
//! proposal status.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::compat::Finding;
use crate::contract::Date;
use crate::store::{Decision, ProposalStatus};

/// The `sha256:<hex>` digest of a breaking set. Only what the break *is* enters it (rule, node,
/// version, path, before, after): messages carry impact notes and severities depend on who is
/// registered today, and neither must invalidate an ack for the same change. Order and duplicates
/// do not matter.
pub fn breaking_digest(findings: &[&Finding]) -> String {
    let mut lines: Vec<String> = findings
        .iter()
        .map(|f| {
            [
                f.rule,
                &f.node,
                f.version.as_deref().unwrap_or(""),
                &f.path,
                f.before.as_deref().unwrap_or("\u{0}"),
                f.after.as_deref().unwrap_or("\u{0}"),
            ]
            .iter()
            .map(|part| escape(part))
            .collect::<Vec<_>>()
            .join("\t")
        })
        .collect();
    lines.sort();
    lines.dedup();
    let mut hasher = Sha256::new();
    hasher.update(b"tessera-breaking-set v1\n");
    for line in &lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// Tabs and newlines inside a value must not be able to forge a field boundary.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A short id people can type: `P-` and ten hex digits of the asset and the change it comes from
/// (a branch or merge request). Re-running `impact` on the same change finds the same proposal,
/// so a re-push updates it instead of opening another. `generation` > 0 gives the ids of later
/// proposals on the same change after an earlier one was published.
pub fn proposal_id(asset: &str, change: &str, generation: u32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(asset.as_bytes());
    hasher.update([0]);
    hasher.update(change.as_bytes());
    if generation > 0 {
        hasher.update([0]);
        hasher.update(generation.to_string().as_bytes());
    }
    let digest = hex(&hasher.finalize());
    format!("P-{}", &digest[..10])
}

/// An acknowledgment that passed every trust check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedAck {
    pub team: String,
    pub decision: Decision,
    pub migrating_until: Option<Date>,
}

/// Where one impacted team stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamState {
    /// No ack that counts yet.
    Waiting,
    Approved,
    Blocked,
    /// Accepts the change but needs until this date; the merge waits for it.
    Migrating(Date),
    /// Was migrating, and the date has come: counts as approved.
    Migrated(Date),
}

impl TeamState {
    pub fn approves(self) -> bool {
        matches!(self, TeamState::Approved | TeamState::Migrated(_))
    }

    /// Words for tables and comments.
    pub fn describe(self) -> String {
        match self {
            TeamState::Waiting => "waiting".into(),
            TeamState::Approved => "approved".into(),
            TeamState::Blocked => "blocked".into(),
            TeamState::Migrating(d) => format!("migrating until {d}"),
            TeamState::Migrated(d) => format!("approved (migrated {d})"),
        }
    }

    /// A stable word for JSON.
    pub fn code(self) -> &'static str {
        match self {
            TeamState::Waiting => "waiting",
            TeamState::Approved => "approved",
            TeamState::Blocked => "blocked",
            TeamState::Migrating(_) => "migrating",
            TeamState::Migrated(_) => "migrated",
        }
    }
}

/// Each impacted team's state, in the order of `impacted`. A team's latest counted ack wins, so a
/// team that blocked can later approve (and the other way round). Acks of teams that are not
/// impacted are ignored.
pub fn team_states(
    impacted: &[String],
    counted: &[CountedAck],
    today: Date,
) -> Vec<(String, TeamState)> {
    let mut latest: BTreeMap<&str, &CountedAck> = BTreeMap::new();
    for ack in counted {
        latest.insert(&ack.team, ack);
    }
    impacted
        .iter()
        .map(|team| {
            let state = match latest.get(team.as_str()) {
                None => TeamState::Waiting,
                Some(a) => match (a.decision, a.migrating_until) {
                    (Decision::Approve, _) => TeamState::Approved,
                    (Decision::Block, _) => TeamState::Blocked,
                    (Decision::Migrating, Some(d)) if d <= today => TeamState::Migrated(d),
                    (Decision::Migrating, Some(d)) => TeamState::Migrating(d),
                    // A migrating ack always carries a date; without one nothing is promised.
                    (Decision::Migrating, None) => TeamState::Waiting,
                },
            };
            (team.clone(), state)
        })
        .collect()
}

/// The status of an open proposal from its teams' states: blocked when any team blocks,
/// approved when every impacted team approves (vacuously when none is impacted), else pending.
pub fn open_status(states: &[(String, TeamState)]) -> ProposalStatus {
    if states.iter().any(|(_, s)| *s == TeamState::Blocked) {
        ProposalStatus::Blocked
    } else if states.iter().all(|(_, s)| s.approves()) {
        ProposalStatus::Approved
    } else {
        ProposalStatus::Pending
    }
}

/// Whether a proposal lets the merge through under `--require-acks`.
pub fn passes_gate(status: ProposalStatus) -> bool {
    matches!(status, ProposalStatus::Approved | ProposalStatus::Published)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::Level;

    fn finding(rule: &'static str, path: &str, before: &str) -> Finding {
        let mut f = crate::impact::tests::finding(rule, path, Level::Err);
        f.before = Some(before.into());
        f
    }

    #[test]
    fn digest_ignores_order_messages_and_impact_but_not_the_break() {
        let a = finding("C01", "status", "text");
        let b = finding("C01", "amount", "numeric");
        let d1 = breaking_digest(&[&a, &b]);
        assert!(d1.starts_with("sha256:") && d1.len() == 71, "{d1}");
        assert_eq!(d1, breaking_digest(&[&b, &a, &b]));
        let mut noted = a.clone();
        noted.message = "m (impact: raised)".into();
        noted.impacted = vec!["team-bi".into()];
        noted.severity = Level::Warn;
        assert_eq!(d1, breaking_digest(&[&noted, &b]));
        assert_ne!(d1, breaking_digest(&[&a]));
        let mut other = a.clone();
        other.before = Some("varchar".into());
        assert_ne!(d1, breaking_digest(&[&other, &b]));
        // A tab inside a value cannot shift fields.
        let tricky = finding("C01", "a\tb", "c");
        let split = finding("C01", "a", "b\tc");
        assert_ne!(breaking_digest(&[&tricky]), breaking_digest(&[&split]));
    }

    #[test]
    fn ids_are_stable_per_asset_change_and_generation() {
        let id = proposal_id("analytics.marts.orders", "drop-status", 0);
        assert_eq!(id.len(), 12);
        assert!(id.starts_with("P-"));
        assert_eq!(id, proposal_id("analytics.marts.orders", "drop-status", 0));
        assert_ne!(id, proposal_id("analytics.marts.orders", "other", 0));
        assert_ne!(
            id,
            proposal_id("analytics.marts.customers", "drop-status", 0)
        );
        assert_ne!(id, proposal_id("analytics.marts.orders", "drop-status", 1));
    }

    #[test]
    fn latest_counted_ack_decides_each_team() {
        let today = Date::new(2026, 11, 21).unwrap();
        let teams = vec!["team-bi".to_string(), "team-ops".to_string()];
        let ack = |team: &str, decision, until| CountedAck {
            team: team.into(),
            decision,
            migrating_until: until,
        };
        let none = team_states(&teams, &[], today);
        assert_eq!(open_status(&none), ProposalStatus::Pending);

        let one = team_states(&teams, &[ack("team-bi", Decision::Approve, None)], today);
        assert_eq!(one[0].1, TeamState::Approved);
        assert_eq!(one[1].1, TeamState::Waiting);
        assert_eq!(open_status(&one), ProposalStatus::Pending);

        let later = Date::new(2026, 12, 1).unwrap();
        let all = team_states(
            &teams,
            &[
                ack("team-bi", Decision::Block, None),
                ack("team-bi", Decision::Approve, None),
                ack("team-ops", Decision::Migrating, Some(later)),
                ack("team-x", Decision::Block, None),
            ],
            today,
        );
        assert_eq!(all[1].1, TeamState::Migrating(later));
        assert_eq!(open_status(&all), ProposalStatus::Pending);
        let after = team_states(
            &teams,
            &[
                ack("team-bi", Decision::Approve, None),
                ack("team-ops", Decision::Migrating, Some(later)),
            ],
            later,
        );
        assert_eq!(open_status(&after), ProposalStatus::Approved);

        let blocked = team_states(&teams, &[ack("team-ops", Decision::Block, None)], today);
        assert_eq!(open_status(&blocked), ProposalStatus::Blocked);
        assert_eq!(open_status(&[]), ProposalStatus::Approved);
        assert!(passes_gate(ProposalStatus::Published));
        assert!(!passes_gate(ProposalStatus::Expired));
    }
}
