//! The typed values `tessera.yaml` accepts. Each is read together with its span and checked on
//! the spot, so a bad value is reported at the value itself (serde-saphyr would put an error
//! raised inside a plain `Deserialize` impl at the enclosing key) with a help line listing what
//! is accepted.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use super::RULE_IDS;
use super::error::{ErrorKind, Issue, display_value, invalid, reject};
use super::keywords::Level;
use super::suggest::keyword_help;
use crate::contract::dialect::DIALECT_NAMES;
use crate::contract::{Date, Dialect, Materialization, TimestampMapping, Warehouse};

/// A value with no place in the file: a default the user did not write.
pub fn unset<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

/// Whether the user wrote this value (as opposed to it being a default).
pub fn is_explicit<T>(v: &Spanned<T>) -> bool {
    v.referenced != Location::UNKNOWN
}

/// A rule id from [`RULE_IDS`]; holds the canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(&'static str);

impl RuleId {
    pub fn parse(s: &str) -> Option<RuleId> {
        let s = s.trim();
        RULE_IDS
            .iter()
            .find(|id| id.eq_ignore_ascii_case(s))
            .map(|id| RuleId(id))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Spanned::<String>::deserialize(d)?;
        RuleId::parse(&raw.value).ok_or_else(|| {
            let near = super::suggest::suggest(&raw.value, RULE_IDS)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            reject(Issue::new(
                ErrorKind::UnknownRule,
                raw.referenced,
                format!("unknown rule id {}", display_value(&raw.value)),
                "not a rule id",
                Some(format!("{near}`tessera rules` lists every rule id")),
            ))
        })
    }
}

/// Any YAML node, with the spans a validator needs to point inside it.
enum Raw {
    Scalar(String),
    Map(Vec<(Spanned<String>, Spanned<String>)>),
    List(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, a list or a mapping")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Scalar(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Scalar(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Scalar(String::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Raw::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Raw::List(items))
            }
        }
        d.deserialize_any(RawVisitor)
    }
}

fn wrong_shape<E: de::Error>(at: Location, message: &str, expected: &str) -> E {
    reject(Issue::new(
        ErrorKind::WrongType,
        at,
        message,
        format!("expected {expected}"),
        Some(format!("write {expected}")),
    ))
}

fn unknown_key<E: de::Error>(key: &Spanned<String>, allowed: &[&str]) -> E {
    reject(Issue::new(
        ErrorKind::UnknownKey,
        key.referenced,
        format!("unknown key `{}`", key.value),
        "unknown key",
        Some(keyword_help(&key.value, "keys allowed here", allowed)),
    ))
}

/// Severity of one rule, per direction; a plain level sets both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleSetting {
    /// Do readers of the old contract keep working.
    pub fwd: Option<Level>,
    /// Does data written under the old contract survive.
    pub bwd: Option<Level>,
}

impl<'de> Deserialize<'de> for RuleSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Spanned::<Raw>::deserialize(d)?;
        let level = |v: &Spanned<String>| {
            Level::parse(&v.value).ok_or_else(|| {
                invalid::<D::Error>(
                    v.referenced,
                    format!("unknown severity {}", display_value(&v.value)),
                    "not a severity",
                    keyword_help(&v.value, "valid severities", Level::NAMES),
                )
            })
        };
        match raw.value {
            // YAML 1.1 reads a plain `off` (or `no`) as false, and `deserialize_any` hands over
            // the boolean rather than the text.
            Raw::Scalar(s) if s == "false" => Ok(RuleSetting {
                fwd: Some(Level::Off),
                bwd: Some(Level::Off),
            }),
            Raw::Scalar(s) => {
                let l = level(&Spanned::new(s, raw.referenced, raw.defined))?;
                Ok(RuleSetting {
                    fwd: Some(l),
                    bwd: Some(l),
                })
            }
            Raw::Map(entries) => {
                let mut setting = RuleSetting::default();
                for (k, v) in &entries {
                    match k.value.as_str() {
                        "fwd" => setting.fwd = Some(level(v)?),
                        "bwd" => setting.bwd = Some(level(v)?),
                        _ => return Err(unknown_key(k, &["fwd", "bwd"])),
                    }
                }
                Ok(setting)
            }
            Raw::List(_) => Err(wrong_shape(
                raw.referenced,
                "a rule takes a severity or {fwd: .., bwd: ..}, not a list",
                "a severity (err, warn, info, off) or `{fwd: err, bwd: warn}`",
            )),
        }
    }
}

/// One entry of `compatibility.rules`.
#[derive(Debug, Clone)]
pub struct RuleEntry {
    pub rule: Spanned<RuleId>,
    pub setting: Spanned<RuleSetting>,
}

/// `compatibility.rules` is a mapping; kept as a list to keep each key's span.
pub(super) fn rule_entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RuleEntry>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<RuleEntry>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping of rule ids to severities")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((rule, setting)) = map.next_entry()? {
                out.push(RuleEntry { rule, setting });
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries)
}

