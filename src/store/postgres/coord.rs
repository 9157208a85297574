//! Proposals, acknowledgments and the event log, as in the SQLite store. Writers run inside
//! [`super::PostgresStore::write`]'s transaction, which holds the write lock.

use postgres::{GenericClient, Row, Transaction};
use serde_json::json;

use super::read::Query;
use super::{Fail, invalid};
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::sqlite::coord::{describe_change, proposal_recorded};
use crate::store::time::Timestamp;

const PROPOSAL_COLUMNS: &str = "id, asset, base_digest, head_digest, breaking_digest, \
     findings_json, impacted_json, status, created_at, updated_at, created_by, force_reason, \
     change_ref, published_version";

fn proposal_row(r: &Row) -> Result<Proposal, Fail> {
    let impacted: String = r.try_get(6)?;
    let status: String = r.try_get(7)?;
    Ok(Proposal {
        id: r.try_get(0)?,
        asset: r.try_get(1)?,
        base_digest: r.try_get(2)?,
        head_digest: r.try_get(3)?,
        breaking_digest: r.try_get(4)?,
        findings_json: r.try_get(5)?,
        impacted: serde_json::from_str(&impacted)
            .map_err(|e| invalid("list of impacted teams", e))?,
        status: status.parse().map_err(|e| invalid("proposal status", e))?,
        created_at: Timestamp(r.try_get(8)?),
        updated_at: Timestamp(r.try_get(9)?),
        created_by: r.try_get(10)?,
        force_reason: r.try_get(11)?,
        change_ref: r.try_get(12)?,
        published_version: r.try_get(13)?,
    })
}

pub(super) fn proposal(c: &mut impl GenericClient, id: &str) -> Result<Option<Proposal>, Fail> {
    let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = $1");
    c.query_opt(&sql, &[&id])?
        .as_ref()
        .map(proposal_row)
        .transpose()
}

