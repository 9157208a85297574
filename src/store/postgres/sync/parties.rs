//! Who: consumer registrations, teams and users, as in the SQLite store.

use std::collections::HashMap;

use postgres::Transaction;
use serde_json::json;

use super::Ctx;
use crate::store::model::*;
use crate::store::postgres::read::{CONSUMER_COLUMNS, USER_COLUMNS, consumer_row, user_row};
use crate::store::postgres::{Fail, invalid};
use crate::store::sqlite::sync::RegistrationKey;

pub(super) fn sync_consumers(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    declared: &[Consumer],
    out: &mut ConsumerChanges,
) -> Result<(), Fail> {
    let mut existing: HashMap<RegistrationKey, Consumer> = HashMap::new();
    let sql = format!("SELECT {CONSUMER_COLUMNS} FROM consumers WHERE project = $1");
    for r in tx.query(&sql, &[&cx.project])? {
        let c = consumer_row(&r)?;
        existing.insert((c.asset.clone(), c.team.clone(), c.source), c);
    }
    for c in declared {
        let key = (c.asset.clone(), c.team.clone(), c.source);
        let old = existing.remove(&key);
        if old.as_ref() == Some(c) {
            continue;
        }
        let columns = c
            .columns
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| invalid("consumer column list", e))?;
        tx.execute(
            "INSERT INTO consumers (asset, project, team, source, columns_json,
                 all_columns_reason, purpose, contact, retired, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9)
             ON CONFLICT (project, asset, team, source) DO UPDATE SET
                 columns_json = excluded.columns_json,
                 all_columns_reason = excluded.all_columns_reason,
                 purpose = excluded.purpose, contact = excluded.contact, retired = false,
                 updated_at = excluded.updated_at",
            &[
                &c.asset,
                &c.project,
                &c.team,
                &c.source.name(),
                &columns,
                &c.all_columns_reason,
                &c.purpose,
                &c.contact,
                &cx.now.0,
            ],
        )?;
        let r = ConsumerRef::from(c);
        let detail = json!({"team": c.team, "source": c.source, "columns": c.columns});
        match old {
            Some(old) if !old.retired => {
                cx.event(tx, kinds::CONSUMER_UPDATED, &c.asset, detail)?;
                out.updated.push(r);
            }
            _ => {
                cx.event(tx, kinds::CONSUMER_REGISTERED, &c.asset, detail)?;
                out.registered.push(r);
            }
        }
    }
    let mut gone: Vec<Consumer> = existing.into_values().filter(|c| !c.retired).collect();
    gone.sort_by(|a, b| (&a.asset, &a.team, a.source).cmp(&(&b.asset, &b.team, b.source)));
    for c in gone {
        tx.execute(
            "UPDATE consumers SET retired = true, updated_at = $5
             WHERE project = $1 AND asset = $2 AND team = $3 AND source = $4",
            &[&c.project, &c.asset, &c.team, &c.source.name(), &cx.now.0],
        )?;
        cx.event(
            tx,
            kinds::CONSUMER_RETIRED,
            &c.asset,
            json!({"team": c.team, "source": c.source}),
        )?;
        out.retired.push(ConsumerRef::from(&c));
    }
    Ok(())
}

