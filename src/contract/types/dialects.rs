//! Scalar type names per dialect, with their default parameters. Each table lists only what the
//! warehouse itself accepts (plus harmless spellings dbt users write); anything else is `None`,
//! which the parser turns into `Unknown`.

use super::parse::Param;
use super::{CanonType as T, TzKind, UNBOUNDED_DECIMAL_INT_DIGITS, UNBOUNDED_DECIMAL_SCALE};
use crate::contract::dialect::{Dialect, TimestampMapping, Warehouse};

pub(super) fn scalar(wh: &Warehouse, key: &str, p: &[Param]) -> Option<T> {
    match wh.dialect {
        // `_int4` is how Postgres catalogs name `int4[]`.
        Dialect::Postgres => postgres(key, p).or_else(|| {
            let elem = postgres(key.strip_prefix('_')?, p)?;
            Some(T::Array(Box::new(elem)))
        }),
        Dialect::Redshift => redshift(key, p),
        Dialect::Snowflake => snowflake(key, p, wh.timestamp_type_mapping),
        Dialect::Bigquery => bigquery(key, p),
        Dialect::Databricks => databricks(key, p),
        Dialect::Duckdb => duckdb(key, p),
        Dialect::Generic => generic(key, p),
    }
}

fn postgres(key: &str, p: &[Param]) -> Option<T> {
    match key {
        "smallint" | "int2" | "smallserial" | "serial2" => int(p, 16),
        "integer" | "int" | "int4" | "serial" | "serial4" => int(p, 32),
        "bigint" | "int8" | "bigserial" | "serial8" => int(p, 64),
        "numeric" | "decimal" if p.is_empty() => Some(T::Decimal {
            precision: UNBOUNDED_DECIMAL_INT_DIGITS + UNBOUNDED_DECIMAL_SCALE,
            scale: UNBOUNDED_DECIMAL_SCALE,
        }),
        "numeric" | "decimal" => decimal(p, (0, 0), 1000),
        "real" | "float4" => float(p, 32),
        "double precision" | "float8" => float(p, 64),
        "float" if p.is_empty() => float(p, 64),
        "float" => float_binary_digits(p),
        "varchar" | "character varying" | "bpchar" => string(p, None, None),
        "text" => bare(p, T::String { max_len: None }),
        "char" | "character" => string(p, Some(1), None),
        "bytea" => bare(p, T::Binary { max_len: None }),
        "boolean" | "bool" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        "timestamp" | "timestamp without time zone" => timestamp(p, TzKind::Ntz, 6),
        "timestamptz" | "timestamp with time zone" => timestamp(p, TzKind::Tz, 6),
        "time" | "time without time zone" => time(p, 6),
        "json" | "jsonb" => bare(p, T::Json),
        "uuid" => bare(p, T::Uuid),
        "interval" => bare(p, T::Interval),
        _ => None,
    }
}

fn redshift(key: &str, p: &[Param]) -> Option<T> {
    match key {
        "smallint" | "int2" => int(p, 16),
        "integer" | "int" | "int4" => int(p, 32),
        "bigint" | "int8" => int(p, 64),
        "numeric" | "decimal" => decimal(p, (18, 0), 38),
        "real" | "float4" => float(p, 32),
        "double precision" | "float8" => float(p, 64),
        "float" if p.is_empty() => float(p, 64),
        "float" => float_binary_digits(p),
        // Redshift stores TEXT as VARCHAR(256) and BPCHAR as CHAR(256).
        "varchar" | "character varying" | "nvarchar" | "text" => {
            string(p, Some(256), Some(Some(65_535)))
        }
        "char" | "character" | "nchar" => string(p, Some(1), Some(Some(4_096))),
        "bpchar" => string(p, Some(256), Some(Some(4_096))),
        "varbyte" | "varbinary" | "binary varying" => {
            sized(p, Some(64_000), Some(Some(1_024_000))).map(|max_len| T::Binary { max_len })
        }
        "boolean" | "bool" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        "timestamp" | "timestamp without time zone" => timestamp(p, TzKind::Ntz, 6),
        "timestamptz" | "timestamp with time zone" => timestamp(p, TzKind::Tz, 6),
        "time" | "time without time zone" => time(p, 6),
        "super" => bare(p, T::Json),
        "geography" => bare(p, T::Geography),
        _ => None,
    }
}

