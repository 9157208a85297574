//! Coordination records: proposals, acknowledgments and the event log.

use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::json;

use super::read::Query;
use super::{Fail, invalid};
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::time::Timestamp;

const PROPOSAL_COLUMNS: &str = "id, asset, base_digest, head_digest, breaking_digest, \
     findings_json, impacted_json, status, created_at, updated_at, created_by, force_reason, \
     change_ref, published_version";

fn proposal_row(r: &Row<'_>) -> Result<Proposal, Fail> {
    let impacted: String = r.get(6)?;
    let status: String = r.get(7)?;
    Ok(Proposal {
        id: r.get(0)?,
        asset: r.get(1)?,
        base_digest: r.get(2)?,
        head_digest: r.get(3)?,
        breaking_digest: r.get(4)?,
        findings_json: r.get(5)?,
        impacted: serde_json::from_str(&impacted)
            .map_err(|e| invalid("list of impacted teams", e))?,
        status: status.parse().map_err(|e| invalid("proposal status", e))?,
        created_at: Timestamp(r.get(8)?),
        updated_at: Timestamp(r.get(9)?),
        created_by: r.get(10)?,
        force_reason: r.get(11)?,
        change_ref: r.get(12)?,
        published_version: r.get(13)?,
    })
}

pub(super) fn proposal(conn: &Connection, id: &str) -> Result<Option<Proposal>, Fail> {
    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query_and_then([id], proposal_row)?;
    rows.next().transpose()
}

pub(super) fn proposals(conn: &Connection, filter: &ProposalFilter) -> Result<Vec<Proposal>, Fail> {
    let mut query = Query::new(format!("SELECT {PROPOSAL_COLUMNS} FROM proposals"));
    if let Some(asset) = &filter.asset {
        query.and("asset = ?", asset);
    }
    if let Some(digest) = &filter.breaking_digest {
        query.and("breaking_digest = ?", digest);
    }
    if let Some(change) = &filter.change_ref {
        query.and("change_ref = ?", change);
    }
    if !filter.statuses.is_empty() {
        // Status names come from the enum, never from input, so they can be inlined.
        let names: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.name()))
            .collect();
        query.and_sql(&format!("status IN ({})", names.join(", ")));
    }
    query.order_by("created_at DESC, id");
    let mut stmt = conn.prepare_cached(&query.sql)?;
    let rows = stmt.query_and_then(query.params().as_slice(), proposal_row)?;
    rows.collect()
}

/// The producing project of an asset key, to file coordination events under.
fn project_of(conn: &Connection, asset: &str) -> Result<Option<String>, Fail> {
    let mut stmt = conn.prepare_cached("SELECT project FROM assets WHERE key = ?1")?;
    Ok(stmt.query_row([asset], |r| r.get(0)).optional()?)
}

pub(super) fn put_proposal(conn: &Connection, p: &Proposal) -> Result<bool, Fail> {
    let impacted = serde_json::to_string(&p.impacted).map_err(|e| invalid("impacted list", e))?;
    let existing = proposal(conn, &p.id)?;
    let created = existing.is_none();
    if let Some(old) = &existing {
        // The creation time is the first one; a re-push only updates.
        let same = Proposal {
            created_at: old.created_at,
            updated_at: old.updated_at,
            ..p.clone()
        };
        if &same == old {
            return Ok(false);
        }
    }
    let created_at = existing.as_ref().map_or(p.created_at, |old| old.created_at);
    conn.prepare_cached(
        "INSERT INTO proposals (id, asset, base_digest, head_digest, breaking_digest,
             findings_json, impacted_json, status, created_at, updated_at, created_by, force_reason,
             change_ref, published_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (id) DO UPDATE SET
             asset = excluded.asset, base_digest = excluded.base_digest,
             head_digest = excluded.head_digest, breaking_digest = excluded.breaking_digest,
             findings_json = excluded.findings_json, impacted_json = excluded.impacted_json,
             status = excluded.status, updated_at = excluded.updated_at,
             created_by = excluded.created_by, force_reason = excluded.force_reason,
             change_ref = excluded.change_ref, published_version = excluded.published_version",
    )?
    .execute(rusqlite::params![
        p.id,
        p.asset,
        p.base_digest,
        p.head_digest,
        p.breaking_digest,
        p.findings_json,
        impacted,
        p.status.name(),
        created_at.0,
        p.updated_at.0,
        p.created_by,
        p.force_reason,
        p.change_ref,
        p.published_version,
    ])?;
    let (kind, detail) = proposal_recorded(existing.as_ref(), p);
    insert_event(
        conn,
        p.updated_at,
        kind,
        project_of(conn, &p.asset)?.as_deref(),
        Some(&p.id),
        &detail,
    )?;
    Ok(created)
}

