//! `sync_project`: make the store say exactly what one project declares, writing only the
//! differences, so an unchanged declaration writes nothing at all.

mod assets;
pub(crate) mod claims;
mod parties;

use std::collections::{BTreeMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Fail;
use super::coord::insert_event;
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::time::Timestamp;

/// A validated declaration with its registrations merged and normalised. Every backend syncs
/// from this, so they validate and normalise alike.
pub(crate) struct Prepared<'a> {
    pub(crate) decl: &'a Declaration,
    pub(crate) digest: String,
    pub(crate) consumers: Vec<Consumer>,
}

pub(crate) type RegistrationKey = (String, String, RegistrationSource);

pub(crate) fn prepare(decl: &Declaration) -> Result<Prepared<'_>, StoreError> {
    let bad = |message: String, help: &str| StoreError::InvalidDeclaration {
        project: decl.project.clone(),
        message,
        help: help.to_string(),
    };
    if decl.project.trim().is_empty() {
        return Err(bad(
            "the project has no name".into(),
            "set `project:` in tessera.yaml",
        ));
    }
    let mut keys = HashSet::new();
    for d in &decl.assets {
        let key = &d.asset.key;
        if key.trim().is_empty() {
            return Err(bad(
                format!("asset `{}` has an empty relation key", d.asset.node),
                "give the relation a database, schema and identifier",
            ));
        }
        if !keys.insert(key.as_str()) {
            return Err(bad(
                format!("asset `{key}` is declared twice"),
                "two relations of the project resolve to the same database.schema.identifier; \
                 give one of them another alias or schema",
            ));
        }
        if d.digest.trim().is_empty() {
            return Err(bad(
                format!("asset `{key}` has no contract digest"),
                "build declarations with `DeclaredAsset::new`, which computes it",
            ));
        }
        if let Some(v) = d.version.as_deref().filter(|v| !is_semver(v)) {
            return Err(bad(
                format!("asset `{key}` has version `{v}`, which is not semver"),
                "use MAJOR.MINOR.PATCH, e.g. 1.2.0",
            ));
        }
    }
    unique(decl.teams.iter().map(|t| t.name.as_str()), "team")
        .map_err(|m| bad(m, "declare each team once in `teams:`"))?;
    // The CLI checks these at their line in tessera.yaml; the store checks again, since any
    // client may write here and these names reach terminals, markdown and shell commands.
    let teams = decl
        .owner
        .iter()
        .chain(decl.teams.iter().map(|t| &t.name))
        .chain(decl.users.iter().flat_map(|u| &u.teams))
        // An empty consumer team gets its own message below.
        .chain(
            decl.consumers
                .iter()
                .map(|c| &c.team)
                .filter(|t| !t.is_empty()),
        );
    for team in teams {
        if !crate::config::is_team_name(team) {
            return Err(bad(
                format!("{team:?} is not a valid team name"),
                "team names use letters, digits, `.`, `_` and `-` and start with a letter or digit",
            ));
        }
    }
    if let Some(u) = decl
        .users
        .iter()
        .find(|u| !crate::config::is_email(&u.email))
    {
        return Err(bad(
            format!("user email {:?} is not an email address", u.email),
            "write the address the user signs with, e.g. `bo@example.com`",
        ));
    }
    unique(decl.users.iter().map(|u| u.email.as_str()), "user")
        .map_err(|m| bad(m, "declare each user once in `users:`"))?;
    let mut merged: BTreeMap<RegistrationKey, Consumer> = BTreeMap::new();
    for c in &decl.consumers {
        if c.asset.trim().is_empty() || c.team.trim().is_empty() {
            return Err(bad(
                format!(
                    "a consumer registration of `{}` lacks an asset or team",
                    c.asset
                ),
                "every `consumes:` entry needs an asset, and a team or a top-level `owner`",
            ));
        }
        let mut c = c.clone();
        c.project = decl.project.clone();
        c.retired = false;
        if let Some(cols) = &mut c.columns {
            cols.sort();
            cols.dedup();
            c.all_columns_reason = None;
        }
        let key = (c.asset.clone(), c.team.clone(), c.source);
        match merged.get_mut(&key) {
            None => {
                merged.insert(key, c);
            }
            Some(into) => merge(into, c),
        }
    }
    // A takeover is an instruction, not part of what the project declares: leaving it out keeps
    // the next plain sync of the same declaration a no-op.
    let declared = Declaration {
        takeover: None,
        ..decl.clone()
    };
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&declared).map_err(|e| bad(e.to_string(), "report this"))?);
    Ok(Prepared {
        decl,
        digest: crate::contract::digest::hex(&hasher.finalize()),
        consumers: merged.into_values().collect(),
    })
}