pub(super) fn sync_teams(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    declared: &[Team],
    out: &mut Changes,
) -> Result<(), Fail> {
    let mut existing: HashMap<String, (Team, bool)> = HashMap::new();
    for r in tx.query(
        "SELECT name, slack_channel, email, project, retired FROM teams WHERE project = $1",
        &[&cx.project],
    )? {
        let team = Team {
            name: r.try_get(0)?,
            slack_channel: r.try_get(1)?,
            email: r.try_get(2)?,
            project: r.try_get(3)?,
        };
        existing.insert(team.name.clone(), (team, r.try_get(4)?));
    }
    for t in declared {
        let team = Team {
            project: cx.project.to_string(),
            ..t.clone()
        };
        let old = existing.remove(&team.name);
        if old
            .as_ref()
            .is_some_and(|(o, retired)| *o == team && !retired)
        {
            continue;
        }
        tx.execute(
            "INSERT INTO teams (project, name, slack_channel, email, retired)
             VALUES ($1, $2, $3, $4, false)
             ON CONFLICT (project, name) DO UPDATE SET
                 slack_channel = excluded.slack_channel, email = excluded.email, retired = false",
            &[&team.project, &team.name, &team.slack_channel, &team.email],
        )?;
        let created = old.as_ref().is_none_or(|(_, retired)| *retired);
        let change = if created { "created" } else { "updated" };
        cx.event(
            tx,
            kinds::TEAM_CHANGED,
            &team.name,
            json!({"change": change, "team": team}),
        )?;
        if created {
            out.created.push(team.name);
        } else {
            out.updated.push(team.name);
        }
    }
    let mut gone: Vec<String> = existing
        .into_iter()
        .filter(|(_, (_, retired))| !retired)
        .map(|(name, _)| name)
        .collect();
    gone.sort();
    for name in gone {
        tx.execute(
            "UPDATE teams SET retired = true WHERE project = $1 AND name = $2",
            &[&cx.project, &name],
        )?;
        cx.event(tx, kinds::TEAM_CHANGED, &name, json!({"change": "retired"}))?;
        out.retired.push(name);
    }
    Ok(())
}

pub(super) fn sync_users(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    declared: &[User],
    out: &mut Changes,
) -> Result<(), Fail> {
    let mut existing: HashMap<String, (User, bool)> = HashMap::new();
    let sql = format!("SELECT {USER_COLUMNS}, retired FROM users WHERE project = $1");
    for r in tx.query(&sql, &[&cx.project])? {
        let user = user_row(&r)?;
        existing.insert(user.email.clone(), (user, r.try_get(8)?));
    }
    for u in declared {
        let mut user = User {
            project: cx.project.to_string(),
            ..u.clone()
        };
        // Order carries no meaning in either list; sorting keeps reorderings from being changes.
        user.teams.sort();
        user.teams.dedup();
        user.ssh_keys.sort();
        user.ssh_keys.dedup();
        let old = existing.remove(&user.email);
        if old
            .as_ref()
            .is_some_and(|(o, retired)| *o == user && !retired)
        {
            continue;
        }
        let list = |v: &Vec<String>| serde_json::to_string(v).map_err(|e| invalid("user list", e));
        tx.execute(
            "INSERT INTO users (project, email, name, teams_json, github, gitlab,
                 slack_member_id, ssh_keys_json, retired)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
             ON CONFLICT (project, email) DO UPDATE SET
                 name = excluded.name, teams_json = excluded.teams_json,
                 github = excluded.github, gitlab = excluded.gitlab,
                 slack_member_id = excluded.slack_member_id,
                 ssh_keys_json = excluded.ssh_keys_json, retired = false",
            &[
                &user.project,
                &user.email,
                &user.name,
                &list(&user.teams)?,
                &user.github,
                &user.gitlab,
                &user.slack_member_id,
                &list(&user.ssh_keys)?,
            ],
        )?;
        let created = old.as_ref().is_none_or(|(_, retired)| *retired);
        let change = if created { "created" } else { "updated" };
        // Keys are public, but the log records that they changed, not the keys themselves.
        cx.event(
            tx,
            kinds::USER_CHANGED,
            &user.email,
            json!({"change": change, "teams": user.teams, "ssh_keys": user.ssh_keys.len()}),
        )?;
        if created {
            out.created.push(user.email);
        } else {
            out.updated.push(user.email);
        }
    }
    let mut gone: Vec<String> = existing
        .into_iter()
        .filter(|(_, (_, retired))| !retired)
        .map(|(email, _)| email)
        .collect();
    gone.sort();
    for email in gone {
        tx.execute(
            "UPDATE users SET retired = true WHERE project = $1 AND email = $2",
            &[&cx.project, &email],
        )?;
        cx.event(
            tx,
            kinds::USER_CHANGED,
            &email,
            json!({"change": "retired"}),
        )?;
        out.retired.push(email);
    }
    Ok(())
}
