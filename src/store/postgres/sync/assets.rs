//! Assets and their contract versions, as in the SQLite store.

use std::collections::HashMap;

use postgres::Transaction;
use serde_json::json;

use super::Ctx;
use crate::compat::Semver;
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::postgres::Fail;
use crate::store::postgres::read::{ASSET_COLUMNS, CONSUMER_COLUMNS, asset_row, consumer_row};

pub(super) fn sync(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    decl: &Declaration,
    out: &mut SyncOutcome,
) -> Result<(), Fail> {
    let mut ours: HashMap<String, Asset> = HashMap::new();
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE project = $1");
    for r in tx.query(&sql, &[&cx.project])? {
        let a = asset_row(&r)?;
        ours.insert(a.key.clone(), a);
    }
    let mut declared: Vec<&DeclaredAsset> = decl.assets.iter().collect();
    declared.sort_by(|a, b| a.asset.key.cmp(&b.asset.key));
    for d in declared {
        let mut asset = d.asset.clone();
        asset.project = cx.project.to_string();
        asset.retired = false;
        match ours.remove(&asset.key) {
            Some(old) if old == asset => {}
            Some(old) => {
                update_asset(tx, cx, &asset)?;
                let kind = if old.retired {
                    kinds::ASSET_RESTORED
                } else {
                    kinds::ASSET_UPDATED
                };
                cx.event(tx, kind, &asset.key, json!({"before": old, "after": asset}))?;
                out.assets.updated.push(asset.key.clone());
            }
            None => claim_asset(tx, cx, &asset, out)?,
        }
        record_version(tx, cx, d, out)?;
    }
    let mut gone: Vec<Asset> = ours.into_values().filter(|a| !a.retired).collect();
    gone.sort_by(|a, b| a.key.cmp(&b.key));
    for a in gone {
        tx.execute(
            "UPDATE assets SET retired = true, updated_at = $2 WHERE key = $1",
            &[&a.key, &cx.now.0],
        )?;
        cx.event(tx, kinds::ASSET_RETIRED, &a.key, json!({}))?;
        out.assets.retired.push(a.key);
    }
    Ok(())
}

/// An asset key this project did not have: new, or retired by another project and now moved
/// here. A key another project still declares is a conflict.
fn claim_asset(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    asset: &Asset,
    out: &mut SyncOutcome,
) -> Result<(), Fail> {
    let other: Option<(String, bool)> = tx
        .query_opt(
            "SELECT project, retired FROM assets WHERE key = $1",
            &[&asset.key],
        )?
        .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?;
    match other {
        Some((owner, false)) => Err(StoreError::AssetConflict {
            asset: asset.key.clone(),
            owner,
            project: cx.project.to_string(),
        }
        .into()),
        Some((from, true)) => {
            update_asset(tx, cx, asset)?;
            cx.event(
                tx,
                kinds::ASSET_RESTORED,
                &asset.key,
                json!({"from_project": from, "after": asset}),
            )?;
            out.assets.updated.push(asset.key.clone());
            Ok(())
        }
        None => {
            tx.execute(
                "INSERT INTO assets (key, project, unique_id, node, owner_team, owner_user, mode,
                     resource_type, retired, created_at, updated_at, identity_source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9, $10)",
                &[
                    &asset.key,
                    &asset.project,
                    &asset.unique_id,
                    &asset.node,
                    &asset.owner_team,
                    &asset.owner_user,
                    &asset.mode,
                    &asset.resource_type,
                    &cx.now.0,
                    &asset.identity,
                ],
            )?;
            cx.event(
                tx,
                kinds::ASSET_CREATED,
                &asset.key,
                json!({"after": asset}),
            )?;
            out.assets.created.push(asset.key.clone());
            let sql = format!(
                r#"SELECT {CONSUMER_COLUMNS} FROM consumers
                   WHERE asset = $1 AND NOT retired AND project <> $2
                   ORDER BY project COLLATE "C", team COLLATE "C", source COLLATE "C""#
            );
            for r in tx.query(&sql, &[&asset.key, &cx.project])? {
                out.linked.push(ConsumerRef::from(&consumer_row(&r)?));
            }
            Ok(())
        }
    }
}

fn update_asset(tx: &mut Transaction<'_>, cx: &Ctx<'_>, a: &Asset) -> Result<(), Fail> {
    tx.execute(
        "UPDATE assets SET project = $2, unique_id = $3, node = $4, owner_team = $5,
             owner_user = $6, mode = $7, resource_type = $8, retired = false, updated_at = $9,
             identity_source = $10
         WHERE key = $1",
        &[
            &a.key,
            &a.project,
            &a.unique_id,
            &a.node,
            &a.owner_team,
            &a.owner_user,
            &a.mode,
            &a.resource_type,
            &cx.now.0,
            &a.identity,
        ],
    )?;
    Ok(())
}

/// A new contract version when the digest differs from the latest one.
fn record_version(
    tx: &mut Transaction<'_>,
    cx: &Ctx<'_>,
    d: &DeclaredAsset,
    out: &mut SyncOutcome,
) -> Result<(), Fail> {
    let key = &d.asset.key;
    let latest: Option<(i64, String, String)> = tx
        .query_opt(
            "SELECT seq, version, digest FROM contract_versions
             WHERE asset = $1 ORDER BY seq DESC LIMIT 1",
            &[key],
        )?
        .map(|r| Ok::<_, postgres::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .transpose()?;
    if latest
        .as_ref()
        .is_some_and(|(_, _, digest)| *digest == d.digest)
    {
        return Ok(());
    }
    let previous = latest.as_ref().map(|(_, v, _)| v.clone());
    let version = match (&d.version, &previous) {
        (Some(v), _) => v.clone(),
        (None, None) => "1.0.0".to_string(),
        (None, Some(prev)) => Semver::Major.bump(prev),
    };
    let taken = tx
        .query_opt(
            "SELECT 1 FROM contract_versions WHERE asset = $1 AND version = $2",
            &[key, &version],
        )?
        .is_some();
    if taken {
        return Err(StoreError::InvalidDeclaration {
            project: cx.project.to_string(),
            message: format!(
                "asset `{key}` changed its contract, but version {version} already names an \
                 earlier contract"
            ),
            help: format!(
                "record the change under a version after {} (the engine's suggestion bumps the \
                 latest version)",
                previous.as_deref().unwrap_or("the latest")
            ),
        }
        .into());
    }
    let seq = latest.as_ref().map_or(1, |(seq, _, _)| seq + 1);
    tx.execute(
        "INSERT INTO contract_versions (asset, seq, version, digest, contract_json, git_commit,
             recorded_at, unacknowledged_break)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            key,
            &seq,
            &version,
            &d.digest,
            &d.contract_json,
            &cx.commit,
            &cx.now.0,
            &d.unacknowledged_break,
        ],
    )?;
    let kind = if d.unacknowledged_break {
        kinds::CONTRACT_UNACKNOWLEDGED_BREAK
    } else {
        kinds::CONTRACT_VERSION
    };
    cx.event(
        tx,
        kind,
        key,
        json!({
            "version": version,
            "digest": d.digest,
            "previous": previous,
            "commit": cx.commit,
        }),
    )?;
    out.versions.push(NewVersion {
        asset: key.clone(),
        version,
        digest: d.digest.clone(),
        previous,
        unacknowledged_break: d.unacknowledged_break,
    });
    Ok(())
}
