//! Where a model's compared columns came from. YAML column entries of a model whose columns
//! come from its SQL are documentation, so adding, removing or renaming one is reported as
//! such, never as a break; a model whose SQL stopped resolving is reported as unknown.

use std::collections::BTreeMap;

use crate::contract::types::normalize_raw;
use crate::contract::{ColumnSource, Origin, Relation};

use super::emit::Emitter;
use super::level::Strength;

/// One `column_docs_changed` finding per YAML entry that appeared or disappeared, when both
/// sides' columns came from their SQL.
pub(crate) fn yaml_entries(em: &mut Emitter, b: &Relation, a: &Relation) {
    let (
        Some(ColumnSource::Sql { documented: bd, .. }),
        Some(ColumnSource::Sql {
            documented: ad,
            undeclared_types,
            redeclared_types,
            ..
        }),
    ) = (&b.column_source, &a.column_source)
    else {
        return;
    };
    // The column kept the type it had; the YAML's declaration alone changed.
    let dropped = undeclared_types.iter().map(|n| (n, None));
    let changed = redeclared_types.iter().map(|(n, now)| (n, Some(now)));
    for (name, now) in dropped.chain(changed) {
        let was = a.columns.iter().find(|c| &c.name == name);
        let Some(t) = was.and_then(|c| c.data_type.clone()) else {
            continue;
        };
        let what = match now {
            None => format!("YAML no longer declares the type of `{name}` (`{t}`)"),
            Some(now) => format!("YAML's `data_type` of `{name}` changed `{t}` → `{now}`"),
        };
        em.emit(
            "column_docs_changed",
            Strength::None,
            name,
            Some(t.clone()),
            now.cloned(),
            format!(
                "{what}; its SQL and what it reads are unchanged, and no enforced contract \
                 applies the declaration, so its type is too"
            ),
        );
    }
    let outputs = |r: &Relation, name: &str| {
        r.columns
            .iter()
            .any(|c| c.name == name || (!c.quote && c.name.eq_ignore_ascii_case(name)))
    };
    let listed = |list: &[String], name: &str| list.iter().any(|n| n.eq_ignore_ascii_case(name));
    for name in bd.iter().filter(|n| !listed(ad, n)) {
        let what = if outputs(a, name) {
            format!("YAML entry for `{name}` removed; the SQL still outputs `{name}`")
        } else if outputs(b, name) {
            // The column itself went away: `column_removed` says so.
            continue;
        } else {
            format!("YAML entry for `{name}`, a column the SQL never output, removed")
        };
        em.emit(
            "column_docs_changed",
            Strength::None,
            name,
            Some(name.clone()),
            None,
            what,
        );
    }
    for name in ad.iter().filter(|n| !listed(bd, n)) {
        let what = if outputs(a, name) {
            format!("YAML entry for `{name}` added; the SQL already outputs `{name}`")
        } else {
            format!("YAML entry for `{name}` added, but the SQL does not output `{name}`")
        };
        if outputs(a, name) && !outputs(b, name) {
            // A new column: `column_added` says so.
            continue;
        }
        em.emit(
            "column_docs_changed",
            Strength::None,
            name,
            None,
            Some(name.clone()),
            what,
        );
    }
}

/// One `column_docs_changed` finding per column whose YAML `data_type` changed while its type
/// is an explicit cast in the SQL on both sides (no enforced contract): dbt builds the table
/// from the cast, so the declaration is documentation. A change of the cast itself is a type
/// change, reported by the column comparison.
pub(crate) fn yaml_types(em: &mut Emitter, b: &Relation, a: &Relation) {
    let (
        Some(ColumnSource::Sql { yaml_types: bt, .. }),
        Some(ColumnSource::Sql { yaml_types: at, .. }),
    ) = (&b.column_source, &a.column_source)
    else {
        return;
    };
    let cast = |r: &Relation, name: &str| {
        r.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .filter(|c| c.type_origin == Some(Origin::Sql))
            .and_then(|c| c.data_type.as_deref().map(normalize_raw))
    };
    let declared = |types: &BTreeMap<String, String>, name: &str| {
        types
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, t)| t.clone())
    };
    for c in &a.columns {
        let name = c.name.as_str();
        let Some(sql_type) = cast(a, name).filter(|t| cast(b, name).as_ref() == Some(t)) else {
            continue;
        };
        let (was, now) = (declared(bt, name), declared(at, name));
        if was.as_deref().map(normalize_raw) == now.as_deref().map(normalize_raw) {
            continue;
        }
        let what = match (&was, &now) {
            (Some(w), Some(n)) => format!("YAML's `data_type` of `{name}` changed `{w}` → `{n}`"),
            (None, Some(n)) => format!("YAML now declares `{name}` as `{n}`"),
            (Some(w), None) => format!("YAML no longer declares `{name}` as `{w}`"),
            (None, None) => continue,
        };
        em.emit(
            "column_docs_changed",
            Strength::None,
            name,
            was.clone(),
            now.clone(),
            format!(
                "{what}; its SQL casts it to `{sql_type}`, the type the table gets (no enforced \
                 contract, so dbt does not apply `data_type`)"
            ),
        );
    }
}

/// `output_unresolved` when the model's output could not be derived from its SQL on a side of a
/// change that reaches it (its SQL, a macro or what it reads changed): what it outputs is
/// unknown there, and only what its YAML says was compared.
pub(crate) fn output_unknown(em: &mut Emitter, a: &Relation) {
    if let Some(why) = &a.output_unknown {
        em.emit(
            "output_unresolved",
            Strength::None,
            "",
            None,
            None,
            why.clone(),
        );
    }
}

/// A column the new side's SQL still selects from a relation that no longer outputs it is gone
/// from its output (`column_removed`); the finding says why, since the model itself now fails
/// to build.
pub(crate) fn unread(em: &mut Emitter, a: &Relation) {
    for (column, reads) in &a.unread {
        let found = em.findings.iter_mut().find(|f| {
            (f.rule == "column_removed" && f.path == *column)
                || (f.rule == "column_renamed" && f.before.as_deref() == Some(column.as_str()))
        });
        if let Some(f) = found {
            f.message = format!(
                "column `{column}` {reads}, which no longer outputs it: the warehouse refuses \
                 this model (dbt fails to build it), and readers of `{column}` lose it"
            );
        }
    }
}
