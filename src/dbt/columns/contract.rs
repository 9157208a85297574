//! The compared contract of a model: column names from its SQL when it resolves, everything
//! else (types, constraints, tests, docs) from its property YAML, types then from the SQL.
//! Without an enforced contract, an explicit cast in the SQL gives the type before the YAML.

use std::collections::BTreeMap;

use super::{Derived, OutputColumn};
use crate::contract::{Column, ColumnSource, Dialect, Origin, Project, Relation, ResourceType};

/// Joins each derived model's output with its YAML, in place.
pub fn apply(project: &mut Project, derived: &BTreeMap<String, Derived>, dialect: Dialect) {
    for (key, d) in derived {
        if let Some(r) = project.relations.get_mut(key) {
            join(r, d, dialect);
        }
    }
}

/// Like [`apply`] on both sides of a change. A model unresolved on the new side only is taken
/// from its YAML on both, so that a macro that stops resolving does not read as every column
/// changing; one unresolved on the old side only has its old YAML compared with what its SQL
/// outputs now, so that a column its YAML promised and its SQL no longer outputs is a break.
/// Either way, and whenever a model unresolved on both sides has changed inputs, the new side
/// says why its output is unknown ([`Relation::output_unknown`]). A column renamed in the SQL
/// (the same expression under another alias) is marked `renamed_from` on the new side, when
/// the YAML does not already say.
pub fn apply_pair(
    before: &mut Project,
    before_derived: &BTreeMap<String, Derived>,
    after: &mut Project,
    after_derived: &BTreeMap<String, Derived>,
    dialect: Dialect,
) {
    for (key, ad) in after_derived {
        let Some(bd) = before_derived.get(key) else {
            if let Some(r) = after.relations.get_mut(key) {
                join(r, ad, dialect);
            }
            continue;
        };
        let unknown = match (bd, ad) {
            (
                Derived::Resolved {
                    columns: bc,
                    inputs: bi,
                    ..
                },
                Derived::Resolved {
                    columns: ac,
                    inputs: ai,
                    ..
                },
            ) => {
                if let Some(r) = after.relations.get_mut(key) {
                    join(r, ad, dialect);
                    mark_renames(r, bc, ac);
                    if bi == ai
                        && let Some(b) = before.relations.get_mut(key)
                    {
                        join(b, bd, dialect);
                        keep_undeclared_types(b, r, dialect);
                    }
                }
                None
            }
            (Derived::Unresolved { reason, .. }, Derived::Resolved { .. }) => Some(format!(
                "its output could not be derived from its SQL before this change ({reason}); \
                 its YAML's columns stand for what it output then, compared with what its SQL \
                 outputs now"
            )),
            (Derived::Resolved { .. }, Derived::Unresolved { reason, .. }) => {
                if let Some(b) = before.relations.get_mut(key) {
                    join(b, ad, dialect);
                }
                if let Some(r) = after.relations.get_mut(key) {
                    join(r, ad, dialect);
                    if let Some(ColumnSource::Yaml { lost, .. }) = &mut r.column_source {
                        *lost = true;
                    }
                }
                Some(format!(
                    "its SQL resolved before this change and no longer does ({reason}); only \
                     its YAML was compared"
                ))
            }
            (
                Derived::Unresolved {
                    partial: Some(bp), ..
                },
                Derived::Unresolved {
                    reason,
                    partial: Some(ap),
                    ..
                },
            ) if bp.opaque == ap.opaque && bd.inputs() != ad.inputs() => {
                if let (Some(b), Some(a)) =
                    (before.relations.get_mut(key), after.relations.get_mut(key))
                {
                    join(b, bd, dialect);
                    join(a, ad, dialect);
                    compare_named(b, &bp.columns, a, &ap.columns);
                }
                Some(format!(
                    "its output columns cannot all be derived ({reason}), and its code or what \
                     it reads changed; its YAML was compared, with the columns its select names \
                     itself"
                ))
            }
            (Derived::Unresolved { .. }, Derived::Unresolved { reason, .. }) => {
                (bd.inputs() != ad.inputs()).then(|| {
                    format!(
                        "its output columns cannot be derived ({reason}), and its code or what \
                         it reads changed; only its YAML was compared"
                    )
                })
            }
        };
        if let Some(r) = after.relations.get_mut(key) {
            join(r, ad, dialect);
            if unknown.is_some() {
                r.output_unknown = unknown;
            }
        }
        if let Some(r) = before.relations.get_mut(key) {
            join(r, bd, dialect);
        }
    }
    for (key, bd) in before_derived {
        if !after_derived.contains_key(key)
            && let Some(r) = before.relations.get_mut(key)
        {
            join(r, bd, dialect);
        }
    }
}

