//! Generic data tests (`resource_type: test` nodes with `test_metadata`) folded into the
//! relations and columns they test, so the differ sees a `not_null` test and a `not_null`
//! constraint side by side.

use std::collections::HashMap;

use serde_json::Value;

use super::Counts;
use super::raw::{RawKwargs, RawNode};
use super::refs::{self, Target};
use crate::contract::{DataTest, Relation, ResourceType, TestKind, TestSeverity};

pub(super) fn attach(relations: &mut [Relation], tests: Vec<RawNode>, counts: &mut Counts) {
    let mut by_uid: HashMap<&str, usize> = HashMap::with_capacity(relations.len());
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::with_capacity(relations.len());
    for (i, relation) in relations.iter().enumerate() {
        if let Some(uid) = &relation.unique_id {
            by_uid.insert(uid, i);
        }
        by_name.entry(&relation.name).or_default().push(i);
    }
    let index = Index {
        relations,
        by_uid,
        by_name,
    };
    let mut placed: Vec<(usize, Option<String>, DataTest)> = Vec::with_capacity(tests.len());
    for test in tests {
        match place(&index, test) {
            Some(found) => placed.push(found),
            None => counts.tests_unattached += 1,
        }
    }
    drop(index);

    for (i, column, test) in placed {
        let Some(relation) = relations.get_mut(i) else {
            counts.tests_unattached += 1;
            continue;
        };
        let target = match column {
            None => Some(&mut relation.tests),
            Some(name) => find_column(relation, &name)
                .and_then(|c| relation.columns.get_mut(c))
                .map(|c| &mut c.tests),
        };
        match target {
            Some(tests) => {
                tests.push(test);
                counts.tests_attached += 1;
            }
            None => counts.tests_unattached += 1,
        }
    }
    // The manifest's node order follows dbt's parse order, which is not stable between runs.
    // Equal tests are kept: two custom tests of one name differ in arguments Tessera does not
    // model, and removing one of them is still a change.
    for relation in relations.iter_mut() {
        relation.tests.sort();
        for column in &mut relation.columns {
            column.tests.sort();
        }
    }
}

struct Index<'a> {
    relations: &'a [Relation],
    by_uid: HashMap<&'a str, usize>,
    by_name: HashMap<&'a str, Vec<usize>>,
}

/// The relation index, column (for column tests) and test a test node describes.
fn place(index: &Index, test: RawNode) -> Option<(usize, Option<String>, DataTest)> {
    let RawNode {
        package_name,
        meta,
        config,
        depends_on,
        column_name,
        attached_node,
        test_metadata,
        arguments,
        ..
    } = test;
    let metadata = test_metadata.0?;
    let mut kwargs = metadata.kwargs.0.unwrap_or_default();
    if let Some(nested) = kwargs.arguments.0.take() {
        kwargs.fill_from(*nested);
    }
    if let Some(args) = metadata.arguments.0 {
        kwargs.fill_from(args);
    }
    if let Some(args) = arguments.0 {
        kwargs.fill_from(args);
    }
    let depends_on = depends_on.0.map(|d| d.nodes.0).unwrap_or_default();
    let target = resolve(
        index,
        attached_node.as_deref(),
        &kwargs,
        &depends_on,
        package_name.as_deref(),
    )?;

    let config = config.0.unwrap_or_default();
    let severity = match config.severity.as_deref() {
        Some(s) if s.trim().eq_ignore_ascii_case("warn") => TestSeverity::Warn,
        _ => TestSeverity::Error,
    };
    let contractual = [&config.meta.0, &meta.0].into_iter().any(|m| {
        m.get("tessera")
            .and_then(|t| t.get("contract"))
            .and_then(Value::as_bool)
            == Some(true)
    });
    let column = column_name.non_empty().or(kwargs.column_name.take());
    let name = metadata.name.non_empty().unwrap_or_default();
    let namespace = metadata.namespace.non_empty();
    let kind = test_kind(namespace.as_deref(), &name, kwargs);
    let column = match kind {
        TestKind::UniqueCombination { .. } => None,
        _ => column.filter(|c| !c.trim().is_empty()),
    };
    Some((
        target,
        column,
        DataTest {
            kind,
            severity,
            contractual,
        },
    ))
}

