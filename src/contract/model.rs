//! The contract model: what a relation promises its readers. Readers (dbt YAML, manifests,
//! `tessera.yaml` assets, test vectors) all produce these types; the differ only compares them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::date::Date;

/// Free-form metadata (`meta`), kept as JSON so nothing a reader saw is lost.
pub type Meta = BTreeMap<String, serde_json::Value>;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    #[default]
    Model,
    Source,
    Seed,
    Snapshot,
    /// A table declared by hand under `assets:` in `tessera.yaml`.
    Table,
}

impl ResourceType {
    pub fn name(self) -> &'static str {
        match self {
            ResourceType::Model => "model",
            ResourceType::Source => "source",
            ResourceType::Seed => "seed",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Table => "table",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Materialization {
    #[default]
    Table,
    View,
    Incremental,
    Ephemeral,
    MaterializedView,
    Snapshot,
    Seed,
    Other(String),
}

impl Materialization {
    pub fn parse(s: &str) -> Materialization {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Materialization::Table,
            "view" => Materialization::View,
            "incremental" => Materialization::Incremental,
            "ephemeral" => Materialization::Ephemeral,
            "materialized_view" | "materializedview" => Materialization::MaterializedView,
            "snapshot" => Materialization::Snapshot,
            "seed" => Materialization::Seed,
            other => Materialization::Other(other.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Materialization::Table => "table",
            Materialization::View => "view",
            Materialization::Incremental => "incremental",
            Materialization::Ephemeral => "ephemeral",
            Materialization::MaterializedView => "materialized_view",
            Materialization::Snapshot => "snapshot",
            Materialization::Seed => "seed",
            Materialization::Other(s) => s,
        }
    }

    /// dbt's `materialization_enforces_constraints`: only physical tables get constraints applied.
    pub fn enforces_constraints(&self) -> bool {
        matches!(
            self,
            Materialization::Table | Materialization::Incremental | Materialization::Snapshot
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Private,
    Protected,
    Public,
}

impl Access {
    pub fn parse(s: &str) -> Option<Access> {
        match s.trim().to_ascii_lowercase().as_str() {
            "private" => Some(Access::Private),
            "protected" => Some(Access::Protected),
            "public" => Some(Access::Public),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Access::Private => "private",
            Access::Protected => "protected",
            Access::Public => "public",
        }
    }
}

/// A dbt freshness threshold, normalised to seconds so `1 day` equals `24 hour`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct Freshness {
    pub warn_after_secs: Option<u64>,
    pub error_after_secs: Option<u64>,
}

impl Freshness {
    pub fn is_empty(&self) -> bool {
        self.warn_after_secs.is_none() && self.error_after_secs.is_none()
    }

    /// Seconds for a dbt `{count, period}`; `None` for an unknown period.
    pub fn period_secs(count: u64, period: &str) -> Option<u64> {
        let unit = match period.trim().to_ascii_lowercase().trim_end_matches('s') {
            "minute" => 60,
            "hour" => 3_600,
            "day" => 86_400,
            _ => return None,
        };
        count.checked_mul(unit)
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum TestSeverity {
    #[default]
    Error,
    Warn,
}

/// A constraint as declared (dbt `constraints:` or the vectors' shorthand).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    NotNull,
    Unique,
    PrimaryKey,
    Check {
        expression: String,
    },
    ForeignKey {
        to: String,
        field: String,
    },
    /// A constraint type Tessera does not interpret (dbt `custom`); kept for the digest.
    Other {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Constraint {
    #[serde(flatten)]
    pub kind: ConstraintKind,
    /// For model-level constraints: the columns it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TestKind {
    NotNull,
    Unique,
    AcceptedValues {
        values: Vec<String>,
    },
    Relationships {
        to: String,
        field: String,
    },
    UniqueCombination {
        columns: Vec<String>,
    },
    /// Any other test; it counts as a guarantee only when `contractual`.
    Custom {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DataTest {
    #[serde(flatten)]
    pub kind: TestKind,
    pub severity: TestSeverity,
    /// `meta: {tessera: {contract: true}}` on a custom test.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contractual: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Column {
    pub name: String,
    /// The type as written (`data_type`); `None` when the column is documented but untyped.
    pub data_type: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quote: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<DataTest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: Meta,
    /// Rule ids ignored inline (`meta.tessera.ignore`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Where the column's name came from; `None` when read before origins were recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Where `data_type` came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_origin: Option<Origin>,
}

/// Where a fact about a column was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The model's own SQL (its final select, or a cast in it).
    Sql,
    /// A property file.
    Yaml,
    Manifest,
    /// `catalog.json`, what the warehouse reported.
    Catalog,
    /// A seed's CSV header row, the columns `dbt seed` creates.
    Csv,
}

impl Origin {
    pub fn name(self) -> &'static str {
        match self {
            Origin::Sql => "sql",
            Origin::Yaml => "yaml",
            Origin::Manifest => "manifest",
            Origin::Catalog => "catalog",
            Origin::Csv => "csv",
        }
    }
}

/// How a model's column list was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ColumnSource {
    /// From the SQL's output; `documented` lists the property file's column entries, so a
    /// change to the documentation alone can be told from a change to the output.
    Sql {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documented: Vec<String>,
        /// Columns whose type the base's YAML declared and this side's no longer does, while
        /// the SQL and what it reads stayed the same: the type is carried over (it cannot
        /// have changed) and the missing declaration is reported as documentation.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        undeclared_types: Vec<String>,
        /// The `data_type` the YAML declares for each column whose type is instead an explicit
        /// cast in the SQL: without an enforced contract dbt builds the table from the SQL, so
        /// the declaration is documentation (compared as such, and a warning when it differs).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        yaml_types: BTreeMap<String, String>,
        /// Like `undeclared_types`, for a type the YAML changed: column → the type the YAML
        /// declares now, while the column keeps the one it had (its SQL and what it reads are
        /// unchanged, and no enforced contract applies the declaration). Set by a comparison.
        #[serde(skip)]
        redeclared_types: BTreeMap<String, String>,
    },
    /// The SQL could not be resolved: the property file's columns stand in, and `reason` says why.
    Yaml {
        reason: String,
        /// On the new side of a change whose old side's SQL did resolve: what the model
        /// outputs now is unknown, and the YAML stands in on both sides.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lost: bool,
    },
}

impl Column {
    pub fn new(name: impl Into<String>, data_type: Option<&str>) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.map(str::to_string),
            ..Column::default()
        }
    }

    pub fn has_constraint(&self, pred: impl Fn(&ConstraintKind) -> bool) -> bool {
        self.constraints.iter().any(|c| pred(&c.kind))
    }
}

/// One contracted relation: a dbt model (or one version of it), source table, seed, snapshot,
/// or a hand-declared table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Relation {
    /// The dbt name: `orders`, `raw.orders` for a source table. Versions share the name.
    pub name: String,
    /// Model version (`1`, `2`, or a string dbt accepts); `None` when unversioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// For a versioned model, the project's `latest_version` (the same on every version).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    pub resource_type: ResourceType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The physical identifier (dbt alias or source identifier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    pub materialized: Materialization,
    pub contract_enforced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecation_date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<Freshness>,
    pub columns: Vec<Column>,
    /// Model-level constraints (`constraints:` on the model, with `columns:`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Model-level tests, such as `dbt_utils.unique_combination_of_columns`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<DataTest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: Meta,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Rule ids ignored inline (`meta.tessera.ignore` on the model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Where the relation was declared (property file path), for messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What told Tessera where the relation lands (`database`, `schema`, `identifier`). Not part
    /// of the contract, so not serialised: the same relation placed two ways promises the same.
    #[serde(skip)]
    pub placed_by: Option<IdentitySource>,
    /// For a model: whether `columns` is what its SQL outputs or the YAML standing in for it.
    /// `None` when the SQL was not analysed (sources, seeds, manifests, older stores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_source: Option<ColumnSource>,
    /// Set by a comparison, on the new side of a model whose output could not be derived from
    /// its SQL on one side or both while its SQL or what it reads changed: why, so that the
    /// change is reported (`output_unresolved`) and never passes as safe. Not part of the
    /// contract.
    #[serde(skip)]
    pub output_unknown: Option<String>,
    /// Columns its SQL selects from a relation that does not output them, with what they read:
    /// the warehouse refuses the model, and they are not among `columns`. Not part of the
    /// contract.
    #[serde(skip)]
    pub unread: Vec<(String, String)>,
    /// For an ephemeral model, set by a comparison: column (lower case) → the models built from
    /// it (through other ephemeral models too) whose SQL names that column. dbt pastes an
    /// ephemeral model into them, so a column they still name is not free to go. Not part of
    /// the contract.
    #[serde(skip)]
    pub inlined_readers: std::collections::BTreeMap<String, Vec<String>>,
}

/// Where a relation's identity (`database.schema.identifier`) came from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentitySource {
    /// A dbt manifest's `database`, `schema` and `alias`.
    Manifest,
    /// The project's files: profiles.yml's target, `+schema`-style configs, generate_*_name.
    Profile,
    /// `dbt.target` in tessera.yaml, with the project's configs and macros.
    Config,
    /// The identity the store recorded for the same `unique_id` at the project's last sync.
    Store,
    /// Nothing said; the key is a `project/node` stand-in.
    Unknown,
}

impl IdentitySource {
    pub fn name(self) -> &'static str {
        match self {
            IdentitySource::Manifest => "manifest",
            IdentitySource::Profile => "profile",
            IdentitySource::Config => "config",
            IdentitySource::Store => "store",
            IdentitySource::Unknown => "unknown",
        }
    }
}

