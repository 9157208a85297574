//! `tessera impact`: the CI step of a pull request. Diffs the merge-base with the head, names the
//! consumers each breaking change hurts, opens or updates one proposal per broken asset, shows
//! where every impacted team's acknowledgment stands, and gates the merge on them.

mod range;
mod render;

use std::collections::BTreeMap;

use crate::compat::Finding;
use crate::contract::{Project, relation_digest};
use crate::exit::ExitStatus;
use crate::impact::proposal::{self as prop, TeamState};
use crate::report::Format;
use crate::store::{
    Batch, Proposal, ProposalFilter, ProposalStatus, Seen, Store, Timestamp, Write,
};

use super::check::{self, Analysis};
use super::context::Context;
use super::coord::{self, Assessed};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tessera impact --base origin/main                     # what this branch breaks, and for whom
  tessera impact --base auto --propose --require-acks   # in CI: open proposals, exit 1 until acked
  tessera impact --base auto --format markdown          # the pull-request comment")]
pub struct Args {
    /// The branch the change merges into (`main`, `origin/main`), or `auto` to read it from CI
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The change's last commit
    #[arg(long, default_value = "HEAD", value_name = "REV")]
    pub head: String,
    /// Create or update the proposals in the store
    #[arg(long)]
    pub propose: bool,
    /// Exit 1 until every impacted consumer has approved (the merge gate)
    #[arg(long)]
    pub require_acks: bool,
    /// Name of the change, which keeps one proposal per asset across re-pushes (default: the CI's
    /// pull-request branch, else the current branch)
    #[arg(long, value_name = "NAME", env = "TESSERA_CHANGE")]
    pub change: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, env = "TESSERA_FORMAT")]
    pub format: Format,
}

/// One broken asset and, once proposed, its proposal.
pub struct Entry<'a> {
    /// The store's asset key.
    pub asset: String,
    /// The dbt name, as findings show it.
    pub node: String,
    pub findings: Vec<&'a Finding>,
    pub digest: String,
    /// The teams the breaking findings hurt.
    pub impacted: Vec<String>,
    /// The id this change's proposal has (or will have, once proposed).
    pub id: String,
    pub assessed: Option<Assessed>,
}

impl Entry<'_> {
    /// The proposal's status; `None` when it was never proposed.
    pub fn status(&self) -> Option<ProposalStatus> {
        self.assessed.as_ref().map(Assessed::status)
    }

    pub fn states(&self) -> Vec<(String, TeamState)> {
        match &self.assessed {
            Some(a) => a.states.clone(),
            None => self
                .impacted
                .iter()
                .map(|t| (t.clone(), TeamState::Waiting))
                .collect(),
        }
    }

    /// Whether a proposal that reports a different breaking set than the one computed now is
    /// stored: acks then wait for `--propose` to update it.
    pub fn outdated(&self) -> bool {
        self.assessed
            .as_ref()
            .is_some_and(|a| a.proposal.breaking_digest != self.digest)
    }

    pub fn passes(&self) -> bool {
        !self.outdated() && self.status().is_some_and(prop::passes_gate)
    }
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let today = ctx.today()?;
    let now = coord::now(today);
    let repo = crate::git::Repo::discover(&ctx.cwd)?;
    let range = range::resolve(&repo, &args.base, &args.head)?;
    let change = args
        .change
        .clone()
        .or_else(range::ci_change)
        .or_else(|| repo.head_branch())
        .unwrap_or_else(|| range.head.clone());
    drop(repo);

    let check_args = check::Args {
        paths: Vec::new(),
        base: range.base.clone(),
        head: Some(range.head.clone()),
        staged: false,
        manifest: None,
        base_manifest: None,
        catalog: None,
        format: args.format,
        fail_on: None,
    };
    let needs_store = args.propose || args.require_acks;
    let mut analysis = check::analyze(&check_args, ctx, &cfg, needs_store)?;
    analysis.before.label = range.base_label.clone();
    analysis.after.label = range.head_label.clone();
    check::warn_once(ctx, &analysis.before, &analysis.after);

    let mut entries = group(&analysis, &change);
    // The store `analyze` read the consumers from: opened once per run.
    if let Some(store) = &analysis.store {
        let members = coord::trusted_members(store.as_ref())?;
        let expire_days = Some(cfg.config.proposals.expire_after_days.value);
        let run = Run {
            store: store.as_ref(),
            analysis: &analysis,
            members: &members,
            change: &change,
            actor: coord::actor(&ctx.cwd),
            today,
            now,
        };
        if args.propose {
            // Everything this run decides lands in one transaction, guarded by what it read, so
            // a concurrent `ack` is never overwritten and a killed run leaves nothing half-done.
            coord::commit_retrying(store.as_ref(), || {
                run.propose(&mut entries, expire_days)
                    .map(|batch| (batch, ()))
            })?;
        } else {
            run.look(&mut entries)?;
        }
    }

    let blocked = entries
        .iter()
        .any(|e| !e.outdated() && e.status() == Some(ProposalStatus::Blocked));
    let waiting = entries.iter().any(|e| !e.passes());
    let unplaced = analysis.unplaced_breaks();
    let gate = render::Gate {
        require_acks: args.require_acks,
        passes: !(blocked || args.require_acks && (waiting || unplaced > 0)),
        unplaced,
        consumers_known: analysis.consumers_known(),
        proposed: args.propose,
    };
    render::print(args.format, &analysis, &entries, &gate)?;
    Ok(if gate.passes {
        ExitStatus::Success
    } else {
        ExitStatus::Findings
    })
}