/// An unresolved model whose Jinja is the same on both sides, over the same inputs, outputs
/// the same unexpanded columns on both: a column its select names itself on the old side only
/// is gone from its output, and one on the new side only is new. Both YAML-based sides are
/// corrected to say so.
fn compare_named(
    before: &mut Relation,
    before_named: &[OutputColumn],
    after: &mut Relation,
    after_named: &[OutputColumn],
) {
    let named = |list: &[OutputColumn], c: &OutputColumn| {
        list.iter().any(|x| {
            x.name == c.name || (!x.quoted && !c.quoted && same_column(&x.name, false, &c.name))
        })
    };
    let column = |c: &OutputColumn| Column {
        name: c.name.clone(),
        quote: c.quoted,
        data_type: c.data_type.clone(),
        origin: Some(Origin::Sql),
        type_origin: c.data_type.as_ref().map(|_| Origin::Sql),
        ..Column::default()
    };
    for gone in before_named.iter().filter(|c| !named(after_named, c)) {
        if !before
            .columns
            .iter()
            .any(|x| same_column(&gone.name, gone.quoted, &x.name))
        {
            before.columns.push(column(gone));
        }
        after
            .columns
            .retain(|x| !same_column(&gone.name, gone.quoted, &x.name));
    }
    for new in after_named.iter().filter(|c| !named(before_named, c)) {
        if !after
            .columns
            .iter()
            .any(|x| same_column(&new.name, new.quoted, &x.name))
        {
            after.columns.push(column(new));
        }
    }
    mark_renames(after, before_named, after_named);
}

/// YAML column entries of a resolved model that its SQL does not output: documentation that
/// misleads its readers.
pub fn documented_only(r: &Relation, dialect: Dialect) -> Vec<&str> {
    let names = |c: &Column, d: &str| {
        same_column(&c.name, c.quote, d)
            || dialect.physical_name(&c.name, c.quote) == dialect.physical_name(d, false)
    };
    match &r.column_source {
        Some(ColumnSource::Sql { documented, .. }) => documented
            .iter()
            .filter(|d| !r.columns.iter().any(|c| names(c, d)))
            .map(String::as_str)
            .collect(),
        _ => Vec::new(),
    }
}

fn join(r: &mut Relation, d: &Derived, dialect: Dialect) {
    let derived_kind = matches!(
        r.resource_type,
        ResourceType::Model | ResourceType::Snapshot
    );
    if !derived_kind || r.column_source.is_some() {
        return;
    }
    match d {
        Derived::Unresolved { reason, .. } => {
            for c in &mut r.columns {
                c.origin = Some(Origin::Yaml);
                if c.data_type.is_some() {
                    c.type_origin = Some(Origin::Yaml);
                }
            }
            r.column_source = Some(ColumnSource::Yaml {
                reason: reason.clone(),
                lost: false,
            });
        }
        Derived::Resolved {
            columns, unread, ..
        } => {
            r.unread = unread.clone();
            let mut yaml = std::mem::take(&mut r.columns);
            let documented: Vec<String> = yaml.iter().map(|c| c.name.clone()).collect();
            let mut yaml_types = BTreeMap::new();
            let mut out = Vec::with_capacity(columns.len());
            for oc in columns {
                let found = yaml
                    .iter()
                    .position(|c| same_physical(dialect, &oc.name, oc.quoted, c));
                let mut c = match found {
                    Some(i) => yaml.remove(i),
                    None => Column {
                        name: oc.name.clone(),
                        quote: oc.quoted,
                        ..Column::default()
                    },
                };
                c.origin = Some(Origin::Sql);
                // The SQL's spelling and quoting make the physical column, whatever the YAML
                // entry says (`{name: id}` documents Snowflake's `"ID"`).
                c.name.clone_from(&oc.name);
                c.quote = oc.quoted;
                // dbt applies `data_type` only under an enforced contract; otherwise the
                // table's column has whatever type the SQL's cast gives it.
                if let Some(t) = oc
                    .data_type
                    .as_ref()
                    .filter(|_| oc.cast && !r.contract_enforced)
                {
                    if let Some(declared) = c.data_type.replace(t.clone()) {
                        yaml_types.insert(c.name.clone(), declared);
                    }
                    c.type_origin = Some(Origin::Sql);
                } else if c.data_type.is_some() {
                    c.type_origin.get_or_insert(Origin::Yaml);
                } else if let Some(t) = &oc.data_type {
                    c.data_type = Some(t.clone());
                    c.type_origin = Some(Origin::Sql);
                }
                out.push(c);
            }
            r.columns = out;
            r.column_source = Some(ColumnSource::Sql {
                documented,
                undeclared_types: Vec::new(),
                yaml_types,
                redeclared_types: BTreeMap::new(),
            });
        }
    }
}

