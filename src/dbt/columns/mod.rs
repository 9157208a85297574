//! What each model outputs, derived from its SQL: the Jinja rendered with the project's own
//! macros (`render.rs`), the final select parsed in the warehouse's dialect and followed through
//! CTEs, unions and `*` (`select.rs`), and the result joined with the property YAML into the
//! compared contract (`contract.rs`).
//!
//! A model whose SQL cannot be followed (a package macro that is not installed, `*` over a
//! relation whose columns are unknown, SQL that does not parse) is "unresolved", with the
//! reason; its YAML columns stand in, as before.

mod catalog;
mod context;
mod contract;
mod jinja_text;
mod literals;
mod mutable;
mod pycompat;
mod render;
mod returns;
mod select;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sqlparser::parser::{Parser, ParserOptions};
use sqlparser::tokenizer::Tokenizer;

pub use catalog::{Catalog, CatalogError};
pub use context::ASSUMED as ASSUMED_TARGET;
pub use contract::{apply, apply_pair, documented_only};
pub use render::Macros;

use crate::contract::{Dialect, Project, ResourceType};
use crate::dbt::project::{ModelLanguage, ModelSource};
use crate::dbt::usage::{self, Upstream};
use crate::git::{self, FileTree, GitError};
use select::Cols;

/// One column of a model's output as its SQL says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputColumn {
    /// Folded to lower case unless quoted.
    pub name: String,
    pub quoted: bool,
    /// From a cast, a literal or the upstream column passed through.
    pub data_type: Option<String>,
    /// The expression that produces it, as written after rendering (for rename detection).
    #[serde(skip)]
    pub expr: Option<String>,
}

/// What the SQL of one model gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Derived {
    Resolved {
        columns: Vec<OutputColumn>,
        /// A digest of the rendered SQL (its tokens, without whitespace and comments) and of
        /// the columns and types of what it reads: equal on both sides of a change, the
        /// model's real output cannot have changed.
        #[serde(skip)]
        inputs: u64,
    },
    Unresolved {
        reason: String,
    },
}

/// The project's macros (from `macro-paths`) and `vars`, as one side of a change has them.
pub fn read_macros(tree: &dyn FileTree, project_dir: &str) -> Result<Macros, GitError> {
    #[derive(serde::Deserialize, Default)]
    struct ProjectFile {
        #[serde(default, rename = "macro-paths")]
        macro_paths: Option<Vec<String>>,
        #[serde(default)]
        vars: BTreeMap<String, serde_json::Value>,
        #[serde(default)]
        name: Option<String>,
    }
    let dir = git::clean(project_dir).unwrap_or_default();
    let join = |name: &str| match dir.as_str() {
        "" => name.to_string(),
        d => format!("{d}/{name}"),
    };
    let mut macros = Macros::default();
    let project: ProjectFile = match tree.read(&join("dbt_project.yml"))? {
        Some(bytes) => serde_saphyr::from_str(&String::from_utf8_lossy(&bytes)).unwrap_or_default(),
        None => return Ok(macros),
    };
    macros.vars = project_vars(project.vars, project.name.as_deref());
    let paths = project
        .macro_paths
        .unwrap_or_else(|| vec!["macros".to_string()]);
    let roots: Vec<String> = paths.iter().filter_map(|p| git::clean(&join(p))).collect();
    for path in git::list_all(tree, &roots)? {
        if !path.ends_with(".sql") {
            continue;
        }
        if let Some(bytes) = tree.read(&path)? {
            macros.add_file(&String::from_utf8_lossy(&bytes));
        }
    }
    Ok(macros)
}

/// The vars this project's models see: the global `vars:`, with the project's own scope
/// (`vars: {<project name>: {...}}`) over them, as dbt layers them. A mapping under another
/// key is a package's scope, or a var whose value is a mapping: kept as a var either way,
/// since only a model of that package would read it under that name.
fn project_vars(
    mut vars: BTreeMap<String, serde_json::Value>,
    name: Option<&str>,
) -> BTreeMap<String, serde_json::Value> {
    if let Some(n) = name
        && vars.get(n).is_some_and(serde_json::Value::is_object)
        && let Some(serde_json::Value::Object(own)) = vars.remove(n)
    {
        vars.extend(own);
    }
    vars
}

