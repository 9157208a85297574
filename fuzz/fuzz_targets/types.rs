//! Column types: the canonicalizer and the type differ. The first byte picks the dialect and
//! Snowflake's TIMESTAMP_TYPE_MAPPING; the rest is `before\nafter`, two raw `data_type`s.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera::compat::{self, Settings};
use tessera::contract::types::{canonicalize, compare};
use tessera::contract::{Column, Date, Dialect, Project, Relation, TimestampMapping, Warehouse};

const DIALECTS: [Dialect; 7] = [
    Dialect::Postgres,
    Dialect::Snowflake,
    Dialect::Bigquery,
    Dialect::Redshift,
    Dialect::Databricks,
    Dialect::Duckdb,
    Dialect::Generic,
];
const MAPPINGS: [TimestampMapping; 3] = [
    TimestampMapping::Ntz,
    TimestampMapping::Ltz,
    TimestampMapping::Tz,
];

fn project(data_type: &str) -> Project {
    let mut orders = Relation::new("orders");
    orders.columns.push(Column::new("c", Some(data_type)));
    [orders].into_iter().collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let wh = Warehouse {
        dialect: DIALECTS[usize::from(selector) % DIALECTS.len()],
        timestamp_type_mapping: MAPPINGS[usize::from(selector / 7) % MAPPINGS.len()],
    };
    let (before_raw, after_raw) = text.split_once('\n').unwrap_or((text, text));

    let before = canonicalize(before_raw, &wh);
    let after = canonicalize(after_raw, &wh);
    for t in [&before, &after] {
        let _ = t.family();
        let _ = t.describe();
        let _ = t.contains_unknown();
    }
    // The scalar classifier, given any pair (nested pairs are the caller's job, done below).
    let _ = compare(before_raw, &before, after_raw, &after);

    // The whole differ, which recurses into struct fields, array elements and map entries.
    let mut settings = Settings::new(Date::new(2026, 1, 1).expect("a valid date"));
    settings.warehouse = wh;
    let _ = compat::diff(&project(before_raw), &project(after_raw), &settings);
});
