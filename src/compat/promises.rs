//! The promises of a matched column pair (not-null, unique, keys, accepted values, …): each one
//! tightened, loosened or changed in strength.

use std::collections::BTreeSet;

use super::emit::Emitter;
use super::guarantees::Promises;
use super::level::Strength;

/// Every promise of a matched column pair. Tightening takes the new promise's strength,
/// loosening the old one's (RULES.md §2.3).
pub(super) fn diff_promises(em: &mut Emitter, path: &str, b: &Promises, a: &Promises) {
    em.strength_change(
        path,
        "not-null",
        b.not_null,
        a.not_null,
        "column_nullability_tightened",
        "column_nullability_loosened",
    );
    em.strength_change(
        path,
        "unique",
        b.unique,
        a.unique,
        "unique_added",
        "unique_removed",
    );

    // Checks: a changed expression is undecidable, so a 1:1 swap is `check_changed`.
    let (bk, ak): (BTreeSet<&String>, BTreeSet<&String>) =
        (b.checks.keys().collect(), a.checks.keys().collect());
    let gone: Vec<&&String> = bk.difference(&ak).collect();
    let new: Vec<&&String> = ak.difference(&bk).collect();
    if !gone.is_empty() && !new.is_empty() {
        em.emit(
            "check_changed",
            Strength::None,
            path,
            Some(join(&gone)),
            Some(join(&new)),
            format!("`{path}`: check expression changed"),
        );
    } else {
        for e in gone {
            em.strength_change(
                path,
                &format!("check `{e}`"),
                b.checks[*e],
                Strength::None,
                "check_added",
                "check_removed",
            );
        }
        for e in new {
            em.strength_change(
                path,
                &format!("check `{e}`"),
                Strength::None,
                a.checks[*e],
                "check_added",
                "check_removed",
            );
        }
    }
    for (e, bs) in &b.checks {
        if let Some(as_) = a.checks.get(e) {
            em.strength_change(
                path,
                &format!("check `{e}`"),
                *bs,
                *as_,
                "check_added",
                "check_removed",
            );
        }
    }

    match (&b.reference, &a.reference) {
        (None, Some(r)) => {
            let rule = if r.by_constraint {
                "foreign_key_added"
            } else {
                "relationships_added"
            };
            em.emit(
                rule,
                r.strength,
                path,
                None,
                Some(r.target.clone()),
                format!("`{path}` now references {}", r.target),
            );
        }
        (Some(r), None) => {
            let rule = if r.by_constraint {
                "foreign_key_removed"
            } else {
                "relationships_removed"
            };
            em.emit(
                rule,
                r.strength,
                path,
                Some(r.target.clone()),
                None,
                format!("`{path}` no longer references {}", r.target),
            );
        }
        (Some(br), Some(ar)) if br.target != ar.target => {
            em.emit(
                "relationships_target_changed",
                br.strength,
                path,
                Some(br.target.clone()),
                Some(ar.target.clone()),
                format!(
                    "`{path}` now references {} instead of {}",
                    ar.target, br.target
                ),
            );
        }
        (Some(br), Some(ar)) => em.strength_change(
            path,
            "reference",
            br.strength,
            ar.strength,
            "relationships_added",
            "relationships_removed",
        ),
        (None, None) => {}
    }

    match (&b.accepted, &a.accepted) {
        (None, Some((vals, s))) => {
            em.emit(
                "accepted_values_added",
                *s,
                path,
                None,
                Some(join_set(vals)),
                format!("`{path}`: accepted values restricted"),
            );
        }
        (Some((vals, s)), None) => {
            em.emit(
                "accepted_values_removed",
                *s,
                path,
                Some(join_set(vals)),
                None,
                format!("`{path}`: accepted values restriction removed"),
            );
        }
        (Some((bv, bs)), Some((av, as_))) => {
            let added: Vec<&String> = av.difference(bv).collect();
            let dropped: Vec<&String> = bv.difference(av).collect();
            if !added.is_empty() {
                em.emit(
                    "accepted_values_extended",
                    *bs,
                    path,
                    Some(join_set(bv)),
                    Some(join_set(av)),
                    format!("`{path}`: new accepted values {}", join(&added)),
                );
            }
            if !dropped.is_empty() {
                em.emit(
                    "accepted_values_narrowed",
                    *as_,
                    path,
                    Some(join_set(bv)),
                    Some(join_set(av)),
                    format!(
                        "`{path}`: accepted values {} no longer allowed",
                        join(&dropped)
                    ),
                );
            }
            if added.is_empty() && dropped.is_empty() {
                em.strength_change(
                    path,
                    "accepted values",
                    *bs,
                    *as_,
                    "accepted_values_added",
                    "accepted_values_removed",
                );
            }
        }
        (None, None) => {}
    }

    for (name, bs) in &b.custom {
        let as_ = a.custom.get(name).copied().unwrap_or_default();
        em.strength_change(
            path,
            &format!("test `{name}`"),
            *bs,
            as_,
            "data_test_added",
            "data_test_removed",
        );
    }
    for (name, as_) in &a.custom {
        if !b.custom.contains_key(name) {
            em.strength_change(
                path,
                &format!("test `{name}`"),
                Strength::None,
                *as_,
                "data_test_added",
                "data_test_removed",
            );
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_set(items: &BTreeSet<String>) -> String {
    items.iter().cloned().collect::<Vec<_>>().join(", ")
}
