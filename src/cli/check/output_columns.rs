//! Joins each side's model SQL output with its YAML before the sides are compared, and says
//! which models fell back to their YAML.

use std::collections::{BTreeSet, HashMap};

use crate::compat::Report;
use crate::contract::{ColumnSource, Dialect, Project};
use crate::dbt::columns::{self, Macros};

use super::super::context::{Context, LoadedConfig};
use super::sides::Side;

/// Derives the output of the models in `keys` (and their upstreams) on both sides, or of those
/// the change can reach when that is known (see [`reachable`]).
pub fn pair(before: &mut Side, after: &mut Side, keys: &BTreeSet<String>, dialect: Dialect) {
    let empty = Macros::default();
    let scoped: Option<BTreeSet<String>> =
        reachable(before, after).map(|r| keys.intersection(&r).cloned().collect());
    let keys = scoped.as_ref().unwrap_or(keys);
    let derive = |side: &Side| {
        let macros = side.macros.as_ref().unwrap_or(&empty);
        columns::derive_models(&side.models, &side.project, macros, dialect, Some(keys))
    };
    let (bd, ad) = (derive(before), derive(after));
    columns::apply_pair(&mut before.project, &bd, &mut after.project, &ad, dialect);
}

/// The relations whose output a change can reach: those of the changed property, seed and
/// model files, and every model downstream of them. A model whose refs are not all literal
/// (a macro may build them) counts as downstream of everything. `None` when any derivation
/// may differ: the changed files are unknown, or a macro or other `.sql` file changed.
///
/// Every other model has the same SQL and the same inputs on both sides, so its derived output
/// is the same too; left underived, it is compared from its YAML on both sides, and equal.
fn reachable(before: &Side, after: &Side) -> Option<BTreeSet<String>> {
    let changed = after.changed.as_ref()?;
    let models = || before.models.iter().chain(&after.models);
    let key = crate::dbt::ModelSource::key;
    let mut seeds: BTreeSet<String> = BTreeSet::new();
    for path in changed {
        let code = [".sql", ".py"].iter().any(|e| path.ends_with(e));
        if code {
            let of_models: Vec<String> = models().filter(|m| &m.path == path).map(key).collect();
            if of_models.is_empty() {
                return None;
            }
            seeds.extend(of_models);
        }
        for side in [before, after] {
            seeds.extend(side.files.get(path).into_iter().flatten().cloned());
        }
    }
    // Relation key → the models that read it.
    let mut readers: HashMap<String, BTreeSet<String>> = HashMap::new();
    for m in models() {
        if !columns::refs_are_literal(&m.sql) {
            seeds.insert(key(m));
        }
        for d in &m.depends {
            readers.entry(d.key()).or_default().insert(key(m));
            // An unversioned ref reads the latest version, whichever that is on either side.
            if let crate::dbt::project::Dependency::Ref { name, .. } = d {
                for v in models().filter(|x| &x.name == name && x.version.is_some()) {
                    readers.entry(key(v)).or_default().insert(key(m));
                }
            }
        }
    }
    let mut reached = BTreeSet::new();
    let mut queue: Vec<String> = seeds.into_iter().collect();
    while let Some(k) = queue.pop() {
        if let Some(rs) = readers.get(&k).filter(|_| !reached.contains(&k)) {
            queue.extend(rs.iter().filter(|r| !reached.contains(*r)).cloned());
        }
        reached.insert(k);
    }
    Some(reached)
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
    columns::apply(&mut side.project, &d, dialect);
}

/// For each model a finding is about: whether its columns came from the YAML (and why), and
/// which YAML entries name columns its SQL does not output.
pub fn notes(ctx: &Context, report: &Report, after: &Project, dialect: Dialect) {
    let mut seen = BTreeSet::new();
    for f in &report.findings {
        let key = super::relation_key(f);
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(r) = after.get(&key) else { continue };
        match &r.column_source {
            // Its `output_unresolved` finding says why already.
            Some(ColumnSource::Yaml { .. }) if r.output_unknown.is_some() => {}
            Some(ColumnSource::Yaml { reason, .. }) => ctx.warn(&format!(
                "`{key}`: columns taken from its YAML, since its SQL could not be resolved: {reason}"
            )),
            Some(ColumnSource::Sql { .. }) => {
                let stale = columns::documented_only(r, dialect);
                if !stale.is_empty() {
                    let names: Vec<String> = stale.iter().map(|n| format!("`{n}`")).collect();
                    ctx.warn(&format!(
                        "`{key}`: the YAML documents {} that its {} not output; readers are misled",
                        names.join(", "),
                        match r.resource_type {
                            crate::contract::ResourceType::Seed => "CSV header does",
                            _ => "SQL does",
                        }
                    ));
                }
            }
            None => {}
        }
    }
}