fn test_kind(namespace: Option<&str>, name: &str, kwargs: RawKwargs) -> TestKind {
    let namespace = namespace.filter(|n| *n != "dbt");
    match (namespace, name) {
        (None, "not_null") => TestKind::NotNull,
        (None, "unique") => TestKind::Unique,
        (None, "accepted_values") => TestKind::AcceptedValues {
            values: kwargs.values.0,
        },
        (None, "relationships") => TestKind::Relationships {
            to: kwargs
                .to
                .as_deref()
                .map(refs::relation_name)
                .unwrap_or_default(),
            field: kwargs.field.0.unwrap_or_default(),
        },
        (Some("dbt_utils"), "unique_combination_of_columns") => TestKind::UniqueCombination {
            columns: kwargs.combination_of_columns.0,
        },
        (Some(ns), _) => TestKind::Custom {
            name: format!("{ns}.{name}"),
        },
        (None, _) => TestKind::Custom {
            name: name.to_string(),
        },
    }
}

/// Which relation a test is about. `attached_node` says it outright (dbt 1.5+, models only).
/// Otherwise `depends_on` lists the tested node *and* the targets of `relationships` tests, in no
/// useful order, so the `model` argument (`get_where_subquery(ref('orders'))`) decides.
fn resolve(
    index: &Index,
    attached: Option<&str>,
    kwargs: &RawKwargs,
    depends_on: &[String],
    package: Option<&str>,
) -> Option<usize> {
    if let Some(attached) = attached.filter(|a| !a.is_empty()) {
        // Attached to a disabled node: nothing to attach to, and guessing would pick the
        // relationships target.
        return index.by_uid.get(attached).copied();
    }
    let deps: Vec<usize> = depends_on
        .iter()
        .filter_map(|uid| index.by_uid.get(uid.as_str()).copied())
        .collect();
    let Some(target) = kwargs.model.as_deref().and_then(refs::parse_target) else {
        return deps.first().copied();
    };
    let matches = |i: &usize| {
        index
            .relations
            .get(*i)
            .is_some_and(|r| is_target(r, &target))
    };
    if let Some(i) = deps.iter().copied().find(matches) {
        return Some(i);
    }
    let candidates: Vec<usize> = index
        .by_name
        .get(target.relation_name().as_str())
        .map(|v| v.iter().copied().filter(matches).collect())
        .unwrap_or_default();
    candidates
        .iter()
        .copied()
        .find(|&i| index.relations.get(i).and_then(|r| r.package.as_deref()) == package)
        .or(candidates.first().copied())
}

fn is_target(relation: &Relation, target: &Target) -> bool {
    match target {
        Target::Source { .. } => {
            relation.resource_type == ResourceType::Source
                && relation.name == target.relation_name()
        }
        Target::Ref {
            package,
            name,
            version,
        } => {
            relation.resource_type != ResourceType::Source
                && relation.name == *name
                && (package.is_none() || relation.package == *package)
                && match version {
                    Some(v) => relation.version.as_deref() == Some(v.as_str()),
                    // An unpinned ref means the latest version.
                    None => {
                        relation.version.is_none() || relation.version == relation.latest_version
                    }
                }
        }
    }
}

/// The column a test's `column_name` means: exact, then ignoring case, then without the quotes a
/// quoted column carries in test arguments.
fn find_column(relation: &Relation, name: &str) -> Option<usize> {
    let columns = &relation.columns;
    if let Some(i) = columns.iter().position(|c| c.name == name) {
        return Some(i);
    }
    if let Some(i) = columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name))
    {
        return Some(i);
    }
    let unquoted = name
        .trim()
        .trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']');
    (unquoted != name)
        .then(|| {
            columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(unquoted))
        })
        .flatten()
}
