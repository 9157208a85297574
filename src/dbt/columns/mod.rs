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
mod inputs;
mod jinja_text;
mod literals;
mod mutable;
mod output;
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
pub use inputs::Partial;
use inputs::{digest, jinja_digest, text_digest, unresolved_inputs};
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
    /// `data_type` is an explicit cast's target (here, or where the column was passed through
    /// from): without an enforced contract, that is the type the table gets, whatever the
    /// YAML declares.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cast: bool,
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
        /// Columns the final select reads from a relation that does not output them, with what
        /// it reads (`` reads `status` from `stg_orders` ``): left out of `columns`, since the
        /// warehouse refuses the model.
        #[serde(skip)]
        unread: Vec<(String, String)>,
    },
    Unresolved {
        reason: String,
        /// Like [`Derived::Resolved`]'s `inputs`, over what could be read of the model (its
        /// code, else its rendered SQL, and its upstreams): equal on both sides, nothing that
        /// decides its output changed, and it is not reported.
        #[serde(skip)]
        inputs: u64,
        #[serde(skip)]
        partial: Option<Partial>,
    },
}

impl Derived {
    /// The digest of everything the model's output depends on.
    pub fn inputs(&self) -> u64 {
        match self {
            Derived::Resolved { inputs, .. } | Derived::Unresolved { inputs, .. } => *inputs,
        }
    }

    /// Unresolved, with a digest of `reason` and `parts` standing in for its inputs.
    pub fn unresolved(reason: String, parts: impl std::hash::Hash) -> Derived {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        (&reason, parts).hash(&mut h);
        Derived::Unresolved {
            reason,
            inputs: h.finish(),
            partial: None,
        }
    }
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
    /// The project's macros and vars, digested (once, when first needed) for a model whose
    /// code cannot be rendered.
    macros: &'p Macros,
    macros_digest: Option<u64>,
}