fn snowflake(key: &str, p: &[Param], mapping: TimestampMapping) -> Option<T> {
    const NUMBER_38_0: T = T::Decimal {
        precision: 38,
        scale: 0,
    };
    let default_tz = match mapping {
        TimestampMapping::Ntz => TzKind::Ntz,
        TimestampMapping::Ltz => TzKind::Ltz,
        TimestampMapping::Tz => TzKind::Tz,
    };
    match key {
        "number" | "numeric" | "decimal" | "dec" => decimal(p, (38, 0), 38),
        "int" | "integer" | "bigint" | "smallint" | "tinyint" | "byteint" => bare(p, NUMBER_38_0),
        "float" | "float4" | "float8" | "double" | "double precision" | "real" => float(p, 64),
        "varchar" | "string" | "text" | "nvarchar" | "nvarchar2" | "char varying"
        | "nchar varying" | "character varying" => string(p, Some(16_777_216), None),
        "char" | "character" | "nchar" => string(p, Some(1), None),
        "binary" | "varbinary" => {
            sized(p, Some(8_388_608), None).map(|max_len| T::Binary { max_len })
        }
        "boolean" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        "datetime" | "timestamp_ntz" | "timestampntz" | "timestamp without time zone" => {
            timestamp(p, TzKind::Ntz, 9)
        }
        "timestamp" => timestamp(p, default_tz, 9),
        "timestamp_ltz" | "timestampltz" | "timestamp with local time zone" => {
            timestamp(p, TzKind::Ltz, 9)
        }
        "timestamp_tz" | "timestamptz" | "timestamp with time zone" => timestamp(p, TzKind::Tz, 9),
        "time" => time(p, 9),
        // Semi-structured: the untyped ARRAY holds VARIANTs.
        "variant" | "object" => bare(p, T::Json),
        "array" => bare(p, T::Array(Box::new(T::Json))),
        "geography" => bare(p, T::Geography),
        _ => None,
    }
}

fn bigquery(key: &str, p: &[Param]) -> Option<T> {
    match key {
        "int64" | "int" | "integer" | "bigint" | "smallint" | "tinyint" | "byteint" => int(p, 64),
        "numeric" | "decimal" => decimal(p, (38, 9), 38),
        "bignumeric" | "bigdecimal" => decimal(p, (76, 38), 76),
        "float64" | "float" => float(p, 64),
        "bool" | "boolean" => bare(p, T::Boolean),
        "string" => string(p, None, None),
        "bytes" => sized(p, None, None).map(|max_len| T::Binary { max_len }),
        "date" => bare(p, T::Date),
        "datetime" => timestamp(p, TzKind::Ntz, 6),
        "timestamp" => timestamp(p, TzKind::Tz, 6),
        "time" => time(p, 6),
        "json" => bare(p, T::Json),
        "geography" => bare(p, T::Geography),
        "interval" => bare(p, T::Interval),
        _ => None,
    }
}

fn databricks(key: &str, p: &[Param]) -> Option<T> {
    match key {
        "tinyint" | "byte" => int(p, 8),
        "smallint" | "short" => int(p, 16),
        "int" | "integer" => int(p, 32),
        "bigint" | "long" => int(p, 64),
        "float" | "real" => float(p, 32),
        "double" => float(p, 64),
        "decimal" | "dec" | "numeric" => decimal(p, (10, 0), 38),
        "string" => bare(p, T::String { max_len: None }),
        "varchar" => string(p, None, None),
        "char" | "character" => string(p, Some(1), None),
        "binary" => bare(p, T::Binary { max_len: None }),
        "boolean" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        "timestamp" | "timestamp_ltz" => timestamp(p, TzKind::Ltz, 6),
        "timestamp_ntz" => timestamp(p, TzKind::Ntz, 6),
        "variant" => bare(p, T::Json),
        "interval" => bare(p, T::Interval),
        _ => None,
    }
}

fn duckdb(key: &str, p: &[Param]) -> Option<T> {
    // Unsigned integers (utinyint, uint8, …) stay Unknown: no signed type is right for them in
    // both directions, and a wrong alias would hide a change.
    match key {
        "tinyint" | "int1" => int(p, 8),
        "smallint" | "int2" | "int16" | "short" => int(p, 16),
        "integer" | "int" | "int4" | "int32" | "signed" => int(p, 32),
        "bigint" | "int8" | "int64" | "long" => int(p, 64),
        "hugeint" | "int128" => int(p, 128),
        "decimal" | "numeric" => decimal(p, (18, 3), 38),
        "real" | "float4" | "float" => float(p, 32),
        "double" | "float8" | "double precision" => float(p, 64),
        // DuckDB accepts a length on its string types and ignores it.
        "varchar" | "char" | "bpchar" | "text" | "string" | "nvarchar" | "character varying"
        | "character" => match p {
            [] | [Param::Num(_)] => Some(T::String { max_len: None }),
            _ => None,
        },
        "blob" | "bytea" | "binary" | "varbinary" => bare(p, T::Binary { max_len: None }),
        "boolean" | "bool" | "logical" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        // DuckDB only stores s, ms, us and ns; other precisions round up to the next of these.
        "timestamp" | "datetime" | "timestamp without time zone" => {
            let precision = match precision(p, 6)? {
                0 => 0,
                1..=3 => 3,
                4..=6 => 6,
                7..=9 => 9,
                _ => return None,
            };
            Some(T::Timestamp {
                tz: TzKind::Ntz,
                precision,
            })
        }
        "timestamp_s" => bare(p, ntz(0)),
        "timestamp_ms" => bare(p, ntz(3)),
        "timestamp_us" => bare(p, ntz(6)),
        "timestamp_ns" => bare(p, ntz(9)),
        "timestamptz" | "timestamp with time zone" => timestamp(p, TzKind::Tz, 6),
        "time" | "time without time zone" => time(p, 6),
        "json" => bare(p, T::Json),
        "uuid" => bare(p, T::Uuid),
        "interval" => bare(p, T::Interval),
        _ => None,
    }
}

