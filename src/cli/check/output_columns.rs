//! Joins each side's model SQL output with its YAML before the sides are compared, and says
//! which models fell back to their YAML.

use std::collections::BTreeSet;

use crate::compat::Report;
use crate::contract::{ColumnSource, Dialect, Project};
use crate::dbt::columns::{self, Macros};

use super::super::context::{Context, LoadedConfig};
use super::sides::Side;

/// Derives the output of the models in `keys` (and their upstreams) on both sides.
pub fn pair(before: &mut Side, after: &mut Side, keys: &BTreeSet<String>, dialect: Dialect) {
    let empty = Macros::default();
    let derive = |side: &Side| {
        let macros = side.macros.as_ref().unwrap_or(&empty);
        columns::derive_models(&side.models, &side.project, macros, dialect, Some(keys))
    };
    let (bd, ad) = (derive(before), derive(after));
    columns::apply_pair(&mut before.project, &bd, &mut after.project, &ad);
}

/// `--catalog`, else `dbt.catalog` from tessera.yaml (which must then exist).
pub fn catalog_path(
    flag: Option<&std::path::Path>,
    ctx: &Context,
    cfg: &LoadedConfig,
) -> Option<std::path::PathBuf> {
    match flag {
        Some(p) => Some(ctx.cwd.join(p)),
        None => cfg
            .config
            .dbt
            .catalog
            .as_ref()
            .map(|c| cfg.base_dir.join(&c.value)),
    }
}

/// Fills both sides' undeclared column types from the catalog, when one is given.
pub fn catalog(
    args: &super::Args,
    ctx: &Context,
    cfg: &LoadedConfig,
    before: &mut Side,
    after: &mut Side,
) -> Result<(), columns::CatalogError> {
    if let Some(path) = catalog_path(args.catalog.as_deref(), ctx, cfg) {
        let catalog = columns::Catalog::read(&path)?;
        catalog.apply(&mut before.project);
        catalog.apply(&mut after.project);
    }
    Ok(())
}

/// Derives every model of one side, for `sync`.
pub fn one(side: &mut Side, dialect: Dialect) {
    let empty = Macros::default();
    let macros = side.macros.as_ref().unwrap_or(&empty);
    let d = columns::derive_models(&side.models, &side.project, macros, dialect, None);
    columns::apply(&mut side.project, &d);
}

/// For each model a finding is about: whether its columns came from the YAML (and why), and
/// which YAML entries name columns its SQL does not output.
pub fn notes(ctx: &Context, report: &Report, after: &Project) {
    let mut seen = BTreeSet::new();
    for f in &report.findings {
        let key = super::relation_key(f);
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(r) = after.get(&key) else { continue };
        match &r.column_source {
            Some(ColumnSource::Yaml { reason, .. }) => ctx.warn(&format!(
                "`{key}`: columns taken from its YAML, since its SQL could not be resolved: {reason}"
            )),
            Some(ColumnSource::Sql { .. }) => {
                let stale = columns::documented_only(r);
                if !stale.is_empty() {
                    let names: Vec<String> = stale.iter().map(|n| format!("`{n}`")).collect();
                    ctx.warn(&format!(
                        "`{key}`: the YAML documents {} that its SQL does not output; readers are misled",
                        names.join(", ")
                    ));
                }
            }
            None => {}
        }
    }
}
