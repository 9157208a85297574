//! What a team's key may write: the claims of the store, enforced on every write.
//!
//! A team's write key syncs only projects whose `owner:` is that team (and that no other team
//! owns already), declares members only of teams it owns, never adds a public key to another
//! team's member, acks only for its own team, and changes only proposals of assets its team
//! owns, except for the status an ack of its own settles. Admin keys and `--dev` pass.
//!
//! These run on the blocking pool, before the store call, with the store as it is now; the store
//! call itself keeps its own guarantees (claims, the `seen` guard of a batch).

use std::collections::BTreeSet;

use super::auth::Caller;
use super::errors::ApiError;
use crate::store::{Batch, Declaration, Event, ProposalStatus, Store, Write};

fn refuse(message: String, help: &str) -> ApiError {
    ApiError::forbidden(message, help)
}

/// The team that owns project `project` according to the store, if the project exists.
fn project_owner(store: &dyn Store, project: &str) -> Result<Option<Option<String>>, ApiError> {
    Ok(store
        .projects()?
        .into_iter()
        .find(|p| p.name == project)
        .map(|p| p.owner))
}

pub fn may_sync(c: &Caller, store: &dyn Store, d: &Declaration) -> Result<(), ApiError> {
    let Some(team) = c.team() else {
        return Ok(());
    };
    if d.owner.as_deref() != Some(team) {
        return Err(refuse(
            format!(
                "a key of team `{team}` syncs only projects whose `owner:` is `{team}`; project \
                 `{}` declares owner {}",
                d.project,
                d.owner
                    .as_deref()
                    .map_or_else(|| "none".into(), |o| format!("`{o}`"))
            ),
            "sync each project with a key of the team that owns it",
        ));
    }
    if let Some(Some(owner)) = project_owner(store, &d.project)?
        && owner != team
    {
        return Err(refuse(
            format!(
                "project `{}` belongs to team `{owner}`; a key of team `{team}` cannot sync it",
                d.project
            ),
            "moving a project to another team needs an admin key",
        ));
    }
    let claims = store.team_claims()?;
    for u in &d.users {
        for t in &u.teams {
            let owned_elsewhere = claims
                .iter()
                .find(|c| &c.team == t && c.project != d.project);
            if let Some(claim) = owned_elsewhere.filter(|_| t != team) {
                return Err(refuse(
                    format!(
                        "`{}` is declared a member of team `{t}`, which project `{}` owns; a key \
                         of team `{team}` changes only its own members",
                        u.email, claim.project
                    ),
                    "list members under their team in the tessera.yaml of the project that owns \
                     the team",
                ));
            }
        }
    }
    no_foreign_keys(store, d, &claims)
}

/// A user that another team's owning project declares as its member keeps the keys that project
/// gave them: nobody else may add one.
fn no_foreign_keys(
    store: &dyn Store,
    d: &Declaration,
    claims: &[crate::store::TeamClaim],
) -> Result<(), ApiError> {
    let declared: Vec<&crate::store::User> =
        d.users.iter().filter(|u| !u.ssh_keys.is_empty()).collect();
    if declared.is_empty() {
        return Ok(());
    }
    let elsewhere = store.users()?;
    for u in declared {
        for other in elsewhere
            .iter()
            .filter(|o| o.email == u.email && o.project != d.project)
        {
            let owner_of = other.teams.iter().find(|t| {
                claims
                    .iter()
                    .any(|c| &c.team == *t && c.project == other.project)
            });
            let Some(their_team) = owner_of else {
                continue;
            };
            let theirs: BTreeSet<&str> = other.ssh_keys.iter().map(|k| key_body(k)).collect();
            if let Some(added) = u.ssh_keys.iter().find(|k| !theirs.contains(key_body(k))) {
                return Err(refuse(
                    format!(
                        "`{}` is a member of team `{their_team}` (project `{}`); this sync would \
                         add the key `{}` to them",
                        u.email,
                        other.project,
                        key_body(added).chars().take(40).collect::<String>()
                    ),
                    "a member's keys are registered by the project that owns their team",
                ));
            }
        }
    }
    Ok(())
}