fn unique<'a>(names: impl Iterator<Item = &'a str>, what: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err(format!("a {what} has an empty name"));
        }
        if !seen.insert(name) {
            return Err(format!("{what} `{name}` is declared twice"));
        }
    }
    Ok(())
}

/// Two registrations of one asset by one team from one source: several models reading the same
/// source, say. The columns unite; "every column" wins.
fn merge(into: &mut Consumer, other: Consumer) {
    match (&mut into.columns, other.columns) {
        (Some(mine), Some(theirs)) => {
            mine.extend(theirs);
            mine.sort();
            mine.dedup();
        }
        (Some(_), None) => {
            into.columns = None;
            into.all_columns_reason = other.all_columns_reason;
        }
        (None, _) => {
            if into.all_columns_reason.is_none() {
                into.all_columns_reason = other.all_columns_reason;
            }
        }
    }
    into.purpose = into.purpose.take().or(other.purpose);
    into.contact = into.contact.take().or(other.contact);
}

/// `MAJOR.MINOR.PATCH` with optional `-pre` and `+build` parts.
fn is_semver(v: &str) -> bool {
    let (core, rest) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && rest.is_none_or(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
        })
}

pub(super) fn is_unchanged(conn: &Connection, p: &Prepared<'_>) -> Result<bool, Fail> {
    let mut stmt =
        conn.prepare_cached("SELECT declaration_digest FROM projects WHERE name = ?1")?;
    let stored: Option<String> = stmt.query_row([&p.decl.project], |r| r.get(0)).optional()?;
    Ok(stored.as_deref() == Some(p.digest.as_str()) && claims::still_held(conn, p.decl)?)
}

struct Ctx<'a, 't> {
    tx: &'a Transaction<'t>,
    project: &'a str,
    now: Timestamp,
    commit: Option<&'a str>,
}

impl Ctx<'_, '_> {
    fn event(&self, kind: &str, subject: &str, detail: serde_json::Value) -> Result<(), Fail> {
        insert_event(
            self.tx,
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
    tx: &Transaction<'_>,
    p: &Prepared<'_>,
    now: Timestamp,
    commit: Option<&str>,
) -> Result<SyncOutcome, Fail> {
    let decl = p.decl;
    let cx = Ctx {
        tx,
        project: &decl.project,
        now,
        commit,
    };
    let stored_owner: Option<Option<String>> = tx
        .prepare_cached("SELECT owner FROM projects WHERE name = ?1")?
        .query_row([&decl.project], |r| r.get(0))
        .optional()?;
    if stored_owner.is_none() {
        // Rows below reference the project, so it exists first; its digest is set at the end.
        tx.prepare_cached(
            "INSERT INTO projects (name, owner, declaration_digest, first_synced_at,
                 last_changed_at, last_commit)
             VALUES (?1, ?2, '', ?3, ?3, ?4)",
        )?
        .execute((&decl.project, &decl.owner, now.0, commit))?;
    }
    let repository = claims::stored_repository(&cx)?;
    let mut out = SyncOutcome {
        project: decl.project.clone(),
        ..SyncOutcome::default()
    };
    let claims_changed = claims::project(&cx, decl, &repository, &mut out.claims)?
        | claims::teams(&cx, decl, &mut out.claims)?;
    assets::sync(&cx, decl, &mut out)?;
    parties::sync_consumers(&cx, &p.consumers, &mut out.consumers)?;
    parties::sync_teams(&cx, &decl.teams, &mut out.teams)?;
    parties::sync_users(&cx, &decl.users, &mut out.users)?;
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
        tx.prepare_cached(
            "UPDATE projects SET owner = ?2, declaration_digest = ?3, last_changed_at = ?4,
                 last_commit = ?5
             WHERE name = ?1",
        )?
        .execute((&decl.project, &decl.owner, &p.digest, now.0, commit))?;
        let count = |c: &Changes| {
            json!({
                "created": c.created.len(),
                "updated": c.updated.len(),
                "retired": c.retired.len(),
            })
        };
        cx.event(
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