impl<'p> Deriver<'p> {
    pub fn new(
        models: &'p [ModelSource],
        relations: &'p Project,
        macros: &'p Macros,
        dialect: Dialect,
    ) -> Deriver<'p> {
        let mut by_key = HashMap::new();
        let mut latest = HashMap::new();
        for m in models {
            let key = m.key();
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
            macros,
            macros_digest: None,
            models: by_key,
            latest,
            relations,
            renderer: render::Renderer::new(macros.clone(), adapter_name(dialect)),
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
            return Derived::unresolved(format!("`{key}` depends on itself"), ());
        }
        let d = match self.models.get(key).copied() {
            None => Derived::unresolved(format!("the SQL of `{key}` was not read"), ()),
            Some(m) if m.language == ModelLanguage::Python => {
                let inputs = self.code_inputs(m);
                Derived::unresolved(
                    "a Python model: Tessera does not follow what its code returns".into(),
                    inputs,
                )
            }
            Some(m) => match (self.derive_sql(key, m), &m.snapshot_meta) {
                (
                    Derived::Resolved {
                        mut columns,
                        inputs,
                        unread,
                    },
                    Some(meta),
                ) => {
                    add_snapshot_meta(&mut columns, meta);
                    Derived::Resolved {
                        columns,
                        inputs,
                        unread,
                    }
                }
                (d, _) => d,
            },
        };
        self.in_progress.remove(key);
        self.memo.insert(key.to_string(), d.clone());
        d
    }

    fn derive_sql(&mut self, key: &str, m: &ModelSource) -> Derived {
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
        let rendered = match self.renderer.render(&m.sql, &this) {
            Ok(r) => r,
            Err(why) => {
                let inputs = self.code_inputs(m);
                return Derived::unresolved(why, inputs);
            }
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
        let declared = self.declared_types(&rendered.upstreams);
        let parsed = parse(&rendered.sql, self.dialect);
        // SQL that does not parse is digested as text.
        let sql_digest = match &parsed {
            Ok((_, d)) => *d,
            Err(_) => text_digest(&rendered.sql),
        };
        let names: Vec<select::UpstreamName> = rendered
            .upstreams
            .iter()
            .map(|u| {
                let key = self.upstream_key(u);
                select::UpstreamName {
                    derived: self.models.contains_key(&key),
                    key,
                    table: table_name(u),
                }
            })
            .collect();
        let mut named_outside = None;
        let result = parsed.and_then(|(statements, _)| {
            let mut analyser = select::Analyser::new(&upstreams, self.dialect).named(&names);
            let columns = analyser.model(&statements);
            named_outside = analyser.named_outside.take();
            Ok((columns?, analyser.unread))
        });
        let jinja = jinja_digest(&m.sql);
        let partial = named_outside.map(|columns| Partial {
            columns,
            opaque: digest(jinja, &upstreams, &declared, &[]),
        });
        // Unresolved, the rendered SQL may hide what decides the output (the arguments of a
        // macro Tessera cannot expand): its Jinja counts too.
        let sql_digest = match result {
            Ok(_) => sql_digest,
            Err(_) => text_digest(&format!("{sql_digest}:{jinja}")),
        };
        let inputs = digest(
            sql_digest,
            &upstreams,
            &declared,
            &unresolved_inputs(result.is_ok(), &upstreams, &upstream_inputs),
        );
        match result {
            Ok((columns, unread)) => Derived::Resolved {
                columns,
                inputs,
                unread,
            },
            Err(_) if let Some(call) = render::needs_warehouse(&rendered.opaque) => {
                Derived::Unresolved {
                    reason: format!("`{call}` needs a warehouse connection"),
                    inputs,
                    partial: None,
                }
            }
            Err(why) if !rendered.opaque.is_empty() => {
                let calls: Vec<String> = rendered.opaque.iter().map(|c| format!("`{c}`")).collect();
                Derived::Unresolved {
                    reason: format!(
                        "it calls what Tessera cannot expand ({}): {why}",
                        calls.join(", ")
                    ),
                    inputs,
                    partial,
                }
            }
            Err(reason) => Derived::Unresolved {
                reason,
                inputs,
                partial: None,
            },
        }
    }

    /// The inputs of a model whose code could not be rendered (or is Python): its code, the
    /// project's macros and vars, and each upstream it names, derived or as declared.
    fn code_inputs(&mut self, m: &ModelSource) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        m.sql.hash(&mut h);
        let macros = self.macros;
        self.macros_digest
            .get_or_insert_with(|| text_digest(&format!("{macros:?}")))
            .hash(&mut h);
        for d in &m.depends {
            let key = d.key();
            if self.models.contains_key(&key) {
                match self.derive(&key) {
                    Derived::Resolved { columns, .. } => {
                        for c in columns {
                            (c.name, c.quoted, c.data_type).hash(&mut h);
                        }
                    }
                    d => d.inputs().hash(&mut h),
                }
            } else if let Some(r) = self.relations.get(&key) {
                for c in &r.columns {
                    (&c.name, c.quote, &c.data_type).hash(&mut h);
                }
            }
        }
        h.finish()
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
        self.memo
            .get(&self.upstream_key(up))
            .map_or(0, Derived::inputs)
    }

    fn upstream_columns(&mut self, up: &Upstream) -> Cols {
        let key = self.upstream_key(up);
        if self.models.contains_key(&key) {
            return match self.derive(&key) {
                Derived::Resolved { columns, .. } => Cols::Known(columns),
                Derived::Unresolved { reason, .. } => {
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
                            cast: false,
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
/// upstream's output, or why it is unknown, and `names[i]` its relation key and whether it is a
/// model (whose output was derived, so lists every column).
/// `upstream_inputs[i]` is upstream `i`'s own [`Derived::Resolved`] digest (0 for a source or
/// seed), and `declared[i]` the columns and types its YAML declares, so that a change anywhere
/// upstream changes this model's digest too.
pub fn derive_rendered(
    sql: &str,
    names: &[(String, bool)],
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
    let parsed = parse(sql, dialect);
    let sql_digest = match &parsed {
        Ok((_, d)) => *d,
        Err(_) => text_digest(sql),
    };
    let result = parsed.and_then(|(statements, _)| {
        let names: Vec<select::UpstreamName> = names
            .iter()
            .map(|(key, derived)| select::UpstreamName {
                key: key.clone(),
                table: String::new(),
                derived: *derived,
            })
            .collect();
        let mut analyser = select::Analyser::new(&cols, dialect).named(&names);
        let columns = analyser.model(&statements)?;
        Ok((columns, analyser.unread))
    });
    let upstream_inputs = unresolved_inputs(result.is_ok(), &cols, upstream_inputs);
    let inputs = digest(sql_digest, &cols, declared, &upstream_inputs);
    match result {
        Ok((columns, unread)) => Derived::Resolved {
            columns,
            inputs,
            unread,
        },
        Err(reason) => Derived::Unresolved {
            reason,
            inputs,
            partial: None,
        },
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
                cast: false,
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
    let mut deriver = Deriver::new(models, relations, macros, dialect);
    let mut out = BTreeMap::new();
    for m in models {
        let key = m.key();
        if keys.is_some_and(|k| !k.contains(&key)) {
            continue;
        }
        let d = deriver.derive(&key);
        out.insert(key, d);
    }
    out
}

/// The table name SQL qualifies an unaliased upstream with: a model's name (dbt's default
/// alias, `name_v2` for a version), a source table's name.
fn table_name(up: &Upstream) -> String {
    match up {
        Upstream::Ref {
            name,
            version: Some(v),
        } => format!("{name}_v{v}"),
        Upstream::Ref { name, .. } => name.clone(),
        Upstream::Source { table, .. } => table.clone(),
    }
    .to_lowercase()
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