/// Which dbt resources are contracts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Contracts {
    /// Every model, source, seed and snapshot. The default: a project that never set `access:`
    /// must not silently check nothing.
    #[default]
    All,
    /// Models with `access: public`.
    Public,
    /// Models with `config.contract.enforced: true`.
    Enforced,
    /// dbt selector expressions (`tag:contract`, `path:models/marts`, …).
    Selectors(Vec<String>),
}

impl<'de> Deserialize<'de> for Contracts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const WORDS: &[&str] = &["all", "public", "enforced"];
        let raw = Spanned::<Raw>::deserialize(d)?;
        match raw.value {
            Raw::Scalar(s) => match s.trim().to_ascii_lowercase().as_str() {
                "all" => Ok(Contracts::All),
                "public" => Ok(Contracts::Public),
                "enforced" | "contract_enforced" | "contract-enforced" => Ok(Contracts::Enforced),
                _ => Err(invalid(
                    raw.referenced,
                    format!("unknown contracts selection {}", display_value(&s)),
                    "not all, public or enforced",
                    format!(
                        "{}; or a list of dbt selectors such as `[tag:contract]`",
                        keyword_help(&s, "valid values", WORDS)
                    ),
                )),
            },
            Raw::List(items) => Ok(Contracts::Selectors(
                items.into_iter().map(|s| s.value).collect(),
            )),
            Raw::Map(_) => Err(wrong_shape(
                raw.referenced,
                "`contracts` takes a word or a list of selectors, not a mapping",
                "all, public, enforced or a list of dbt selectors",
            )),
        }
    }
}

/// Where the coordination store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// `sqlite:PATH`, relative to the config file's directory when relative.
    Sqlite(PathBuf),
    /// `http(s)://…`, a `tessera serve`; the token comes from `TESSERA_TOKEN`.
    Remote(String),
}

impl Default for Store {
    fn default() -> Store {
        Store::Sqlite(PathBuf::from(".tessera/tessera.db"))
    }
}

impl<'de> Deserialize<'de> for Store {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Spanned::<String>::deserialize(d)?;
        let s = raw.value.trim();
        if let Some(path) = s.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if !path.is_empty() {
                return Ok(Store::Sqlite(PathBuf::from(path)));
            }
        } else if is_http_url(s) {
            return Ok(Store::Remote(s.trim_end_matches('/').to_string()));
        }
        Err(invalid(
            raw.referenced,
            format!("invalid store {}", display_value(s)),
            "not a store address",
            "write `sqlite:PATH` (e.g. `sqlite:.tessera/tessera.db`) or the URL of a `tessera serve` (e.g. `https://tessera.example.com`); a PostgreSQL database is reached through `tessera serve --store postgres://…`".into(),
        ))
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

/// `url:` of a webhook: an http(s) URL.
pub(super) fn http_url<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<String>, D::Error> {
    let raw = Spanned::<String>::deserialize(d)?;
    if is_http_url(raw.value.trim()) {
        return Ok(raw);
    }
    Err(invalid(
        raw.referenced,
        format!("invalid URL {}", display_value(&raw.value)),
        "not an http(s) URL",
        "write a full URL such as `https://hooks.example.com/tessera`".into(),
    ))
}

/// `warehouse:`, a dialect name or `{type, timestamp_type_mapping}`.
pub(super) fn warehouse<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Spanned<Warehouse>>, D::Error> {
    const KEYS: &[&str] = &["type", "timestamp_type_mapping"];
    let Some(raw) = Option::<Spanned<Raw>>::deserialize(d)? else {
        return Ok(None);
    };
    let dialect = |v: &Spanned<String>| {
        v.value.parse::<Dialect>().map_err(|()| {
            invalid::<D::Error>(
                v.referenced,
                format!("unknown warehouse {}", display_value(&v.value)),
                "not a supported warehouse",
                keyword_help(&v.value, "valid warehouses", DIALECT_NAMES),
            )
        })
    };
    let wh = match raw.value {
        Raw::Scalar(s) => Warehouse::new(dialect(&Spanned::new(s, raw.referenced, raw.defined))?),
        Raw::Map(entries) => {
            let mut wh = None;
            let mut mapping = None;
            for (k, v) in &entries {
                match k.value.as_str() {
                    "type" => wh = Some(dialect(v)?),
                    "timestamp_type_mapping" => {
                        mapping = Some(v.value.parse::<TimestampMapping>().map_err(|()| {
                            invalid::<D::Error>(
                                v.referenced,
                                format!(
                                    "unknown timestamp_type_mapping {}",
                                    display_value(&v.value)
                                ),
                                "not a timestamp mapping",
                                "valid values: TIMESTAMP_NTZ, TIMESTAMP_LTZ, TIMESTAMP_TZ".into(),
                            )
                        })?)
                    }
                    _ => return Err(unknown_key(k, KEYS)),
                }
            }
            let Some(dialect) = wh else {
                return Err(reject(Issue::new(
                    ErrorKind::MissingKey,
                    raw.referenced,
                    "missing required key `type`",
                    "this warehouse has no `type`",
                    Some(format!(
                        "add `type: …`, one of {}",
                        DIALECT_NAMES.join(", ")
                    )),
                )));
            };
            Warehouse {
                dialect,
                timestamp_type_mapping: mapping.unwrap_or_default(),
            }
        }
        Raw::List(_) => {
            return Err(wrong_shape(
                raw.referenced,
                "`warehouse` takes a name or a mapping, not a list",
                "a warehouse name such as `snowflake`, or `{type: snowflake, timestamp_type_mapping: TIMESTAMP_LTZ}`",
            ));
        }
    };
    Ok(Some(Spanned::new(wh, raw.referenced, raw.defined)))
}

