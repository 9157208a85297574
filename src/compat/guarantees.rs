//! One model for constraints and tests (RULES.md §2.3): every mechanism that expresses a promise
//! contributes a strength, and a promise is as strong as its strongest mechanism.

use std::collections::{BTreeMap, BTreeSet};

use crate::contract::{
    Column, ConstraintClass, ConstraintKind, Dialect, Relation, TestKind, TestSeverity,
};

use super::level::Strength;
use super::settings::UnenforcedConstraints;

/// What decides how strong a constraint is on one side of a change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StrengthCtx {
    pub dialect: Dialect,
    pub enforcing: bool,
    pub unenforced: UnenforcedConstraints,
}

impl StrengthCtx {
    pub fn of(r: &Relation, dialect: Dialect, unenforced: UnenforcedConstraints) -> StrengthCtx {
        StrengthCtx {
            dialect,
            enforcing: r.contract_enforced && r.materialized.enforces_constraints(),
            unenforced,
        }
    }

    pub fn constraint(&self, class: ConstraintClass) -> Strength {
        if self.enforcing && self.dialect.enforces(class) {
            Strength::Enforced
        } else {
            match self.unenforced {
                UnenforcedConstraints::Declared => Strength::Declared,
                UnenforcedConstraints::None => Strength::None,
            }
        }
    }
}

fn test_strength(sev: TestSeverity) -> Strength {
    match sev {
        TestSeverity::Error => Strength::Tested,
        TestSeverity::Warn => Strength::Declared,
    }
}

/// A promise about which column (or relation) a key points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub target: String,
    pub strength: Strength,
    /// Whether a foreign-key constraint (rather than only a relationships test) expresses it.
    pub by_constraint: bool,
}

/// Every promise one column makes, with its strength.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Promises {
    pub not_null: Strength,
    pub unique: Strength,
    /// Normalised check expression → strength.
    pub checks: BTreeMap<String, Strength>,
    pub reference: Option<Reference>,
    pub accepted: Option<(BTreeSet<String>, Strength)>,
    /// Contract-tagged custom tests by name.
    pub custom: BTreeMap<String, Strength>,
}

impl Promises {
    /// A comparable fingerprint for rename hints: which promises exist, not how strong.
    pub fn shape(&self) -> String {
        format!(
            "nn={} u={} c={:?} r={:?} a={:?} t={:?}",
            self.not_null > Strength::None,
            self.unique > Strength::None,
            self.checks.keys().collect::<Vec<_>>(),
            self.reference.as_ref().map(|r| &r.target),
            self.accepted.as_ref().map(|a| &a.0),
            self.custom.keys().collect::<Vec<_>>(),
        )
    }
}

