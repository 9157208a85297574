//! `tessera proposals`: list, show and withdraw the proposals in the store. Listing also closes
//! proposals that outlived `proposals.expire_after_days`.

use serde::Serialize;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output::DataFormat as Format;
use crate::report::escape::terminal;
use crate::store::{self, Batch, EventFilter, Proposal, ProposalFilter, ProposalStatus, Store};

use super::context::Context;
use super::coord;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<ProposalsCommand>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum ProposalsCommand {
    /// Open proposals (the default), or all of them
    List {
        /// Every proposal, whatever its status
        #[arg(long)]
        all: bool,
        /// Only proposals with this status
        #[arg(long, value_name = "STATUS")]
        status: Option<ProposalStatus>,
        /// Only proposals for this asset key
        #[arg(long, value_name = "ASSET")]
        asset: Option<String>,
        /// Only what waits on this team: proposals that impact it and that it has not approved
        #[arg(long, value_name = "TEAM")]
        team: Option<String>,
    },
    /// One proposal: its findings, each team's acknowledgment, and its history
    Show {
        #[arg(value_name = "PROPOSAL")]
        id: String,
    },
    /// Close a proposal: the change was abandoned
    Withdraw {
        #[arg(value_name = "PROPOSAL")]
        id: String,
        /// Why, for the event log
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

impl clap::ValueEnum for ProposalStatus {
    fn value_variants<'a>() -> &'a [Self] {
        ProposalStatus::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// Event kind of a withdrawal's who and why (the status change has its own event).
pub const WITHDRAWN: &str = "proposal.withdrawn";

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let coord::Session {
        cfg,
        today,
        now,
        store,
    } = coord::session(ctx)?;
    // Only this project's proposals, by its own settings: another team's open proposal is not
    // ours to close.
    if let Some(project) = cfg.config.project() {
        let days = Some(cfg.config.proposals.expire_after_days.value);
        coord::commit_retrying(store.as_ref(), || {
            let (seen, writes) = coord::expiring(store.as_ref(), project, days, now)?;
            Ok((Batch { seen, writes, now }, ()))
        })?;
    }
    let command = args.command.as_ref().unwrap_or(&ProposalsCommand::List {
        all: false,
        status: None,
        asset: None,
        team: None,
    });
    match command {
        ProposalsCommand::List {
            all,
            status,
            asset,
            team,
        } => {
            let statuses = match (status, all) {
                (Some(s), _) => vec![*s],
                (None, true) => Vec::new(),
                (None, false) => ProposalStatus::OPEN.to_vec(),
            };
            let list = store.proposals(&ProposalFilter {
                asset: asset.clone(),
                statuses,
                ..ProposalFilter::default()
            })?;
            let list = match team {
                Some(team) => waiting_on(store.as_ref(), list, team, today)?,
                None => list,
            };
            print_list(args.format, store.as_ref(), &list)?;
        }
        ProposalsCommand::Show { id } => show(args.format, store.as_ref(), id, today)?,
        ProposalsCommand::Withdraw { id, reason } => {
            let p = coord::find_proposal(store.as_ref(), id)?;
            if !p.status.is_open() {
                return Err(Error::Usage {
                    message: format!("proposal {id} is already {}", p.status),
                    help: "only pending, approved or blocked proposals can be withdrawn".into(),
                }
                .into());
            }
            store.set_proposal_status(id, ProposalStatus::Withdrawn, now)?;
            let by = coord::actor(&ctx.cwd);
            store.append_event(&store::Event {
                id: 0,
                at: now,
                kind: WITHDRAWN.into(),
                project: None,
                subject: Some(id.clone()),
                detail_json: serde_json::json!({"by": by, "reason": reason}).to_string(),
            })?;
            crate::output::print(&format!(
                "proposal {} ({}) withdrawn by {}\n",
                terminal(id),
                terminal(&p.asset),
                terminal(&by)
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// The proposals that impact `team` now and that it has not approved (or migrated) yet.
fn waiting_on(
    store: &dyn Store,
    list: Vec<Proposal>,
    team: &str,
    today: crate::contract::Date,
) -> crate::error::Result<Vec<Proposal>> {
    let members = coord::trusted_members(store)?;
    let mut out = Vec::new();
    for p in list {
        let a = coord::assess(store, p, &members, today)?;
        let waits = a.states.iter().any(|(t, s)| t == team && !s.approves());
        if waits {
            out.push(a.proposal);
        }
    }
    Ok(out)
}

fn print_list(format: Format, store: &dyn Store, list: &[Proposal]) -> crate::error::Result<()> {
    // Who a proposal hurts is a question for the registrations of now, not for the proposal row.
    let impacted = list
        .iter()
        .map(|p| coord::impacted_now(store, p))
        .collect::<crate::error::Result<Vec<_>>>()?;
    match format {
        Format::Json => {
            let v = serde_json::json!({"schema_version": 1, "proposals": list.iter().zip(&impacted).map(|(p, i)| summary_json(p, i)).collect::<Vec<_>>()});
            crate::output::print_json(&v)?;
        }
        Format::Human => {
            if list.is_empty() {
                crate::output::print("no proposals (`--all` includes closed ones)\n")?;
                return Ok(());
            }
            let mut t =
                crate::output::table(&["id", "asset", "status", "impacted", "change", "updated"]);
            crate::output::keep_whole(&mut t, &[0, 1, 2]);
            for (p, impacted) in list.iter().zip(&impacted) {
                t.add_row(vec![
                    terminal(&p.id).into_owned(),
                    terminal(&p.asset).into_owned(),
                    p.status.to_string(),
                    terminal(&impacted.join(", ")).into_owned(),
                    terminal(p.change_ref.as_deref().unwrap_or_default()).into_owned(),
                    p.updated_at.to_string(),
                ]);
            }
            crate::output::print(&format!("{t}\n"))?;
        }
    }
    Ok(())
}

fn summary_json(p: &Proposal, impacted: &[String]) -> serde_json::Value {
    serde_json::json!({
        "id": p.id,
        "asset": p.asset,
        "status": p.status,
        "digest": p.breaking_digest,
        "base_digest": p.base_digest,
        "head_digest": p.head_digest,
        "impacted": impacted,
        "change": p.change_ref,
        "created_by": p.created_by,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "published_version": p.published_version,
        "force_reason": p.force_reason,
    })
}

#[derive(Serialize, serde::Deserialize)]
struct JsonFinding {
    rule: String,
    #[serde(default)]
    path: String,
    before: Option<String>,
    after: Option<String>,
    #[serde(default)]
    message: String,
}

fn show(
    format: Format,
    store: &dyn Store,
    id: &str,
    today: crate::contract::Date,
) -> crate::error::Result<()> {
    let p = coord::find_proposal(store, id)?;
    let members = coord::trusted_members(store)?;
    let a = coord::assess(store, p, &members, today)?;
    let findings: Vec<JsonFinding> =
        serde_json::from_str(&a.proposal.findings_json).unwrap_or_default();
    let events = store.events(&EventFilter {
        subject: Some(id.to_string()),
        ..EventFilter::default()
    })?;
    match format {
        Format::Json => {
            let mut v = summary_json(&a.proposal, &a.impacted);
            v["status"] = serde_json::json!(a.status());
            v["schema_version"] = 1.into();
            v["findings"] = serde_json::to_value(&findings).unwrap_or_default();
            v["consumers"] = a
                .states
                .iter()
                .map(|(team, s)| serde_json::json!({"team": team, "state": s.code(), "detail": s.describe()}))
                .collect();
            v["acks"] = a
                .checked
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.ack.id, "team": c.ack.team, "decision": c.ack.decision,
                        "migrating_until": c.ack.migrating_until.map(|d| d.to_string()),
                        "signer": c.ack.signer, "at": c.ack.created_at,
                        "comment": coord::ack_comment(&c.ack),
                        "valid": c.verdict.is_ok(),
                        "rejection": c.verdict.as_ref().err().map(|r| r.code()),
                        "reason": c.verdict.as_ref().err().map(ToString::to_string),
                        "payload": c.ack.payload, "signature": c.ack.signature,
                    })
                })
                .collect();
            v["events"] = events
                .iter()
                .map(|e| {
                    serde_json::json!({"at": e.at, "kind": e.kind,
                        "detail": serde_json::from_str::<serde_json::Value>(&e.detail_json).unwrap_or_default()})
                })
                .collect();
            crate::output::print_json(&v)?;
        }
        Format::Human => {
            let p = &a.proposal;
            let mut s = format!(
                "proposal {} · {} · {}\n",
                terminal(&p.id),
                terminal(&p.asset),
                a.status()
            );
            let mut field = |k: &str, v: &str| s.push_str(&format!("  {k:<16} {}\n", terminal(v)));
            field("change", p.change_ref.as_deref().unwrap_or("-"));
            field("opened", &format!("{} by {}", p.created_at, p.created_by));
            field("updated", &p.updated_at.to_string());
            field("breaking set", &p.breaking_digest);
            field(
                "contract",
                &format!("{} → {}", p.base_digest, p.head_digest),
            );
            if let Some(v) = &p.published_version {
                field("published", &format!("v{v}"));
            }
            if let Some(r) = &p.force_reason {
                field("forced", r);
            }
            s.push_str("\nbreaking findings:\n");
            for f in &findings {
                s.push_str(&format!(
                    "  {} {}: {}\n",
                    terminal(&f.rule),
                    if f.path.is_empty() {
                        "(relation)".into()
                    } else {
                        terminal(&f.path)
                    },
                    terminal(&f.message)
                ));
            }
            s.push_str("\nconsumers:\n");
            for (team, state) in &a.states {
                s.push_str(&format!(
                    "  {:<16} {}\n",
                    terminal(team),
                    terminal(&state.describe())
                ));
            }
            if !a.checked.is_empty() {
                s.push_str("\nacknowledgments:\n");
                for c in &a.checked {
                    let verdict = match &c.verdict {
                        Ok(()) => "valid".to_string(),
                        Err(r) => format!("REJECTED: {}", terminal(&r.to_string())),
                    };
                    s.push_str(&format!(
                        "  #{} {} {} by {} at {}: {verdict}\n",
                        c.ack.id,
                        terminal(&c.ack.team),
                        c.ack.decision,
                        terminal(&c.ack.signer),
                        c.ack.created_at
                    ));
                    if let Some(comment) = coord::ack_comment(&c.ack) {
                        s.push_str(&format!("      “{}”\n", terminal(&comment)));
                    }
                }
            }
            s.push_str("\nhistory:\n");
            for e in &events {
                s.push_str(&format!(
                    "  {} {} {}\n",
                    e.at,
                    terminal(&e.kind),
                    terminal(&e.detail_json)
                ));
            }
            crate::output::print(&s)?;
        }
    }
    Ok(())
}
