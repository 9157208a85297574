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
            ..
        }),
    ) = (&b.column_source, &a.column_source)
    else {
        return;
    };
    for name in undeclared_types {
        let was = a.columns.iter().find(|c| &c.name == name);
        let Some(t) = was.and_then(|c| c.data_type.clone()) else {
            continue;
        };
        em.emit(
            "column_docs_changed",
            Strength::None,
            name,
            Some(t.clone()),
            None,
            format!(
                "YAML no longer declares the type of `{name}` (`{t}`); its SQL and what it reads \
                 are unchanged, so its type is too"
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

/// `output_unresolved` when the new side's SQL no longer resolves while the old side's did:
/// both sides fall back to the YAML, which says nothing of what the SQL now outputs.
pub(crate) fn output_lost(em: &mut Emitter, a: &Relation) {
    if let Some(ColumnSource::Yaml { reason, lost: true }) = &a.column_source {
        em.emit(
            "output_unresolved",
            Strength::None,
            "",
            None,
            None,
            format!("its SQL resolved before this change and no longer does ({reason})"),
        );
    }
}
