//! What Tessera knows about each warehouse: how it folds identifiers and which constraints it
//! really enforces. Kept here rather than imported from dbt's adapters because dbt's capability
//! table is wrong for BigQuery (PK/FK are listed as enforced; BigQuery documents them as not).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    Postgres,
    Snowflake,
    Bigquery,
    Redshift,
    Databricks,
    Duckdb,
    /// Any other adapter (trino, athena, spark, …): generic SQL types, conservative guarantees.
    Generic,
}

pub const DIALECT_NAMES: &[&str] = &[
    "postgres",
    "snowflake",
    "bigquery",
    "redshift",
    "databricks",
    "duckdb",
];

impl Dialect {
    /// Maps a dbt `adapter_type` to a dialect. Adapters Tessera has no table for become `Generic`.
    pub fn from_adapter(adapter: &str) -> Dialect {
        adapter.parse().unwrap_or(Dialect::Generic)
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Snowflake => "snowflake",
            Dialect::Bigquery => "bigquery",
            Dialect::Redshift => "redshift",
            Dialect::Databricks => "databricks",
            Dialect::Duckdb => "duckdb",
            Dialect::Generic => "generic",
        }
    }

    /// The identifier the warehouse stores for a column or relation name.
    pub fn physical_name(self, name: &str, quoted: bool) -> String {
        match self {
            Dialect::Postgres | Dialect::Generic if quoted => name.to_string(),
            Dialect::Postgres | Dialect::Generic | Dialect::Redshift => name.to_lowercase(),
            Dialect::Snowflake if quoted => name.to_string(),
            Dialect::Snowflake => name.to_uppercase(),
            // These resolve names case-insensitively even when quoted.
            Dialect::Bigquery | Dialect::Databricks | Dialect::Duckdb => name.to_lowercase(),
        }
    }

    /// A relation name (`db.schema.table`, any part may be quoted) as the warehouse resolves it,
    /// for matching a consumer's name against a producer's: Snowflake folds unquoted parts to
    /// upper case; Postgres, Redshift and DuckDB to lower case; BigQuery's datasets and tables
    /// are case-sensitive, so they are kept as written; Databricks (Unity Catalog) stores
    /// catalog, schema and table names in lower case, quoted or not. Quotes and backticks go.
    pub fn fold_relation(self, name: &str) -> String {
        split_relation(name)
            .into_iter()
            .map(|(part, quoted)| match self {
                Dialect::Bigquery => part.to_string(),
                Dialect::Databricks => part.to_lowercase(),
                _ => self.physical_name(part, quoted),
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The column name a query's result set carries, which is what dataframes and JSON see.
    pub fn result_set_name(self, name: &str, quoted: bool) -> String {
        match self {
            Dialect::Bigquery | Dialect::Databricks | Dialect::Duckdb => name.to_string(),
            _ => self.physical_name(name, quoted),
        }
    }

    /// Whether the platform rejects rows that violate a constraint of this kind (Appendix A).
    pub fn enforces(self, kind: ConstraintClass) -> bool {
        use ConstraintClass::*;
        matches!(
            (self, kind),
            (_, NotNull) | (Dialect::Postgres | Dialect::Duckdb, _) | (Dialect::Databricks, Check)
        )
    }
}

/// `a."B c".d` → `[("a", false), ("B c", true), ("d", false)]`; backticks quote like `"`.
fn split_relation(name: &str) -> Vec<(&str, bool)> {
    let name = name.trim();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in name.char_indices() {
        match (quote, c) {
            (None, '"' | '`') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '.') => {
                parts.push(&name[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&name[start..]);
    parts
        .into_iter()
        .map(|p| {
            let p = p.trim();
            // BigQuery quotes a whole path in one pair of backticks: `proj.ds.t`.
            let quoted = p.len() >= 2
                && ((p.starts_with('"') && p.ends_with('"'))
                    || (p.starts_with('`') && p.ends_with('`')));
            (if quoted { &p[1..p.len() - 1] } else { p }, quoted)
        })
        .flat_map(|(p, quoted)| {
            let inner: Vec<(&str, bool)> = if quoted && p.contains('.') && !p.contains('"') {
                p.split('.').map(|x| (x, true)).collect()
            } else {
                vec![(p, quoted)]
            };
            inner
        })
        .collect()
}

/// The constraint kinds whose enforcement differs between platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintClass {
    NotNull,
    Unique,
    PrimaryKey,
    ForeignKey,
    Check,
}

impl FromStr for Dialect {
    type Err = ();
    fn from_str(s: &str) -> Result<Dialect, ()> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Dialect::Postgres,
            "snowflake" => Dialect::Snowflake,
            "bigquery" => Dialect::Bigquery,
            "redshift" => Dialect::Redshift,
            "databricks" | "spark" => Dialect::Databricks,
            "duckdb" => Dialect::Duckdb,
            _ => return Err(()),
        })
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Snowflake's `TIMESTAMP_TYPE_MAPPING`: what a bare `TIMESTAMP` means on the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum TimestampMapping {
    #[default]
    Ntz,
    Ltz,
    Tz,
}

impl FromStr for TimestampMapping {
    type Err = ();
    fn from_str(s: &str) -> Result<TimestampMapping, ()> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "TIMESTAMP_NTZ" | "NTZ" => TimestampMapping::Ntz,
            "TIMESTAMP_LTZ" | "LTZ" => TimestampMapping::Ltz,
            "TIMESTAMP_TZ" | "TZ" => TimestampMapping::Tz,
            _ => return Err(()),
        })
    }
}

