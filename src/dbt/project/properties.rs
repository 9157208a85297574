//! The shapes of dbt property files (`models:`, `sources:`, `seeds:`, `snapshots:`), as loose as
//! dbt itself: every field optional, unknown keys ignored, `null` read as "not given". Values dbt
//! lets users write in several ways (tags, versions, tests) stay close to the YAML and are
//! interpreted by the builders.

use std::borrow::Cow;
use std::fmt;

use serde::de::Visitor;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use crate::contract::Meta;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PropertyFile<'t> {
    #[serde(deserialize_with = "nullable", borrow)]
    pub models: Vec<Spanned<NodeProps<'t>>>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub sources: Vec<Spanned<SourceProps<'t>>>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub seeds: Vec<Spanned<NodeProps<'t>>>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub snapshots: Vec<Spanned<NodeProps<'t>>>,
}

/// A `models:`, `seeds:` or `snapshots:` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NodeProps<'t> {
    #[serde(borrow)]
    pub name: Text<'t>,
    #[serde(borrow)]
    pub description: Option<Text<'t>>,
    #[serde(deserialize_with = "nullable")]
    pub config: Map<String, Value>,
    pub access: Option<String>,
    pub group: Option<String>,
    pub deprecation_date: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub meta: Meta,
    pub tags: Tags,
    pub latest_version: Option<Scalar>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub versions: Vec<VersionProps<'t>>,
    #[serde(deserialize_with = "nullable")]
    pub constraints: Vec<ConstraintProps>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub columns: Vec<ColumnProps<'t>>,
    #[serde(deserialize_with = "nullable_some")]
    pub tests: Option<Vec<Spanned<Value>>>,
    #[serde(deserialize_with = "nullable_some")]
    pub data_tests: Option<Vec<Spanned<Value>>>,
    /// A snapshot defined in YAML (dbt ≥ 1.9) names the relation it snapshots.
    pub relation: Option<Value>,
}

/// `tests:` (dbt < 1.8) and `data_tests:` (dbt ≥ 1.8) together; `None` when neither is given,
/// which differs from "given and empty" (a version's empty list clears the model's tests).
pub(crate) fn given_tests<'a>(
    tests: &'a Option<Vec<Spanned<Value>>>,
    data_tests: &'a Option<Vec<Spanned<Value>>>,
) -> Option<Vec<&'a Spanned<Value>>> {
    if tests.is_none() && data_tests.is_none() {
        return None;
    }
    Some(data_tests.iter().chain(tests.iter()).flatten().collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct VersionProps<'t> {
    pub v: Option<Scalar>,
    pub defined_in: Option<String>,
    #[serde(borrow)]
    pub description: Option<Text<'t>>,
    pub access: Option<String>,
    pub deprecation_date: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub config: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub constraints: Vec<ConstraintProps>,
    #[serde(deserialize_with = "nullable", borrow)]
    pub columns: Vec<VersionColumn<'t>>,
    #[serde(deserialize_with = "nullable_some")]
    pub tests: Option<Vec<Spanned<Value>>>,
    #[serde(deserialize_with = "nullable_some")]
    pub data_tests: Option<Vec<Spanned<Value>>>,
}

/// A version's `columns:` entry: the include/exclude selector or a column of its own.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum VersionColumn<'t> {
    Select(IncludeExclude),
    Column(#[serde(borrow)] Box<ColumnProps<'t>>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct IncludeExclude {
    /// `all`, `*` or a list of column names.
    pub include: Option<Value>,
    #[serde(deserialize_with = "nullable")]
    pub exclude: Vec<String>,
}

