//! Which relations a run looks at: the configured contracts (`dbt.contracts`), narrowed to the
//! files pre-commit passed.

use std::collections::BTreeSet;

use crate::compat::Selector;
use crate::config::Contracts;
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
    let is_contract = |r: &Relation| is_contract(contracts, r);
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
