//! Per-warehouse type canonicalization and scalar type comparison (RULES.md §2.4, Appendix B).
//!
//! A column type is read with its relation's dialect into a [`CanonType`] whose defaults are
//! filled in, so that `INT` and `BIGINT` on Snowflake, or `varchar` and `text` on Postgres, meet
//! as the same value. [`compare`] then sorts a change into one of the §2.5 type rules. Nothing
//! here does IO, and nothing panics on any input: text that cannot be read becomes
//! [`CanonType::Unknown`], which only ever equals the same text (fail closed).

use std::fmt;

use super::dialect::Warehouse;

mod compare;
mod dialects;
mod parse;
#[cfg(test)]
mod tests;

pub use compare::compare;

/// Integer digits and scale of a Postgres `numeric` declared without precision: the documented
/// limits (131072 digits before the point, 16383 after). Any declared `numeric(p,s)` is narrower
/// on both axes, which is what the unconstrained type really is.
pub const UNBOUNDED_DECIMAL_INT_DIGITS: u32 = 131_072;
pub const UNBOUNDED_DECIMAL_SCALE: u32 = 16_383;

/// How a timestamp relates to time zones. These are separate families: changing one into
/// another changes what the stored value means, not how wide it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TzKind {
    /// Wall-clock time with no zone (Snowflake NTZ, BigQuery DATETIME, Postgres `timestamp`).
    Ntz,
    /// An instant (Postgres `timestamptz`, BigQuery TIMESTAMP, Snowflake TZ).
    Tz,
    /// An instant shown in the session zone (Snowflake LTZ, Databricks `timestamp`).
    Ltz,
}

/// A column type after synonyms are resolved and default parameters filled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CanonType {
    /// Signed integer of 8, 16, 32, 64 or 128 bits.
    Int {
        bits: u16,
    },
    /// Fixed-point. BigQuery BIGNUMERIC is (76,38): its 76.76 digits rounded down.
    Decimal {
        precision: u32,
        scale: u32,
    },
    /// IEEE float of 32 or 64 bits.
    Float {
        bits: u16,
    },
    /// Character data; `None` = unbounded.
    String {
        max_len: Option<u64>,
    },
    /// Byte data; `None` = unbounded.
    Binary {
        max_len: Option<u64>,
    },
    /// Fractional-second digits are always filled with the dialect default.
    Timestamp {
        tz: TzKind,
        precision: u8,
    },
    Time {
        precision: u8,
    },
    Date,
    Boolean,
    /// JSON, JSONB, VARIANT, OBJECT, SUPER.
    Json,
    Geography,
    Interval,
    Uuid,
    /// Field names as written (anonymous fields are named `_field_1`, `_field_2`, …).
    Struct(Vec<(String, CanonType)>),
    Array(Box<CanonType>),
    Map(Box<CanonType>, Box<CanonType>),
    /// Normalized raw text of a type this module cannot read.
    Unknown(String),
}

/// How a column type changed, in the terms of the §2.5 type rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TypeChange {
    /// Same canonical type and same normalized raw text: no finding.
    Equal,
    /// Same canonical type, different spelling: `column_type_alias_changed`.
    Alias,
    /// Same family, some dimension grew and none shrank: `column_type_widened`.
    Widened { dims: Vec<String> },
    /// Same family, some dimension shrank and none grew: `column_type_narrowed`.
    Narrowed { dims: Vec<String> },
    /// Same family, dimensions moved both ways: one finding of each rule.
    WidenedAndNarrowed {
        widened: Vec<String>,
        narrowed: Vec<String>,
    },
    /// Lossless move to another family: `column_type_promoted`.
    Promoted,
    /// Move to a float that cannot hold every value exactly: `column_type_widened_lossy`.
    WidenedLossy,
    /// Anything else: `column_type_changed`. `low_confidence` when a side could not be read.
    Changed { low_confidence: bool },
}

impl TypeChange {
    /// The rule ids this change produces, in the order findings should be listed.
    pub fn rule_ids(&self) -> &'static [&'static str] {
        match self {
            TypeChange::Equal => &[],
            TypeChange::Alias => &["column_type_alias_changed"],
            TypeChange::Widened { .. } => &["column_type_widened"],
            TypeChange::Narrowed { .. } => &["column_type_narrowed"],
            TypeChange::WidenedAndNarrowed { .. } => {
                &["column_type_widened", "column_type_narrowed"]
            }
            TypeChange::Promoted => &["column_type_promoted"],
            TypeChange::WidenedLossy => &["column_type_widened_lossy"],
            TypeChange::Changed { .. } => &["column_type_changed"],
        }
    }
}

