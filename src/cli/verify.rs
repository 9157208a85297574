//! `tessera verify`: re-check every stored ack (or one proposal's) from scratch: signature,
//! namespace, binding to the proposal and its current breaking set, and the signer's standing.

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::output::DataFormat as Format;
use crate::report::escape::terminal;
use crate::store::ProposalFilter;

use super::context::Context;
use super::coord;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this proposal's acks
    #[arg(value_name = "PROPOSAL")]
    pub proposal: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct Row {
    proposal: String,
    asset: String,
    ack: i64,
    team: String,
    signer: String,
    decision: String,
    at: String,
    valid: bool,
    rejection: Option<&'static str>,
    reason: Option<String>,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let coord::Session { store, today, .. } = coord::session(ctx)?;
    let proposals = match &args.proposal {
        Some(id) => vec![coord::find_proposal(store.as_ref(), id)?],
        None => store.proposals(&ProposalFilter::default())?,
    };
    let members = coord::trusted_members(store.as_ref())?;
    let mut rows = Vec::new();
    for p in &proposals {
        let assessed = coord::assess(store.as_ref(), p.clone(), &members, today)?;
        for c in assessed.checked {
            rows.push(Row {
                proposal: p.id.clone(),
                asset: p.asset.clone(),
                ack: c.ack.id,
                team: c.ack.team.clone(),
                signer: c.ack.signer.clone(),
                decision: c.ack.decision.name().into(),
                at: c.ack.created_at.to_string(),
                valid: c.verdict.is_ok(),
                rejection: c.verdict.as_ref().err().map(|r| r.code()),
                reason: c.verdict.as_ref().err().map(ToString::to_string),
            });
        }
    }
    // An ack for a breaking set the proposal has since left, or by a team that has since stopped
    // reading what changed, is history kept as evidence: it no longer counts, but nothing is
    // wrong with it, so it does not fail the run.
    let outdated = rows
        .iter()
        .filter(|r| matches!(r.rejection, Some("stale_digest" | "team_not_impacted")))
        .count();
    let rejected = rows.iter().filter(|r| !r.valid).count();
    let bad = rejected - outdated;
    match args.format {
        Format::Json => {
            let v = serde_json::json!({
                "schema_version": 1,
                "proposals": proposals.len(),
                "acks": rows,
                "rejected": rejected,
                "outdated": outdated,
            });
            crate::output::print_json(&v)?;
        }
        Format::Human => {
            let mut t =
                crate::output::table(&["proposal", "ack", "team", "signer", "decision", "result"]);
            crate::output::keep_whole(&mut t, &[0, 1, 2, 3, 4]);
            for r in &rows {
                t.add_row(vec![
                    terminal(&r.proposal).into_owned(),
                    format!("#{}", r.ack),
                    terminal(&r.team).into_owned(),
                    terminal(&r.signer).into_owned(),
                    terminal(&r.decision).into_owned(),
                    match (&r.reason, r.rejection) {
                        (None, _) => "ok".to_string(),
                        (Some(reason), Some("stale_digest" | "team_not_impacted")) => {
                            format!("outdated: {}", terminal(reason))
                        }
                        (Some(reason), _) => format!("REJECTED: {}", terminal(reason)),
                    },
                ]);
            }
            let mut s = String::new();
            if !rows.is_empty() {
                s.push_str(&format!("{t}\n"));
            }
            s.push_str(&format!(
                "{} ack(s) on {} proposal(s): {} valid, {outdated} outdated, {bad} rejected\n",
                rows.len(),
                proposals.len(),
                rows.len() - rejected
            ));
            crate::output::print(&s)?;
        }
    }
    Ok(if bad > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    })
}