pub(super) fn set_proposal_status(
    conn: &Connection,
    id: &str,
    status: ProposalStatus,
    now: Timestamp,
) -> Result<(), Fail> {
    let Some(old) = proposal(conn, id)? else {
        return Err(StoreError::ProposalNotFound { id: id.to_string() }.into());
    };
    if old.status == status {
        return Ok(());
    }
    conn.prepare_cached("UPDATE proposals SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute((id, status.name(), now.0))?;
    insert_event(
        conn,
        now,
        kinds::PROPOSAL_STATUS,
        project_of(conn, &old.asset)?.as_deref(),
        Some(id),
        &json!({ "asset": old.asset, "from": old.status, "to": status }),
    )?;
    Ok(())
}

pub(super) fn add_ack(conn: &Connection, ack: &Ack) -> Result<Ack, Fail> {
    let Some(p) = proposal(conn, &ack.proposal)? else {
        return Err(StoreError::ProposalNotFound {
            id: ack.proposal.clone(),
        }
        .into());
    };
    conn.prepare_cached(
        "INSERT INTO acks (proposal, team, decision, migrating_until, signer, payload, signature,
             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![
        ack.proposal,
        ack.team,
        ack.decision.name(),
        ack.migrating_until.map(|d| d.to_string()),
        ack.signer,
        ack.payload,
        ack.signature,
        ack.created_at.0,
    ])?;
    let stored = Ack {
        id: conn.last_insert_rowid(),
        ..ack.clone()
    };
    insert_event(
        conn,
        ack.created_at,
        kinds::ACK_RECORDED,
        project_of(conn, &p.asset)?.as_deref(),
        Some(&ack.proposal),
        &json!({
            "ack": stored.id,
            "team": ack.team,
            "decision": ack.decision,
            "signer": ack.signer,
            "breaking_digest": p.breaking_digest,
        }),
    )?;
    Ok(stored)
}

pub(super) fn acks(conn: &Connection, proposal: &str) -> Result<Vec<Ack>, Fail> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, proposal, team, decision, migrating_until, signer, payload, signature,
                created_at
         FROM acks WHERE proposal = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_and_then([proposal], |r| -> Result<Ack, Fail> {
        let decision: String = r.get(3)?;
        let until: Option<String> = r.get(4)?;
        Ok(Ack {
            id: r.get(0)?,
            proposal: r.get(1)?,
            team: r.get(2)?,
            decision: decision.parse().map_err(|e| invalid("ack decision", e))?,
            migrating_until: until
                .map(|d| d.parse())
                .transpose()
                .map_err(|e| invalid("ack migration date", e))?,
            signer: r.get(5)?,
            payload: r.get(6)?,
            signature: r.get(7)?,
            created_at: Timestamp(r.get(8)?),
        })
    })?;
    rows.collect()
}