/// Check expressions compare equal after folding case and whitespace (`amount>=0` = `AMOUNT >= 0`).
pub(crate) fn normalize_sql(expr: &str) -> String {
    expr.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The promises of one column. `with_pk` adds what a primary key implies (unique + not null);
/// the caller leaves it out when the key itself changed, so that one fact gives one finding.
pub(crate) fn column_promises(
    rel: &Relation,
    col: &Column,
    ctx: &StrengthCtx,
    with_pk: bool,
) -> Promises {
    let mut p = Promises::default();
    let mut constraints: Vec<&ConstraintKind> = col.constraints.iter().map(|c| &c.kind).collect();
    // Model-level constraints naming only this column act as column constraints.
    constraints.extend(
        rel.constraints
            .iter()
            .filter(|c| c.columns.len() == 1 && c.columns[0] == col.name)
            .map(|c| &c.kind),
    );
    for kind in constraints {
        match kind {
            ConstraintKind::NotNull => {
                p.not_null = p.not_null.max(ctx.constraint(ConstraintClass::NotNull))
            }
            ConstraintKind::Unique => {
                p.unique = p.unique.max(ctx.constraint(ConstraintClass::Unique))
            }
            ConstraintKind::PrimaryKey if with_pk => {
                let s = ctx.constraint(ConstraintClass::PrimaryKey);
                // Every platform enforces the NOT NULL part of a key, even where it ignores uniqueness.
                p.not_null = p
                    .not_null
                    .max(ctx.constraint(ConstraintClass::NotNull).max(s));
                p.unique = p.unique.max(s);
            }
            ConstraintKind::PrimaryKey => {}
            ConstraintKind::Check { expression } => {
                let s = ctx.constraint(ConstraintClass::Check);
                let e = p.checks.entry(normalize_sql(expression)).or_default();
                *e = (*e).max(s);
            }
            ConstraintKind::ForeignKey { to, field } => {
                let s = ctx.constraint(ConstraintClass::ForeignKey);
                merge_reference(&mut p.reference, format!("{to}.{field}"), s, true);
            }
            ConstraintKind::Other { .. } => {}
        }
    }
    for t in &col.tests {
        let s = test_strength(t.severity);
        match &t.kind {
            TestKind::NotNull => p.not_null = p.not_null.max(s),
            TestKind::Unique => p.unique = p.unique.max(s),
            TestKind::AcceptedValues { values } => {
                let set: BTreeSet<String> = values.iter().cloned().collect();
                match &p.accepted {
                    Some((_, old)) if *old >= s => {}
                    _ => p.accepted = Some((set, s)),
                }
            }
            TestKind::Relationships { to, field } => {
                merge_reference(&mut p.reference, format!("{to}.{field}"), s, false);
            }
            TestKind::UniqueCombination { .. } => {}
            TestKind::Custom { name } if t.contractual => {
                let e = p.custom.entry(name.clone()).or_default();
                *e = (*e).max(s);
            }
            TestKind::Custom { .. } => {}
        }
    }
    p
}

fn merge_reference(slot: &mut Option<Reference>, target: String, s: Strength, by_constraint: bool) {
    match slot {
        Some(r) if r.target == target => {
            r.strength = r.strength.max(s);
            r.by_constraint |= by_constraint;
        }
        Some(r) if r.strength >= s => {}
        _ => {
            *slot = Some(Reference {
                target,
                strength: s,
                by_constraint,
            })
        }
    }
}

/// The primary key of a relation: its columns (sorted) and strength, if it has one.
pub(crate) fn primary_key(rel: &Relation, ctx: &StrengthCtx) -> Option<(Vec<String>, Strength)> {
    let mut cols: BTreeSet<String> = rel
        .columns
        .iter()
        .filter(|c| c.has_constraint(|k| matches!(k, ConstraintKind::PrimaryKey)))
        .map(|c| c.name.clone())
        .collect();
    for c in &rel.constraints {
        if matches!(c.kind, ConstraintKind::PrimaryKey) {
            cols.extend(c.columns.iter().cloned());
        }
    }
    if cols.is_empty() {
        return None;
    }
    Some((
        cols.into_iter().collect(),
        ctx.constraint(ConstraintClass::PrimaryKey),
    ))
}

/// Multi-column uniqueness promises (model-level unique constraints and
/// `unique_combination_of_columns` tests): column set → strength.
pub(crate) fn combined_unique(
    rel: &Relation,
    ctx: &StrengthCtx,
) -> BTreeMap<Vec<String>, Strength> {
    let mut out: BTreeMap<Vec<String>, Strength> = BTreeMap::new();
    let mut add = |mut cols: Vec<String>, s: Strength| {
        cols.sort();
        let e = out.entry(cols).or_default();
        *e = (*e).max(s);
    };
    for c in &rel.constraints {
        if matches!(c.kind, ConstraintKind::Unique) && c.columns.len() > 1 {
            add(c.columns.clone(), ctx.constraint(ConstraintClass::Unique));
        }
    }
    for t in &rel.tests {
        if let TestKind::UniqueCombination { columns } = &t.kind {
            add(columns.clone(), test_strength(t.severity));
        }
    }
    out
}

/// Contract-tagged custom tests declared on the relation itself.
pub(crate) fn relation_custom_tests(rel: &Relation) -> BTreeMap<String, Strength> {
    let mut out = BTreeMap::new();
    for t in &rel.tests {
        if let TestKind::Custom { name } = &t.kind
            && t.contractual
        {
            let e: &mut Strength = out.entry(name.clone()).or_default();
            *e = (*e).max(test_strength(t.severity));
        }
    }
    out
}
