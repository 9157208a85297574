//! Claims, checked and written inside the sync's transaction, as in the SQLite store: the
//! project name belongs to one repository, the `owner:` team to one project, and a conflict
//! aborts the whole sync.

use postgres::{GenericClient, Transaction};
use serde_json::json;

use super::Ctx;
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::postgres::Fail;
use crate::store::sqlite::sync::claims::{change, project_help};

/// The repository the project name is bound to; empty for a project not synced yet.
pub(super) fn stored_repository(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
) -> Result<Repository, Fail> {
    let row = tx.query_opt(
        "SELECT root_commit, remote_url FROM projects WHERE name = $1",
        &[&cx.project],
    )?;
    match row {
        Some(r) => Ok(Repository {
            root_commit: r.try_get(0)?,
            remote_url: r.try_get(1)?,
        }),
        None => Ok(Repository::default()),
    }
}

/// Binds the project name to the declaring repository, or checks that it is the one bound.
/// Returns whether the stored claim changed.
pub(super) fn project(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    decl: &Declaration,
    stored: &Repository,
    out: &mut Vec<ClaimChange>,
) -> Result<bool, Fail> {
    let incoming = &decl.repository;
    if !stored.is_known() {
        if !incoming.is_known() {
            return Ok(false);
        }
        write(tx, cx, incoming)?;
        cx.event(
            tx,
            kinds::PROJECT_CLAIMED,
            cx.project,
            json!({"repository": incoming}),
        )?;
        out.push(change(
            kinds::PROJECT_CLAIMED,
            cx.project,
            format!("project {} bound to {incoming}", cx.project),
        ));
        return Ok(true);
    }
    if stored.same_as(incoming) {
        // Learn what the claim lacked: a remote added later, a full clone after shallow ones.
        let merged = Repository {
            root_commit: stored.root_commit.clone().or(incoming.root_commit.clone()),
            remote_url: stored.remote_url.clone().or(incoming.remote_url.clone()),
        };
        if merged == *stored {
            return Ok(false);
        }
        write(tx, cx, &merged)?;
        return Ok(true);
    }
    let Some(takeover) = &decl.takeover else {
        return Err(StoreError::ProjectClaimed {
            project: cx.project.to_string(),
            held_by: stored.to_string(),
            from: incoming.to_string(),
            help: project_help(cx.project, incoming),
        }
        .into());
    };
    write(tx, cx, incoming)?;
    cx.event(
        tx,
        kinds::PROJECT_TAKEOVER,
        cx.project,
        json!({
            "by": takeover.by,
            "reason": takeover.reason,
            "old": stored,
            "new": incoming,
        }),
    )?;
    out.push(change(
        kinds::PROJECT_TAKEOVER,
        cx.project,
        format!(
            "project {} taken over from {stored} to {incoming} by {}: {}",
            cx.project, takeover.by, takeover.reason
        ),
    ));
    Ok(true)
}

fn write(tx: &mut Transaction<'_>, cx: &Ctx<'_>, repo: &Repository) -> Result<(), Fail> {
    tx.execute(
        "UPDATE projects SET root_commit = $2, remote_url = $3 WHERE name = $1",
        &[&cx.project, &repo.root_commit, &repo.remote_url],
    )?;
    Ok(())
}

fn holder(c: &mut impl GenericClient, team: &str) -> Result<Option<String>, Fail> {
    let row = c.query_opt("SELECT project FROM team_claims WHERE team = $1", &[&team])?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Claims the `owner:` team for this project, or checks that it holds it; releases the teams
/// this project owned and no longer declares as `owner:`. Returns whether a claim changed.
pub(super) fn teams(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    decl: &Declaration,
    out: &mut Vec<ClaimChange>,
) -> Result<bool, Fail> {
    let mut changed = false;
    if let Some(team) = &decl.owner {
        match (holder(tx, team)?, &decl.takeover) {
            (Some(holder), _) if holder == cx.project => {}
            (None, _) => {
                tx.execute(
                    "INSERT INTO team_claims (team, project, claimed_at) VALUES ($1, $2, $3)",
                    &[team, &cx.project, &cx.now.0],
                )?;
                cx.event(
                    tx,
                    kinds::TEAM_CLAIMED,
                    team,
                    json!({"project": cx.project}),
                )?;
                out.push(change(
                    kinds::TEAM_CLAIMED,
                    team,
                    format!("team {team} owned by project {}", cx.project),
                ));
                changed = true;
            }
            (Some(holder), Some(takeover)) => {
                tx.execute(
                    "UPDATE team_claims SET project = $2, claimed_at = $3 WHERE team = $1",
                    &[team, &cx.project, &cx.now.0],
                )?;
                cx.event(
                    tx,
                    kinds::TEAM_TAKEOVER,
                    team,
                    json!({
                        "from": holder,
                        "to": cx.project,
                        "by": takeover.by,
                        "reason": takeover.reason,
                    }),
                )?;
                out.push(change(
                    kinds::TEAM_TAKEOVER,
                    team,
                    format!(
                        "team {team} taken over from project {holder} by {}: {}",
                        takeover.by, takeover.reason
                    ),
                ));
                changed = true;
            }
            (Some(holder), None) => {
                return Err(StoreError::TeamClaimed {
                    team: team.clone(),
                    owner: holder,
                    project: cx.project.to_string(),
                }
                .into());
            }
        }
    }
    let held: Vec<String> = tx
        .query(
            r#"SELECT team FROM team_claims WHERE project = $1 ORDER BY team COLLATE "C""#,
            &[&cx.project],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    for team in held.iter().filter(|t| Some(*t) != decl.owner.as_ref()) {
        tx.execute(
            "DELETE FROM team_claims WHERE team = $1 AND project = $2",
            &[team, &cx.project],
        )?;
        cx.event(
            tx,
            kinds::TEAM_RELEASED,
            team,
            json!({"project": cx.project}),
        )?;
        out.push(change(
            kinds::TEAM_RELEASED,
            team,
            format!("team {team} released by project {}", cx.project),
        ));
        changed = true;
    }
    Ok(changed)
}

/// Whether the claims a declaration relies on still hold as stored, so an unchanged
/// declaration may skip the write: a team taken over since must be reported, not skipped.
pub(super) fn still_held(c: &mut impl GenericClient, decl: &Declaration) -> Result<bool, Fail> {
    let Some(team) = &decl.owner else {
        return Ok(true);
    };
    Ok(holder(c, team)?.as_deref() == Some(decl.project.as_str()))
}
