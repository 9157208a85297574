//! `dbt_project.yml` and dbt's hierarchical configs. A resource's config is layered, least
//! specific first: the project file's folder tree, the property file's `config:`, then the
//! `config()` call in its SQL ("the most specific config always takes precedence").

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::properties::tags_of;
use crate::contract::Meta;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProjectFileYaml {
    name: Option<String>,
    profile: Option<String>,
    #[serde(rename = "model-paths")]
    model_paths: Option<Vec<String>>,
    /// The name `model-paths` had before dbt 1.0.
    #[serde(rename = "source-paths")]
    source_paths: Option<Vec<String>>,
    #[serde(rename = "seed-paths")]
    seed_paths: Option<Vec<String>>,
    /// The name `seed-paths` had before dbt 1.0.
    #[serde(rename = "data-paths")]
    data_paths: Option<Vec<String>>,
    #[serde(rename = "snapshot-paths")]
    snapshot_paths: Option<Vec<String>>,
    #[serde(rename = "macro-paths")]
    macro_paths: Option<Vec<String>>,
    models: Option<Value>,
    seeds: Option<Value>,
    snapshots: Option<Value>,
    sources: Option<Value>,
}

/// What Tessera uses of `dbt_project.yml`. Paths are as written, relative to the project.
#[derive(Debug)]
pub(crate) struct ProjectFile {
    pub name: String,
    pub profile: Option<String>,
    pub model_paths: Vec<String>,
    pub seed_paths: Vec<String>,
    pub snapshot_paths: Vec<String>,
    pub macro_paths: Vec<String>,
    models: Value,
    seeds: Value,
    snapshots: Value,
    sources: Value,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Model,
    Seed,
    Snapshot,
    Source,
}