pub(super) fn proposals(
    c: &mut impl GenericClient,
    filter: &ProposalFilter,
) -> Result<Vec<Proposal>, Fail> {
    let mut query = Query::new(format!("SELECT {PROPOSAL_COLUMNS} FROM proposals"));
    if let Some(asset) = &filter.asset {
        query.and("asset =", asset);
    }
    if let Some(digest) = &filter.breaking_digest {
        query.and("breaking_digest =", digest);
    }
    if let Some(change) = &filter.change_ref {
        query.and("change_ref =", change);
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
    query.order_by(r#"created_at DESC, id COLLATE "C""#);
    let rows = c.query(&query.sql, &query.params)?;
    rows.iter().map(proposal_row).collect()
}

/// The producing project of an asset key, to file coordination events under.
fn project_of(tx: &mut Transaction<'_>, asset: &str) -> Result<Option<String>, Fail> {
    let row = tx.query_opt("SELECT project FROM assets WHERE key = $1", &[&asset])?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub(super) fn put_proposal(tx: &mut Transaction<'_>, p: &Proposal) -> Result<bool, Fail> {
    let impacted = serde_json::to_string(&p.impacted).map_err(|e| invalid("impacted list", e))?;
    let existing = proposal(tx, &p.id)?;
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
    tx.execute(
        "INSERT INTO proposals (id, asset, base_digest, head_digest, breaking_digest,
             findings_json, impacted_json, status, created_at, updated_at, created_by, force_reason,
             change_ref, published_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET
             asset = excluded.asset, base_digest = excluded.base_digest,
             head_digest = excluded.head_digest, breaking_digest = excluded.breaking_digest,
             findings_json = excluded.findings_json, impacted_json = excluded.impacted_json,
             status = excluded.status, updated_at = excluded.updated_at,
             created_by = excluded.created_by, force_reason = excluded.force_reason,
             change_ref = excluded.change_ref, published_version = excluded.published_version",
        &[
            &p.id,
            &p.asset,
            &p.base_digest,
            &p.head_digest,
            &p.breaking_digest,
            &p.findings_json,
            &impacted,
            &p.status.name(),
            &created_at.0,
            &p.updated_at.0,
            &p.created_by,
            &p.force_reason,
            &p.change_ref,
            &p.published_version,
        ],
    )?;
    let (kind, detail) = proposal_recorded(existing.as_ref(), p);
    let project = project_of(tx, &p.asset)?;
    insert_event(
        tx,
        p.updated_at,
        kind,
        project.as_deref(),
        Some(&p.id),
        &detail,
    )?;
    Ok(created)
}

pub(super) fn set_proposal_status(
    tx: &mut Transaction<'_>,
    id: &str,
    status: ProposalStatus,
    now: Timestamp,
) -> Result<(), Fail> {
    let Some(old) = proposal(tx, id)? else {
        return Err(StoreError::ProposalNotFound { id: id.to_string() }.into());
    };
    if old.status == status {
        return Ok(());
    }
    tx.execute(
        "UPDATE proposals SET status = $2, updated_at = $3 WHERE id = $1",
        &[&id, &status.name(), &now.0],
    )?;
    let project = project_of(tx, &old.asset)?;
    insert_event(
        tx,
        now,
        kinds::PROPOSAL_STATUS,
        project.as_deref(),
        Some(id),
        &json!({ "asset": old.asset, "from": old.status, "to": status }),
    )?;
    Ok(())
}

pub(super) fn add_ack(tx: &mut Transaction<'_>, ack: &Ack) -> Result<Ack, Fail> {
    let Some(p) = proposal(tx, &ack.proposal)? else {
        return Err(StoreError::ProposalNotFound {
            id: ack.proposal.clone(),
        }
        .into());
    };
    let row = tx.query_one(
        "INSERT INTO acks (proposal, team, decision, migrating_until, signer, payload, signature,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        &[
            &ack.proposal,
            &ack.team,
            &ack.decision.name(),
            &ack.migrating_until.map(|d| d.to_string()),
            &ack.signer,
            &ack.payload,
            &ack.signature,
            &ack.created_at.0,
        ],
    )?;
    let stored = Ack {
        id: row.try_get(0)?,
        ..ack.clone()
    };
    let project = project_of(tx, &p.asset)?;
    insert_event(
        tx,
        ack.created_at,
        kinds::ACK_RECORDED,
        project.as_deref(),
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

pub(super) fn acks(c: &mut impl GenericClient, proposal: &str) -> Result<Vec<Ack>, Fail> {
    let rows = c.query(
        "SELECT id, proposal, team, decision, migrating_until, signer, payload, signature,
                created_at
         FROM acks WHERE proposal = $1 ORDER BY id",
        &[&proposal],
    )?;
    rows.iter()
        .map(|r| {
            let decision: String = r.try_get(3)?;
            let until: Option<String> = r.try_get(4)?;
            Ok(Ack {
                id: r.try_get(0)?,
                proposal: r.try_get(1)?,
                team: r.try_get(2)?,
                decision: decision.parse().map_err(|e| invalid("ack decision", e))?,
                migrating_until: until
                    .map(|d| d.parse())
                    .transpose()
                    .map_err(|e| invalid("ack migration date", e))?,
                signer: r.try_get(5)?,
                payload: r.try_get(6)?,
                signature: r.try_get(7)?,
                created_at: Timestamp(r.try_get(8)?),
            })
        })
        .collect()
}

pub(super) fn insert_event(
    tx: &mut Transaction<'_>,
    at: Timestamp,
    kind: &str,
    project: Option<&str>,
    subject: Option<&str>,
    detail: &serde_json::Value,
) -> Result<i64, Fail> {
    let row = tx.query_one(
        "INSERT INTO events (at, kind, project, subject, detail_json)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[&at.0, &kind, &project, &subject, &detail.to_string()],
    )?;
    Ok(row.try_get(0)?)
}

pub(super) fn append_event(tx: &mut Transaction<'_>, event: &Event) -> Result<Event, Fail> {
    let detail: serde_json::Value =
        serde_json::from_str(&event.detail_json).map_err(|e| StoreError::InvalidDeclaration {
            project: event.project.clone().unwrap_or_default(),
            message: format!("event detail is not JSON: {e}"),
            help: "pass a JSON object as `detail_json` (`{}` when there is nothing to add)".into(),
        })?;
    let id = insert_event(
        tx,
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

pub(super) fn events(c: &mut impl GenericClient, filter: &EventFilter) -> Result<Vec<Event>, Fail> {
    let mut query =
        Query::new("SELECT id, at, kind, project, subject, detail_json FROM events".into());
    if let Some(project) = &filter.project {
        query.and("project =", project);
    }
    if let Some(subject) = &filter.subject {
        query.and("subject =", subject);
    }
    if let Some(prefix) = &filter.kind_prefix {
        // Taken literally, case-sensitive, like the SQLite store's escaped GLOB.
        query.params.push(prefix);
        let n = query.params.len();
        query.and_sql(&format!("starts_with(kind, ${n})"));
    }
    if let Some(after) = &filter.after_id {
        query.and("id >", after);
    }
    query.order_by(if filter.newest_first { "id DESC" } else { "id" });
    if let Some(limit) = filter.limit {
        query.sql.push_str(&format!(" LIMIT {limit}"));
    }
    let rows = c.query(&query.sql, &query.params)?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.try_get(0)?,
                at: Timestamp(r.try_get(1)?),
                kind: r.try_get(2)?,
                project: r.try_get(3)?,
                subject: r.try_get(4)?,
                detail_json: r.try_get(5)?,
            })
        })
        .collect()
}

/// [`crate::store::Store::commit`] inside the caller's write transaction.
pub(super) fn commit(tx: &mut Transaction<'_>, batch: &Batch) -> Result<Committed, Fail> {
    for seen in &batch.seen {
        let now = proposal(tx, &seen.proposal)?;
        let acks: i64 = tx
            .query_one(
                "SELECT count(*) FROM acks WHERE proposal = $1",
                &[&seen.proposal],
            )?
            .try_get(0)?;
        let current = Seen::of(
            &seen.proposal,
            now.as_ref(),
            usize::try_from(acks).unwrap_or(0),
        );
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
                if put_proposal(tx, p)? {
                    done.created.push(p.id.clone());
                }
            }
            Write::Status { id, status } => set_proposal_status(tx, id, *status, batch.now)?,
            Write::Ack(a) => done.acks.push(add_ack(tx, a)?),
        }
    }
    Ok(done)
}
