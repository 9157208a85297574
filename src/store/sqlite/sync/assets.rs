//! Assets and their contract versions.

use std::collections::HashMap;

use rusqlite::OptionalExtension;
use serde_json::json;

use super::Ctx;
use crate::compat::Semver;
use crate::store::error::StoreError;
use crate::store::model::*;
use crate::store::sqlite::Fail;
use crate::store::sqlite::read::{ASSET_COLUMNS, CONSUMER_COLUMNS, asset_row, consumer_row};

pub(super) fn sync(
    cx: &Ctx<'_, '_>,
    decl: &Declaration,
    out: &mut SyncOutcome,
) -> Result<(), Fail> {
    let tx = cx.tx;
    let mut ours: HashMap<String, Asset> = HashMap::new();
    {
        let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE project = ?1");
        let mut stmt = tx.prepare_cached(&sql)?;
        for a in stmt.query_map([cx.project], asset_row)? {
            let a = a?;
            ours.insert(a.key.clone(), a);
        }
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
                update_asset(cx, &asset)?;
                let kind = if old.retired {
                    kinds::ASSET_RESTORED
                } else {
                    kinds::ASSET_UPDATED
                };
                cx.event(kind, &asset.key, json!({"before": old, "after": asset}))?;
                out.assets.updated.push(asset.key.clone());
            }
            None => claim_asset(cx, &asset, out)?,
        }
        record_version(cx, d, out)?;
    }
    let mut gone: Vec<Asset> = ours.into_values().filter(|a| !a.retired).collect();
    gone.sort_by(|a, b| a.key.cmp(&b.key));
    for a in gone {
        tx.prepare_cached("UPDATE assets SET retired = 1, updated_at = ?2 WHERE key = ?1")?
            .execute((&a.key, cx.now.0))?;
        cx.event(kinds::ASSET_RETIRED, &a.key, json!({}))?;
        out.assets.retired.push(a.key);
    }
    Ok(())
}

/// An asset key this project did not have: new, or retired by another project and now moved
/// here. A key another project still declares is a conflict.
fn claim_asset(cx: &Ctx<'_, '_>, asset: &Asset, out: &mut SyncOutcome) -> Result<(), Fail> {
    let tx = cx.tx;
    let other: Option<(String, bool)> = tx
        .prepare_cached("SELECT project, retired FROM assets WHERE key = ?1")?
        .query_row([&asset.key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match other {
        Some((owner, false)) => Err(StoreError::AssetConflict {
            asset: asset.key.clone(),
            owner,
            project: cx.project.to_string(),
        }
        .into()),
        Some((from, true)) => {
            update_asset(cx, asset)?;
            cx.event(
                kinds::ASSET_RESTORED,
                &asset.key,
                json!({"from_project": from, "after": asset}),
            )?;
            out.assets.updated.push(asset.key.clone());
            Ok(())
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO assets (key, project, unique_id, node, owner_team, owner_user, mode,
                     resource_type, retired, created_at, updated_at, identity_source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9, ?9, ?10)",
            )?
            .execute(rusqlite::params![
                asset.key,
                asset.project,
                asset.unique_id,
                asset.node,
                asset.owner_team,
                asset.owner_user,
                asset.mode,
                asset.resource_type,
                cx.now.0,
                asset.identity,
            ])?;
            cx.event(kinds::ASSET_CREATED, &asset.key, json!({"after": asset}))?;
            out.assets.created.push(asset.key.clone());
            let sql = format!(
                "SELECT {CONSUMER_COLUMNS} FROM consumers
                 WHERE asset = ?1 AND retired = 0 AND project <> ?2
                 ORDER BY project, team, source"
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            for c in stmt.query_and_then((&asset.key, cx.project), consumer_row)? {
                out.linked.push(ConsumerRef::from(&c?));
            }
            Ok(())
        }
    }
}

fn update_asset(cx: &Ctx<'_, '_>, a: &Asset) -> Result<(), Fail> {
    cx.tx
        .prepare_cached(
            "UPDATE assets SET project = ?2, unique_id = ?3, node = ?4, owner_team = ?5,
                 owner_user = ?6, mode = ?7, resource_type = ?8, retired = 0, updated_at = ?9,
                 identity_source = ?10
             WHERE key = ?1",
        )?
        .execute(rusqlite::params![
            a.key,
            a.project,
            a.unique_id,
            a.node,
            a.owner_team,
            a.owner_user,
            a.mode,
            a.resource_type,
            cx.now.0,
            a.identity,
        ])?;
    Ok(())
}

/// A new contract version when the digest differs from the latest one.
fn record_version(cx: &Ctx<'_, '_>, d: &DeclaredAsset, out: &mut SyncOutcome) -> Result<(), Fail> {
    let tx = cx.tx;
    let key = &d.asset.key;
    let latest: Option<(i64, String, String)> = tx
        .prepare_cached(
            "SELECT seq, version, digest FROM contract_versions
             WHERE asset = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
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
    let taken: bool = tx
        .prepare_cached("SELECT 1 FROM contract_versions WHERE asset = ?1 AND version = ?2")?
        .query_row((key, &version), |_| Ok(()))
        .optional()?
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
    tx.prepare_cached(
        "INSERT INTO contract_versions (asset, seq, version, digest, contract_json, git_commit,
             recorded_at, unacknowledged_break)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![
        key,
        seq,
        version,
        d.digest,
        d.contract_json,
        cx.commit,
        cx.now.0,
        d.unacknowledged_break,
    ])?;
    let kind = if d.unacknowledged_break {
        kinds::CONTRACT_UNACKNOWLEDGED_BREAK
    } else {
        kinds::CONTRACT_VERSION
    };
    cx.event(
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