/// Breaking findings by asset, for the assets whose breaks hurt a registered consumer. A break
/// nobody registered reads needs nobody's acknowledgment (the impact step already lowered most of
/// them); it stays visible among the findings.
fn group<'a>(analysis: &'a Analysis, change: &str) -> Vec<Entry<'a>> {
    let mut by_asset: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in analysis
        .report
        .findings
        .iter()
        .filter(|f| f.is_breaking() && !f.impacted.is_empty())
    {
        by_asset.entry(analysis.store_key(f)).or_default().push(f);
    }
    by_asset
        .into_iter()
        .map(|(asset, findings)| {
            let mut impacted: Vec<String> = findings
                .iter()
                .flat_map(|f| f.impacted.iter().cloned())
                .collect();
            impacted.sort();
            impacted.dedup();
            Entry {
                node: findings[0].node.clone(),
                digest: prop::breaking_digest(&findings),
                id: prop::proposal_id(&asset, change, 0),
                asset,
                findings,
                impacted,
                assessed: None,
            }
        })
        .collect()
}

/// What the store phase of one `impact` run works with.
struct Run<'r> {
    store: &'r dyn Store,
    analysis: &'r Analysis,
    members: &'r [crate::sign::Member],
    change: &'r str,
    actor: String,
    today: crate::contract::Date,
    now: Timestamp,
}