impl IncludeExclude {
    pub fn includes(&self, column: &str) -> bool {
        let included = match &self.include {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => matches!(s.as_str(), "all" | "*"),
            Some(Value::Array(names)) => names.iter().any(|n| n.as_str() == Some(column)),
            Some(_) => false,
        };
        included && !self.exclude.iter().any(|e| e == column)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ColumnProps<'t> {
    #[serde(borrow)]
    pub name: Text<'t>,
    #[serde(borrow)]
    pub data_type: Option<Text<'t>>,
    #[serde(borrow)]
    pub description: Option<Text<'t>>,
    pub quote: Option<bool>,
    #[serde(deserialize_with = "nullable")]
    pub meta: Meta,
    pub tags: Tags,
    /// dbt ≥ 1.10 moves column `meta` and `tags` under `config`.
    #[serde(deserialize_with = "nullable")]
    pub config: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub constraints: Vec<ConstraintProps>,
    #[serde(deserialize_with = "nullable_some")]
    pub tests: Option<Vec<Spanned<Value>>>,
    #[serde(deserialize_with = "nullable_some")]
    pub data_tests: Option<Vec<Spanned<Value>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ConstraintProps {
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: Option<String>,
    pub name: Option<String>,
    pub to: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub to_columns: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub columns: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SourceProps<'t> {
    #[serde(borrow)]
    pub name: Text<'t>,
    #[serde(borrow)]
    pub description: Option<Text<'t>>,
    pub database: Option<String>,
    pub schema: Option<String>,
    /// Absent, `null` (no freshness) or a map; kept raw because the three mean different things.
    #[serde(deserialize_with = "present")]
    pub freshness: Option<Value>,
    #[serde(deserialize_with = "nullable")]
    pub config: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub meta: Meta,
    pub tags: Tags,
    #[serde(deserialize_with = "nullable", borrow)]
    pub tables: Vec<Spanned<TableProps<'t>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TableProps<'t> {
    #[serde(borrow)]
    pub name: Text<'t>,
    pub identifier: Option<String>,
    #[serde(borrow)]
    pub description: Option<Text<'t>>,
    #[serde(deserialize_with = "present")]
    pub freshness: Option<Value>,
    #[serde(deserialize_with = "nullable")]
    pub config: Map<String, Value>,
    #[serde(deserialize_with = "nullable")]
    pub meta: Meta,
    pub tags: Tags,
    #[serde(deserialize_with = "nullable", borrow)]
    pub columns: Vec<ColumnProps<'t>>,
    #[serde(deserialize_with = "nullable_some")]
    pub tests: Option<Vec<Spanned<Value>>>,
    #[serde(deserialize_with = "nullable_some")]
    pub data_tests: Option<Vec<Spanned<Value>>>,
}

/// A string borrowed from the YAML text when it can be: most names, types and descriptions.
/// Copying them all and freeing the copies took a fifth of the reader's time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Text<'t>(pub Cow<'t, str>);

impl Text<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// A description as the model keeps it: owned, and `None` when empty.
pub(crate) fn description(text: &Option<Text<'_>>) -> Option<String> {
    text.as_deref()
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de: 't, 't> Deserialize<'de> for Text<'t> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'t>, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Borrowed(s))
            }
            fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s))
            }
        }
        d.deserialize_str(TextVisitor).map(Text)
    }
}

/// dbt accepts `tags: one` as well as `tags: [one, two]`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tags(pub Vec<String>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tags, D::Error> {
        Ok(Tags(tags_of(&Value::deserialize(d)?)))
    }
}

/// Tags from a config value: a string, a list of strings, or nothing.
pub(crate) fn tags_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(scalar_string).collect(),
        _ => Vec::new(),
    }
}

/// A version identifier or other scalar dbt takes as a number or a string (`v: 2`, `v: "2"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        let value = Value::deserialize(d)?;
        scalar_string(&value)
            .map(Scalar)
            .ok_or_else(|| serde::de::Error::custom("expected a number or a string"))
    }
}

/// A YAML scalar as dbt would print it; `None` for null, lists and maps.
pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `key:` with no value is `null` in YAML; dbt treats it as the empty default.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Like [`nullable`], but keeps "given" apart from "absent" (the field's default).
fn nullable_some<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
}

/// `Some(Value::Null)` for an explicit `null`, `None` (the field's default) when absent.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dbt::project::error::parse_yaml;

    #[test]
    fn reads_loose_shapes() {
        let text = "\
models:
  - name: orders
    tags: nightly
    columns:
    versions:
      - v: 2
        columns:
          - include: all
            exclude: [b]
          - name: c
      - v: '1'
        data_tests: []
sources:
  - name: raw
    freshness:
    tables:
      - name: t
        freshness: {warn_after: {count: 1, period: day}}
      - name: u
";
        let file: PropertyFile = parse_yaml("p.yml", text, &mut Vec::new()).unwrap();
        let m = &file.models[0].value;
        assert_eq!(m.name.as_str(), "orders");
        assert_eq!(file.models[0].referenced.line(), 2);
        assert_eq!(m.tags.0, ["nightly"]);
        assert!(m.columns.is_empty() && given_tests(&m.tests, &m.data_tests).is_none());
        let v2 = &m.versions[0];
        assert_eq!(v2.v, Some(Scalar("2".into())));
        let VersionColumn::Select(sel) = &v2.columns[0] else {
            panic!("include/exclude expected")
        };
        assert!(sel.includes("a") && !sel.includes("b"));
        assert!(matches!(&v2.columns[1], VersionColumn::Column(c) if c.name.as_str() == "c"));
        let v1 = &m.versions[1];
        assert_eq!(
            given_tests(&v1.tests, &v1.data_tests).map(|t| t.len()),
            Some(0)
        );
        let s = &file.sources[0].value;
        assert_eq!(s.freshness, Some(Value::Null));
        assert!(
            s.tables[0]
                .value
                .freshness
                .as_ref()
                .is_some_and(Value::is_object)
        );
        assert_eq!(s.tables[1].value.freshness, None);
        // Names are borrowed from the text unless they had to be unescaped.
        assert!(matches!(m.name.0, Cow::Borrowed(_)));
        let numeric: PropertyFile =
            parse_yaml("n.yml", "models:\n  - name: 2024\n", &mut Vec::new()).unwrap();
        assert_eq!(numeric.models[0].value.name.as_str(), "2024");
    }
}
