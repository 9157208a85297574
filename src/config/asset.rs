//! Hand-declared assets as contracts: the same `Relation` the dbt readers produce, so the differ
//! never needs to know where a contract was declared.

use serde_json::Value;

use super::keywords::ConstraintType;
use super::model::{Asset, ColumnDecl, ConstraintDecl, FreshnessDecl};
use super::values::TestDecl;
use crate::contract::{
    Column, Constraint, ConstraintKind, DataTest, Freshness, Relation, ResourceType, TestKind,
    TestSeverity,
};

impl Asset {
    /// The contract this declaration promises. `default_owner` is the file's top-level `owner`.
    pub fn to_relation(&self, default_owner: Option<&str>) -> Relation {
        let mut rel = Relation::new(self.name.value.as_str());
        rel.resource_type = ResourceType::Table;
        let mut parts = self.name.value.rsplitn(3, '.');
        rel.identifier = parts.next().map(str::to_string);
        rel.schema = parts.next().map(str::to_string);
        rel.database = parts.next().map(str::to_string);
        if let Some(m) = &self.materialized {
            rel.materialized = m.value.clone();
        }
        rel.deprecation_date = self.deprecation_date.as_ref().map(|d| d.value);
        rel.freshness = self.freshness.as_ref().map(FreshnessDecl::to_contract);
        rel.columns = self.columns.iter().map(ColumnDecl::to_column).collect();
        rel.description = self.description.clone();
        rel.meta = self.meta.clone();
        rel.ignore = ignored_rules(&rel.meta);
        rel.owner = self
            .owner
            .as_ref()
            .map(|o| o.value.clone())
            .or_else(|| default_owner.map(str::to_string));
        rel
    }
}

impl FreshnessDecl {
    pub fn to_contract(&self) -> Freshness {
        Freshness {
            warn_after_secs: self.warn_after.and_then(|t| t.seconds()),
            error_after_secs: self.error_after.and_then(|t| t.seconds()),
        }
    }
}

impl ColumnDecl {
    pub fn to_column(&self) -> Column {
        let mut col = Column::new(
            self.name.value.as_str(),
            self.data_type.as_ref().map(|t| t.value.as_str()),
        );
        col.description = self.description.clone();
        col.constraints = self
            .constraints
            .iter()
            .map(ConstraintDecl::to_constraint)
            .collect();
        col.tests = self.tests.iter().map(|t| t.value.to_data_test()).collect();
        col.meta = self.meta.clone();
        col.ignore = ignored_rules(&col.meta);
        col
    }
}

impl ConstraintDecl {
    pub fn to_constraint(&self) -> Constraint {
        let expression = self.expression.clone().unwrap_or_default();
        let kind = match self.kind.value {
            ConstraintType::NotNull => ConstraintKind::NotNull,
            ConstraintType::Unique => ConstraintKind::Unique,
            ConstraintType::PrimaryKey => ConstraintKind::PrimaryKey,
            ConstraintType::Check => ConstraintKind::Check { expression },
            ConstraintType::ForeignKey => match &self.to {
                Some(to) => ConstraintKind::ForeignKey {
                    to: to.clone(),
                    field: self.to_columns.join(","),
                },
                // Before dbt 1.9 a foreign key was only an expression: `other_table (id)`.
                None => ConstraintKind::ForeignKey {
                    to: expression,
                    field: String::new(),
                },
            },
            ConstraintType::Custom => ConstraintKind::Other {
                name: self.name.clone().unwrap_or(expression),
            },
        };
        Constraint {
            kind,
            columns: self.columns.clone(),
        }
    }
}

impl TestDecl {
    /// dbt ≥ 1.10 nests test arguments under `arguments:`; older files put them at the top.
    fn arg(&self, key: &str) -> Option<&Value> {
        self.args
            .get("arguments")
            .and_then(|a| a.get(key))
            .or_else(|| self.args.get(key))
    }

    pub fn to_data_test(&self) -> DataTest {
        let text = |v: Option<&Value>| v.map(json_text).unwrap_or_default();
        let short = self.name.rsplit('.').next().unwrap_or(&self.name);
        let kind = match short {
            "not_null" => TestKind::NotNull,
            "unique" => TestKind::Unique,
            "accepted_values" => TestKind::AcceptedValues {
                values: self
                    .arg("values")
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().map(json_text).collect())
                    .unwrap_or_default(),
            },
            "relationships" => TestKind::Relationships {
                to: text(self.arg("to")),
                field: text(self.arg("field")),
            },
            _ => TestKind::Custom {
                name: self.name.clone(),
            },
        };
        let config = self.args.get("config");
        let severity = match config
            .and_then(|c| c.get("severity"))
            .and_then(Value::as_str)
        {
            Some(s) if s.eq_ignore_ascii_case("warn") => TestSeverity::Warn,
            _ => TestSeverity::Error,
        };
        let contractual = config
            .and_then(|c| c.get("meta"))
            .or_else(|| self.args.get("meta"))
            .and_then(|m| m.get("tessera"))
            .and_then(|t| t.get("contract"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        DataTest {
            kind,
            severity,
            contractual,
        }
    }
}

fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `meta: {tessera: {ignore: [rule, …]}}`, the inline escape hatch of RULES.md §2.7.
fn ignored_rules(meta: &crate::contract::Meta) -> Vec<String> {
    meta.get("tessera")
        .and_then(|t| t.get("ignore"))
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
