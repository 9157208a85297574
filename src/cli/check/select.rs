//! Which relations a run looks at: the configured contracts (`dbt.contracts`), narrowed to the
//! files pre-commit passed.

use std::collections::BTreeSet;

use crate::compat::Selector;
use crate::config::{Config, Contracts};
use crate::contract::{Access, Project, Relation, ResourceType};

use super::super::context::{Context, LoadedConfig};
use super::Args;
use super::sides::{Side, repo_relative};

/// `None` = every contract relation.
pub fn relevant_keys(
    args: &Args,
    ctx: &Context,
    cfg: &LoadedConfig,
    before: &Side,
    after: &Side,
) -> crate::error::Result<BTreeSet<String>> {
    let contracts = &cfg.config.dbt.contracts.value;
    let is_contract = |r: &Relation| is_contract(contracts, r) && publishes(&cfg.config, r);
    // A relation counts when it is a contract on either side: a model made private is still compared.
    let mut keys: BTreeSet<String> = before
        .project
        .relations
        .iter()
        .chain(after.project.relations.iter())
        .filter(|(_, r)| is_contract(r))
        .map(|(k, _)| k.clone())
        .collect();
    // Two manifests name no repository files, so PATHS cannot narrow them.
    let manifests_only = args.base_manifest.is_some() && args.manifest.is_some();
    if !args.paths.is_empty() && !manifests_only {
        let repo = crate::git::Repo::discover(&ctx.cwd)?;
        let root = repo.root().to_path_buf();
        for p in &args.paths {
            let rel = repo_relative(&root, &ctx.cwd.join(p));
            missing_path(&repo, before, after, &rel, &p.display().to_string())?;
        }
    }
    // A model's output reaches the models that select `*` from it and a macro the models that
    // call it: a SQL file among PATHS narrows nothing.
    let sql_in_paths = args
        .paths
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "sql"));
    if !args.paths.is_empty() && !manifests_only && !sql_in_paths {
        let root = crate::git::Repo::discover(&ctx.cwd)?.root().to_path_buf();
        let touched: BTreeSet<String> = args
            .paths
            .iter()
            .map(|p| repo_relative(&root, &ctx.cwd.join(p)))
            .flat_map(|p| {
                let mut ks: Vec<String> = Vec::new();
                for side in [before, after] {
                    if let Some(v) = side.files.get(&p) {
                        ks.extend(v.iter().cloned());
                    }
                }
                ks
            })
            .collect();
        keys.retain(|k| touched.contains(k));
    }
    Ok(keys)
}

/// A PATH that is neither on disk nor in either side (a deleted file is in the base) is a typo:
/// checking nothing and saying "no changes" would pass a hook that never looked.
fn missing_path(
    repo: &crate::git::Repo,
    before: &Side,
    after: &Side,
    rel: &str,
    given: &str,
) -> crate::error::Result<()> {
    let on_disk = repo.root().join(rel).exists();
    let known = before.files.contains_key(rel) || after.files.contains_key(rel);
    let in_base = before
        .commit
        .as_deref()
        .and_then(|c| repo.tree_at(c).ok())
        .is_some_and(|t| crate::git::FileTree::read(&t, rel).ok().flatten().is_some());
    if on_disk || known || in_base {
        return Ok(());
    }
    // Only on this error path: every file of the working tree, to suggest from.
    let files = crate::git::FileTree::list(&repo.worktree(), "").unwrap_or_default();
    let names = crate::suggest::nearest(rel, files.iter().map(String::as_str), 3);
    let help = if names.is_empty() {
        "pass files of the dbt project, or no PATHS to check every contract".to_string()
    } else {
        format!("did you mean {}?", names.join(", "))
    };
    Err(crate::error::Error::Usage {
        message: format!("`{given}` matches no file, here or in the base revision"),
        help,
    }
    .into())
}

/// Whether this project publishes `r`. A dbt source is a table the project reads (sync registers
/// it as consumption), so its edits are the reader's own business, not a contract change; it
/// is published only when its owner (`meta.owner`) is this project's `owner:`, one of the
/// `teams:` it declares, or one of its `users:`.
pub fn publishes(cfg: &Config, r: &Relation) -> bool {
    if r.resource_type != ResourceType::Source {
        return true;
    }
    let Some(owner) = r.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) else {
        return false;
    };
    cfg.owner.as_ref().is_some_and(|o| o.value == owner)
        || cfg.teams.iter().any(|t| t.name.value == owner)
        || cfg
            .users
            .iter()
            .any(|u| u.email.value == owner || u.name.as_deref() == Some(owner))
}

/// Whether `dbt.contracts` makes a relation a contract.
pub fn is_contract(contracts: &Contracts, r: &Relation) -> bool {
    match contracts {
        Contracts::All => true,
        // Hand-declared assets are contracts by being declared.
        _ if r.resource_type == ResourceType::Table => true,
        Contracts::Public => r.access == Some(Access::Public),
        Contracts::Enforced => r.contract_enforced,
        Contracts::Selectors(sels) => sels.iter().any(|s| Selector(s.clone()).matches(r)),
    }
}

/// Moves the relations outside `keys` out of `p` and returns them, so that the comparison
/// sees only the selected ones without copying them (copying the models of two 58 MB manifests
/// was 7% of their comparison). [`rejoin`] puts them back.
pub fn set_aside(p: &mut Project, keys: &BTreeSet<String>) -> Project {
    let (inside, outside) = std::mem::take(&mut p.relations)
        .into_iter()
        .partition(|(k, _)| keys.contains(k));
    p.relations = inside;
    Project { relations: outside }
}

/// Undoes [`set_aside`].
pub fn rejoin(p: &mut Project, mut aside: Project) {
    p.relations.append(&mut aside.relations);
}

pub fn restrict(before: &Project, after: &Project, keys: &BTreeSet<String>) -> (Project, Project) {
    let pick = |p: &Project| -> Project {
        p.relations
            .iter()
            .filter(|(k, _)| keys.contains(*k))
            .map(|(_, r)| r.clone())
            .collect()
    };
    (pick(before), pick(after))
}
