//! The files a change to model SQL needs read: the changed models, every model downstream of
//! them (their output can pass through `*`, their types through any column), every model and
//! seed those read in turn (to derive them), the property files that describe any of these,
//! and those that declare the sources they read. Found from the literal `ref()`s and
//! `source()`s of every code file, which is cheap next to parsing every property file.

use std::collections::{BTreeSet, HashMap};

use super::{DbtError, Inventory, read_project_file, read_texts, sql, stem_of};
use crate::git::FileTree;

/// The scope for a check whose changed files include model or snapshot SQL, on one side;
/// `None` when the whole project must be read: a changed `.sql` file that is no model's (a
/// macro), or a model whose refs a macro builds, which may read anything.
pub fn sql_change_scope(
    tree: &dyn FileTree,
    project_dir: &str,
    changed: &BTreeSet<String>,
) -> Result<Option<BTreeSet<String>>, DbtError> {
    let mut warnings = Vec::new();
    let (dir, _, project) = read_project_file(tree, project_dir, &mut warnings)?;
    let files = Inventory::collect(tree, &dir, &project, &mut warnings)?;
    let mut code_paths = files.model_code.clone();
    code_paths.extend(files.snapshot_code.iter().cloned());
    let is_code = |p: &String| code_paths.contains(p);
    if changed
        .iter()
        .any(|p| (p.ends_with(".sql") || p.ends_with(".py")) && !is_code(p))
    {
        return Ok(None);
    }
    let texts = read_texts(tree, &code_paths, &mut warnings, true)?;
    // Name (as `ref()` spells it) → code files; seeds are leaves.
    let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
    for (path, text) in &texts {
        by_name.entry(stem_of(path).into()).or_default().push(path);
        if files.snapshot_code.contains(path) {
            for name in sql::snapshot_names(text) {
                by_name.entry(name).or_default().push(path);
            }
        }
    }
    for path in &files.seed_files {
        by_name.entry(stem_of(path).into()).or_default().push(path);
    }
    let mut reads: HashMap<&str, Vec<sql::Dependency>> = HashMap::new();
    for (path, text) in &texts {
        // Python models call `dbt.ref()` in plain code.
        let jinja = match path.ends_with(".py") {
            true => text.clone(),
            false => sql::jinja_blocks(text),
        };
        if !crate::dbt::columns::refs_are_literal(&jinja) {
            return Ok(None);
        }
        reads.insert(path, sql::dependencies(&jinja));
    }
    let ref_name = |d: &sql::Dependency| match d {
        sql::Dependency::Ref { name, .. } => Some(name.clone()),
        sql::Dependency::Source { .. } => None,
    };
    // Downstream: the changed code files, then whatever reads them.
    let mut down: BTreeSet<&str> = texts
        .iter()
        .map(|(p, _)| p.as_str())
        .chain(files.seed_files.iter().map(String::as_str))
        .filter(|p| changed.contains(*p))
        .collect();
    loop {
        let names: BTreeSet<&str> = down.iter().map(|p| stem_of(p)).collect();
        let more: Vec<&str> = reads
            .iter()
            .filter(|(p, deps)| {
                !down.contains(**p)
                    && deps
                        .iter()
                        .filter_map(ref_name)
                        .any(|n| names.contains(n.as_str()))
            })
            .map(|(p, _)| *p)
            .collect();
        if more.is_empty() {
            break;
        }
        down.extend(more);
    }
    // Upstream of all of those: what their derivation reads.
    let mut scope: BTreeSet<String> = down.iter().map(|p| p.to_string()).collect();
    let mut sources: BTreeSet<(String, String)> = BTreeSet::new();
    let mut pending: Vec<&str> = down.iter().copied().collect();
    while let Some(path) = pending.pop() {
        for dep in reads.get(path).into_iter().flatten() {
            match dep {
                sql::Dependency::Source { source, table } => {
                    sources.insert((source.clone(), table.clone()));
                }
                sql::Dependency::Ref { name, .. } => {
                    for up in by_name.get(name).into_iter().flatten() {
                        if scope.insert(up.to_string()) {
                            pending.push(up);
                        }
                    }
                }
            }
        }
    }
    // Property files declaring the sources read; those describing the models come with them.
    if !sources.is_empty() {
        let props = read_texts(tree, &files.properties, &mut warnings, true)?;
        for (path, text) in props {
            let declares = sources
                .iter()
                .any(|(s, t)| text.contains(s.as_str()) && text.contains(t.as_str()));
            if declares {
                scope.insert(path);
            }
        }
    }
    scope.extend(changed.iter().cloned());
    Ok(Some(scope))
}
