//! API keys of `tessera serve` in the PostgreSQL store ([`crate::store::KeyStore`]).

use postgres::{GenericClient, Row};

use super::{Fail, PostgresStore, invalid};
use crate::store::KeyStore;
use crate::store::error::Result;
use crate::store::keys::{KEY_CREATED, KEY_REVOKED};
use crate::store::time::Timestamp;
use crate::store::wire::{KeyInfo, KeyScope};

const COLUMNS: &str = "id, team, scope, created_at, created_by, revoked_at, hash";

fn key_row(r: &Row) -> Result<(KeyInfo, String), Fail> {
    let scope: String = r.try_get(2)?;
    Ok((
        KeyInfo {
            id: r.try_get(0)?,
            team: r.try_get(1)?,
            scope: KeyScope::parse(&scope).ok_or_else(|| invalid("key scope", &scope))?,
            created_at: Timestamp(r.try_get(3)?),
            created_by: r.try_get(4)?,
            revoked_at: r.try_get::<_, Option<i64>>(5)?.map(Timestamp),
        },
        r.try_get(6)?,
    ))
}

fn one(c: &mut impl GenericClient, id: &str) -> Result<Option<(KeyInfo, String)>, Fail> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
    c.query_opt(&sql, &[&id])?.as_ref().map(key_row).transpose()
}

impl KeyStore for PostgresStore {
    fn api_key(&self, id: &str) -> Result<Option<(KeyInfo, String)>> {
        self.read("read an API key", |c| one(c, id))
    }

    fn api_keys(&self) -> Result<Vec<KeyInfo>> {
        self.read("read API keys", |c| {
            let sql =
                format!(r#"SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id COLLATE "C""#);
            c.query(&sql, &[])?
                .iter()
                .map(|r| Ok(key_row(r)?.0))
                .collect()
        })
    }

    fn add_api_key(&self, key: &KeyInfo, hash: &str) -> Result<()> {
        self.write("record the API key", |tx| {
            tx.execute(
                "INSERT INTO api_keys (id, team, scope, hash, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &key.id,
                    &key.team,
                    &key.scope.name(),
                    &hash,
                    &key.created_at.unix(),
                    &key.created_by,
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
            let Some((key, _)) = one(tx, id)? else {
                return Ok(None);
            };
            let changed = tx.execute(
                "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                &[&id, &now.unix()],
            )?;
            if changed > 0 {
                let detail = serde_json::json!({"id": id, "by": by});
                super::coord::insert_event(tx, now, KEY_REVOKED, None, Some(&key.team), &detail)?;
            }
            Ok(one(tx, id)?.map(|(k, _)| k))
        })
    }
}