pub(super) fn insert_event(
    conn: &Connection,
    at: Timestamp,
    kind: &str,
    project: Option<&str>,
    subject: Option<&str>,
    detail: &serde_json::Value,
) -> Result<i64, Fail> {
    conn.prepare_cached(
        "INSERT INTO events (at, kind, project, subject, detail_json) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((at.0, kind, project, subject, detail.to_string()))?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn append_event(conn: &Connection, event: &Event) -> Result<Event, Fail> {
    let detail: serde_json::Value =
        serde_json::from_str(&event.detail_json).map_err(|e| StoreError::InvalidDeclaration {
            project: event.project.clone().unwrap_or_default(),
            message: format!("event detail is not JSON: {e}"),
            help: "pass a JSON object as `detail_json` (`{}` when there is nothing to add)".into(),
        })?;
    let id = insert_event(
        conn,
        event.at,
        &event.kind,
        event.project.as_deref(),
        event.subject.as_deref(),
        &detail,
    )?;
    Ok(Event {
        id,
        detail_json: detail.to_string(),
        ..event.clone()
    })
}

pub(super) fn events(conn: &Connection, filter: &EventFilter) -> Result<Vec<Event>, Fail> {
    let mut query =
        Query::new("SELECT id, at, kind, project, subject, detail_json FROM events".into());
    if let Some(project) = &filter.project {
        query.and("project = ?", project);
    }
    if let Some(subject) = &filter.subject {
        query.and("subject = ?", subject);
    }
    let pattern = filter.kind_prefix.as_deref().map(glob_prefix);
    if let Some(pattern) = &pattern {
        query.and("kind GLOB ?", pattern);
    }
    if let Some(after) = &filter.after_id {
        query.and("id > ?", after);
    }
    query.order_by(if filter.newest_first { "id DESC" } else { "id" });
    if let Some(limit) = filter.limit {
        query.sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut stmt = conn.prepare_cached(&query.sql)?;
    let rows = stmt.query_map(query.params().as_slice(), |r| {
        Ok(Event {
            id: r.get(0)?,
            at: Timestamp(r.get(1)?),
            kind: r.get(2)?,
            project: r.get(3)?,
            subject: r.get(4)?,
            detail_json: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A case-sensitive GLOB matching every string that starts with `prefix` taken literally.
fn glob_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        match c {
            '*' | '?' | '[' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out.push('*');
    out
}

/// [`crate::store::Store::commit`] inside the caller's write transaction.
pub(super) fn commit(conn: &Connection, batch: &Batch) -> Result<Committed, Fail> {
    for seen in &batch.seen {
        let now = proposal(conn, &seen.proposal)?;
        let acks: i64 = conn
            .prepare_cached("SELECT count(*) FROM acks WHERE proposal = ?1")?
            .query_row([&seen.proposal], |r| r.get(0))?;
        let current = Seen::of(&seen.proposal, now.as_ref(), acks as usize);
        if &current != seen {
            return Err(StoreError::Conflict {
                id: seen.proposal.clone(),
                what: describe_change(seen.state.as_ref(), current.state.as_ref()),
            }
            .into());
        }
    }
    let mut done = Committed::default();
    for write in &batch.writes {
        match write {
            Write::Proposal(p) => {
                if put_proposal(conn, p)? {
                    done.created.push(p.id.clone());
                }
            }
            Write::Status { id, status } => set_proposal_status(conn, id, *status, batch.now)?,
            Write::Ack(a) => done.acks.push(add_ack(conn, a)?),
        }
    }
    Ok(done)
}

pub(crate) fn describe_change(saw: Option<&SeenState>, now: Option<&SeenState>) -> String {
    match (saw, now) {
        (None, Some(_)) => "it was created".into(),
        (Some(_), None) => "it was removed".into(),
        (Some(a), Some(b)) if a.breaking_digest != b.breaking_digest => {
            "its breaking set was revised".into()
        }
        (Some(a), Some(b)) if a.acks != b.acks => "an acknowledgment was recorded".into(),
        (Some(a), Some(b)) => format!("its status went from {} to {}", a.status, b.status),
        (None, None) => "it changed".into(),
    }
}

/// The event that records `p` being written over `existing`: its kind and detail. Both SQL
/// backends log the same thing.
pub(crate) fn proposal_recorded(
    existing: Option<&Proposal>,
    p: &Proposal,
) -> (&'static str, serde_json::Value) {
    let (kind, mut detail) = match existing {
        None => (kinds::PROPOSAL_CREATED, json!({})),
        Some(old) => (
            kinds::PROPOSAL_UPDATED,
            json!({
                "previous_breaking_digest": old.breaking_digest,
                "previous_status": old.status,
            }),
        ),
    };
    detail["asset"] = json!(p.asset);
    detail["breaking_digest"] = json!(p.breaking_digest);
    detail["status"] = json!(p.status);
    detail["impacted"] = json!(p.impacted);
    if let Some(reason) = &p.force_reason {
        detail["force_reason"] = json!(reason);
    }
    if let Some(version) = &p.published_version {
        detail["published_version"] = json!(version);
    }
    detail["by"] = json!(p.created_by);
    (kind, detail)
}
