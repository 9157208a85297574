//! The consumer's side of `check`: a model here that reads, through a dbt source, a column the
//! producer's current published contract does not have (dropped in a later version, or never
//! published) will fail, whatever the producer's own checks said.

use std::collections::BTreeSet;

use crate::contract::{Relation, ResourceType};
use crate::store::Store;

use super::super::context::Context;
use super::Analysis;

/// One warning per source column the published contract lacks, for the models this check read
/// (a pre-commit check reads only what changed: the models whose reads may be new).
pub fn warn_missing(
    ctx: &Context,
    cfg: &super::super::context::LoadedConfig,
    analysis: &Analysis,
) -> crate::error::Result<()> {
    let Some(store) = &analysis.store else {
        return Ok(());
    };
    let d = analysis.settings.warehouse.dialect;
    let usage = super::super::sync::source_usage(&analysis.after, d);
    if usage.is_empty() {
        return Ok(());
    }
    // The sources' declarations may sit in files this check did not need to read.
    let full;
    let project = if usage
        .keys()
        .all(|s| analysis.after.project.get(s).is_some())
    {
        &analysis.after.project
    } else {
        full = super::sides::head_side(ctx, cfg, None)?;
        &full.project
    };
    for r in project.relations.values() {
        if r.resource_type != ResourceType::Source {
            continue;
        }
        let Some(Some(cols)) = usage.get(&r.name) else {
            continue;
        };
        let key = super::super::sync::asset_key(r, &analysis.project, d);
        for line in missing(store.as_ref(), &key, &r.name, cols, d)? {
            ctx.warn(&line);
        }
    }
    Ok(())
}

fn missing(
    store: &dyn Store,
    key: &str,
    source: &str,
    cols: &BTreeSet<String>,
    d: crate::contract::Dialect,
) -> crate::error::Result<Vec<String>> {
    let versions = store.contract_versions(key)?;
    let Some(latest) = versions.last() else {
        return Ok(Vec::new());
    };
    let columns_of = |json: &str| -> Option<BTreeSet<String>> {
        let r: Relation = serde_json::from_str(json).ok()?;
        Some(
            r.columns
                .iter()
                .map(|c| d.physical_name(&c.name, c.quote))
                .collect(),
        )
    };
    // A stored contract this binary cannot read says nothing either way.
    let Some(now) = columns_of(&latest.contract_json) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for col in cols {
        let folded = d.physical_name(col, false);
        if now.contains(&folded) {
            continue;
        }
        // The first version without it after one that had it.
        let mut had = false;
        let mut dropped_in = None;
        for v in &versions {
            let has = columns_of(&v.contract_json).is_some_and(|c| c.contains(&folded));
            if had && !has {
                dropped_in = Some(v.version.clone());
            }
            had = has;
        }
        let why = match dropped_in {
            Some(v) => format!("dropped in v{v}"),
            None => "never published".to_string(),
        };
        out.push(format!(
            "this project reads `{col}` of source {source} ({key}), which its published contract \
             v{} does not have ({why}): the query will fail; read another column or ask its \
             producer",
            latest.version
        ));
    }
    Ok(out)
}
