//! Data tests as dbt writes them: `- unique`, `- accepted_values: {values: [...]}`, dbt ≥ 1.10's
//! `{arguments: {...}, config: {...}}`, or the `{name: ..., test_name: ...}` form. Only the tests
//! that express a guarantee are interpreted; any other becomes `Custom`.

use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use super::properties::scalar_string;
use super::sql::normalize_relation_ref;
use super::{DbtError, Src};
use crate::contract::{DataTest, TestKind, TestSeverity};

/// A parsed test and, for a model-level test, the column its `column_name` argument names.
#[derive(Debug, PartialEq)]
pub(crate) struct Parsed {
    pub test: DataTest,
    pub column: Option<String>,
}

const SHAPE_HELP: &str = "write a data test as `- not_null`, or as a map with the test name as \
    its only key: `- accepted_values: {arguments: {values: [a, b]}, config: {severity: warn}}`";

/// `Ok(None)` for a disabled test.
pub(crate) fn parse(
    entry: &Spanned<Value>,
    src: &Src<'_>,
    warnings: &mut Vec<String>,
) -> Result<Option<Parsed>, DbtError> {
    let bad = |message: &str| src.invalid(entry.referenced, message, SHAPE_HELP);
    let (name, body): (&str, Option<&Map<String, Value>>) = match &entry.value {
        Value::String(name) => (name, None),
        Value::Object(map) if map.contains_key("test_name") => match map["test_name"].as_str() {
            Some(name) => (name, Some(map)),
            None => return Err(bad("`test_name` must be the name of a test")),
        },
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((name, Value::Object(body))) => (name, Some(body)),
            Some((name, Value::Null)) => (name, None),
            _ => return Err(bad("a data test's settings must be a map")),
        },
        Value::Object(_) => {
            return Err(bad(
                "a data test map must have exactly one key, the test name (or a `test_name`)",
            ));
        }
        _ => return Err(bad("a data test must be a test name or a map")),
    };
    let test = Body::new(body);
    if test.setting("enabled").and_then(as_bool) == Some(false) {
        return Ok(None);
    }
    let severity = match test.setting("severity") {
        None => TestSeverity::Error,
        Some(v) => match v.as_str().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("warn") => TestSeverity::Warn,
            Some("error") => TestSeverity::Error,
            _ => {
                warnings.push(format!(
                    "{}: test `{name}` has severity {v}, read as `error`",
                    src.path
                ));
                TestSeverity::Error
            }
        },
    };
    let kind = kind(name, &test).unwrap_or_else(|missing| {
        warnings.push(format!(
            "{}: test `{name}` has no `{missing}`; it is kept as a custom test",
            src.path
        ));
        TestKind::Custom {
            name: name.to_string(),
        }
    });
    let contractual = matches!(kind, TestKind::Custom { .. }) && test.contractual();
    Ok(Some(Parsed {
        test: DataTest {
            kind,
            severity,
            contractual,
        },
        column: test.argument("column_name").and_then(scalar_string),
    }))
}

/// The interpreted kinds; `Err(argument)` when a built-in lacks the argument it needs.
fn kind(name: &str, test: &Body<'_>) -> Result<TestKind, &'static str> {
    let short = name.strip_prefix("dbt.").unwrap_or(name);
    Ok(match short {
        "not_null" => TestKind::NotNull,
        "unique" => TestKind::Unique,
        "accepted_values" => TestKind::AcceptedValues {
            values: test.strings("values").ok_or("values")?,
        },
        "relationships" => {
            let to = test.argument("to").and_then(Value::as_str).ok_or("to")?;
            let field = test
                .argument("field")
                .and_then(scalar_string)
                .ok_or("field")?;
            TestKind::Relationships {
                to: normalize_relation_ref(to),
                field,
            }
        }
        n if n.rsplit('.').next() == Some("unique_combination_of_columns") => {
            TestKind::UniqueCombination {
                columns: test
                    .strings("combination_of_columns")
                    .ok_or("combination_of_columns")?,
            }
        }
        _ => TestKind::Custom {
            name: name.to_string(),
        },
    })
}

/// A test's settings: `config:` and `arguments:` (dbt ≥ 1.10) or the older flat map.
struct Body<'a> {
    flat: Option<&'a Map<String, Value>>,
    config: Option<&'a Map<String, Value>>,
    arguments: Option<&'a Map<String, Value>>,
}

impl<'a> Body<'a> {
    fn new(flat: Option<&'a Map<String, Value>>) -> Body<'a> {
        let sub = |key| flat.and_then(|m| m.get(key)).and_then(Value::as_object);
        Body {
            flat,
            config: sub("config"),
            arguments: sub("arguments"),
        }
    }

    fn flat(&self, key: &str) -> Option<&'a Value> {
        self.flat.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    /// A config such as `severity` or `enabled`: `config:` wins over the flat form.
    fn setting(&self, key: &str) -> Option<&'a Value> {
        let configured = self
            .config
            .and_then(|m| m.get(key))
            .filter(|v| !v.is_null());
        configured.or_else(|| self.flat(key))
    }