/// Trino and Athena first, then standard SQL. Bare `float` is left Unknown: it is 32-bit in
/// Hive and Athena DDL but 64-bit in SQL Server and the standard, and guessing would hide changes.
fn generic(key: &str, p: &[Param]) -> Option<T> {
    match key {
        "tinyint" => int(p, 8),
        "smallint" => int(p, 16),
        "integer" | "int" => int(p, 32),
        "bigint" => int(p, 64),
        "decimal" | "numeric" | "dec" => decimal(p, (38, 0), 38),
        "real" => float(p, 32),
        "double" | "double precision" => float(p, 64),
        "float" => float_binary_digits(p),
        "varchar" | "character varying" | "string" | "text" => string(p, None, Some(None)),
        "char" | "character" => string(p, Some(1), None),
        "varbinary" | "binary" => sized(p, None, Some(None)).map(|max_len| T::Binary { max_len }),
        "boolean" | "bool" => bare(p, T::Boolean),
        "date" => bare(p, T::Date),
        // Trino's default precision for both is 3 (milliseconds).
        "timestamp" | "timestamp without time zone" => timestamp(p, TzKind::Ntz, 3),
        "timestamp with time zone" => timestamp(p, TzKind::Tz, 3),
        "time" | "time without time zone" => time(p, 3),
        "json" => bare(p, T::Json),
        "uuid" => bare(p, T::Uuid),
        "interval" => bare(p, T::Interval),
        _ => None,
    }
}

fn bare(p: &[Param], t: T) -> Option<T> {
    p.is_empty().then_some(t)
}

fn int(p: &[Param], bits: u16) -> Option<T> {
    bare(p, T::Int { bits })
}

fn float(p: &[Param], bits: u16) -> Option<T> {
    bare(p, T::Float { bits })
}

fn ntz(precision: u8) -> T {
    T::Timestamp {
        tz: TzKind::Ntz,
        precision,
    }
}

/// `float(p)` counts binary digits of mantissa: up to 24 fits a float32, up to 53 a float64.
fn float_binary_digits(p: &[Param]) -> Option<T> {
    match p {
        [Param::Num(1..=24)] => Some(T::Float { bits: 32 }),
        [Param::Num(25..=53)] => Some(T::Float { bits: 64 }),
        _ => None,
    }
}

/// `decimal`, `decimal(p)` (scale 0) or `decimal(p,s)`, validated against the dialect maximum.
fn decimal(p: &[Param], default: (u32, u32), max_precision: u32) -> Option<T> {
    let small = |param: &Param| match param {
        Param::Num(n) => u32::try_from(*n).ok(),
        Param::Max => None,
    };
    let (precision, scale) = match p {
        [] => default,
        [a] => (small(a)?, 0),
        [a, b] => (small(a)?, small(b)?),
        _ => return None,
    };
    (1..=max_precision)
        .contains(&precision)
        .then_some(T::Decimal { precision, scale })
        .filter(|_| scale <= precision)
}

/// A length parameter. `max` is what `(MAX)` means in the dialect; `None` rejects it.
fn sized(p: &[Param], default: Option<u64>, max: Option<Option<u64>>) -> Option<Option<u64>> {
    match p {
        [] => Some(default),
        [Param::Num(0)] => None,
        [Param::Num(n)] => Some(Some(*n)),
        [Param::Max] => max,
        _ => None,
    }
}

fn string(p: &[Param], default: Option<u64>, max: Option<Option<u64>>) -> Option<T> {
    sized(p, default, max).map(|max_len| T::String { max_len })
}

/// Fractional-second digits; 12 (picoseconds) is the most any warehouse offers.
fn precision(p: &[Param], default: u8) -> Option<u8> {
    match p {
        [] => Some(default),
        [Param::Num(n @ 0..=12)] => u8::try_from(*n).ok(),
        _ => None,
    }
}

fn timestamp(p: &[Param], tz: TzKind, default: u8) -> Option<T> {
    Some(T::Timestamp {
        tz,
        precision: precision(p, default)?,
    })
}

fn time(p: &[Param], default: u8) -> Option<T> {
    Some(T::Time {
        precision: precision(p, default)?,
    })
}