/// Reads `raw` as a column type of `wh`'s dialect. Never panics; unreadable input, including
/// nesting deeper than any real schema, becomes `Unknown(normalize_raw(raw))`.
pub fn canonicalize(raw: &str, wh: &Warehouse) -> CanonType {
    parse::parse(raw, wh)
}

/// Lower case, whitespace runs collapsed to one space, and no whitespace next to `( ) < > [ ] , :`,
/// so `VARCHAR( 50 )` and `varchar(50)` compare equal as text.
pub fn normalize_raw(raw: &str) -> String {
    const TIGHT: &[char] = &['(', ')', '<', '>', '[', ']', ',', ':'];
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let tight = TIGHT.contains(&c);
        if pending_space && !tight && !out.is_empty() && !out.ends_with(TIGHT) {
            out.push(' ');
        }
        pending_space = false;
        out.extend(c.to_lowercase());
    }
    out
}

impl CanonType {
    /// The §2.4 family. Types of different families never widen into each other.
    pub fn family(&self) -> &'static str {
        match self {
            CanonType::Int { .. } => "integer",
            CanonType::Decimal { .. } => "decimal",
            CanonType::Float { .. } => "float",
            CanonType::String { .. } => "string",
            CanonType::Binary { .. } => "binary",
            CanonType::Timestamp {
                tz: TzKind::Ntz, ..
            } => "timestamp_ntz",
            CanonType::Timestamp { tz: TzKind::Tz, .. } => "timestamp_tz",
            CanonType::Timestamp {
                tz: TzKind::Ltz, ..
            } => "timestamp_ltz",
            CanonType::Time { .. } => "time",
            CanonType::Date => "date",
            CanonType::Boolean => "boolean",
            CanonType::Json => "json",
            CanonType::Geography => "geography",
            CanonType::Interval => "interval",
            CanonType::Uuid => "uuid",
            CanonType::Struct(_) => "struct",
            CanonType::Array(_) => "array",
            CanonType::Map(..) => "map",
            CanonType::Unknown(_) => "unknown",
        }
    }

    /// Short dialect-neutral spelling for messages: `int64`, `decimal(12,2)`, `varchar(50)`,
    /// `timestamp_ntz(6)`.
    pub fn describe(&self) -> String {
        match self {
            CanonType::Int { bits } => format!("int{bits}"),
            CanonType::Decimal { precision, scale } if is_unbounded_decimal(*precision, *scale) => {
                "decimal".to_string()
            }
            CanonType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            CanonType::Float { bits } => format!("float{bits}"),
            CanonType::String { max_len: Some(n) } => format!("varchar({n})"),
            CanonType::String { max_len: None } => "string".to_string(),
            CanonType::Binary { max_len: Some(n) } => format!("binary({n})"),
            CanonType::Binary { max_len: None } => "binary".to_string(),
            CanonType::Timestamp { precision, .. } => format!("{}({precision})", self.family()),
            CanonType::Time { precision } => format!("time({precision})"),
            CanonType::Struct(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(name, t)| format!("{name} {}", t.describe()))
                    .collect();
                format!("struct<{}>", inner.join(", "))
            }
            CanonType::Array(elem) => format!("array<{}>", elem.describe()),
            CanonType::Map(k, v) => format!("map<{}, {}>", k.describe(), v.describe()),
            CanonType::Unknown(text) => text.clone(),
            CanonType::Date
            | CanonType::Boolean
            | CanonType::Json
            | CanonType::Geography
            | CanonType::Interval
            | CanonType::Uuid => self.family().to_string(),
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, CanonType::Unknown(_))
    }

    /// Whether any part of the type, at any depth, could not be read.
    pub fn contains_unknown(&self) -> bool {
        match self {
            CanonType::Unknown(_) => true,
            CanonType::Struct(fields) => fields.iter().any(|(_, t)| t.contains_unknown()),
            CanonType::Array(elem) => elem.contains_unknown(),
            CanonType::Map(k, v) => k.contains_unknown() || v.contains_unknown(),
            _ => false,
        }
    }
}

impl fmt::Display for CanonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

fn is_unbounded_decimal(precision: u32, scale: u32) -> bool {
    scale == UNBOUNDED_DECIMAL_SCALE
        && precision == UNBOUNDED_DECIMAL_INT_DIGITS + UNBOUNDED_DECIMAL_SCALE
}
