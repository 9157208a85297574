use proptest::prelude::*;

use super::*;
use crate::contract::dialect::{Dialect, TimestampMapping};

use CanonType as T;
use Dialect::*;

fn wh(d: Dialect) -> Warehouse {
    Warehouse::new(d)
}

fn int(bits: u16) -> T {
    T::Int { bits }
}
fn dec(precision: u32, scale: u32) -> T {
    T::Decimal { precision, scale }
}
fn float(bits: u16) -> T {
    T::Float { bits }
}
fn s(n: Option<u64>) -> T {
    T::String { max_len: n }
}
fn bin(n: Option<u64>) -> T {
    T::Binary { max_len: n }
}
fn ts(tz: TzKind, precision: u8) -> T {
    T::Timestamp { tz, precision }
}
fn arr(t: T) -> T {
    T::Array(Box::new(t))
}
fn unknown(text: &str) -> T {
    T::Unknown(text.to_string())
}

const PG_NUMERIC: T = T::Decimal {
    precision: UNBOUNDED_DECIMAL_INT_DIGITS + UNBOUNDED_DECIMAL_SCALE,
    scale: UNBOUNDED_DECIMAL_SCALE,
};

#[test]
fn canonicalizes_every_dialect() {
    use TzKind::{Ltz, Ntz, Tz};
    let sf38 = dec(38, 0);
    let cases: Vec<(Dialect, &str, T)> = vec![
        // postgres
        (Postgres, "smallint", int(16)),
        (Postgres, "int2", int(16)),
        (Postgres, "smallserial", int(16)),
        (Postgres, "int", int(32)),
        (Postgres, "INTEGER", int(32)),
        (Postgres, "int4", int(32)),
        (Postgres, "serial", int(32)),
        (Postgres, "bigint", int(64)),
        (Postgres, "int8", int(64)),
        (Postgres, "bigserial", int(64)),
        (Postgres, "numeric", PG_NUMERIC),
        (Postgres, "numeric(12,2)", dec(12, 2)),
        (Postgres, " NUMERIC ( 12 , 2 ) ", dec(12, 2)),
        (Postgres, "decimal(10)", dec(10, 0)),
        (Postgres, "numeric(2,5)", unknown("numeric(2,5)")),
        (Postgres, "real", float(32)),
        (Postgres, "float4", float(32)),
        (Postgres, "double precision", float(64)),
        (Postgres, "DOUBLE   PRECISION", float(64)),
        (Postgres, "float8", float(64)),
        (Postgres, "float", float(64)),
        (Postgres, "float(10)", float(32)),
        (Postgres, "float(53)", float(64)),
        (Postgres, "varchar(50)", s(Some(50))),
        (Postgres, "character varying(50)", s(Some(50))),
        (Postgres, "varchar", s(None)),
        (Postgres, "text", s(None)),
        (Postgres, "char", s(Some(1))),
        (Postgres, "character(3)", s(Some(3))),
        (Postgres, "bytea", bin(None)),
        (Postgres, "boolean", T::Boolean),
        (Postgres, "bool", T::Boolean),
        (Postgres, "date", T::Date),
        (Postgres, "timestamp", ts(Ntz, 6)),
        (Postgres, "timestamp without time zone", ts(Ntz, 6)),
        (Postgres, "timestamp(3)", ts(Ntz, 3)),
        (Postgres, "timestamp(3) without time zone", ts(Ntz, 3)),
        (Postgres, "timestamptz", ts(Tz, 6)),
        (Postgres, "timestamp with time zone", ts(Tz, 6)),
        (Postgres, "timestamptz(0)", ts(Tz, 0)),
        (Postgres, "time", T::Time { precision: 6 }),
        (
            Postgres,
            "time(3) without time zone",
            T::Time { precision: 3 },
        ),
        (Postgres, "timetz", unknown("timetz")),
        (Postgres, "json", T::Json),
        (Postgres, "jsonb", T::Json),
        (Postgres, "uuid", T::Uuid),
        (Postgres, "interval", T::Interval),
        (Postgres, "int[]", arr(int(32))),
        (Postgres, "int[][]", arr(int(32))),
        (Postgres, "integer array", arr(int(32))),
        (Postgres, "integer ARRAY[4]", arr(int(32))),
        (Postgres, "text[3]", arr(s(None))),
        (Postgres, "_int4", arr(int(32))),
        (Postgres, "geography", unknown("geography")),
        (
            Postgres,
            "geometry(Point, 4326)",
            unknown("geometry(point,4326)"),
        ),
        (Postgres, "int not null", unknown("int not null")),
        (Postgres, "money", unknown("money")),
        (Postgres, "", unknown("")),
        // redshift
        (Redshift, "smallint", int(16)),
        (Redshift, "int4", int(32)),
        (Redshift, "int8", int(64)),
        (Redshift, "decimal", dec(18, 0)),
        (Redshift, "numeric(38,4)", dec(38, 4)),
        (Redshift, "real", float(32)),
        (Redshift, "float", float(64)),
        (Redshift, "double precision", float(64)),
        (Redshift, "varchar", s(Some(256))),
        (Redshift, "character varying", s(Some(256))),
        (Redshift, "text", s(Some(256))),
        (Redshift, "varchar(300)", s(Some(300))),
        (Redshift, "varchar(max)", s(Some(65_535))),
        (Redshift, "char", s(Some(1))),
        (Redshift, "nchar(10)", s(Some(10))),
        (Redshift, "bpchar", s(Some(256))),
        (Redshift, "varbyte", bin(Some(64_000))),
        (Redshift, "boolean", T::Boolean),
        (Redshift, "timestamp", ts(Ntz, 6)),
        (Redshift, "timestamptz", ts(Tz, 6)),
        (Redshift, "super", T::Json),
        (Redshift, "geography", T::Geography),
        (Redshift, "geometry", unknown("geometry")),
        // snowflake
        (Snowflake, "INT", sf38.clone()),
        (Snowflake, "INTEGER", sf38.clone()),
        (Snowflake, "BIGINT", sf38.clone()),
        (Snowflake, "SMALLINT", sf38.clone()),
        (Snowflake, "TINYINT", sf38.clone()),
        (Snowflake, "BYTEINT", sf38.clone()),
        (Snowflake, "NUMBER", sf38.clone()),
        (Snowflake, "DECIMAL", sf38.clone()),
        (Snowflake, "NUMERIC", sf38.clone()),
        (Snowflake, "NUMBER(10,2)", dec(10, 2)),
        (Snowflake, "NUMBER(10)", dec(10, 0)),
        (Snowflake, "NUMBER(39,0)", unknown("number(39,0)")),
        (Snowflake, "FLOAT", float(64)),
        (Snowflake, "FLOAT4", float(64)),
        (Snowflake, "FLOAT8", float(64)),
        (Snowflake, "DOUBLE", float(64)),
        (Snowflake, "DOUBLE PRECISION", float(64)),
        (Snowflake, "REAL", float(64)),
        (Snowflake, "VARCHAR", s(Some(16_777_216))),
        (Snowflake, "STRING", s(Some(16_777_216))),
        (Snowflake, "TEXT", s(Some(16_777_216))),
        (Snowflake, "VARCHAR(100)", s(Some(100))),
        (Snowflake, "CHAR", s(Some(1))),
        (Snowflake, "CHARACTER(4)", s(Some(4))),
        (Snowflake, "BINARY", bin(Some(8_388_608))),
        (Snowflake, "VARBINARY(16)", bin(Some(16))),
        (Snowflake, "BOOLEAN", T::Boolean),
        (Snowflake, "DATE", T::Date),
        (Snowflake, "DATETIME", ts(Ntz, 9)),
        (Snowflake, "TIMESTAMP", ts(Ntz, 9)),
        (Snowflake, "TIMESTAMP(3)", ts(Ntz, 3)),
        (Snowflake, "TIMESTAMP_NTZ", ts(Ntz, 9)),
        (Snowflake, "TIMESTAMP_NTZ(6)", ts(Ntz, 6)),
        (Snowflake, "TIMESTAMP_LTZ", ts(Ltz, 9)),
        (Snowflake, "TIMESTAMP_TZ", ts(Tz, 9)),
        (Snowflake, "TIMESTAMP WITH LOCAL TIME ZONE", ts(Ltz, 9)),
        (Snowflake, "TIME", T::Time { precision: 9 }),
        (Snowflake, "VARIANT", T::Json),
        (Snowflake, "OBJECT", T::Json),
        (Snowflake, "ARRAY", arr(T::Json)),
        (Snowflake, "ARRAY(INT)", arr(sf38.clone())),
        (
            Snowflake,
            "OBJECT(a INT, b VARCHAR)",
            T::Struct(vec![
                ("a".into(), sf38.clone()),
                ("b".into(), s(Some(16_777_216))),
            ]),
        ),
        (
            Snowflake,
            "MAP(VARCHAR, INT)",
            T::Map(Box::new(s(Some(16_777_216))), Box::new(sf38.clone())),
        ),
        (Snowflake, "GEOGRAPHY", T::Geography),
        (Snowflake, "GEOMETRY", unknown("geometry")),
        // bigquery
        (Bigquery, "INT64", int(64)),
        (Bigquery, "INT", int(64)),
        (Bigquery, "INTEGER", int(64)),
        (Bigquery, "BIGINT", int(64)),
        (Bigquery, "SMALLINT", int(64)),
        (Bigquery, "TINYINT", int(64)),
        (Bigquery, "BYTEINT", int(64)),
        (Bigquery, "NUMERIC", dec(38, 9)),
        (Bigquery, "DECIMAL", dec(38, 9)),
        (Bigquery, "NUMERIC(10, 2)", dec(10, 2)),
        (Bigquery, "BIGNUMERIC", dec(76, 38)),
        (Bigquery, "BIGDECIMAL", dec(76, 38)),
        (Bigquery, "FLOAT64", float(64)),
        (Bigquery, "FLOAT", float(64)),
        (Bigquery, "BOOL", T::Boolean),
        (Bigquery, "BOOLEAN", T::Boolean),
        (Bigquery, "STRING", s(None)),
        (Bigquery, "STRING(10)", s(Some(10))),
        (Bigquery, "BYTES", bin(None)),
        (Bigquery, "BYTES(5)", bin(Some(5))),
        (Bigquery, "DATE", T::Date),
        (Bigquery, "DATETIME", ts(Ntz, 6)),
        (Bigquery, "TIMESTAMP", ts(Tz, 6)),
        (Bigquery, "TIME", T::Time { precision: 6 }),
        (Bigquery, "JSON", T::Json),
        (Bigquery, "GEOGRAPHY", T::Geography),
        (Bigquery, "INTERVAL", T::Interval),
        (Bigquery, "ARRAY<INT64>", arr(int(64))),
        (
            Bigquery,
            "STRUCT<a INT64, b STRING>",
            T::Struct(vec![("a".into(), int(64)), ("b".into(), s(None))]),
        ),
        (
            Bigquery,
            "STRUCT<Outer STRUCT<x ARRAY<NUMERIC(5,1)>>, `my field` BOOL>",
            T::Struct(vec![
                (
                    "Outer".into(),
                    T::Struct(vec![("x".into(), arr(dec(5, 1)))]),
                ),
                ("my field".into(), T::Boolean),
            ]),
        ),
        (
            Bigquery,
            "STRUCT<INT64, STRING>",
            T::Struct(vec![
                ("_field_1".into(), int(64)),
                ("_field_2".into(), s(None)),
            ]),
        ),
        (Bigquery, "STRUCT<a INT64,>", unknown("struct<a int64,>")),
        (Bigquery, "RANGE<DATE>", unknown("range<date>")),
        // databricks
        (Databricks, "tinyint", int(8)),
        (Databricks, "byte", int(8)),
        (Databricks, "smallint", int(16)),
        (Databricks, "short", int(16)),
        (Databricks, "int", int(32)),
        (Databricks, "integer", int(32)),
        (Databricks, "bigint", int(64)),
        (Databricks, "long", int(64)),
        (Databricks, "float", float(32)),
        (Databricks, "real", float(32)),
        (Databricks, "double", float(64)),
        (Databricks, "decimal", dec(10, 0)),
        (Databricks, "dec(5,2)", dec(5, 2)),
        (Databricks, "numeric(20)", dec(20, 0)),
        (Databricks, "string", s(None)),
        (Databricks, "varchar(10)", s(Some(10))),
        (Databricks, "char(2)", s(Some(2))),
        (Databricks, "binary", bin(None)),
        (Databricks, "boolean", T::Boolean),
        (Databricks, "date", T::Date),
        (Databricks, "timestamp", ts(Ltz, 6)),
        (Databricks, "timestamp_ltz", ts(Ltz, 6)),
        (Databricks, "timestamp_ntz", ts(Ntz, 6)),
        (Databricks, "variant", T::Json),
        (Databricks, "interval", T::Interval),
        (
            Databricks,
            "interval day to second",
            unknown("interval day to second"),
        ),
        (Databricks, "array<int>", arr(int(32))),
        (
            Databricks,
            "struct<a:int,b:string>",
            T::Struct(vec![("a".into(), int(32)), ("b".into(), s(None))]),
        ),
        (
            Databricks,
            "struct<a: int, b string>",
            T::Struct(vec![("a".into(), int(32)), ("b".into(), s(None))]),
        ),
        (Databricks, "struct<>", T::Struct(vec![])),
        (
            Databricks,
            "map<string,int>",
            T::Map(Box::new(s(None)), Box::new(int(32))),
        ),
        (
            Databricks,
            "map<string,array<struct<x:decimal(10,2)>>>",
            T::Map(
                Box::new(s(None)),
                Box::new(arr(T::Struct(vec![("x".into(), dec(10, 2))]))),
            ),
        ),
        (Databricks, "map<string>", unknown("map<string>")),
        (Databricks, "array<int", unknown("array<int")),
        (Databricks, "array<int)", unknown("array<int)")),
        // duckdb
        (Duckdb, "tinyint", int(8)),
        (Duckdb, "int1", int(8)),
        (Duckdb, "smallint", int(16)),
        (Duckdb, "int2", int(16)),
        (Duckdb, "short", int(16)),
        (Duckdb, "integer", int(32)),
        (Duckdb, "int", int(32)),
        (Duckdb, "int4", int(32)),
        (Duckdb, "signed", int(32)),
        (Duckdb, "bigint", int(64)),
        (Duckdb, "int8", int(64)),
        (Duckdb, "long", int(64)),
        (Duckdb, "hugeint", int(128)),
        (Duckdb, "int128", int(128)),
        (Duckdb, "utinyint", unknown("utinyint")),
        (Duckdb, "uint8", unknown("uint8")),
        (Duckdb, "decimal", dec(18, 3)),
        (Duckdb, "decimal(10,2)", dec(10, 2)),
        (Duckdb, "real", float(32)),
        (Duckdb, "float4", float(32)),
        (Duckdb, "float", float(32)),
        (Duckdb, "double", float(64)),
        (Duckdb, "float8", float(64)),
        (Duckdb, "varchar", s(None)),
        (Duckdb, "varchar(10)", s(None)),
        (Duckdb, "text", s(None)),
        (Duckdb, "string", s(None)),
        (Duckdb, "blob", bin(None)),
        (Duckdb, "bytea", bin(None)),
        (Duckdb, "boolean", T::Boolean),
        (Duckdb, "bool", T::Boolean),
        (Duckdb, "date", T::Date),
        (Duckdb, "timestamp", ts(Ntz, 6)),
        (Duckdb, "datetime", ts(Ntz, 6)),
        (Duckdb, "timestamp_ms", ts(Ntz, 3)),
        (Duckdb, "timestamp_ns", ts(Ntz, 9)),
        (Duckdb, "timestamp(1)", ts(Ntz, 3)),
        (Duckdb, "timestamptz", ts(Tz, 6)),
        (Duckdb, "timestamp with time zone", ts(Tz, 6)),
        (Duckdb, "time", T::Time { precision: 6 }),
        (Duckdb, "json", T::Json),
        (Duckdb, "uuid", T::Uuid),
        (Duckdb, "interval", T::Interval),
        (Duckdb, "int[]", arr(int(32))),
        (Duckdb, "int[][]", arr(arr(int(32)))),
        (Duckdb, "int[3]", unknown("int[3]")),
        (
            Duckdb,
            "STRUCT(a INTEGER, b VARCHAR)",
            T::Struct(vec![("a".into(), int(32)), ("b".into(), s(None))]),
        ),
        (
            Duckdb,
            "STRUCT(\"A b\" INTEGER)",
            T::Struct(vec![("A b".into(), int(32))]),
        ),
        (
            Duckdb,
            "MAP(VARCHAR, INTEGER)",
            T::Map(Box::new(s(None)), Box::new(int(32))),
        ),
        // generic (trino, athena, …)
        (Generic, "tinyint", int(8)),
        (Generic, "smallint", int(16)),
        (Generic, "integer", int(32)),
        (Generic, "int", int(32)),
        (Generic, "bigint", int(64)),
        (Generic, "decimal", dec(38, 0)),
        (Generic, "decimal(10,2)", dec(10, 2)),
        (Generic, "real", float(32)),
        (Generic, "double", float(64)),
        (Generic, "float", unknown("float")),
        (Generic, "varchar", s(None)),
        (Generic, "varchar(10)", s(Some(10))),
        (Generic, "char", s(Some(1))),
        (Generic, "char(3)", s(Some(3))),
        (Generic, "varbinary", bin(None)),
        (Generic, "boolean", T::Boolean),
        (Generic, "date", T::Date),
        (Generic, "timestamp", ts(Ntz, 3)),
        (Generic, "timestamp(6)", ts(Ntz, 6)),
        (Generic, "timestamp(6) with time zone", ts(Tz, 6)),
        (Generic, "timestamp with time zone", ts(Tz, 3)),
        (
            Generic,
            "row(a integer, b varchar)",
            T::Struct(vec![("a".into(), int(32)), ("b".into(), s(None))]),
        ),
        (Generic, "array(integer)", arr(int(32))),
        (
            Generic,
            "map(varchar, integer)",
            T::Map(Box::new(s(None)), Box::new(int(32))),
        ),
        (Generic, "array<int>", arr(int(32))),
        (Generic, "int(11)", unknown("int(11)")),
        (Generic, "hllsketch", unknown("hllsketch")),
    ];
    let mut failures = Vec::new();
    for (d, raw, want) in cases {
        let got = canonicalize(raw, &wh(d));
        if got != want {
            failures.push(format!("{d} {raw:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn snowflake_timestamp_follows_the_account_mapping() {
    let mut w = wh(Snowflake);
    w.timestamp_type_mapping = TimestampMapping::Ltz;
    assert_eq!(canonicalize("TIMESTAMP", &w), ts(TzKind::Ltz, 9));
    w.timestamp_type_mapping = TimestampMapping::Tz;
    assert_eq!(canonicalize("timestamp(3)", &w), ts(TzKind::Tz, 3));
    assert_eq!(canonicalize("DATETIME", &w), ts(TzKind::Ntz, 9));
}

fn change(d: Dialect, before: &str, after: &str) -> TypeChange {
    let w = wh(d);
    compare(
        before,
        &canonicalize(before, &w),
        after,
        &canonicalize(after, &w),
    )
}

fn widened(dims: &[&str]) -> TypeChange {
    TypeChange::Widened {
        dims: dims.iter().map(|d| d.to_string()).collect(),
    }
}
fn narrowed(dims: &[&str]) -> TypeChange {
    TypeChange::Narrowed {
        dims: dims.iter().map(|d| d.to_string()).collect(),
    }
}
const CHANGED: TypeChange = TypeChange::Changed {
    low_confidence: false,
};
const CHANGED_LOW: TypeChange = TypeChange::Changed {
    low_confidence: true,
};

#[test]
fn classifies_type_changes() {
    use TypeChange::{Alias, Equal, Promoted, WidenedLossy};
    let cases: Vec<(Dialect, &str, &str, TypeChange)> = vec![
        // vectors B01-B37 and neighbours
        (Postgres, "int", "bigint", widened(&["width 32→64 bits"])),
        (Postgres, "bigint", "int", narrowed(&["width 64→32 bits"])),
        (
            Postgres,
            "varchar(50)",
            "varchar(100)",
            widened(&["max length 50→100"]),
        ),
        (
            Postgres,
            "varchar(100)",
            "varchar(50)",
            narrowed(&["max length 100→50"]),
        ),
        (
            Postgres,
            "varchar(50)",
            "text",
            widened(&["max length 50→unbounded"]),
        ),
        (
            Postgres,
            "numeric(10,2)",
            "numeric(12,4)",
            widened(&["scale 2→4"]),
        ),
        (
            Postgres,
            "numeric(10,2)",
            "numeric(11,4)",
            TypeChange::WidenedAndNarrowed {
                widened: vec!["scale 2→4".into()],
                narrowed: vec!["integer digits 8→7".into()],
            },
        ),
        (
            Postgres,
            "numeric(10,2)",
            "numeric",
            widened(&["integer digits 8→unbounded", "scale 2→unbounded"]),
        ),
        (
            Snowflake,
            "number(10,2)",
            "number(20,2)",
            widened(&["integer digits 8→18"]),
        ),
        (
            Bigquery,
            "NUMERIC",
            "BIGNUMERIC",
            widened(&["integer digits 29→38", "scale 9→38"]),
        ),
        (Bigquery, "INT64", "NUMERIC", Promoted),
        (Bigquery, "INT64", "BIGNUMERIC", Promoted),
        (Bigquery, "NUMERIC", "FLOAT64", WidenedLossy),
        (Postgres, "bigint", "double precision", WidenedLossy),
        (
            Postgres,
            "real",
            "double precision",
            widened(&["width 32→64 bits"]),
        ),
        (Postgres, "int", "double precision", Promoted),
        (Postgres, "smallint", "real", Promoted),
        (Postgres, "int", "real", WidenedLossy),
        (Postgres, "int", "numeric(10,0)", Promoted),
        (Postgres, "int", "numeric(9,0)", CHANGED),
        (Postgres, "bigint", "numeric(19,0)", Promoted),
        (Postgres, "bigint", "numeric", Promoted),
        (Postgres, "numeric(15,2)", "double precision", Promoted),
        (Postgres, "numeric(16,2)", "double precision", WidenedLossy),
        (Postgres, "numeric(6,2)", "real", Promoted),
        (Postgres, "numeric(7,2)", "real", WidenedLossy),
        (Postgres, "numeric", "double precision", WidenedLossy),
        (Postgres, "double precision", "numeric(38,10)", CHANGED),
        (Postgres, "numeric(10,0)", "bigint", CHANGED),
        (Postgres, "int", "varchar", CHANGED),
        (Postgres, "boolean", "int", CHANGED),
        (Postgres, "int", "boolean", CHANGED),
        (Snowflake, "timestamp_ntz", "timestamp_tz", CHANGED),
        (Snowflake, "timestamp", "timestamp_ntz", Alias),
        (
            Snowflake,
            "timestamp_ntz(3)",
            "timestamp_ntz",
            widened(&["precision 3→9"]),
        ),
        (Postgres, "timestamp", "timestamptz", CHANGED),
        (
            Postgres,
            "timestamp(6)",
            "timestamp(3)",
            narrowed(&["precision 6→3"]),
        ),
        (Postgres, "timestamp", "timestamp without time zone", Alias),
        (Bigquery, "DATETIME", "TIMESTAMP", CHANGED),
        (Databricks, "date", "timestamp_ntz", Promoted),
        (Databricks, "date", "timestamp", CHANGED),
        (Databricks, "timestamp_ntz", "date", CHANGED),
        (Postgres, "timestamp", "date", CHANGED),
        (Postgres, "time(3)", "time", widened(&["precision 3→6"])),
        (Postgres, "geography", "geometry", CHANGED_LOW),
        (Snowflake, "geography", "geometry", CHANGED_LOW),
        (Postgres, "money", "MONEY", Equal),
        (Postgres, "money", "money", Equal),
        (Snowflake, "int", "bigint", Alias),
        (Snowflake, "INT", "int", Equal),
        (Snowflake, "string", "varchar", Alias),
        (
            Snowflake,
            "int",
            "number(10,0)",
            narrowed(&["integer digits 38→10"]),
        ),
        (Snowflake, "number", "float", WidenedLossy),
        (Postgres, "varchar", "character varying", Alias),
        (Postgres, "varchar(50)", "VARCHAR( 50 )", Equal),
        (Postgres, "varchar(50)", "character(50)", Alias),
        (Postgres, "json", "jsonb", Alias),
        (
            Redshift,
            "varchar(300)",
            "varchar",
            narrowed(&["max length 300→256"]),
        ),
        (Redshift, "text", "varchar(256)", Alias),
        (
            Redshift,
            "varbyte",
            "varbyte(100000)",
            widened(&["max length 64000→100000"]),
        ),
        (Duckdb, "varchar(50)", "varchar(100)", Alias),
        (Duckdb, "int", "hugeint", widened(&["width 32→128 bits"])),
        (Duckdb, "hugeint", "decimal(38,0)", CHANGED),
        (Duckdb, "utinyint", "smallint", CHANGED_LOW),
        (Databricks, "array<int>", "array<int>", Equal),
        (Databricks, "array<int>", "int", CHANGED),
        (Databricks, "int", "array<int>", CHANGED),
        (Databricks, "struct<a:int>", "struct<a:bigint>", CHANGED),
        (Bigquery, "STRUCT<a INT64>", "STRUCT<a GADGET>", CHANGED_LOW),
        (Postgres, "uuid", "varchar(36)", CHANGED),
        (Postgres, "bytea", "text", CHANGED),
        (
            Bigquery,
            "BYTES(10)",
            "BYTES",
            widened(&["max length 10→unbounded"]),
        ),
    ];
    let mut failures = Vec::new();
    for (d, before, after, want) in cases {
        let got = change(d, before, after);
        if got != want {
            failures.push(format!(
                "{d} {before:?} -> {after:?}: got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vector_columns_parse() {
    // A21, A24, B35, B37: types the nested and reorder vectors rely on.
    assert_eq!(canonicalize("INT64", &wh(Bigquery)), int(64));
    assert_eq!(canonicalize("numeric(12,2)", &wh(Postgres)), dec(12, 2));
    let T::Struct(fields) = canonicalize("STRUCT<a INT64, b STRING>", &wh(Bigquery)) else {
        panic!("not a struct");
    };
    assert_eq!(fields.len(), 2);
    assert_eq!(
        canonicalize("STRUCT<a INT64>", &wh(Bigquery)),
        T::Struct(vec![("a".into(), int(64))])
    );
    let w = wh(Databricks);
    let (T::Array(a), T::Array(b)) = (
        canonicalize("array<int>", &w),
        canonicalize("array<bigint>", &w),
    ) else {
        panic!("not arrays");
    };
    assert_eq!(*a, int(32));
    assert_eq!(
        compare("int", &a, "bigint", &b),
        widened(&["width 32→64 bits"])
    );
}

#[test]
fn describes_and_families() {
    let cases = [
        (int(64), "int64", "integer"),
        (dec(12, 2), "decimal(12,2)", "decimal"),
        (PG_NUMERIC, "decimal", "decimal"),
        (float(32), "float32", "float"),
        (s(Some(50)), "varchar(50)", "string"),
        (s(None), "string", "string"),
        (bin(Some(4)), "binary(4)", "binary"),
        (ts(TzKind::Ntz, 6), "timestamp_ntz(6)", "timestamp_ntz"),
        (ts(TzKind::Tz, 9), "timestamp_tz(9)", "timestamp_tz"),
        (ts(TzKind::Ltz, 6), "timestamp_ltz(6)", "timestamp_ltz"),
        (T::Time { precision: 6 }, "time(6)", "time"),
        (T::Json, "json", "json"),
        (arr(int(32)), "array<int32>", "array"),
        (
            T::Map(Box::new(s(None)), Box::new(int(32))),
            "map<string, int32>",
            "map",
        ),
        (
            T::Struct(vec![("a".into(), int(64))]),
            "struct<a int64>",
            "struct",
        ),
        (unknown("geometry"), "geometry", "unknown"),
    ];
    for (t, describe, family) in cases {
        assert_eq!(t.describe(), describe);
        assert_eq!(t.family(), family);
    }
}

#[test]
fn normalizes_raw_text() {
    assert_eq!(normalize_raw("  VARCHAR ( 50 ) "), "varchar(50)");
    assert_eq!(normalize_raw("Double\t\nPrecision"), "double precision");
    assert_eq!(
        normalize_raw("STRUCT< a INT64 , b STRING >"),
        "struct<a int64,b string>"
    );
    assert_eq!(normalize_raw("map < string , int >"), "map<string,int>");
    assert_eq!(
        normalize_raw("timestamp(3) with time zone"),
        "timestamp(3)with time zone"
    );
}

#[test]
fn hostile_nesting_becomes_unknown() {
    let deep = format!("{}int{}", "array<".repeat(10_000), ">".repeat(10_000));
    let deep_parens = format!("{}int{}", "array(".repeat(10_000), ")".repeat(10_000));
    let deep_struct = format!("{}int{}", "struct<a ".repeat(10_000), ">".repeat(10_000));
    let suffixes = format!("int{}", "[]".repeat(100_000));
    let unbalanced = "(".repeat(100_000);
    for d in [
        Postgres, Snowflake, Bigquery, Redshift, Databricks, Duckdb, Generic,
    ] {
        for raw in [&deep, &deep_parens, &deep_struct, &suffixes, &unbalanced] {
            let t = canonicalize(raw, &wh(d));
            assert!(t.is_unknown(), "{d}: {}", t.family());
            assert_eq!(compare(raw, &t, raw, &t), TypeChange::Equal);
        }
    }
    // Moderate nesting is still read.
    let ok = format!("{}int{}", "array<".repeat(30), ">".repeat(30));
    assert!(!canonicalize(&ok, &wh(Databricks)).contains_unknown());
}

const ALL: [Dialect; 7] = [
    Postgres, Snowflake, Bigquery, Redshift, Databricks, Duckdb, Generic,
];

fn type_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("array<"),
        Just("array("),
        Just("struct<"),
        Just("row("),
        Just("map<"),
        Just(">"),
        Just(")"),
        Just("("),
        Just("<"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just(" "),
        Just("a "),
        Just("`q`"),
        Just("\""),
        Just("'"),
        Just("int"),
        Just("bigint"),
        Just("numeric"),
        Just("varchar"),
        Just("timestamp"),
        Just(" with time zone"),
        Just("10"),
        Just("2"),
        Just("max"),
        Just("99999999999999999999999"),
        Just("double precision"),
        Just(" array"),
        Just("é"),
        Just("_int4"),
        Just("STRING"),
        Just("date"),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn any_type_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), type_like()]
}

fn known_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("smallint"),
        Just("int"),
        Just("bigint"),
        Just("numeric"),
        Just("numeric(10,2)"),
        Just("numeric(12,4)"),
        Just("numeric(11,4)"),
        Just("numeric(5,0)"),
        Just("real"),
        Just("double precision"),
        Just("varchar(50)"),
        Just("varchar(100)"),
        Just("text"),
        Just("char(3)"),
        Just("timestamp"),
        Just("timestamp(3)"),
        Just("timestamptz"),
        Just("date"),
        Just("time"),
        Just("boolean"),
        Just("json"),
        Just("uuid"),
        Just("bytea"),
        Just("geometry"),
    ]
    .prop_map(str::to_string)
}

proptest! {
    #[test]
    fn canonicalize_is_total_and_deterministic(raw in any_type_text(), d in 0usize..7) {
        let w = wh(ALL[d]);
        let t = canonicalize(&raw, &w);
        prop_assert_eq!(&t, &canonicalize(&raw, &w));
        let _ = (t.describe(), t.family());
        prop_assert_eq!(compare(&raw, &t, &raw, &t), TypeChange::Equal);
        if let T::Unknown(text) = &t {
            prop_assert_eq!(text, &normalize_raw(&raw));
        }
    }

    #[test]
    fn normalize_is_idempotent(raw in any_type_text()) {
        let once = normalize_raw(&raw);
        prop_assert_eq!(normalize_raw(&once), once.clone());
    }

    #[test]
    fn widening_reverses_to_narrowing(a in known_type(), b in known_type()) {
        let w = wh(Postgres);
        let (ta, tb) = (canonicalize(&a, &w), canonicalize(&b, &w));
        let forward = compare(&a, &ta, &b, &tb);
        let backward = compare(&b, &tb, &a, &ta);
        prop_assert!(mirrors(&forward, &backward), "{forward:?} vs {backward:?}");
    }
}

fn reversed(dims: &[String]) -> Vec<String> {
    dims.iter().map(|d| reverse_dim(d)).collect()
}

/// Whether `backward` is what reading the change `forward` in the other direction must give.
fn mirrors(forward: &TypeChange, backward: &TypeChange) -> bool {
    use TypeChange::*;
    match (forward, backward) {
        (Widened { dims }, Narrowed { dims: back })
        | (Narrowed { dims }, Widened { dims: back }) => reversed(dims) == *back,
        (
            WidenedAndNarrowed { widened, narrowed },
            WidenedAndNarrowed {
                widened: bw,
                narrowed: bn,
            },
        ) => reversed(narrowed) == *bw && reversed(widened) == *bn,
        (Widened { .. } | Narrowed { .. } | WidenedAndNarrowed { .. }, _) => false,
        (Equal | Alias, back) => matches!(back, Equal | Alias),
        _ => true,
    }
}

/// "scale 2→4" → "scale 4→2"; "width 32→64 bits" → "width 64→32 bits".
fn reverse_dim(d: &str) -> String {
    let Some((left, right)) = d.split_once('→') else {
        return d.to_string();
    };
    let Some((label, from)) = left.rsplit_once(' ') else {
        return d.to_string();
    };
    let (to, unit) = right
        .split_once(' ')
        .map_or((right, String::new()), |(n, u)| (n, format!(" {u}")));
    format!("{label} {to}→{from}{unit}")
}
