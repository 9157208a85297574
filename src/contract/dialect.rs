//! What Tessera knows about each warehouse: how it folds identifiers and which constraints it
//! really enforces. Kept here rather than imported from dbt's adapters because dbt's capability
//! table is wrong for BigQuery (PK/FK are listed as enforced; BigQuery documents them as not).

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
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
        match (self, kind) {
            (_, NotNull) => true,
            (Dialect::Postgres | Dialect::Duckdb, _) => true,
            (Dialect::Databricks, Check) => true,
            _ => false,
        }
    }
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

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect::Postgres
    }
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
    fn bigquery_keys_are_not_enforced() {
        assert!(!Dialect::Bigquery.enforces(ConstraintClass::PrimaryKey));
        assert!(Dialect::Postgres.enforces(ConstraintClass::ForeignKey));
        assert!(!Dialect::Snowflake.enforces(ConstraintClass::Unique));
        assert!(Dialect::Databricks.enforces(ConstraintClass::Check));
        assert!(Dialect::Bigquery.enforces(ConstraintClass::NotNull));
    }
}
