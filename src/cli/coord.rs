//! What `impact`, `ack`, `verify`, `proposals` and `signers` share: who may sign for a team,
//! which stored acks count, and the status a proposal's acks give it.

use std::collections::{BTreeMap, BTreeSet};

use crate::contract::Date;
use crate::impact::proposal::{self as prop, CountedAck, TeamState};
use crate::sign::{self, Member, ProposalView, Rejection, StoredAck};
use crate::store::{
    Ack, AssetFilter, Batch, Committed, ConsumerFilter, Proposal, ProposalFilter, ProposalStatus,
    Seen, Store, Timestamp, Write,
};

/// Users whose word counts for a team. A team owned by a project (the first to declare it as
/// `owner:`, see [`Store::team_claims`]) speaks only through that project's users. A team that
/// owns no project (a BI team without a repository, say) is vouched for by the projects that
/// list it under `teams:`, except any project that produces an asset the team consumes: a
/// producer can never make a member of its own consumer. One [`Member`] per email and key, so
/// a key vouched for by one project never borrows another project's memberships.
pub fn trusted_members(store: &dyn Store) -> crate::error::Result<Vec<Member>> {
    let owner_of: BTreeMap<String, String> = store
        .team_claims()?
        .into_iter()
        .map(|c| (c.team, c.project))
        .collect();
    let mut declared_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in store.teams()? {
        declared_by.entry(t.name).or_default().insert(t.project);
    }
    // Retired assets too: a producer that dropped an asset still made it, and a proposal for
    // its removal is exactly where it must not vouch for the readers.
    let producer_of: BTreeMap<String, String> = store
        .assets(&AssetFilter {
            include_retired: true,
            ..AssetFilter::default()
        })?
        .into_iter()
        .map(|a| (a.key, a.project))
        .collect();
    let mut produces: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in store.registrations(&ConsumerFilter::default())? {
        if let Some(project) = producer_of.get(&c.asset) {
            produces.entry(c.team).or_default().insert(project.clone());
        }
    }
    let speaks_for = |project: &str, team: &str| match owner_of.get(team) {
        Some(owner) => owner == project,
        None => {
            declared_by.get(team).is_some_and(|d| d.contains(project))
                && !produces.get(team).is_some_and(|p| p.contains(project))
        }
    };
    let mut by_key: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for u in store.users()? {
        let teams: BTreeSet<String> = u
            .teams
            .iter()
            .filter(|t| speaks_for(&u.project, t))
            .cloned()
            .collect();
        for key in &u.ssh_keys {
            by_key
                .entry((u.email.clone(), key_material(key)))
                .or_default()
                .extend(teams.iter().cloned());
        }
    }
    Ok(by_key
        .into_iter()
        .map(|((email, key), teams)| Member {
            email,
            teams: teams.into_iter().collect(),
            public_keys: vec![key],
        })
        .collect())
}

