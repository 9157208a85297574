//! `sync_project` for PostgreSQL: the SQLite store's algorithm on the same validated
//! declaration ([`crate::store::sqlite::sync::prepare`]), writing only the differences.

mod assets;
mod claims;
mod parties;

use postgres::{Client, Transaction};
use serde_json::json;

use super::Fail;
use super::coord::insert_event;
use crate::store::model::*;
use crate::store::sqlite::sync::Prepared;
use crate::store::time::Timestamp;

pub(super) fn is_unchanged(c: &mut Client, p: &Prepared<'_>) -> Result<bool, Fail> {
    let stored: Option<String> = c
        .query_opt(
            "SELECT declaration_digest FROM projects WHERE name = $1",
            &[&p.decl.project],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(stored.as_deref() == Some(p.digest.as_str()) && claims::still_held(c, p.decl)?)
}

struct Ctx<'a> {
    project: &'a str,
    now: Timestamp,
    commit: Option<&'a str>,
}

impl Ctx<'_> {
    fn event(
        &self,
        tx: &mut Transaction<'_>,
        kind: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), Fail> {
        insert_event(
            tx,
            self.now,
            kind,
            Some(self.project),
            Some(subject),
            &detail,
        )?;
        Ok(())
    }
}

pub(super) fn apply(
    tx: &mut Transaction<'_>,
    p: &Prepared<'_>,
    now: Timestamp,
    commit: Option<&str>,
) -> Result<SyncOutcome, Fail> {
    let decl = p.decl;
    let cx = Ctx {
        project: &decl.project,
        now,
        commit,
    };
    let stored_owner: Option<Option<String>> = tx
        .query_opt(
            "SELECT owner FROM projects WHERE name = $1",
            &[&decl.project],
        )?
        .map(|r| r.try_get(0))
        .transpose()?;
    if stored_owner.is_none() {
        // Rows below reference the project, so it exists first; its digest is set at the end.
        tx.execute(
            "INSERT INTO projects (name, owner, declaration_digest, first_synced_at,
                 last_changed_at, last_commit)
             VALUES ($1, $2, '', $3, $3, $4)",
            &[&decl.project, &decl.owner, &now.0, &commit],
        )?;
    }
    let repository = claims::stored_repository(tx, &cx)?;
    let mut out = SyncOutcome {
        project: decl.project.clone(),
        ..SyncOutcome::default()
    };
    let claims_changed = claims::project(tx, &cx, decl, &repository, &mut out.claims)?
        | claims::teams(tx, &cx, decl, &mut out.claims)?;
    assets::sync(tx, &cx, decl, &mut out)?;
    parties::sync_consumers(tx, &cx, &p.consumers, &mut out.consumers)?;
    parties::sync_teams(tx, &cx, &decl.teams, &mut out.teams)?;
    parties::sync_users(tx, &cx, &decl.users, &mut out.users)?;
    for changes in [&mut out.teams, &mut out.users] {
        changes.created.sort();
        changes.updated.sort();
    }
    out.changed = claims_changed
        || stored_owner.as_ref() != Some(&decl.owner)
        || !out.assets.is_empty()
        || !out.versions.is_empty()
        || !out.consumers.registered.is_empty()
        || !out.consumers.updated.is_empty()
        || !out.consumers.retired.is_empty()
        || !out.teams.is_empty()
        || !out.users.is_empty();
    if out.changed {
        tx.execute(
            "UPDATE projects SET owner = $2, declaration_digest = $3, last_changed_at = $4,
                 last_commit = $5
             WHERE name = $1",
            &[&decl.project, &decl.owner, &p.digest, &now.0, &commit],
        )?;
        let count = |c: &Changes| {
            json!({
                "created": c.created.len(),
                "updated": c.updated.len(),
                "retired": c.retired.len(),
            })
        };
        cx.event(
            tx,
            kinds::PROJECT_SYNCED,
            &decl.project,
            json!({
                "commit": commit,
                "repository": decl.repository,
                "owner": decl.owner,
                "assets": count(&out.assets),
                "versions": out.versions.len(),
                "consumers": {
                    "registered": out.consumers.registered.len(),
                    "updated": out.consumers.updated.len(),
                    "retired": out.consumers.retired.len(),
                },
                "linked": out.linked.len(),
                "teams": count(&out.teams),
                "users": count(&out.users),
            }),
        )?;
    }
    Ok(out)
}