impl ProjectFile {
    /// `None` when the file has no `name`, which dbt requires.
    pub fn parse(
        path: &str,
        text: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Option<ProjectFile>, super::DbtError> {
        let raw: ProjectFileYaml = super::error::parse_yaml(path, text, warnings)?;
        let Some(name) = raw.name.filter(|n| !n.trim().is_empty()) else {
            return Ok(None);
        };
        let or = |paths: Option<Vec<String>>, default: &str| {
            paths.unwrap_or_else(|| vec![default.to_string()])
        };
        Ok(Some(ProjectFile {
            name,
            profile: raw.profile,
            model_paths: or(raw.model_paths.or(raw.source_paths), "models"),
            seed_paths: or(raw.seed_paths.or(raw.data_paths), "seeds"),
            snapshot_paths: or(raw.snapshot_paths, "snapshots"),
            macro_paths: or(raw.macro_paths, "macros"),
            models: raw.models.unwrap_or(Value::Null),
            seeds: raw.seeds.unwrap_or(Value::Null),
            snapshots: raw.snapshots.unwrap_or(Value::Null),
            sources: raw.sources.unwrap_or(Value::Null),
        }))
    }

    /// The project-file config of the resource at `fqn` (`[project, folders…, name]`): every
    /// level of the folder tree it passes through, the deepest last.
    pub fn config_for(&self, kind: Kind, fqn: &[&str], problems: &mut Vec<String>) -> NodeConfig {
        let tree = match kind {
            Kind::Model => &self.models,
            Kind::Seed => &self.seeds,
            Kind::Snapshot => &self.snapshots,
            Kind::Source => &self.sources,
        };
        let mut config = NodeConfig::default();
        let mut level = tree;
        config.overlay(NodeConfig::from_map(&level_configs(level), problems));
        for part in fqn {
            match level.get(part) {
                Some(child) if child.is_object() => level = child,
                _ => break,
            }
            config.overlay(NodeConfig::from_map(&level_configs(level), problems));
        }
        config
    }
}

/// Config keys that take a map, so a map under them is a value and not a folder.
const MAP_CONFIGS: &[&str] = &[
    "meta",
    "contract",
    "docs",
    "persist_docs",
    "quoting",
    "column_types",
    "grants",
    "labels",
    "freshness",
    "snapshot_meta_column_names",
];

/// The configs set at one level of a project-file tree. `+key` is always a config; a bare key
/// is one unless it holds a map, which makes it a folder (or a model) name.
fn level_configs(level: &Value) -> Map<String, Value> {
    let Some(map) = level.as_object() else {
        return Map::new();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if let Some(config) = key.strip_prefix('+') {
            out.insert(config.to_string(), value.clone());
        } else if !value.is_object() || MAP_CONFIGS.contains(&key.as_str()) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

/// The configs Tessera reads. `None` means "not set at this layer".
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct NodeConfig {
    pub materialized: Option<String>,
    pub enabled: Option<bool>,
    pub contract_enforced: Option<bool>,
    pub access: Option<String>,
    pub schema: Option<String>,
    /// `Some(true)` when `schema` came from a legacy snapshot's `target_schema`, which dbt uses
    /// as written rather than through generate_schema_name.
    pub schema_as_is: Option<bool>,
    pub database: Option<String>,
    pub alias: Option<String>,
    pub group: Option<String>,
    pub deprecation_date: Option<String>,
    /// Additive across layers, as in dbt.
    pub tags: Vec<String>,
    /// Merged key by key across layers, as in dbt.
    pub meta: Meta,
    /// Source freshness set as a config (dbt ≥ 1.9); raw, see `freshness.rs`.
    pub freshness: Option<Value>,
    /// A seed's column types (dbt applies them when it loads the CSV); merged key by key
    /// across layers, as in dbt.
    pub column_types: BTreeMap<String, String>,
}

impl NodeConfig {
    /// Reads a `config:` map (keys without `+`). Values of the wrong type are reported in
    /// `problems` and ignored: dbt would stop on them, but they never change a contract.
    pub fn from_map(map: &Map<String, Value>, problems: &mut Vec<String>) -> NodeConfig {
        let mut c = NodeConfig::default();
        for (key, value) in map {
            if value.is_null() && key != "freshness" {
                continue;
            }
            let string = || match value {
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            let ok = match key.as_str() {
                "materialized" => set(&mut c.materialized, string()),
                "access" => set(&mut c.access, string()),
                "schema" => {
                    c.schema_as_is = Some(false);
                    set(&mut c.schema, string())
                }
                "database" => set(&mut c.database, string()),
                "alias" => set(&mut c.alias, string()),
                "group" => set(&mut c.group, string()),
                "deprecation_date" => set(&mut c.deprecation_date, string()),
                // Snapshots written before dbt 1.9 name their schema this way.
                "target_schema" if c.schema.is_some() => true,
                "target_schema" => {
                    c.schema_as_is = Some(true);
                    set(&mut c.schema, string())
                }
                "target_database" => c.database.is_some() || set(&mut c.database, string()),
                "enabled" => set(&mut c.enabled, boolean(value)),
                "contract" => match value.get("enforced") {
                    Some(v) => set(&mut c.contract_enforced, boolean(v)),
                    None => value.is_object(),
                },
                "tags" => {
                    c.tags = tags_of(value);
                    value.is_string() || value.is_array()
                }
                "meta" => match value.as_object() {
                    Some(m) => {
                        c.meta.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                        true
                    }
                    None => false,
                },
                "freshness" => {
                    c.freshness = Some(value.clone());
                    true
                }
                "column_types" => match value.as_object() {
                    Some(m) => {
                        let typed = m
                            .iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())));
                        c.column_types.extend(typed);
                        m.values().all(Value::is_string)
                    }
                    None => false,
                },
                _ => true,
            };
            if !ok {
                problems.push(format!("config `{key}` has an unexpected value {value}"));
            }
        }
        c
    }

    /// Applies a more specific layer on top of this one.
    pub fn overlay(&mut self, top: NodeConfig) {
        fn over<T>(base: &mut Option<T>, top: Option<T>) {
            if top.is_some() {
                *base = top;
            }
        }
        over(&mut self.materialized, top.materialized);
        over(&mut self.enabled, top.enabled);
        over(&mut self.contract_enforced, top.contract_enforced);
        over(&mut self.access, top.access);
        over(&mut self.schema, top.schema);
        over(&mut self.schema_as_is, top.schema_as_is);
        over(&mut self.database, top.database);
        over(&mut self.alias, top.alias);
        over(&mut self.group, top.group);
        over(&mut self.deprecation_date, top.deprecation_date);
        over(&mut self.freshness, top.freshness);
        self.tags.extend(top.tags);
        self.meta.extend(top.meta);
        self.column_types.extend(top.column_types);
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled != Some(false)
    }
}

fn set<T>(slot: &mut Option<T>, value: Option<T>) -> bool {
    let ok = value.is_some();
    if ok {
        *slot = value;
    }
    ok
}

/// dbt configs are Python values: YAML booleans, or the strings a Jinja expression renders to.
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "\
name: shop
profile: warehouse
model-paths: [models, more_models]
models:
  +materialized: view
  +meta: {owner: data-team}
  shop:
    +tags: [core]
    staging:
      +schema: staging
    marts:
      +materialized: table
      +contract: {enforced: true}
      finance:
        materialized: incremental   # a bare key with a scalar is a config too
        +enabled: false
        orders:
          +alias: orders_final
          tags: finance
  other_package:
    +materialized: ephemeral
";