/// Derives models' output columns on demand, each once, upstreams first.
pub struct Deriver<'p> {
    models: HashMap<String, &'p ModelSource>,
    /// Unversioned name → the key `ref('name')` means (the latest version of a versioned model).
    latest: HashMap<String, String>,
    relations: &'p Project,
    renderer: render::Renderer,
    dialect: Dialect,
    memo: HashMap<String, Derived>,
    in_progress: HashSet<String>,
}

impl<'p> Deriver<'p> {
    pub fn new(
        models: &'p [ModelSource],
        relations: &'p Project,
        macros: Macros,
        dialect: Dialect,
    ) -> Deriver<'p> {
        let mut by_key = HashMap::new();
        let mut latest = HashMap::new();
        for m in models {
            let key = model_key(m);
            if m.version.is_none() {
                latest.insert(m.name.clone(), key.clone());
            } else if let Some(r) = relations.get(&key)
                && r.latest_version.as_deref() == m.version.as_deref()
            {
                latest.entry(m.name.clone()).or_insert_with(|| key.clone());
            }
            by_key.insert(key, m);
        }
        Deriver {
            models: by_key,
            latest,
            relations,
            renderer: render::Renderer::new(macros, adapter_name(dialect)),
            dialect,
            memo: HashMap::new(),
            in_progress: HashSet::new(),
        }
    }

    /// The output of the model with relation key `key` (`orders`, `orders.v2`).
    pub fn derive(&mut self, key: &str) -> Derived {
        if let Some(d) = self.memo.get(key) {
            return d.clone();
        }
        if !self.in_progress.insert(key.to_string()) {
            return Derived::Unresolved {
                reason: format!("`{key}` depends on itself"),
            };
        }
        let d = match self.models.get(key).copied() {
            None => Derived::Unresolved {
                reason: format!("the SQL of `{key}` was not read"),
            },
            Some(m) if m.language == ModelLanguage::Python => Derived::Unresolved {
                reason: "a Python model".into(),
            },
            Some(m) => match (self.derive_sql(key, &m.sql), &m.snapshot_meta) {
                (
                    Derived::Resolved {
                        mut columns,
                        inputs,
                    },
                    Some(meta),
                ) => {
                    add_snapshot_meta(&mut columns, meta);
                    Derived::Resolved { columns, inputs }
                }
                (d, _) => d,
            },
        };
        self.in_progress.remove(key);
        self.memo.insert(key.to_string(), d.clone());
        d
    }

    fn derive_sql(&mut self, key: &str, code: &str) -> Derived {
        let this = match self.relations.get(key) {
            Some(r) => placed(r),
            None => render::This {
                identifier: key.to_string(),
                ..Default::default()
            },
        };
        // Built once a model is rendered at all: a check that derives nothing pays nothing.
        if !self.renderer.has_placements() {
            self.renderer.set_placements(render::Placements {
                by_key: (self.relations.relations.iter())
                    .map(|(k, r)| (k.clone(), placed(r)))
                    .collect(),
                latest: self.latest.clone(),
            });
        }
        let rendered = match self.renderer.render(code, &this) {
            Ok(r) => r,
            Err(reason) => return Derived::Unresolved { reason },
        };
        let upstreams: Vec<Cols> = rendered
            .upstreams
            .iter()
            .map(|u| self.upstream_columns(u))
            .collect();
        let upstream_inputs: Vec<u64> = rendered
            .upstreams
            .iter()
            .map(|u| self.upstream_inputs(u))
            .collect();
        let result = parse(&rendered.sql, self.dialect).and_then(|(statements, sql)| {
            let columns = select::Analyser::new(&upstreams).model(&statements)?;
            Ok((columns, sql))
        });
        match result {
            Ok((columns, sql)) => Derived::Resolved {
                columns,
                inputs: digest(
                    sql,
                    &upstreams,
                    &self.declared_types(&rendered.upstreams),
                    &upstream_inputs,
                ),
            },
            Err(_) if let Some(call) = render::needs_warehouse(&rendered.opaque) => {
                Derived::Unresolved {
                    reason: format!("`{call}` needs a warehouse connection"),
                }
            }
            Err(why) if !rendered.opaque.is_empty() => {
                let calls: Vec<String> = rendered.opaque.iter().map(|c| format!("`{c}`")).collect();
                Derived::Unresolved {
                    reason: format!(
                        "it calls what Tessera cannot expand ({}): {why}",
                        calls.join(", ")
                    ),
                }
            }
            Err(why) => Derived::Unresolved { reason: why },
        }
    }

    fn upstream_key(&self, up: &Upstream) -> String {
        match up {
            Upstream::Ref {
                name,
                version: Some(v),
            } => format!("{name}.v{v}"),
            Upstream::Ref { name, .. } => self.latest.get(name).cloned().unwrap_or(name.clone()),
            Upstream::Source { source, table } => format!("{source}.{table}"),
        }
    }

    /// The types each upstream declares in its YAML: an enforced contract's are its real ones.
    fn declared_types(&self, ups: &[Upstream]) -> Vec<Vec<(&str, Option<&str>)>> {
        ups.iter()
            .map(|u| {
                self.relations
                    .get(&self.upstream_key(u))
                    .map(|r| {
                        let cols = r.columns.iter();
                        cols.map(|c| (c.name.as_str(), c.data_type.as_deref()))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// An upstream model's own digest, already derived by [`Self::upstream_columns`]: its SQL
    /// may change a type that inference cannot see, and that reaches this model too.
    fn upstream_inputs(&self, up: &Upstream) -> u64 {
        match self.memo.get(&self.upstream_key(up)) {
            Some(Derived::Resolved { inputs, .. }) => *inputs,
            _ => 0,
        }
    }

    fn upstream_columns(&mut self, up: &Upstream) -> Cols {
        let key = self.upstream_key(up);
        if self.models.contains_key(&key) {
            return match self.derive(&key) {
                Derived::Resolved { columns, .. } => Cols::Known(columns),
                Derived::Unresolved { reason } => {
                    Cols::Unknown(format!("`{key}` is unresolved ({reason})"))
                }
            };
        }
        // Sources and seeds: their declared columns are what the warehouse holds.
        match self.relations.get(&key) {
            Some(r) if r.resource_type != ResourceType::Model && !r.columns.is_empty() => {
                Cols::Known(
                    r.columns
                        .iter()
                        .map(|c| OutputColumn {
                            name: if c.quote {
                                c.name.clone()
                            } else {
                                c.name.to_lowercase()
                            },
                            quoted: c.quote,
                            data_type: c.data_type.clone(),
                            expr: None,
                        })
                        .collect(),
                )
            }
            Some(_) => Cols::Unknown(format!("`{key}` declares no columns")),
            None => Cols::Unknown(format!("`{key}` was not read")),
        }
    }
}

/// Where `r` lands, as `this` or a `ref()` answers it.
fn placed(r: &crate::contract::Relation) -> render::This {
    render::This {
        identifier: r.identifier.clone().unwrap_or_else(|| r.name.clone()),
        schema: r.schema.clone(),
        database: r.database.clone(),
    }
}

/// The output of SQL that needs no rendering (a manifest's `compiled_code`), once each upstream
/// relation in it has been replaced by [`upstream_placeholder`]`(i)`: `upstreams[i]` is that
/// upstream's output, or why it is unknown.
/// `upstream_inputs[i]` is upstream `i`'s own [`Derived::Resolved`] digest (0 for a source or
/// seed), and `declared[i]` the columns and types its YAML declares, so that a change anywhere
/// upstream changes this model's digest too.
pub fn derive_rendered(
    sql: &str,
    upstreams: &[Result<Vec<OutputColumn>, String>],
    upstream_inputs: &[u64],
    declared: &[Vec<(&str, Option<&str>)>],
    dialect: Dialect,
) -> Derived {
    let cols: Vec<Cols> = upstreams
        .iter()
        .map(|u| match u {
            Ok(c) => Cols::Known(c.clone()),
            Err(why) => Cols::Unknown(why.clone()),
        })
        .collect();
    let result = parse(sql, dialect).and_then(|(statements, sql)| {
        let columns = select::Analyser::new(&cols).model(&statements)?;
        Ok((columns, sql))
    });
    match result {
        Ok((columns, sql)) => Derived::Resolved {
            columns,
            inputs: digest(sql, &cols, declared, upstream_inputs),
        },
        Err(reason) => Derived::Unresolved { reason },
    }
}

/// The identifier that stands for upstream `i` in SQL given to [`derive_rendered`].
pub fn upstream_placeholder(i: usize) -> String {
    format!("{}{i}", render::UPSTREAM)
}

/// dbt's snapshot columns follow the selected ones; a select that already has one (a snapshot
/// of a snapshot) keeps its own.
fn add_snapshot_meta(columns: &mut Vec<OutputColumn>, meta: &[String]) {
    for name in meta {
        if !columns.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
            columns.push(OutputColumn {
                name: name.clone(),
                quoted: false,
                data_type: None,
                expr: None,
            });
        }
    }
}

/// Whether every relation a model's code reads is named by a literal `ref()` or `source()`
/// (so its `depends` is complete): its Jinja calls nothing else that could produce a ref, such
/// as a project macro building refs from a list.
pub fn refs_are_literal(code: &str) -> bool {
    const STATIC: &[&str] = &[
        "ref",
        "source",
        "config",
        "var",
        "env_var",
        "is_incremental",
        "this",
        "target",
        "log",
        "return",
    ];
    jinja_text::called_names(code)
        .iter()
        .all(|n| STATIC.contains(&n.as_str()))
}

/// Every model's output, by relation key, for the models of `keys` (all when `None`).
pub fn derive_models(
    models: &[ModelSource],
    relations: &Project,
    macros: &Macros,
    dialect: Dialect,
    keys: Option<&std::collections::BTreeSet<String>>,
) -> BTreeMap<String, Derived> {
    let mut deriver = Deriver::new(models, relations, macros.clone(), dialect);
    let mut out = BTreeMap::new();
    for m in models {
        let key = model_key(m);
        if keys.is_some_and(|k| !k.contains(&key)) {
            continue;
        }
        let d = deriver.derive(&key);
        out.insert(key, d);
    }
    out
}

fn model_key(m: &ModelSource) -> String {
    match &m.version {
        Some(v) => format!("{}.v{v}", m.name),
        None => m.name.clone(),
    }
}

fn adapter_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => "postgres",
        Dialect::Snowflake => "snowflake",
        Dialect::Bigquery => "bigquery",
        Dialect::Redshift => "redshift",
        Dialect::Databricks => "databricks",
        Dialect::Duckdb => "duckdb",
        Dialect::Generic => "default",
    }
}

/// The rendered SQL's statements, with a digest of its tokens (whitespace and comments left
/// out, so reformatting a model or re-indenting a macro's output changes nothing).
fn parse(sql: &str, dialect: Dialect) -> Result<(Vec<sqlparser::ast::Statement>, u64), String> {
    let d = usage::sql_dialect_for(dialect);
    let tokens = Tokenizer::new(d.as_ref(), sql)
        .tokenize_with_location()
        .map_err(|e| format!("the rendered SQL does not parse: {e}"))?;
    if usage::longest_chain(&tokens) > usage::MAX_CHAIN {
        return Err("the SQL is too large or too deeply nested".into());
    }
    let mut h = std::hash::DefaultHasher::new();
    for t in &tokens {
        if !matches!(t.token, sqlparser::tokenizer::Token::Whitespace(_)) {
            std::hash::Hash::hash(&t.token, &mut h);
        }
    }
    let sql_digest = std::hash::Hasher::finish(&h);
    Parser::new(d.as_ref())
        .with_options(ParserOptions::new().with_trailing_commas(true))
        .with_recursion_limit(usage::RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map(|statements| (statements, sql_digest))
        .map_err(|e| format!("the rendered SQL does not parse: {e}"))
}

/// The SQL's digest with the columns and types of each upstream it reads, as derived and as
/// declared, in order.
fn digest(
    sql: u64,
    upstreams: &[Cols],
    declared: &[Vec<(&str, Option<&str>)>],
    upstream_inputs: &[u64],
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    sql.hash(&mut h);
    declared.hash(&mut h);
    upstream_inputs.hash(&mut h);
    for up in upstreams {
        match up {
            Cols::Known(columns) => {
                0u8.hash(&mut h);
                for c in columns {
                    (&c.name, c.quoted, &c.data_type).hash(&mut h);
                }
            }
            Cols::Unknown(why) => (1u8, why).hash(&mut h),
        }
    }
    h.finish()
}