impl Run<'_> {
    /// Without `--propose`: where the stored proposals stand, judged against the teams this
    /// change impacts now.
    fn look(&self, entries: &mut [Entry]) -> crate::error::Result<()> {
        for entry in entries.iter_mut() {
            entry.id = free_id(self.store, &entry.asset, self.change)?;
            if let Some(p) = self.store.proposal(&entry.id)? {
                let acks = self.store.acks(&p.id)?;
                entry.assessed = Some(coord::assess_with(
                    p,
                    acks,
                    entry.impacted.clone(),
                    self.members,
                    self.today,
                ));
            }
        }
        Ok(())
    }

    /// With `--propose`: the batch that opens or updates one proposal per entry (its status
    /// settled from its acks), supersedes this change's proposals for assets it no longer
    /// breaks, and expires the project's idle ones.
    fn propose(
        &self,
        entries: &mut [Entry],
        expire_days: Option<u32>,
    ) -> crate::error::Result<Batch> {
        let mut batch = Batch {
            now: self.now,
            ..Batch::default()
        };
        for entry in entries.iter_mut() {
            entry.id = free_id(self.store, &entry.asset, self.change)?;
            let existing = self.store.proposal(&entry.id)?;
            let acks = self.store.acks(&entry.id)?;
            batch
                .seen
                .push(Seen::of(&entry.id, existing.as_ref(), acks.len()));
            let p = proposed(
                entry,
                existing,
                self.analysis,
                self.change,
                &self.actor,
                self.now,
            );
            let mut a =
                coord::assess_with(p, acks, entry.impacted.clone(), self.members, self.today);
            a.proposal.status = a.status();
            batch.writes.push(Write::Proposal(a.proposal.clone()));
            entry.assessed = Some(a);
        }
        let open = self.store.proposals(&ProposalFilter {
            change_ref: Some(self.change.to_string()),
            statuses: ProposalStatus::OPEN.to_vec(),
            ..ProposalFilter::default()
        })?;
        for p in open
            .iter()
            .filter(|p| !entries.iter().any(|e| e.id == p.id))
        {
            batch
                .seen
                .push(Seen::of(&p.id, Some(p), self.store.acks(&p.id)?.len()));
            batch.writes.push(Write::Status {
                id: p.id.clone(),
                status: ProposalStatus::Superseded,
            });
        }
        let (seen, writes) =
            coord::expiring(self.store, &self.analysis.project, expire_days, self.now)?;
        for (s, w) in seen.into_iter().zip(writes) {
            // This run's own proposals were just touched; superseded ones are already closed.
            if !batch.seen.iter().any(|b| b.proposal == s.proposal) {
                batch.seen.push(s);
                batch.writes.push(w);
            }
        }
        Ok(batch)
    }
}

/// The first id of this change's line of proposals for the asset that was not published yet: a
/// branch name reused after a merge starts a new proposal rather than reopening a shipped one.
fn free_id(store: &dyn Store, asset: &str, change: &str) -> crate::error::Result<String> {
    let mut generation = 0;
    loop {
        let id = prop::proposal_id(asset, change, generation);
        match store.proposal(&id)? {
            Some(p) if p.status == ProposalStatus::Published => generation += 1,
            _ => return Ok(id),
        }
    }
}

/// The proposal as this run sees it. A new breaking set reopens the proposal as pending: acks
/// for the old set stay in the store as evidence but no longer count. A closed proposal
/// (withdrawn, expired, superseded) that breaks again is reopened the same way.
fn proposed(
    entry: &Entry,
    existing: Option<Proposal>,
    analysis: &Analysis,
    change: &str,
    actor: &str,
    now: Timestamp,
) -> Proposal {
    let key = entry
        .findings
        .first()
        .map(|f| check::relation_key(f))
        .unwrap_or_default();
    // A dropped relation has no contract on the head side.
    let digest_of = |project: &Project| {
        project
            .get(&key)
            .map_or_else(|| "none".to_string(), relation_digest)
    };
    let findings: Vec<serde_json::Value> = entry
        .findings
        .iter()
        .filter_map(|f| serde_json::to_value(f).ok())
        .collect();
    let (status, created_by, created_at, force_reason) = match existing {
        Some(old) if old.breaking_digest == entry.digest && old.status.is_open() => {
            (old.status, old.created_by, old.created_at, old.force_reason)
        }
        Some(old) => (
            ProposalStatus::Pending,
            old.created_by,
            old.created_at,
            None,
        ),
        None => (ProposalStatus::Pending, actor.to_string(), now, None),
    };
    Proposal {
        id: entry.id.clone(),
        asset: entry.asset.clone(),
        base_digest: digest_of(&analysis.before.project),
        head_digest: digest_of(&analysis.after.project),
        breaking_digest: entry.digest.clone(),
        findings_json: serde_json::Value::Array(findings).to_string(),
        impacted: entry.impacted.clone(),
        status,
        created_at,
        updated_at: now,
        created_by,
        force_reason,
        change_ref: Some(change.to_string()),
        published_version: None,
    }
}