/// A dialect plus the account or session facts that change how types read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Warehouse {
    pub dialect: Dialect,
    pub timestamp_type_mapping: TimestampMapping,
}

impl Warehouse {
    pub fn new(dialect: Dialect) -> Warehouse {
        Warehouse {
            dialect,
            timestamp_type_mapping: TimestampMapping::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_follows_each_warehouse() {
        assert_eq!(
            Dialect::Snowflake.physical_name("customer_id", false),
            "CUSTOMER_ID"
        );
        assert_eq!(
            Dialect::Snowflake.physical_name("Customer_Id", true),
            "Customer_Id"
        );
        assert_eq!(
            Dialect::Postgres.physical_name("Customer_ID", false),
            "customer_id"
        );
        assert_eq!(
            Dialect::Postgres.physical_name("Customer_ID", true),
            "Customer_ID"
        );
        assert_eq!(
            Dialect::Bigquery.physical_name("Customer_ID", true),
            "customer_id"
        );
        assert_eq!(
            Dialect::Bigquery.result_set_name("Customer_ID", false),
            "Customer_ID"
        );
    }

    #[test]
    fn snowflake_folds_relation_names_to_upper_case() {
        let d = Dialect::Snowflake;
        assert_eq!(
            d.fold_relation("analytics.core.orders"),
            "ANALYTICS.CORE.ORDERS"
        );
        assert_eq!(
            d.fold_relation("analytics.\"Core\".orders"),
            "ANALYTICS.Core.ORDERS"
        );
    }

    #[test]
    fn postgres_and_redshift_fold_relation_names_to_lower_case() {
        for d in [Dialect::Postgres, Dialect::Redshift] {
            assert_eq!(
                d.fold_relation("Analytics.CORE.Orders"),
                "analytics.core.orders"
            );
        }
        assert_eq!(
            Dialect::Postgres.fold_relation("core.\"Orders\""),
            "core.Orders"
        );
        // Redshift ignores quotes' case unless enable_case_sensitive_identifier is on.
        assert_eq!(
            Dialect::Redshift.fold_relation("core.\"Orders\""),
            "core.orders"
        );
    }

    #[test]
    fn bigquery_relation_names_are_case_sensitive() {
        let d = Dialect::Bigquery;
        assert_eq!(
            d.fold_relation("my-proj.Sales.Orders"),
            "my-proj.Sales.Orders"
        );
        assert_eq!(
            d.fold_relation("`my-proj.Sales.Orders`"),
            "my-proj.Sales.Orders"
        );
        assert_ne!(
            d.fold_relation("sales.orders"),
            d.fold_relation("Sales.Orders")
        );
    }

    #[test]
    fn databricks_folds_catalog_schema_table_to_lower_case() {
        let d = Dialect::Databricks;
        assert_eq!(d.fold_relation("Main.Core.Orders"), "main.core.orders");
        assert_eq!(d.fold_relation("`Main`.`Core`.orders"), "main.core.orders");
    }

    #[test]
    fn bigquery_keys_are_not_enforced() {
        assert!(!Dialect::Bigquery.enforces(ConstraintClass::PrimaryKey));
        assert!(Dialect::Postgres.enforces(ConstraintClass::ForeignKey));
        assert!(!Dialect::Snowflake.enforces(ConstraintClass::Unique));
        assert!(Dialect::Databricks.enforces(ConstraintClass::Check));
        assert!(Dialect::Bigquery.enforces(ConstraintClass::NotNull));
    }
}