    fn project() -> ProjectFile {
        ProjectFile::parse("dbt_project.yml", PROJECT, &mut Vec::new())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn reads_names_and_paths() {
        let p = project();
        assert_eq!(
            (p.name.as_str(), p.profile.as_deref()),
            ("shop", Some("warehouse"))
        );
        assert_eq!(p.model_paths, ["models", "more_models"]);
        assert_eq!(
            (p.seed_paths[0].as_str(), p.snapshot_paths[0].as_str()),
            ("seeds", "snapshots")
        );
        let text = "name: x\nsource-paths: [src]\ndata-paths: [data]\n";
        let old = ProjectFile::parse("p", text, &mut Vec::new());
        let old = old.unwrap().unwrap();
        assert_eq!(
            (old.model_paths, old.seed_paths),
            (vec!["src".into()], vec!["data".into()])
        );
        let nameless = ProjectFile::parse("p", "profile: x\n", &mut Vec::new());
        assert!(nameless.unwrap().is_none());
    }

    #[test]
    fn the_most_specific_folder_wins() {
        let p = project();
        let mut problems = Vec::new();
        let staging = p.config_for(
            Kind::Model,
            &["shop", "staging", "stg_orders"],
            &mut problems,
        );
        assert_eq!(staging.materialized.as_deref(), Some("view"));
        assert_eq!(staging.schema.as_deref(), Some("staging"));
        assert_eq!(staging.tags, ["core"]);
        assert_eq!(staging.meta.get("owner"), Some(&Value::from("data-team")));

        let marts = p.config_for(
            Kind::Model,
            &["shop", "marts", "dim_customers"],
            &mut problems,
        );
        assert_eq!(marts.materialized.as_deref(), Some("table"));
        assert_eq!(marts.contract_enforced, Some(true));
        assert!(marts.is_enabled());

        let orders = p.config_for(
            Kind::Model,
            &["shop", "marts", "finance", "orders"],
            &mut problems,
        );
        assert!(!orders.is_enabled());
        assert_eq!(orders.materialized.as_deref(), Some("incremental"));
        assert_eq!(orders.alias.as_deref(), Some("orders_final"));
        assert_eq!(orders.tags, ["core", "finance"]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_legacy_target_schema_is_used_as_written() {
        let mut problems = Vec::new();
        let map = serde_json::json!({"target_schema": "snapshots"});
        let c = NodeConfig::from_map(map.as_object().unwrap(), &mut problems);
        assert_eq!(
            (c.schema.as_deref(), c.schema_as_is),
            (Some("snapshots"), Some(true))
        );
        let map = serde_json::json!({"target_schema": "old", "schema": "snap"});
        let c = NodeConfig::from_map(map.as_object().unwrap(), &mut problems);
        assert_eq!(
            (c.schema.as_deref(), c.schema_as_is),
            (Some("snap"), Some(false))
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn wrong_types_are_reported_not_fatal() {
        let mut problems = Vec::new();
        let map = serde_json::json!({"materialized": ["table"], "enabled": "yes please"});
        let c = NodeConfig::from_map(map.as_object().unwrap(), &mut problems);
        assert_eq!(c, NodeConfig::default());
        assert_eq!(problems.len(), 2);
    }
}