    fn argument(&self, key: &str) -> Option<&'a Value> {
        let given = self
            .arguments
            .and_then(|m| m.get(key))
            .filter(|v| !v.is_null());
        given.or_else(|| self.flat(key))
    }

    fn strings(&self, key: &str) -> Option<Vec<String>> {
        let items = self.argument(key)?.as_array()?;
        Some(items.iter().filter_map(scalar_string).collect())
    }

    /// `meta: {tessera: {contract: true}}`, under `config:` or beside it.
    fn contractual(&self) -> bool {
        self.setting("meta")
            .and_then(|m| m.get("tessera"))
            .and_then(|t| t.get("contract"))
            .and_then(as_bool)
            .unwrap_or(false)
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dbt::project::error::parse_yaml;

    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Doc {
        tests: Vec<Spanned<Value>>,
    }

    fn parse_all(yaml: &str) -> (Result<Vec<Parsed>, DbtError>, Vec<String>) {
        let doc: Doc = parse_yaml("t.yml", yaml, &mut Vec::new()).unwrap();
        let src = Src {
            path: "t.yml",
            text: yaml,
        };
        let mut warnings = Vec::new();
        let mut out = Vec::new();
        for entry in &doc.tests {
            match parse(entry, &src, &mut warnings) {
                Ok(Some(p)) => out.push(p),
                Ok(None) => {}
                Err(e) => return (Err(e), warnings),
            }
        }
        (Ok(out), warnings)
    }

    fn kinds(yaml: &str) -> Vec<(TestKind, TestSeverity, bool)> {
        let (parsed, warnings) = parse_all(yaml);
        assert!(warnings.is_empty(), "{warnings:?}");
        let parsed = parsed.unwrap();
        parsed
            .into_iter()
            .map(|p| (p.test.kind, p.test.severity, p.test.contractual))
            .collect()
    }

    #[test]
    fn accepted_values_in_both_shapes() {
        let old = "tests:\n  - accepted_values:\n      values: [a, 1]\n      severity: warn\n";
        let new = "tests:\n  - accepted_values:\n      arguments: {values: [a, 1]}\n      config: {severity: WARN}\n";
        let expected = vec![(
            TestKind::AcceptedValues {
                values: vec!["a".into(), "1".into()],
            },
            TestSeverity::Warn,
            false,
        )];
        assert_eq!(kinds(old), expected);
        assert_eq!(kinds(new), expected);
    }

    #[test]
    fn relationships_targets_are_relation_keys() {
        let yaml = "tests:\n  - relationships: {to: ref('customers'), field: id}\n  \
                    - relationships:\n      arguments: {to: \"source('raw', 'people')\", field: id}\n";
        let got: Vec<TestKind> = kinds(yaml).into_iter().map(|k| k.0).collect();
        assert_eq!(
            got,
            [
                TestKind::Relationships {
                    to: "customers".into(),
                    field: "id".into()
                },
                TestKind::Relationships {
                    to: "raw.people".into(),
                    field: "id".into()
                },
            ]
        );
    }

    #[test]
    fn custom_disabled_and_named_tests() {
        let yaml = "tests:\n  - not_null\n  - unique: {config: {enabled: false}}\n  \
                    - dbt_expectations.expect_column_values_to_be_between:\n      min_value: 0\n      \
                    config: {meta: {tessera: {contract: true}}}\n  \
                    - my_check\n  - name: pk_unique\n    test_name: unique\n    severity: warn\n  \
                    - dbt_utils.unique_combination_of_columns: {combination_of_columns: [a, b]}\n";
        let got = kinds(yaml);
        let custom = |n: &str| TestKind::Custom { name: n.into() };
        assert_eq!(
            got,
            [
                (TestKind::NotNull, TestSeverity::Error, false),
                (
                    custom("dbt_expectations.expect_column_values_to_be_between"),
                    TestSeverity::Error,
                    true
                ),
                (custom("my_check"), TestSeverity::Error, false),
                (TestKind::Unique, TestSeverity::Warn, false),
                (
                    TestKind::UniqueCombination {
                        columns: vec!["a".into(), "b".into()]
                    },
                    TestSeverity::Error,
                    false
                ),
            ]
        );
    }

    #[test]
    fn model_level_tests_keep_their_column() {
        let (parsed, _) = parse_all("tests:\n  - not_null: {column_name: id}\n");
        assert_eq!(parsed.unwrap()[0].column.as_deref(), Some("id"));
    }

    #[test]
    fn wrong_shapes_point_at_the_entry() {
        let (parsed, _) = parse_all("tests:\n  - not_null\n  - {unique: {}, not_null: {}}\n");
        let err = parsed.err();
        assert!(
            matches!(&err, Some(DbtError::InvalidProperty(e)) if e.line == 3),
            "{err:?}"
        );
        let (parsed, warnings) = parse_all("tests:\n  - relationships: {field: id}\n");
        assert_eq!(
            parsed.unwrap()[0].test.kind,
            TestKind::Custom {
                name: "relationships".into()
            }
        );
        assert_eq!(warnings.len(), 1);
    }
}