impl Relation {
    pub fn new(name: impl Into<String>) -> Relation {
        Relation {
            name: name.into(),
            contract_enforced: true,
            ..Relation::default()
        }
    }

    /// The key a relation has inside a project: `orders`, `orders.v2`, `raw.orders`.
    pub fn key(&self) -> String {
        match &self.version {
            Some(v) => format!("{}.v{}", self.name, v),
            None => self.name.clone(),
        }
    }

    /// `database.schema.identifier`, as far as it is known.
    pub fn relation_name(&self) -> Option<String> {
        let ident = self.identifier.as_deref()?;
        let mut parts: Vec<&str> = Vec::with_capacity(3);
        if let Some(db) = self.database.as_deref().filter(|s| !s.is_empty()) {
            parts.push(db);
        }
        if let Some(schema) = self.schema.as_deref().filter(|s| !s.is_empty()) {
            parts.push(schema);
        }
        parts.push(ident);
        Some(parts.join("."))
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Every contracted relation of one side of a change, keyed by [`Relation::key`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Project {
    pub relations: BTreeMap<String, Relation>,
}

impl Project {
    pub fn insert(&mut self, relation: Relation) {
        self.relations.insert(relation.key(), relation);
    }

    pub fn get(&self, key: &str) -> Option<&Relation> {
        self.relations.get(key)
    }

    pub fn len(&self) -> usize {
        self.relations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.relations.is_empty()
    }
}

impl FromIterator<Relation> for Project {
    fn from_iter<I: IntoIterator<Item = Relation>>(iter: I) -> Project {
        let mut p = Project::default();
        for r in iter {
            p.insert(r);
        }
        p
    }
}
