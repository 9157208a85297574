//! Temporary stand-in with the agreed API; replaced by the canonicalizer from the `types` branch.
use super::dialect::Warehouse;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TzKind {
    Ntz,
    Tz,
    Ltz,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CanonType {
    Int { bits: u16 },
    Decimal { precision: u32, scale: u32 },
    Float { bits: u16 },
    String { max_len: Option<u64> },
    Binary { max_len: Option<u64> },
    Timestamp { tz: TzKind, precision: u8 },
    Time { precision: u8 },
    Date,
    Boolean,
    Json,
    Geography,
    Interval,
    Uuid,
    Struct(Vec<(String, CanonType)>),
    Array(Box<CanonType>),
    Map(Box<CanonType>, Box<CanonType>),
    Unknown(String),
}

pub fn normalize_raw(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
pub fn canonicalize(raw: &str, _wh: &Warehouse) -> CanonType {
    CanonType::Unknown(normalize_raw(raw))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    Equal,
    Alias,
    Widened {
        dims: Vec<String>,
    },
    Narrowed {
        dims: Vec<String>,
    },
    WidenedAndNarrowed {
        widened: Vec<String>,
        narrowed: Vec<String>,
    },
    Promoted,
    WidenedLossy,
    Changed {
        low_confidence: bool,
    },
}

pub fn compare(
    before_raw: &str,
    before: &CanonType,
    after_raw: &str,
    after: &CanonType,
) -> TypeChange {
    if before == after {
        if normalize_raw(before_raw) == normalize_raw(after_raw) {
            TypeChange::Equal
        } else {
            TypeChange::Alias
        }
    } else {
        TypeChange::Changed {
            low_confidence: true,
        }
    }
}

impl CanonType {
    pub fn family(&self) -> &'static str {
        "unknown"
    }
    pub fn describe(&self) -> String {
        format!("{self:?}")
    }
}
