//! Claims, checked and written inside the sync's transaction: the project name belongs to one
//! repository, and the `owner:` team to one project. A conflict aborts the whole sync, so
//! nothing of a refused declaration is stored.

use rusqlite::OptionalExtension;
use serde_json::json;

use super::Ctx;
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::sqlite::Fail;

/// The repository the project name is bound to; empty for a project not synced yet.
pub(super) fn stored_repository(cx: &Ctx<'_, '_>) -> Result<Repository, Fail> {
    let found = cx
        .tx
        .prepare_cached("SELECT root_commit, remote_url FROM projects WHERE name = ?1")?
        .query_row([cx.project], |r| {
            Ok(Repository {
                root_commit: r.get(0)?,
                remote_url: r.get(1)?,
            })
        })
        .optional()?;
    Ok(found.unwrap_or_default())
}

/// Binds the project name to the declaring repository, or checks that it is the one bound.
/// Returns whether the stored claim changed.
pub(super) fn project(
    cx: &Ctx<'_, '_>,
    decl: &Declaration,
    stored: &Repository,
    out: &mut Vec<ClaimChange>,
) -> Result<bool, Fail> {
    let incoming = &decl.repository;
    if !stored.is_known() {
        // A new project, or one synced before claims existed (or outside git): bind it now.
        if !incoming.is_known() {
            return Ok(false);
        }
        write(cx, incoming)?;
        cx.event(
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
        write(cx, &merged)?;
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
    write(cx, incoming)?;
    cx.event(
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

pub(crate) fn change(kind: &str, subject: &str, summary: String) -> ClaimChange {
    ClaimChange {
        kind: kind.to_string(),
        subject: subject.to_string(),
        summary,
    }
}

pub(crate) fn project_help(project: &str, incoming: &Repository) -> String {
    let mut help = format!(
        "a project name stays with the repository that first synced it. If this repository is \
         another project, give it its own `project:` name in tessera.yaml; if `{project}` really \
         moved here, run `tessera sync --takeover --reason \"…\"` (recorded in the event log and \
         shown by `tessera status`)"
    );
    if incoming.root_commit.is_none() {
        help.push_str(
            "; this checkout is shallow, so its root commit is unknown: fetch the full history \
             (`git fetch --unshallow`, or `fetch-depth: 0` in CI)",
        );
    }
    if incoming.remote_url.is_none() {
        help.push_str("; this repository has no `origin` remote to compare");
    }
    help
}

fn write(cx: &Ctx<'_, '_>, repo: &Repository) -> Result<(), Fail> {
    cx.tx
        .prepare_cached("UPDATE projects SET root_commit = ?2, remote_url = ?3 WHERE name = ?1")?
        .execute((cx.project, &repo.root_commit, &repo.remote_url))?;
    Ok(())
}

/// Claims the `owner:` team for this project, or checks that it holds it; releases the teams
/// this project owned and no longer declares as `owner:`. Returns whether a claim changed.
pub(super) fn teams(
    cx: &Ctx<'_, '_>,
    decl: &Declaration,
    out: &mut Vec<ClaimChange>,
) -> Result<bool, Fail> {
    let tx = cx.tx;
    let mut changed = false;
    if let Some(team) = &decl.owner {
        let holder: Option<String> = tx
            .prepare_cached("SELECT project FROM team_claims WHERE team = ?1")?
            .query_row([team], |r| r.get(0))
            .optional()?;
        match (holder, &decl.takeover) {
            (Some(holder), _) if holder == cx.project => {}
            (None, _) => {
                tx.prepare_cached(
                    "INSERT INTO team_claims (team, project, claimed_at) VALUES (?1, ?2, ?3)",
                )?
                .execute((team, cx.project, cx.now.0))?;
                cx.event(kinds::TEAM_CLAIMED, team, json!({"project": cx.project}))?;
                out.push(change(
                    kinds::TEAM_CLAIMED,
                    team,
                    format!("team {team} owned by project {}", cx.project),
                ));
                changed = true;
            }
            (Some(holder), Some(takeover)) => {
                tx.prepare_cached(
                    "UPDATE team_claims SET project = ?2, claimed_at = ?3 WHERE team = ?1",
                )?
                .execute((team, cx.project, cx.now.0))?;
                cx.event(
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
        .prepare_cached("SELECT team FROM team_claims WHERE project = ?1 ORDER BY team")?
        .query_map([cx.project], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for team in held.iter().filter(|t| Some(*t) != decl.owner.as_ref()) {
        tx.prepare_cached("DELETE FROM team_claims WHERE team = ?1 AND project = ?2")?
            .execute((team, cx.project))?;
        cx.event(kinds::TEAM_RELEASED, team, json!({"project": cx.project}))?;
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
pub(super) fn still_held(conn: &rusqlite::Connection, decl: &Declaration) -> Result<bool, Fail> {
    let Some(team) = &decl.owner else {
        return Ok(true);
    };
    let holder: Option<String> = conn
        .prepare_cached("SELECT project FROM team_claims WHERE team = ?1")?
        .query_row([team], |r| r.get(0))
        .optional()?;
    Ok(holder.as_deref() == Some(decl.project.as_str()))
}
