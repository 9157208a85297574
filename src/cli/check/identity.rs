//! Where a side's relations land: the IO half of [`crate::dbt::identity`]. Finds profiles.yml
//! where dbt looks for it, else takes `dbt.target` from tessera.yaml, and places the side's
//! models with the project's configs and naming macros. A manifest, applied afterwards by the
//! caller, overrides all of it; the store's record fills what is still unknown.

use std::path::PathBuf;

use crate::contract::{IdentitySource, Project, ResourceType};
use crate::dbt::identity::{self, Placement, Target};

use super::super::context::{Context, LoadedConfig};
use super::sides::Side;

/// The target this run builds into, and what said so; warnings for a profiles.yml that exists
/// but does not give one.
pub fn target(
    ctx: &Context,
    cfg: &LoadedConfig,
    profile: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<(Target, IdentitySource)> {
    let env = |k: &str| std::env::var(k).ok();
    if let (Some(profile), Some(path)) = (profile, profiles_file(ctx, cfg)) {
        let text = std::fs::read_to_string(&path);
        let chosen = std::env::var("DBT_TARGET").ok().filter(|t| !t.is_empty());
        match text
            .map_err(|e| e.to_string())
            .and_then(|t| identity::profiles::target(&t, profile, chosen.as_deref(), &env))
        {
            Ok(t) if t.schema.is_some() => return Some((t, IdentitySource::Profile)),
            Ok(_) => warnings.push(format!(
                "{}: the target of profile `{profile}` has no schema",
                path.display()
            )),
            Err(e) => warnings.push(format!(
                "{}: cannot tell where models land: {e}",
                path.display()
            )),
        }
    }
    let t = cfg.config.dbt.target.as_ref()?;
    let schema = t.schema.clone().filter(|s| !s.trim().is_empty())?;
    Some((
        Target {
            name: t.name.clone().unwrap_or_else(|| "default".into()),
            database: t.database.clone(),
            schema: Some(schema),
            adapter: None,
        },
        IdentitySource::Config,
    ))
}

/// profiles.yml where dbt finds it: `--profiles-dir` / `DBT_PROFILES_DIR`, the dbt project's
/// directory, then `~/.dbt`.
fn profiles_file(ctx: &Context, cfg: &LoadedConfig) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = &ctx.global.profiles_dir {
        dirs.push(ctx.cwd.join(d));
    }
    dirs.push(cfg.base_dir.join(&cfg.config.dbt.project_dir.value));
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        dirs.push(PathBuf::from(home).join(".dbt"));
    }
    dirs.into_iter()
        .map(|d| d.join("profiles.yml"))
        .find(|p| p.is_file())
}

/// Places the side's models from the project's files, and renders their Jinja against the
/// same target.
pub fn place(side: &mut Side, target: Option<&(Target, IdentitySource)>) {
    render_against(side, target.map(|(t, _)| t));
    let Some((target, source)) = target else {
        return;
    };
    let env = |k: &str| std::env::var(k).ok();
    let placement = Placement {
        target,
        source: *source,
        overrides: &side.naming,
        env: &env,
    };
    let problems = identity::place(&mut side.project, &placement);
    side.warnings.extend(problems);
}

/// Models' `target` and `this` answer with `target`. Without one, a project whose Jinja reads
/// `target` is told which one is assumed, since a model that branches on it may render the
/// SQL of another target than production's.
fn render_against(side: &mut Side, target: Option<&Target>) {
    let Some(macros) = side.macros.as_mut() else {
        return;
    };
    macros.set_target(target, side.profile.as_deref());
    if target.is_none() && macros.read_target(side.models.iter().map(|m| m.sql.as_str())) {
        let (name, schema, database) = crate::dbt::columns::ASSUMED_TARGET;
        let warning = format!(
            "no dbt target is known (no profiles.yml with a target for this project's profile, \
no `dbt.target` in tessera.yaml): models' Jinja is rendered with `target.name` = `{name}`, \
`target.schema` = `{schema}`, `target.database` = `{database}`; set `dbt.target` in \
tessera.yaml to the target production builds"
        );
        if !side.warnings.contains(&warning) {
            side.warnings.push(warning);
        }
    }
}

/// Fills the identity of relations nothing placed from what the store recorded for the same
/// `unique_id` at the project's last sync.
pub fn place_from_store(
    store: &dyn crate::store::Store,
    project_name: &str,
    projects: &mut [&mut Project],
) -> crate::error::Result<()> {
    let unplaced = |p: &Project| p.relations.values().any(needs_place);
    if !projects.iter().any(|p| unplaced(p)) {
        return Ok(());
    }
    let assets = store.assets(&crate::store::AssetFilter {
        project: Some(project_name.to_string()),
        include_retired: false,
    })?;
    for p in projects.iter_mut() {
        for r in p.relations.values_mut().filter(|r| needs_place(r)) {
            let Some(id) = r.unique_id.as_deref() else {
                continue;
            };
            if let Some(a) = assets
                .iter()
                .find(|a| a.unique_id.as_deref() == Some(id) && crate::cli::sync::is_placed(&a.key))
            {
                identity::place_from_key(r, &a.key);
            }
        }
    }
    Ok(())
}

/// What placed a relation: its placement, else `unknown` for a model, seed or snapshot, else
/// the project's files (a source or hand-declared table names its own schema).
pub fn source_of(r: &crate::contract::Relation) -> IdentitySource {
    match r.placed_by {
        Some(s) => s,
        None if needs_place(r) => IdentitySource::Unknown,
        None if r.resource_type == ResourceType::Table => IdentitySource::Config,
        None => IdentitySource::Profile,
    }
}

/// A model, seed or snapshot that nothing has placed yet.
pub fn needs_place(r: &crate::contract::Relation) -> bool {
    r.placed_by.is_none()
        && matches!(
            r.resource_type,
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
        )
}
