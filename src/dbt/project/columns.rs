//! Columns, constraints and the `meta.tessera` keys, from property-file shapes to the contract
//! model.

use serde_json::Value;

use super::data_tests;
use super::properties::{ColumnProps, ConstraintProps, description, scalar_string, tags_of};
use super::sql::normalize_relation_ref;
use super::{DbtError, Src};
use crate::contract::{Column, Constraint, ConstraintKind, Date, Meta};

pub(crate) fn column(
    props: &ColumnProps<'_>,
    src: &Src<'_>,
    warnings: &mut Vec<String>,
) -> Result<Column, DbtError> {
    let mut meta = props.meta.clone();
    if let Some(Value::Object(m)) = props.config.get("meta") {
        meta.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut tags = props.tags.0.clone();
    tags.extend(props.config.get("tags").map(tags_of).unwrap_or_default());
    let mut tests = Vec::new();
    for entry in props.data_tests.iter().chain(props.tests.iter()).flatten() {
        if let Some(parsed) = data_tests::parse(entry, src, warnings)? {
            tests.push(parsed.test);
        }
    }
    let tessera = TesseraMeta::of(&meta);
    let deprecation_date = tessera
        .str("deprecation_date")
        .and_then(|d| date(&d, src.path, &format!("column `{}`", props.name), warnings));
    Ok(Column {
        name: props.name.to_string(),
        data_type: props
            .data_type
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string),
        quote: props.quote.unwrap_or(false),
        default: tessera.str("default"),
        constraints: props.constraints.iter().map(constraint).collect(),
        tests,
        renamed_from: tessera.str("renamed_from"),
        deprecation_date,
        description: description(&props.description),
        tags: sorted(tags),
        ignore: tessera.list("ignore"),
        meta,
        ..Column::default()
    })
}

pub(crate) fn constraint(props: &ConstraintProps) -> Constraint {
    let expression = props.expression.as_deref().map(str::trim).unwrap_or("");
    let kind = match props.kind.trim().to_ascii_lowercase().as_str() {
        "not_null" => ConstraintKind::NotNull,
        "unique" => ConstraintKind::Unique,
        "primary_key" => ConstraintKind::PrimaryKey,
        "check" => ConstraintKind::Check {
            expression: expression.to_string(),
        },
        "foreign_key" => {
            let (to, field) = match &props.to {
                Some(to) => (normalize_relation_ref(to), props.to_columns.join(",")),
                // Before dbt 1.9 the target was SQL in `expression`: `customers (id)`.
                None => match expression.split_once('(') {
                    Some((to, rest)) => (
                        to.trim().to_string(),
                        rest.trim_end_matches(')').trim().to_string(),
                    ),
                    None => (expression.to_string(), String::new()),
                },
            };
            ConstraintKind::ForeignKey { to, field }
        }
        // The expression is part of what a custom constraint promises, so it stays in the name.
        other if expression.is_empty() => ConstraintKind::Other {
            name: other.to_string(),
        },
        other => ConstraintKind::Other {
            name: format!("{other}: {expression}"),
        },
    };
    Constraint {
        kind,
        columns: props.columns.clone(),
    }
}

/// The `meta.tessera` map of a model or column.
pub(crate) struct TesseraMeta<'a>(Option<&'a serde_json::Map<String, Value>>);

impl<'a> TesseraMeta<'a> {
    pub fn of(meta: &'a Meta) -> TesseraMeta<'a> {
        TesseraMeta(meta.get("tessera").and_then(Value::as_object))
    }

    pub fn str(&self, key: &str) -> Option<String> {
        self.0.and_then(|m| m.get(key)).and_then(scalar_string)
    }

    /// A list of strings, or a single string as a list of one.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .and_then(|m| m.get(key))
            .map(tags_of)
            .unwrap_or_default()
    }
}

/// The owner from `meta.tessera.owner`, else `meta.owner` (a name, or a map with `email` or
/// `name` as dbt group owners are written).
pub(crate) fn owner(meta: &Meta) -> Option<String> {
    if let Some(owner) = TesseraMeta::of(meta).str("owner") {
        return Some(owner);
    }
    match meta.get("owner")? {
        Value::Object(m) => ["email", "name"]
            .iter()
            .find_map(|k| m.get(*k).and_then(scalar_string)),
        other => scalar_string(other),
    }
}

