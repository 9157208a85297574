//! `catalog.json` (from `dbt docs generate`): the column types the warehouse reported. They fill
//! the types neither the YAML nor the SQL states (most columns of most projects).

use std::collections::HashMap;
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::contract::{Origin, Project, ResourceType};

#[derive(Debug, Error, Diagnostic)]
pub enum CatalogError {
    #[error("could not read the catalog {path}: {source}")]
    #[diagnostic(
        code(tessera::dbt::catalog::read),
        help(
            "run `dbt docs generate` to write target/catalog.json, or point --catalog / `dbt.catalog` at it"
        )
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a dbt catalog: {message} (line {line}, column {column})")]
    #[diagnostic(
        code(tessera::dbt::catalog::parse),
        help("give the catalog.json written by `dbt docs generate`, unedited")
    )]
    Parse {
        path: String,
        message: String,
        line: usize,
        column: usize,
    },
}

/// Column types by relation key (`orders`, `orders.v2`, `raw.orders`), then by lower-cased
/// column name.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    relations: HashMap<String, HashMap<String, String>>,
    by_unique_id: HashMap<String, String>,
}

#[derive(serde::Deserialize)]
struct RawCatalog {
    #[serde(default)]
    nodes: HashMap<String, RawTable>,
    #[serde(default)]
    sources: HashMap<String, RawTable>,
}

#[derive(serde::Deserialize)]
struct RawTable {
    #[serde(default)]
    columns: HashMap<String, RawColumn>,
}

#[derive(serde::Deserialize)]
struct RawColumn {
    #[serde(rename = "type", default)]
    data_type: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl Catalog {
    pub fn read(path: &Path) -> Result<Catalog, CatalogError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: shown.clone(),
            source,
        })?;
        Catalog::parse(&shown, &text)
    }

    pub fn parse(path: &str, text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = serde_json::from_str(text).map_err(|e| CatalogError::Parse {
            path: path.to_string(),
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        let mut catalog = Catalog::default();
        for (unique_id, table) in raw.nodes.into_iter().chain(raw.sources) {
            let Some(key) = relation_key(&unique_id) else {
                continue;
            };
            let columns = table
                .columns
                .into_iter()
                .filter_map(|(k, c)| {
                    let name = c.name.unwrap_or(k).to_lowercase();
                    Some((name, c.data_type.filter(|t| !t.trim().is_empty())?))
                })
                .collect();
            catalog.by_unique_id.insert(unique_id, key.clone());
            catalog.relations.insert(key, columns);
        }
        Ok(catalog)
    }

    /// Fills column types the YAML does not declare (replacing what the SQL suggested).
    pub fn apply(&self, project: &mut Project) {
        for (key, r) in project.relations.iter_mut() {
            if !matches!(
                r.resource_type,
                ResourceType::Model
                    | ResourceType::Source
                    | ResourceType::Seed
                    | ResourceType::Snapshot
            ) {
                continue;
            }
            let key = r
                .unique_id
                .as_ref()
                .and_then(|u| self.by_unique_id.get(u))
                .unwrap_or(key);
            let Some(types) = self.relations.get(key) else {
                continue;
            };
            for c in &mut r.columns {
                // The catalog describes what is deployed, the base; a cast in the new SQL says
                // what the change will deploy. So it fills only what neither YAML nor SQL says,
                // the same way on both sides.
                if c.data_type.is_some() {
                    continue;
                }
                if let Some(t) = types.get(&c.name.to_lowercase()) {
                    c.data_type = Some(t.clone());
                    c.type_origin = Some(Origin::Catalog);
                }
            }
        }
    }
}

/// `model.pkg.orders` → `orders`; `model.pkg.orders.v2` → `orders.v2`; `source.pkg.raw.orders`
/// → `raw.orders`; `seed.pkg.x` / `snapshot.pkg.x` → `x`.
fn relation_key(unique_id: &str) -> Option<String> {
    let parts: Vec<&str> = unique_id.split('.').collect();
    match parts.as_slice() {
        ["source", _, source, table] => Some(format!("{source}.{table}")),
        ["model", _, name, v] if v.starts_with('v') => Some(format!("{name}.{v}")),
        ["model" | "seed" | "snapshot", _, name] => Some(name.to_string()),
        _ => None,
    }
}
