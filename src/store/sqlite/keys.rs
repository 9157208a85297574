//! API keys of `tessera serve` in the SQLite store ([`crate::store::KeyStore`]).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Fail, SqliteStore, invalid};
use crate::store::KeyStore;
use crate::store::error::Result;
use crate::store::keys::{KEY_CREATED, KEY_REVOKED};
use crate::store::time::Timestamp;
use crate::store::wire::{KeyInfo, KeyScope};

const COLUMNS: &str = "id, team, scope, created_at, created_by, revoked_at, hash";

fn key_row(r: &Row<'_>) -> Result<(KeyInfo, String), Fail> {
    let scope: String = r.get(2)?;
    Ok((
        KeyInfo {
            id: r.get(0)?,
            team: r.get(1)?,
            scope: KeyScope::parse(&scope).ok_or_else(|| invalid("key scope", &scope))?,
            created_at: Timestamp(r.get(3)?),
            created_by: r.get(4)?,
            revoked_at: r.get::<_, Option<i64>>(5)?.map(Timestamp),
        },
        r.get(6)?,
    ))
}

fn all(conn: &Connection) -> Result<Vec<KeyInfo>, Fail> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(key_row(r)?.0);
    }
    Ok(out)
}

impl KeyStore for SqliteStore {
    fn api_key(&self, id: &str) -> Result<Option<(KeyInfo, String)>> {
        self.read("read an API key", |c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"))?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(r) => Ok(Some(key_row(r)?)),
                None => Ok(None),
            }
        })
    }

    fn api_keys(&self) -> Result<Vec<KeyInfo>> {
        self.read("read API keys", all)
    }

    fn add_api_key(&self, key: &KeyInfo, hash: &str) -> Result<()> {
        self.write("record the API key", |tx| {
            tx.execute(
                "INSERT INTO api_keys (id, team, scope, hash, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    key.id,
                    key.team,
                    key.scope.name(),
                    hash,
                    key.created_at.unix(),
                    key.created_by
                ],
            )?;
            let detail = serde_json::json!({
                "id": key.id, "scope": key.scope.name(), "by": key.created_by,
            });
            super::coord::insert_event(
                tx,
                key.created_at,
                KEY_CREATED,
                None,
                Some(&key.team),
                &detail,
            )?;
            Ok(())
        })
    }

    fn revoke_api_key(&self, id: &str, now: Timestamp, by: &str) -> Result<Option<KeyInfo>> {
        self.write("revoke the API key", |tx| {
            let team: Option<String> = tx
                .query_row("SELECT team FROM api_keys WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(team) = team else {
                return Ok(None);
            };
            let changed = tx.execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now.unix()],
            )?;
            if changed > 0 {
                let detail = serde_json::json!({"id": id, "by": by});
                super::coord::insert_event(tx, now, KEY_REVOKED, None, Some(&team), &detail)?;
            }
            let mut stmt = tx.prepare(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"))?;
            let mut rows = stmt.query([id])?;
            match rows.next()? {
                Some(r) => Ok(Some(key_row(r)?.0)),
                None => Ok(None),
            }
        })
    }
}
