//! A dbt project read from its own files (`dbt_project.yml`, property YAML, SQL), at any git
//! revision or in the working tree. `target/manifest.json` is not committed, so the "before" side
//! of a change can only come from here.

mod build;
mod columns;
mod config;
mod data_tests;
mod duplicates;
mod error;
mod freshness;
mod groups;
mod properties;
mod quick_yaml;
mod quoted_indent;
mod reach;
mod seed_csv;
mod sql;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_saphyr::Location;

pub use error::{DbtError, InvalidProperty, YamlSyntax};
pub use reach::sql_change_scope;
pub use sql::Dependency;

use crate::contract::Project;
use crate::git::{self, FileTree};

/// One side of a dbt project.
#[derive(Debug, Clone, Serialize)]
pub struct DbtProject {
    pub name: String,
    pub profile: Option<String>,
    pub relations: Project,
    /// Property, SQL, seed and project file path → keys of the relations it declares or
    /// configures, so `tessera check PATHS` can narrow its work to the files given.
    pub files: BTreeMap<String, Vec<String>>,
    /// Every enabled model (one entry per version), with its code for later SQL analysis.
    pub models: Vec<ModelSource>,
    /// Problems that do not stop the reader (a YAML entry without SQL, a bad date, …).
    pub warnings: Vec<String>,
    /// dbt `groups:` with their owners, for ownership of the group's models.
    pub groups: Vec<crate::dbt::Group>,
    /// The project's overrides of dbt's `generate_*_name` macros, which decide where models land.
    #[serde(skip)]
    pub naming: crate::dbt::identity::Overrides,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelSource {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Repository-relative path of the `.sql` or `.py` file.
    pub path: String,
    pub language: ModelLanguage,
    pub sql: String,
    /// `ref()`s and `source()`s with literal arguments, sorted.
    pub depends: Vec<Dependency>,
    /// For a snapshot (whose `sql` is its `{% snapshot %}` block's body), the meta columns
    /// dbt adds after the selected ones; `None` for a model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_meta: Option<Vec<String>>,
}

impl ModelSource {
    /// Its [`Relation::key`](crate::contract::Relation::key): the name, or `name.vN` for a
    /// version.
    pub fn key(&self) -> String {
        match &self.version {
            Some(v) => format!("{}.v{v}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelLanguage {
    Sql,
    Python,
}

/// Reads the dbt project in `project_dir` (repository-relative; `""` or `.` for the top).
pub fn read_project(tree: &dyn FileTree, project_dir: &str) -> Result<DbtProject, DbtError> {
    read_project_scoped(tree, project_dir, None)
}

/// Like [`read_project`], but when `scope` is given only those property files are read, with
/// the code and seed files they mention (plus any code file in `scope`): the relations of a
/// change without the cost of the whole project. The caller must not scope a read when
/// `dbt_project.yml` itself changed, since it configures everything.
pub fn read_project_scoped(
    tree: &dyn FileTree,
    project_dir: &str,
    scope: Option<&std::collections::BTreeSet<String>>,
) -> Result<DbtProject, DbtError> {
    let mut warnings = Vec::new();
    let (dir, project_path, project) = read_project_file(tree, project_dir, &mut warnings)?;
    let mut files = Inventory::collect(tree, &dir, &project, &mut warnings)?;
    // Reading goes through `tree`, one file at a time; scanning, parsing and building are
    // spread over the cores.
    let stems: Option<Vec<&str>> = scope.map(|scope| {
        let code = scope.iter().filter(|p| is_code(p));
        code.map(|p| stem_of(p)).collect()
    });
    // With no code file in scope, only the property files in scope are wanted: the others are
    // not even opened (on a large project that reading was most of a one-file check).
    if let (Some(scope), Some(stems)) = (scope, &stems)
        && stems.is_empty()
    {
        files.properties.retain(|p| scope.contains(p));
    }
    let mut property_texts = read_texts(tree, &files.properties, &mut warnings, false)?;
    if let (Some(scope), Some(stems)) = (scope, stems) {
        // Parsing is the cost: keep the property files in scope and those that describe a code
        // file in scope (its materialization and constraints matter).
        property_texts.retain(|(p, t)| scope.contains(p) || stems.iter().any(|s| t.contains(s)));
        files
            .properties
            .retain(|p| property_texts.iter().any(|(q, _)| q == p));
        files.narrow_code(scope, &property_texts);
    }
    let mut code = read_code(tree, &files, &mut warnings)?;
    let seed_headers = seed_csv::read_headers(tree, &files.seed_files);
    let (relations, mut by_file, mut models) = build_all(
        &project,
        &files,
        (&code, &seed_headers),
        &property_texts,
        &mut warnings,
    )?;

    // A snapshot carries its block's body already; several may share one file.
    for model in models.iter_mut().filter(|m| m.snapshot_meta.is_none()) {
        if let Some(code) = code.remove(&model.path) {
            model.sql = code.text;
        }
    }
    // The project file configures every relation.
    let all: Vec<String> = relations.relations.keys().cloned().collect();
    by_file.insert(project_path, all);
    let groups = groups::read(&property_texts);
    let macro_roots: Vec<String> = project
        .macro_paths
        .iter()
        .filter_map(|p| git::clean(&join(&dir, p)))
        .collect();
    let naming = crate::dbt::identity::Overrides::read(tree, &macro_roots)?;
    Ok(DbtProject {
        naming,
        name: project.name,
        profile: project.profile,
        relations,
        files: by_file,
        models,
        warnings: dedup(warnings),
        groups,
    })
}

fn read_project_file(
    tree: &dyn FileTree,
    project_dir: &str,
    warnings: &mut Vec<String>,
) -> Result<(String, String, config::ProjectFile), DbtError> {
    let missing = |path: String| DbtError::MissingProjectFile {
        path,
        side: tree.label(),
    };
    let dir = git::clean(project_dir).ok_or_else(|| missing(project_dir.to_string()))?;
    let path = join(&dir, "dbt_project.yml");
    let bytes = tree.read(&path)?.ok_or_else(|| missing(path.clone()))?;
    let text = error::utf8(&path, bytes)?;
    let project = config::ProjectFile::parse(&path, &text, warnings)?.ok_or_else(|| {
        DbtError::invalid(
            &path,
            &text,
            Location::UNKNOWN,
            "dbt_project.yml has no `name`",
            "dbt requires `name:`, the project's name, in dbt_project.yml",
        )
    })?;
    Ok((dir, path, project))
}

/// Model and snapshot code by path, scanned for the Jinja calls the reader needs.
fn read_code(
    tree: &dyn FileTree,
    files: &Inventory,
    warnings: &mut Vec<String>,
) -> Result<HashMap<String, Code>, DbtError> {
    let mut texts = read_texts(tree, &files.model_code, warnings, true)?;
    let snapshot_texts = read_texts(tree, &files.snapshot_code, warnings, true)?;
    let snapshots: HashSet<String> = snapshot_texts.iter().map(|(p, _)| p.clone()).collect();
    texts.extend(snapshot_texts);
    let scanned = par_map(texts, |(path, text)| {
        let code = Code::scan(&path, text, snapshots.contains(&path));
        code.map(|code| (path, code))
    });
    let code: HashMap<String, Code> = scanned.into_iter().collect::<Result<_, _>>()?;
    for (path, c) in &code {
        if let Some(expr) = &c.materialized_expr {
            warnings.push(format!(
                "{path}: `materialized` is set by a Jinja expression Tessera does not evaluate \
                 (`{expr}`); the model is read with the materialization its other configs give \
                 it, so check by hand whether this change makes it ephemeral or drops it"
            ));
        }
    }
    Ok(code)
}

/// Builds every property file, then the code and seed files no entry describes, and joins it
/// all.
fn build_all(
    project: &config::ProjectFile,
    files: &Inventory,
    (code, seed_headers): (&HashMap<String, Code>, &seed_csv::Headers),
    property_texts: &[(String, String)],
    warnings: &mut Vec<String>,
) -> Result<Merged, DbtError> {
    let shared = build::Shared::new(project, files, (code, seed_headers), warnings);
    let built = par_map(property_texts.iter().collect(), |(path, text)| {
        build_file(&shared, path, text)
    });
    let outputs = built.into_iter().collect::<Result<Vec<_>, _>>()?;
    let names = |pick: fn(&build::Output) -> &Vec<String>| -> HashSet<&str> {
        outputs.iter().flat_map(pick).map(String::as_str).collect()
    };
    let claimed = names(|o| &o.claimed);
    let versioned = names(|o| &o.versioned);
    let leftovers = build::Builder::leftovers(&shared, &claimed, &versioned)?;
    Ok(merge(outputs.into_iter().chain([leftovers]), warnings))
}

/// Everything one property file declares. A file whose only fault is a quoted value's
/// continuation lines indented as PyYAML allows and the spec does not is read as dbt reads it
/// (see `quoted_indent.rs`); any other syntax error stands, at its line.
fn build_file(
    shared: &build::Shared<'_>,
    path: &str,
    text: &str,
) -> Result<build::Output, DbtError> {
    match build_text(shared, path, text) {
        Err(DbtError::YamlSyntax(e)) => match quoted_indent::repair(text) {
            Some(fixed) => build_text(shared, path, &fixed),
            None => Err(DbtError::YamlSyntax(e)),
        },
        built => built,
    }
}

/// The quick YAML reader keeps no positions, so a file with a problem is read again by
/// serde-saphyr to say where the problem is.
fn build_text(
    shared: &build::Shared<'_>,
    path: &str,
    text: &str,
) -> Result<build::Output, DbtError> {
    let mut warnings = Vec::new();
    let mut source = PropertySource::read(path, text, &mut warnings)?;
    let mut out = match build::Builder::property_file(shared, &source) {
        Err(DbtError::InvalidProperty(_)) if !source.precise => {
            source.read_precisely()?;
            build::Builder::property_file(shared, &source)?
        }
        other => other?,
    };
    warnings.append(&mut out.warnings);
    out.warnings = warnings;
    Ok(out)
}

/// Relations, files → relation keys, and model code, as `DbtProject` holds them.
type Merged = (Project, BTreeMap<String, Vec<String>>, Vec<ModelSource>);

/// Joins the files' outputs in file order; the first declaration of a relation wins.
fn merge(outputs: impl Iterator<Item = build::Output>, warnings: &mut Vec<String>) -> Merged {
    let mut project = Project::default();
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut models = Vec::new();
    for out in outputs {
        warnings.extend(out.warnings);
        for (path, key) in out.declared {
            let keys = by_file.entry(path).or_default();
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        for (rel, source) in out.relations {
            let key = rel.key();
            if project.relations.contains_key(&key) {
                let file = rel.file.as_deref().unwrap_or("?");
                warnings.push(format!(
                    "{file}: `{key}` is declared twice; the first one is kept"
                ));
                continue;
            }
            project.relations.insert(key, rel);
            models.extend(source);
        }
    }
    (project, by_file, models)
}

/// Reads files as text. Property files must be UTF-8 (dbt refuses others); in code, invalid
/// bytes are replaced and reported, since only a few Jinja calls are read from it.
fn read_texts(
    tree: &dyn FileTree,
    paths: &[String],
    warnings: &mut Vec<String>,
    lossy: bool,
) -> Result<Vec<(String, String)>, DbtError> {
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let Some(bytes) = tree.read(path)? else {
            continue;
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) if !lossy => return Err(DbtError::NotUtf8 { path: path.clone() }),
            Err(e) => {
                warnings.push(format!(
                    "{path}: not valid UTF-8; invalid bytes were replaced"
                ));
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        };
        out.push((path.clone(), text));
    }
    Ok(out)
}

/// `f` over `items` on every core, results in the order of `items`.
fn par_map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads == 1 || items.len() < 16 {
        return items.into_iter().map(f).collect();
    }
    // Dealt round-robin, so large and small files mix in every share.
    let mut shares: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        shares[i % threads].push((i, item));
    }
    let f = &f;
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .into_iter()
                        .map(|(i, t)| (i, f(t)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A model or snapshot file with what the reader needs from its code.
pub(crate) struct Code {
    pub text: String,
    /// Keyword arguments of its `config()` calls.
    pub config: serde_json::Map<String, serde_json::Value>,
    pub depends: Vec<Dependency>,
    /// Names of its `{% snapshot %}` blocks.
    pub snapshots: Vec<String>,
    /// A `materialized=` config set by a Jinja expression Tessera does not evaluate.
    pub materialized_expr: Option<String>,
}

impl Code {
    fn scan(path: &str, text: String, snapshot: bool) -> Result<Code, DbtError> {
        // Python models call `dbt.ref()` and `dbt.config()` in plain code.
        let jinja = match path.ends_with(".py") {
            true => text.clone(),
            false => sql::jinja_blocks(&text),
        };
        let (mut config, by_jinja) = match sql::config_scan(&jinja) {
            Ok(scan) => scan,
            Err(e) => return Err(config_too_deep(path, &text, e)),
        };
        // `{% set m = 'ephemeral' %}{{ config(materialized=m) }}` is read through its `set`;
        // any other expression is named, never quietly taken as the default.
        let mut materialized_expr = None;
        if let Some(j) = by_jinja {
            match j.value {
                Some(v) => {
                    config.insert("materialized".into(), serde_json::Value::String(v));
                }
                None => materialized_expr = Some(j.expr),
            }
        }
        Ok(Code {
            materialized_expr,
            config,
            depends: sql::dependencies(&jinja),
            snapshots: match snapshot {
                true => sql::snapshot_names(&text),
                false => Vec::new(),
            },
            text,
        })
    }
}

/// The error for a `config()` literal nested past the bound, at its line in the file. The scan
/// ran over the file's Jinja blocks only, so the call is found again in the whole text.
fn config_too_deep(path: &str, text: &str, e: sql::TooDeep) -> DbtError {
    let at = match sql::config_scan(text) {
        Err(again) => again.at,
        Ok(_) => e.at.min(text.len()),
    };
    let line = text.get(..at).map_or(1, |t| t.matches('\n').count() + 1);
    DbtError::ConfigTooDeep {
        path: path.to_string(),
        line,
        argument: e
            .keyword
            .map_or_else(|| "a positional argument".to_string(), |k| format!("`{k}`")),
        max: sql::MAX_LITERAL_DEPTH,
    }
}

/// A property file's path and text, for diagnostics, beside what it declares (which borrows
/// from the text).
pub(crate) struct PropertySource<'t> {
    pub path: &'t str,
    pub text: &'t str,
    pub props: properties::PropertyFile<'t>,
    /// Read by serde-saphyr, so entries carry their positions.
    precise: bool,
}

impl<'t> PropertySource<'t> {
    fn read(path: &'t str, text: &'t str, warnings: &mut Vec<String>) -> Result<Self, DbtError> {
        let quick = quick_yaml::parse(text).and_then(|node| Deserialize::deserialize(node).ok());
        let (props, precise) = match quick {
            Some(props) => (props, false),
            None => (error::parse_yaml(path, text, warnings)?, true),
        };
        duplicates::check(path, text, &props)?;
        Ok(PropertySource {
            path,
            text,
            props,
            precise,
        })
    }

    fn read_precisely(&mut self) -> Result<(), DbtError> {
        self.props = error::parse_yaml(self.path, self.text, &mut Vec::new())?;
        self.precise = true;
        Ok(())
    }

    fn src(&self) -> Src<'t> {
        Src {
            path: self.path,
            text: self.text,
        }
    }
}

/// Where a diagnostic points.
pub(crate) struct Src<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

impl Src<'_> {
    pub fn invalid(&self, at: Location, message: &str, help: &str) -> DbtError {
        DbtError::invalid(self.path, self.text, at, message, help)
    }
}

/// The project's files by role. Resource paths are repository-relative and normalised.
pub(crate) struct Inventory {
    pub model_roots: Vec<String>,
    pub seed_roots: Vec<String>,
    pub snapshot_roots: Vec<String>,
    /// All three, for property files, which may sit in any of them.
    pub property_roots: Vec<String>,
    pub model_code: Vec<String>,
    pub seed_files: Vec<String>,
    pub snapshot_code: Vec<String>,
    pub properties: Vec<String>,
}

/// Files dbt reads for itself that may sit inside a resource path set to `.`.
const NOT_PROPERTY_FILES: &[&str] = &[
    "dbt_project.yml",
    "packages.yml",
    "dependencies.yml",
    "selectors.yml",
    "profiles.yml",
];

fn is_code(path: &str) -> bool {
    [".sql", ".py", ".csv"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// `models/orders_v2.sql` → `orders` (versions share their model's name in property files).
fn stem_of(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    match stem.rsplit_once("_v") {
        Some((b, v)) if !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()) => b,
        _ => stem,
    }
}

impl Inventory {
    /// Keeps the code and seed files a scoped read needs: those in `scope`, and those whose
    /// name a selected property file mentions (a versioned `orders_v2.sql` counts as `orders`).
    fn narrow_code(
        &mut self,
        scope: &std::collections::BTreeSet<String>,
        texts: &[(String, String)],
    ) {
        // One pass over the texts rather than one substring search per code file: with
        // thousands of models and hundreds of changed property files the searches dominated.
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let words: std::collections::HashSet<&str> = texts
            .iter()
            .flat_map(|(_, t)| t.split(|c: char| !is_word(c)))
            .filter(|w| !w.is_empty())
            .collect();
        let mentioned = |path: &String| {
            if scope.contains(path) {
                return true;
            }
            let base = stem_of(path);
            if base.chars().all(is_word) {
                words.contains(base)
            } else {
                texts.iter().any(|(_, t)| t.contains(base))
            }
        };
        self.model_code.retain(mentioned);
        self.snapshot_code.retain(mentioned);
        self.seed_files.retain(mentioned);
    }

    fn collect(
        tree: &dyn FileTree,
        dir: &str,
        project: &config::ProjectFile,
        warnings: &mut Vec<String>,
    ) -> Result<Inventory, DbtError> {
        let mut roots = |paths: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for p in paths {
                match git::clean(&join(dir, p)) {
                    Some(root) => out.push(root),
                    None => warnings.push(format!(
                        "dbt_project.yml: path `{p}` points outside the repository; skipped"
                    )),
                }
            }
            out
        };
        let model_roots = roots(&project.model_paths);
        let seed_roots = roots(&project.seed_paths);
        let snapshot_roots = roots(&project.snapshot_paths);
        let ext = |path: &str| {
            path.rsplit_once('.')
                .map_or("", |(_, e)| e)
                .to_ascii_lowercase()
        };
        let of_kind = |files: &[String], exts: &[&str]| -> Vec<String> {
            let files = files.iter().filter(|f| exts.contains(&ext(f).as_str()));
            files.cloned().collect()
        };

        let model_files = git::list_all(tree, &model_roots)?;
        let seed_files = git::list_all(tree, &seed_roots)?;
        let snapshot_files = git::list_all(tree, &snapshot_roots)?;
        let own_files: BTreeSet<String> = NOT_PROPERTY_FILES.iter().map(|f| join(dir, f)).collect();
        let properties: BTreeSet<String> = [&model_files, &seed_files, &snapshot_files]
            .into_iter()
            .flat_map(|files| of_kind(files, &["yml", "yaml"]))
            .filter(|f| !own_files.contains(f))
            .collect();
        Ok(Inventory {
            model_code: of_kind(&model_files, &["sql", "py"]),
            seed_files: of_kind(&seed_files, &["csv"]),
            snapshot_code: of_kind(&snapshot_files, &["sql"]),
            properties: properties.into_iter().collect(),
            property_roots: [&model_roots, &seed_roots, &snapshot_roots]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            model_roots,
            seed_roots,
            snapshot_roots,
        })
    }
}

/// The folders between the resource path holding `path` and the file: dbt's fqn middle part.
pub(crate) fn folders<'p>(path: &'p str, roots: &[String]) -> Vec<&'p str> {
    let inside = |root: &String| -> Option<&'p str> {
        if root.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(root.as_str())?.strip_prefix('/')
        }
    };
    // The longest root wins when resource paths nest.
    let rel = roots
        .iter()
        .filter_map(|r| inside(r).map(|rel| (r.len(), rel)))
        .max_by_key(|(len, _)| *len)
        .map_or(path, |(_, rel)| rel);
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts
}

/// The file name without its extension: a model's, seed's or snapshot file's name.
pub(crate) fn stem(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect()
}