fn parse_date<E: de::Error>(raw: Spanned<String>) -> Result<Spanned<Date>, E> {
    match raw.value.parse::<Date>() {
        Ok(date) => Ok(Spanned::new(date, raw.referenced, raw.defined)),
        Err(_) => Err(reject(Issue::new(
            ErrorKind::InvalidDate,
            raw.referenced,
            format!("{} is not a valid date", display_value(&raw.value)),
            "not a YYYY-MM-DD date",
            Some("write a real calendar day as YYYY-MM-DD, e.g. 2026-07-01".into()),
        ))),
    }
}

/// A required date. YAML leaves `2026-07-01` a plain scalar, which reads as text here.
pub(super) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<Date>, D::Error> {
    parse_date(Spanned::<String>::deserialize(d)?)
}

pub(super) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Spanned<Date>>, D::Error> {
    Option::<Spanned<String>>::deserialize(d)?
        .map(parse_date)
        .transpose()
}

pub(super) fn opt_materialization<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Spanned<Materialization>>, D::Error> {
    Ok(Option::<Spanned<String>>::deserialize(d)?
        .map(|s| Spanned::new(Materialization::parse(&s.value), s.referenced, s.defined)))
}

/// A relation name `database.schema.identifier` (or a shorter suffix of it).
fn check_relation<E: de::Error>(raw: &Spanned<String>) -> Result<(), E> {
    let parts: Vec<&str> = raw.value.split('.').collect();
    if parts.len() <= 3 && parts.iter().all(|p| !p.trim().is_empty()) {
        return Ok(());
    }
    Err(invalid(
        raw.referenced,
        format!("invalid relation name {}", display_value(&raw.value)),
        "not database.schema.identifier",
        "write the relation as `database.schema.identifier`, e.g. `analytics.raw.events`".into(),
    ))
}

pub(super) fn relation<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<String>, D::Error> {
    let raw = Spanned::<String>::deserialize(d)?;
    check_relation(&raw)?;
    Ok(raw)
}

/// A count that must be at least 1.
pub(super) fn positive<'de, D: Deserializer<'de>>(d: D) -> Result<Spanned<u32>, D::Error> {
    let raw = Spanned::<u32>::deserialize(d)?;
    if raw.value >= 1 {
        return Ok(raw);
    }
    Err(invalid(
        raw.referenced,
        "this count must be at least 1".into(),
        "must be at least 1",
        "write a whole number of 1 or more".into(),
    ))
}

/// A dbt data test: a name (`unique`) or a one-key mapping (`accepted_values: {values: [..]}`).
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    pub name: String,
    /// The test's arguments as written; `Null` for a bare name.
    pub args: serde_json::Value,
}

impl<'de> Deserialize<'de> for TestDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        enum RawTest {
            Name(String),
            Map(Vec<(String, serde_json::Value)>),
        }
        struct TestVisitor;
        impl<'de> Visitor<'de> for TestVisitor {
            type Value = RawTest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a test name or a mapping of one test name to its arguments")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTest, E> {
                Ok(RawTest::Name(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTest, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(RawTest::Map(entries))
            }
        }
        struct Spannable(RawTest);
        impl<'de> Deserialize<'de> for Spannable {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(TestVisitor).map(Spannable)
            }
        }
        let raw = Spanned::<Spannable>::deserialize(d)?;
        match raw.value.0 {
            RawTest::Name(name) => Ok(TestDecl {
                name,
                args: serde_json::Value::Null,
            }),
            RawTest::Map(mut entries) if entries.len() == 1 => {
                let (name, args) = entries.remove(0);
                Ok(TestDecl { name, args })
            }
            RawTest::Map(entries) => Err(wrong_shape(
                raw.referenced,
                &format!(
                    "a test is one name or a mapping with one test name, not {} keys",
                    entries.len()
                ),
                "`unique` or `accepted_values: {values: [a, b]}`",
            )),
        }
    }
}
