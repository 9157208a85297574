//! The parts of `manifest.json` Tessera reads, as dbt writes them (schema v1 to v12). Every field
//! is optional and lenient; everything not named here (macros, docs, parent/child maps, compiled
//! SQL, semantic models, ...) is skipped by serde without being built.

use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::lenient::{Bool, Count, Many, MetaMap, Obj, Str, Strs, U64};
use super::strict::{self, Keyed, Section, Table};

/// The top level: `None` when the document is valid JSON but not an object.
pub(crate) struct TopLevel(pub Option<RawManifest>);

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TopLevel, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TopLevel;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TopLevel, A::Error> {
                RawManifest::deserialize(MapAccessDeserializer::new(map)).map(|m| TopLevel(Some(m)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TopLevel(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
            fn visit_unit<E>(self) -> Result<TopLevel, E> {
                Ok(TopLevel(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawManifest {
    /// `Option` so that a missing `metadata` can be told from an empty one.
    pub metadata: Option<Obj<RawMetadata>>,
    pub nodes: Option<Table<RawNode>>,
    pub sources: Table<RawSource>,
    pub exposures: Table<RawExposure>,
    pub groups: Table<RawGroup>,
    pub unit_tests: Count,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawMetadata {
    pub dbt_schema_version: Str,
    pub dbt_version: Str,
    pub adapter_type: Str,
    pub project_name: Str,
    pub project_id: Str,
}

/// Any entry of `nodes`: model, seed, snapshot, test, analysis, operation, ...
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawNode {
    pub unique_id: Str,
    #[serde(deserialize_with = "strict::resource_type")]
    pub resource_type: Str,
    #[serde(deserialize_with = "strict::name")]
    pub name: Str,
    pub package_name: Str,
    pub database: Str,
    pub schema: Str,
    pub alias: Str,
    pub relation_name: Str,
    pub original_file_path: Str,
    pub patch_path: Str,
    /// The SQL dbt compiled (`dbt compile`/`build`/`run`; absent after `dbt parse`), and its
    /// name before dbt 1.3, read as two fields for the same reason.
    pub compiled_code: Str,
    pub compiled_sql: Str,
    pub description: Str,
    pub tags: Strs,
    pub meta: MetaMap,
    pub config: Obj<RawConfig>,
    pub columns: Keyed<RawColumn>,
    pub depends_on: Obj<RawDependsOn>,
    pub group: Str,
    pub access: Str,
    pub version: Str,
    pub latest_version: Str,
    pub deprecation_date: Str,
    pub contract: Contract,
    pub constraints: Many<RawConstraint>,
    // Tests only.
    pub column_name: Str,
    pub attached_node: Str,
    pub test_metadata: Obj<RawTestMetadata>,
    pub arguments: Obj<RawKwargs>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawConfig {
    pub enabled: Bool,
    pub materialized: Str,
    pub contract: Contract,
    pub access: Str,
    pub group: Str,
    pub meta: MetaMap,
    pub severity: Str,
    pub freshness: Obj<RawFreshness>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawDependsOn {
    pub nodes: Strs,
}

/// `contract` / `config.contract`: `{enforced: bool, ...}`, or a bare bool in dbt 1.5 betas.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Contract(pub Option<bool>);

impl<'de> Deserialize<'de> for Contract {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Contract, D::Error> {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Inner {
            enforced: Bool,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Contract;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a contract")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Contract, E> {
                Ok(Contract(Some(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Contract, A::Error> {
                Inner::deserialize(MapAccessDeserializer::new(map)).map(|i| Contract(i.enforced.0))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Contract, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Contract(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_unit<E>(self) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_none<E>(self) -> Result<Contract, E> {
                Ok(Contract(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Contract, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawColumn {
    #[serde(deserialize_with = "strict::name")]
    pub name: Str,
    pub description: Str,
    pub meta: MetaMap,
    pub config: Obj<RawColumnConfig>,
    #[serde(deserialize_with = "strict::data_type")]
    pub data_type: Str,
    pub quote: Bool,
    pub tags: Strs,
    pub constraints: Many<RawConstraint>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawColumnConfig {
    pub meta: MetaMap,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawConstraint {
    #[serde(rename = "type")]
    pub kind: Str,
    pub expression: Str,
    pub to: Str,
    pub to_columns: Strs,
    pub columns: Strs,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawTestMetadata {
    pub name: Str,
    pub namespace: Str,
    pub kwargs: Obj<RawKwargs>,
    pub arguments: Obj<RawKwargs>,
}

/// The generic-test arguments Tessera interprets.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawKwargs {
    pub column_name: Str,
    pub values: Strs,
    pub to: Str,
    pub field: Str,
    pub combination_of_columns: Strs,
    pub model: Str,
    /// dbt 1.10 nests test inputs under `arguments`; seen here in case a writer keeps the nesting.
    pub arguments: Obj<Box<RawKwargs>>,
}

impl RawKwargs {
    /// Fills what `self` lacks from `other`.
    pub fn fill_from(&mut self, other: RawKwargs) {
        fn fill(a: &mut Str, b: Str) {
            if a.0.is_none() {
                *a = b;
            }
        }
        fn fill_list(a: &mut Strs, b: Strs) {
            if a.0.is_empty() {
                *a = b;
            }
        }
        fill(&mut self.column_name, other.column_name);
        fill_list(&mut self.values, other.values);
        fill(&mut self.to, other.to);
        fill(&mut self.field, other.field);
        fill_list(
            &mut self.combination_of_columns,
            other.combination_of_columns,
        );
        fill(&mut self.model, other.model);
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawSource {
    pub unique_id: Str,
    #[serde(deserialize_with = "strict::name")]
    pub name: Str,
    pub source_name: Str,
    pub package_name: Str,
    pub database: Str,
    pub schema: Str,
    pub identifier: Str,
    pub relation_name: Str,
    pub original_file_path: Str,
    pub description: Str,
    pub tags: Strs,
    pub meta: MetaMap,
    pub source_meta: MetaMap,
    pub config: Obj<RawConfig>,
    pub columns: Keyed<RawColumn>,
    pub freshness: Obj<RawFreshness>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawFreshness {
    pub warn_after: Obj<RawPeriod>,
    pub error_after: Obj<RawPeriod>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawPeriod {
    pub count: U64,
    pub period: Str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawOwner {
    pub email: Str,
    pub name: Str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawExposure {
    pub unique_id: Str,
    pub name: Str,
    pub owner: Obj<RawOwner>,
    pub depends_on: Obj<RawDependsOn>,
    pub config: Obj<RawConfig>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawGroup {
    pub name: Str,
    pub owner: Obj<RawOwner>,
}

impl Section for RawNode {
    const FIELD: &'static str = "nodes";
    const ENTRY: &'static str = "a dbt node";
    const KEY: &'static str = "unique_id";
}

impl Section for RawSource {
    const FIELD: &'static str = "sources";
    const ENTRY: &'static str = "a source table";
    const KEY: &'static str = "unique_id";
}

impl Section for RawExposure {
    const FIELD: &'static str = "exposures";
    const ENTRY: &'static str = "an exposure";
    const KEY: &'static str = "unique_id";
}

impl Section for RawGroup {
    const FIELD: &'static str = "groups";
    const ENTRY: &'static str = "a group";
    const KEY: &'static str = "unique_id";
}

impl Section for RawColumn {
    const FIELD: &'static str = "columns";
    const ENTRY: &'static str = "a column";
    const KEY: &'static str = "column name";
}