/// `ssh-ed25519 AAAA…` without the comment, so one key declared with two comments is one key.
fn key_material(key: &str) -> String {
    key.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// One stored ack and whether it counts.
pub struct Checked {
    pub ack: Ack,
    pub verdict: Result<(), Rejection>,
}

/// The teams a stored proposal hurts now: the current registrations of its asset that read a
/// column one of its breaking findings is about (or every column). Never the `impacted` list
/// saved on the proposal: a consumer that registered after the proposal was opened must be
/// asked too, and a row edited in the store must not shrink who is asked.
pub fn impacted_now(store: &dyn Store, proposal: &Proposal) -> crate::error::Result<Vec<String>> {
    let columns = breaking_columns(&proposal.findings_json);
    let mut teams: BTreeSet<String> = BTreeSet::new();
    for c in store.consumers(&proposal.asset)? {
        let reads = match (&c.columns, &columns) {
            // A finding about the whole relation, or a consumer of every column.
            (None, _) | (_, None) => true,
            (Some(read), Some(changed)) => read
                .iter()
                .any(|r| changed.contains(&r.trim().to_lowercase())),
        };
        if reads {
            teams.insert(c.team);
        }
    }
    Ok(teams.into_iter().collect())
}

/// The columns (lower-cased, so no spelling slips through) the stored breaking findings are
/// about, old names of renamed columns included; `None` when one of them is about the relation
/// itself, or the findings cannot be read, so every consumer counts.
fn breaking_columns(findings_json: &str) -> Option<BTreeSet<String>> {
    let findings: Vec<serde_json::Value> = serde_json::from_str(findings_json).ok()?;
    let mut out = BTreeSet::new();
    for f in &findings {
        let path = f.get("path").and_then(|p| p.as_str()).unwrap_or("");
        let top = path.split(['.', '[', '{']).next().unwrap_or("");
        if top.is_empty() {
            return None;
        }
        out.insert(top.to_lowercase());
        let rule = f.get("rule").and_then(|r| r.as_str()).unwrap_or("");
        if matches!(rule, "column_renamed" | "column_case_changed")
            && let Some(old) = f.get("before").and_then(|b| b.as_str())
        {
            out.insert(old.trim().to_lowercase());
        }
    }
    Some(out)
}

/// Each of `acks`, checked against the proposal's current breaking set and the teams impacted
/// now.
pub fn check_acks(
    proposal: &Proposal,
    acks: Vec<Ack>,
    impacted: &[String],
    members: &[Member],
) -> Vec<Checked> {
    let view = ProposalView {
        id: proposal.id.clone(),
        asset: proposal.asset.clone(),
        breaking_digest: proposal.breaking_digest.clone(),
    };
    acks.into_iter()
        .map(|ack| {
            let verdict = sign::evaluate(&stored(&ack), &view, members, impacted);
            Checked { ack, verdict }
        })
        .collect()
}

/// The note signed with an ack, which lives only in its payload.
pub fn ack_comment(ack: &Ack) -> Option<String> {
    sign::AckPayload::parse(&ack.payload)
        .ok()
        .and_then(|p| p.comment)
}

/// The store's record in the shape the trust check compares with the signed payload. The comment
/// lives only in the payload, so it is taken from there; every other field is the record's own.
fn stored(ack: &Ack) -> StoredAck {
    StoredAck {
        proposal: ack.proposal.clone(),
        team: ack.team.clone(),
        decision: ack.decision,
        migrating_until: ack.migrating_until.map(|d| d.to_string()),
        signer: ack.signer.clone(),
        timestamp: sign::time::format_rfc3339_utc(ack.created_at.unix()),
        comment: ack_comment(ack),
        payload: ack.payload.clone(),
        signature: ack.signature.clone(),
    }
}

/// Each impacted team's state from the acks that count.
pub fn states(impacted: &[String], checked: &[Checked], today: Date) -> Vec<(String, TeamState)> {
    let counted: Vec<CountedAck> = checked
        .iter()
        .filter(|c| c.verdict.is_ok())
        .map(|c| CountedAck {
            team: c.ack.team.clone(),
            decision: c.ack.decision,
            migrating_until: c.ack.migrating_until,
        })
        .collect();
    prop::team_states(impacted, &counted, today)
}

/// A proposal with its checked acks and its teams' states, as reports show it.
pub struct Assessed {
    pub proposal: Proposal,
    /// The teams it hurts now.
    pub impacted: Vec<String>,
    pub checked: Vec<Checked>,
    pub states: Vec<(String, TeamState)>,
}

impl Assessed {
    /// The status the acks give an open proposal; a closed one keeps its own.
    pub fn status(&self) -> ProposalStatus {
        if self.proposal.status.is_open() {
            prop::open_status(&self.states)
        } else {
            self.proposal.status
        }
    }

    /// The status write that brings the stored proposal in line with its acks, if any.
    pub fn settle(&self) -> Option<Write> {
        let status = self.status();
        (status != self.proposal.status).then(|| Write::Status {
            id: self.proposal.id.clone(),
            status,
        })
    }
}

/// Judges `acks` for `proposal` against the teams `impacted` now.
pub fn assess_with(
    proposal: Proposal,
    acks: Vec<Ack>,
    impacted: Vec<String>,
    members: &[Member],
    today: Date,
) -> Assessed {
    let checked = check_acks(&proposal, acks, &impacted, members);
    let states = states(&impacted, &checked, today);
    Assessed {
        proposal,
        impacted,
        checked,
        states,
    }
}

/// A stored proposal as it stands now: its acks, judged against the teams it impacts now.
pub fn assess(
    store: &dyn Store,
    proposal: Proposal,
    members: &[Member],
    today: Date,
) -> crate::error::Result<Assessed> {
    let acks = store.acks(&proposal.id)?;
    let impacted = impacted_now(store, &proposal)?;
    Ok(assess_with(proposal, acks, impacted, members, today))
}

/// Runs `attempt` until its batch lands, reading the store again after a conflict: another
/// `impact` or `ack` wrote the same proposal between this run's read and its write.
pub fn commit_retrying<T>(
    store: &dyn Store,
    mut attempt: impl FnMut() -> crate::error::Result<(Batch, T)>,
) -> crate::error::Result<(Committed, T)> {
    const TRIES: u32 = 8;
    let mut tried = 0;
    loop {
        let (batch, value) = attempt()?;
        if batch.writes.is_empty() {
            return Ok((Committed::default(), value));
        }
        match store.commit(&batch) {
            Ok(done) => return Ok((done, value)),
            Err(crate::store::StoreError::Conflict { .. }) if tried + 1 < TRIES => {
                tried += 1;
                // Back off a little, differently per process, so two racing runs don't collide
                // again in lockstep.
                let ms = 5 * u64::from(tried) + u64::from(std::process::id() % 7);
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Open proposals of `project`'s assets nobody touched for `days` days: the status writes that
/// expire them, guarded by what was seen. Other projects' proposals are theirs to expire, with
/// their own settings. `None` keeps proposals open forever.
pub fn expiring(
    store: &dyn Store,
    project: &str,
    days: Option<u32>,
    now: Timestamp,
) -> crate::error::Result<(Vec<Seen>, Vec<Write>)> {
    let Some(days) = days else {
        return Ok((Vec::new(), Vec::new()));
    };
    let own: BTreeSet<String> = store
        .assets(&crate::store::AssetFilter {
            project: Some(project.to_string()),
            include_retired: true,
        })?
        .into_iter()
        .map(|a| a.key)
        .collect();
    let open = store.proposals(&ProposalFilter {
        statuses: ProposalStatus::OPEN.to_vec(),
        ..ProposalFilter::default()
    })?;
    let limit = i64::from(days) * 86_400;
    let mut seen = Vec::new();
    let mut writes = Vec::new();
    for p in open {
        if own.contains(&p.asset) && now.unix() - p.updated_at.unix() >= limit {
            seen.push(Seen::of(&p.id, Some(&p), store.acks(&p.id)?.len()));
            writes.push(Write::Status {
                id: p.id.clone(),
                status: ProposalStatus::Expired,
            });
        }
    }
    Ok((seen, writes))
}

/// What the store-reading commands start from: the configuration, "today", "now" and the
/// existing store (they never create one).
pub struct Session {
    pub cfg: super::context::LoadedConfig,
    pub today: Date,
    pub now: Timestamp,
    pub store: Box<dyn Store>,
}

pub fn session(ctx: &super::context::Context) -> crate::error::Result<Session> {
    let cfg = ctx.config()?;
    let today = ctx.today()?;
    let store = super::store::open(&super::store::location(ctx, &cfg), false)?;
    Ok(Session {
        cfg,
        today,
        now: now(today),
        store,
    })
}

/// The proposal `id`, or the one proposal whose id starts with it (as git takes a commit
/// prefix, case aside: `p-1a2b` finds `P-1a2b3c4d5e`); else an error that lists the candidates.
pub fn find_proposal(store: &dyn Store, id: &str) -> crate::error::Result<Proposal> {
    if let Some(p) = store.proposal(id)? {
        return Ok(p);
    }
    let want = id.trim().to_lowercase();
    let all = store.proposals(&ProposalFilter::default())?;
    let matching: Vec<&Proposal> = if want.len() < 3 {
        Vec::new()
    } else {
        all.iter()
            .filter(|p| p.id.to_lowercase().starts_with(&want))
            .collect()
    };
    if let [one] = matching[..] {
        return Ok(one.clone());
    }
    let listed = |ps: &[&Proposal]| -> String {
        ps.iter()
            .take(5)
            .map(|p| format!("{} ({}, {})", p.id, p.asset, p.status))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if matching.len() > 1 {
        return Err(crate::error::Error::Usage {
            message: format!("`{id}` names {} proposals", matching.len()),
            help: format!("give more of the id: {}", listed(&matching)),
        }
        .into());
    }
    let open: Vec<&Proposal> = all.iter().filter(|p| p.status.is_open()).collect();
    let help = if open.is_empty() {
        "no proposal is open; `tessera impact --propose` opens them, `tessera proposals list --all` shows closed ones".to_string()
    } else {
        format!("open proposals: {}", listed(&open))
    };
    Err(crate::error::Error::Usage {
        message: format!("no proposal `{id}` in the store"),
        help,
    }
    .into())
}

/// Who is acting, for the event log: git's `user.email`, else the login name.
pub fn actor(cwd: &std::path::Path) -> String {
    git_config(cwd, "user.email")
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// A git config value as git would resolve it in `cwd` (repository config over global).
pub fn git_config(cwd: &std::path::Path, name: &str) -> Option<String> {
    let config = match git2::Repository::discover(cwd) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string(name)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// "Now" for records: the clock, or midnight of `TESSERA_TODAY` when that pins the date, so
/// expiry and migration dates agree with each other in tests and reviews.
pub fn now(today: Date) -> Timestamp {
    if std::env::var_os(crate::env::TODAY).is_some() {
        Timestamp::start_of(today)
    } else {
        Timestamp::now()
    }
}