pub(crate) fn date(text: &str, path: &str, what: &str, warnings: &mut Vec<String>) -> Option<Date> {
    match text.parse() {
        Ok(d) => Some(d),
        Err(e) => {
            warnings.push(format!("{path}: {what}: {e}; the date is ignored"));
            None
        }
    }
}

pub(crate) fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{DataTest, TestKind, TestSeverity};
    use crate::dbt::project::error::parse_yaml;

    fn columns(yaml: &str) -> (Vec<Column>, Vec<String>) {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Doc<'t> {
            #[serde(borrow)]
            columns: Vec<ColumnProps<'t>>,
        }
        let doc: Doc = parse_yaml("c.yml", yaml, &mut Vec::new()).unwrap();
        let src = Src {
            path: "c.yml",
            text: yaml,
        };
        let mut warnings = Vec::new();
        let cols = doc
            .columns
            .iter()
            .map(|c| column(c, &src, &mut warnings).unwrap())
            .collect();
        (cols, warnings)
    }

    #[test]
    fn reads_types_constraints_and_tessera_keys() {
        let yaml = r#"
columns:
  - name: customer_id
    data_type: number
    quote: true
    description: ""
    constraints:
      - type: not_null
      - type: check
        expression: "customer_id > 0"
      - type: foreign_key
        to: ref('customers')
        to_columns: [id]
      - type: foreign_key
        expression: "analytics.people (person_id)"
      - type: custom
        expression: "masking policy p"
    data_tests: [unique]
    tags: pii
    config:
      meta: {tessera: {renamed_from: cust_id, ignore: column_type_changed, default: 0, deprecation_date: 2026-09-01}}
"#;
        let (cols, warnings) = columns(yaml);
        assert!(warnings.is_empty(), "{warnings:?}");
        let c = &cols[0];
        assert_eq!(
            (c.data_type.as_deref(), c.quote, c.description.as_deref()),
            (Some("number"), true, None)
        );
        let kinds: Vec<&ConstraintKind> = c.constraints.iter().map(|k| &k.kind).collect();
        assert_eq!(
            kinds,
            [
                &ConstraintKind::NotNull,
                &ConstraintKind::Check {
                    expression: "customer_id > 0".into()
                },
                &ConstraintKind::ForeignKey {
                    to: "customers".into(),
                    field: "id".into()
                },
                &ConstraintKind::ForeignKey {
                    to: "analytics.people".into(),
                    field: "person_id".into()
                },
                &ConstraintKind::Other {
                    name: "custom: masking policy p".into()
                },
            ]
        );
        assert_eq!(
            c.tests,
            [DataTest {
                kind: TestKind::Unique,
                severity: TestSeverity::Error,
                contractual: false
            }]
        );
        assert_eq!(c.renamed_from.as_deref(), Some("cust_id"));
        assert_eq!(c.ignore, ["column_type_changed"]);
        assert_eq!(c.default.as_deref(), Some("0"));
        assert_eq!(
            c.deprecation_date.map(|d| d.to_string()).as_deref(),
            Some("2026-09-01")
        );
        assert_eq!(c.tags, ["pii"]);
    }

    #[test]
    fn bad_dates_warn() {
        let (cols, warnings) =
            columns("columns:\n  - name: a\n    meta: {tessera: {deprecation_date: soon}}\n");
        assert_eq!((cols[0].deprecation_date, warnings.len()), (None, 1));
    }

    #[test]
    fn owners() {
        let meta = |v: serde_json::Value| -> Meta { serde_json::from_value(v).unwrap() };
        assert_eq!(
            owner(&meta(serde_json::json!({"owner": "team-a"}))).as_deref(),
            Some("team-a")
        );
        assert_eq!(
            owner(&meta(
                serde_json::json!({"owner": "x", "tessera": {"owner": "team-b"}})
            ))
            .as_deref(),
            Some("team-b")
        );
        assert_eq!(
            owner(&meta(
                serde_json::json!({"owner": {"name": "Ana", "email": "ana@x.com"}})
            ))
            .as_deref(),
            Some("ana@x.com")
        );
        assert_eq!(owner(&Meta::new()), None);
    }
}