/// The key type and base64 of an OpenSSH public key line, without its comment.
fn key_body(line: &str) -> &str {
    let line = line.trim();
    match line.match_indices(' ').nth(1) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// Proposals belong to the team that owns their asset's project (or the asset itself).
pub fn may_write_proposal(c: &Caller, store: &dyn Store, asset: &str) -> Result<(), ApiError> {
    let Some(team) = c.team() else {
        return Ok(());
    };
    let Some(a) = store.asset(asset)? else {
        return Err(refuse(
            format!("asset `{asset}` is unknown, so no team's key may open proposals on it"),
            "sync the producing project first",
        ));
    };
    let project_team = project_owner(store, &a.project)?.flatten();
    if a.owner_team.as_deref() == Some(team) || project_team.as_deref() == Some(team) {
        return Ok(());
    }
    Err(refuse(
        format!(
            "asset `{asset}` belongs to project `{}`, not to team `{team}`",
            a.project
        ),
        "only the producing team's key changes its proposals; consumers answer with `tessera ack`",
    ))
}

pub fn may_commit(c: &Caller, store: &dyn Store, batch: &Batch) -> Result<(), ApiError> {
    let Some(team) = c.team() else {
        return Ok(());
    };
    let mut acked: BTreeSet<&str> = BTreeSet::new();
    for w in &batch.writes {
        if let Write::Ack(ack) = w {
            if ack.team != team {
                return Err(refuse(
                    format!(
                        "a key of team `{team}` acks only for `{team}`, not for `{}`",
                        ack.team
                    ),
                    "each team acks with its own key (and its members' SSH signatures)",
                ));
            }
            signed_by_a_member(store, ack)?;
            acked.insert(&ack.proposal);
        }
    }
    for w in &batch.writes {
        match w {
            Write::Ack(_) => {}
            Write::Proposal(p) => may_write_proposal(c, store, &p.asset)?,
            // The status an ack of this team settles goes with the ack.
            Write::Status { id, status }
                if acked.contains(id.as_str())
                    && matches!(
                        status,
                        ProposalStatus::Pending
                            | ProposalStatus::Approved
                            | ProposalStatus::Blocked
                    ) => {}
            Write::Status { id, .. } => match store.proposal(id)? {
                Some(p) => may_write_proposal(c, store, &p.asset)?,
                None => {
                    return Err(
                        crate::store::StoreError::ProposalNotFound { id: id.clone() }.into(),
                    );
                }
            },
        }
    }
    Ok(())
}

/// A team's key does not replace its members' signatures: the ack must be signed by a member
/// of the team, with a key the team's owning project registered, over this proposal. Whether it
/// still matches the proposal's current breaking set is left to the batch's guard and to
/// `verify`, as on a local store.
fn signed_by_a_member(store: &dyn Store, ack: &crate::store::Ack) -> Result<(), ApiError> {
    let Some(proposal) = store.proposal(&ack.proposal)? else {
        return Err(crate::store::StoreError::ProposalNotFound {
            id: ack.proposal.clone(),
        }
        .into());
    };
    let fail = |e: miette::Report| ApiError::internal(format!("could not check the ack: {e}"));
    let members = crate::cli::coord::trusted_members(store).map_err(fail)?;
    let impacted = crate::cli::coord::impacted_now(store, &proposal).map_err(fail)?;
    let checked = crate::cli::coord::check_acks(&proposal, vec![ack.clone()], &impacted, &members);
    match checked.first().map(|c| &c.verdict) {
        Some(Err(reason)) if !matches!(reason.code(), "stale_digest" | "team_not_impacted") => {
            Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "tessera::server::ack_rejected",
                format!(
                    "the ack for team `{}` is not signed by one of its members: {reason} ({})",
                    ack.team,
                    reason.code()
                ),
                "sign with `tessera ack` and a key registered under your entry in the tessera.yaml \
                 of the project that owns your team",
            ))
        }
        _ => Ok(()),
    }
}

pub fn may_append_event(c: &Caller, store: &dyn Store, e: &Event) -> Result<(), ApiError> {
    let Some(team) = c.team() else {
        return Ok(());
    };
    if let Some(project) = &e.project {
        return match project_owner(store, project)? {
            Some(Some(owner)) if owner == team => Ok(()),
            _ => Err(refuse(
                format!("project `{project}` is not team `{team}`'s"),
                "a team's key records events only about its own projects",
            )),
        };
    }
    if let Some(subject) = &e.subject
        && let Some(p) = store.proposal(subject)?
    {
        return may_write_proposal(c, store, &p.asset);
    }
    Err(refuse(
        format!("a key of team `{team}` records events only about its own projects and proposals"),
        "name the project (or the proposal as subject) the event is about",
    ))
}
