//! What `impact`, `ack`, `verify`, `proposals` and `signers` share: who may sign for a team,
//! which stored acks count, and the status a proposal's acks give it.

use std::collections::{BTreeMap, BTreeSet};

use crate::contract::Date;
use crate::impact::proposal::{self as prop, CountedAck, TeamState};
use crate::sign::{self, Member, ProposalView, Rejection, StoredAck};
use crate::store::{
    Ack, AssetFilter, ConsumerFilter, Proposal, ProposalFilter, ProposalStatus, Store, Timestamp,
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

/// Every ack of `proposal`, each checked against its current breaking set and impacted teams.
pub fn check_acks(
    store: &dyn Store,
    proposal: &Proposal,
    members: &[Member],
) -> crate::error::Result<Vec<Checked>> {
    let view = ProposalView {
        id: proposal.id.clone(),
        asset: proposal.asset.clone(),
        breaking_digest: proposal.breaking_digest.clone(),
    };
    Ok(store
        .acks(&proposal.id)?
        .into_iter()
        .map(|ack| {
            let verdict = sign::evaluate(&stored(&ack), &view, members, &proposal.impacted);
            Checked { ack, verdict }
        })
        .collect())
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
        comment: sign::AckPayload::parse(&ack.payload)
            .ok()
            .and_then(|p| p.comment),
        payload: ack.payload.clone(),
        signature: ack.signature.clone(),
    }
}

/// Each impacted team's state from the acks that count.
pub fn states(proposal: &Proposal, checked: &[Checked], today: Date) -> Vec<(String, TeamState)> {
    let counted: Vec<CountedAck> = checked
        .iter()
        .filter(|c| c.verdict.is_ok())
        .map(|c| CountedAck {
            team: c.ack.team.clone(),
            decision: c.ack.decision,
            migrating_until: c.ack.migrating_until,
        })
        .collect();
    prop::team_states(&proposal.impacted, &counted, today)
}

/// A proposal with its checked acks and its teams' states, as reports show it.
pub struct Assessed {
    pub proposal: Proposal,
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
}

pub fn assess(
    store: &dyn Store,
    proposal: Proposal,
    members: &[Member],
    today: Date,
) -> crate::error::Result<Assessed> {
    let checked = check_acks(store, &proposal, members)?;
    let states = states(&proposal, &checked, today);
    Ok(Assessed {
        proposal,
        checked,
        states,
    })
}

/// Writes the status the acks give an open proposal, when it changed.
pub fn settle(store: &dyn Store, a: &mut Assessed, now: Timestamp) -> crate::error::Result<()> {
    let status = a.status();
    if status != a.proposal.status {
        store.set_proposal_status(&a.proposal.id, status, now)?;
        a.proposal.status = status;
    }
    Ok(())
}

/// Closes open proposals nobody touched for `days` days. `None` keeps them open forever.
pub fn expire(store: &dyn Store, days: Option<u32>, now: Timestamp) -> crate::error::Result<()> {
    let Some(days) = days else { return Ok(()) };
    let open = store.proposals(&ProposalFilter {
        statuses: ProposalStatus::OPEN.to_vec(),
        ..ProposalFilter::default()
    })?;
    let limit = i64::from(days) * 86_400;
    for p in open {
        if now.unix() - p.updated_at.unix() >= limit {
            store.set_proposal_status(&p.id, ProposalStatus::Expired, now)?;
        }
    }
    Ok(())
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

/// The proposal `id`, or an error that lists the open ones to pick from.
pub fn find_proposal(store: &dyn Store, id: &str) -> crate::error::Result<Proposal> {
    if let Some(p) = store.proposal(id)? {
        return Ok(p);
    }
    let open = store.proposals(&ProposalFilter {
        statuses: ProposalStatus::OPEN.to_vec(),
        ..ProposalFilter::default()
    })?;
    let ids: Vec<String> = open
        .iter()
        .take(5)
        .map(|p| format!("{} ({})", p.id, p.asset))
        .collect();
    let help = if ids.is_empty() {
        "no proposal is open; `tessera impact --propose` opens them, `tessera proposals list --all` shows closed ones".to_string()
    } else {
        format!("open proposals: {}", ids.join(", "))
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