/// With the rendered SQL and everything it reads unchanged, the model's real column types are
/// unchanged too, so a type the base's YAML declared and the head's no longer declares, or
/// declares differently, is carried over to the head, and the declaration's change is recorded
/// as documentation. Not for an enforced contract on either side: dbt builds its table with the
/// declared types.
fn keep_undeclared_types(before: &Relation, after: &mut Relation, dialect: Dialect) {
    if before.contract_enforced || after.contract_enforced {
        return;
    }
    let mut carried = Vec::new();
    let mut redeclared = BTreeMap::new();
    for c in &mut after.columns {
        let declared = before
            .columns
            .iter()
            .find(|b| same_physical(dialect, &c.name, c.quote, b))
            .filter(|b| b.type_origin == Some(Origin::Yaml))
            .and_then(|b| b.data_type.clone());
        let Some(t) = declared else { continue };
        match (c.type_origin, c.data_type.as_deref()) {
            (Some(Origin::Yaml), Some(now)) if !now.trim().eq_ignore_ascii_case(t.trim()) => {
                redeclared.insert(c.name.clone(), now.to_string());
            }
            (Some(Origin::Yaml), _) => continue,
            _ => carried.push(c.name.clone()),
        }
        c.data_type = Some(t);
        c.type_origin = Some(Origin::Yaml);
    }
    if let Some(ColumnSource::Sql {
        undeclared_types,
        redeclared_types,
        ..
    }) = &mut after.column_source
    {
        *undeclared_types = carried;
        *redeclared_types = redeclared;
    }
}

/// An output column and a YAML entry (quoted when it says `quote: true`) name the column the
/// warehouse stores under one identifier: on Snowflake `"ID"` and `id` are one column and
/// `"amount"` and `amount` two; BigQuery ignores case even in backticks.
fn same_physical(dialect: Dialect, output: &str, quoted: bool, yaml: &Column) -> bool {
    dialect.physical_name(output, quoted) == dialect.physical_name(&yaml.name, yaml.quote)
}

/// An output column and a YAML entry name the same column: unquoted identifiers fold.
fn same_column(output: &str, quoted: bool, yaml: &str) -> bool {
    output == yaml || (!quoted && output.eq_ignore_ascii_case(yaml))
}

/// Only names that differ in more than case: `"ID"` → `id` is the same column or another one
/// depending on how the warehouse folds identifiers, which the comparison knows and decides.
fn mark_renames(r: &mut Relation, before: &[OutputColumn], after: &[OutputColumn]) {
    let gone: Vec<&OutputColumn> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.name.eq_ignore_ascii_case(&b.name)))
        .collect();
    let new: Vec<&OutputColumn> = after
        .iter()
        .filter(|a| !before.iter().any(|b| b.name.eq_ignore_ascii_case(&a.name)))
        .collect();
    for a in &new {
        let Some(expr) = a.expr.as_deref().filter(|e| names_a_column(e)) else {
            continue;
        };
        let from: Vec<&&OutputColumn> = gone
            .iter()
            .filter(|b| b.expr.as_deref() == Some(expr))
            .collect();
        let same_source = new
            .iter()
            .filter(|x| x.expr.as_deref() == Some(expr))
            .count();
        if let ([b], 1) = (from.as_slice(), same_source)
            && let Some(c) = r
                .columns
                .iter_mut()
                .find(|c| c.name.eq_ignore_ascii_case(&a.name))
            && c.renamed_from.is_none()
        {
            c.renamed_from = Some(b.name.clone());
        }
    }
}

/// Literals say nothing about where a value came from; `null as a` → `null as b` is no rename.
fn names_a_column(expr: &str) -> bool {
    let lower = expr.trim().to_ascii_lowercase();
    let first = lower.chars().next();
    first.is_some_and(|c| c.is_alphabetic() || c == '_' || c == '"' || c == '`')
        && !matches!(lower.as_str(), "null" | "true" | "false")
}
