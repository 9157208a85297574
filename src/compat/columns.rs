//! Column-level comparison: matching columns across a change (exact, declared rename, case),
//! then types (recursing into STRUCT/ARRAY/MAP), guarantees and metadata of each matched pair.

use std::collections::{BTreeMap, HashMap};

use crate::contract::types::{CanonType, TypeChange, canonicalize, compare, normalize_raw};
use crate::contract::{Column, Date, Relation, Warehouse};

use super::emit::Emitter;
use super::finding::{Confidence, Hint};
use super::guarantees::{StrengthCtx, column_promises};
use super::level::{Level, Strength};
use super::promises::diff_promises;

/// Everything column comparison needs besides the two relations.
pub(crate) struct ColumnCtx {
    pub warehouse: Warehouse,
    pub before: StrengthCtx,
    pub after: StrengthCtx,
    /// Leave primary-key implications out of unique/not-null (the key finding covers them).
    pub pk_changed: bool,
    pub today: Date,
}

/// How a before column was paired with an after column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pairing {
    Same,
    Renamed,
    Case { same_result_name: bool },
}

/// A column's identifier as the warehouse holds it: quoted as written, else folded.
fn spelt(d: crate::contract::Dialect, c: &Column) -> String {
    use crate::contract::Dialect;
    match (c.quote, d) {
        (true, Dialect::Bigquery | Dialect::Databricks) => format!("`{}`", c.name),
        (true, _) => format!("\"{}\"", c.name),
        (false, _) => d.physical_name(&c.name, false),
    }
}

/// Compares the columns of two relations; returns the before → after name mapping of matched pairs.
pub(crate) fn diff_columns(
    em: &mut Emitter,
    b: &Relation,
    a: &Relation,
    cx: &ColumnCtx,
) -> BTreeMap<String, String> {
    let d = cx.warehouse.dialect;
    let mut b_used = vec![false; b.columns.len()];
    let mut a_used = vec![false; a.columns.len()];
    let mut pairs: Vec<(usize, usize, Pairing)> = Vec::new();

    // Exact names. A changed quote flag can still make it another physical column (rule 11).
    let b_index: BTreeMap<&str, usize> = b
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    for (ai, ac) in a.columns.iter().enumerate() {
        if let Some(&bi) = b_index.get(ac.name.as_str()) {
            if b_used[bi] {
                continue;
            }
            let bc = &b.columns[bi];
            let same_physical =
                d.physical_name(&bc.name, bc.quote) == d.physical_name(&ac.name, ac.quote);
            pairs.push((
                bi,
                ai,
                if same_physical {
                    Pairing::Same
                } else {
                    Pairing::Renamed
                },
            ));
            b_used[bi] = true;
            a_used[ai] = true;
        }
    }
    // Declared renames (meta.tessera.renamed_from). Lookups go through indexes by name (the
    // first unused column of that name, as a scan would find): scanning per column made wide
    // relations quadratic.
    let by_name = FirstUnused::new(b.columns.iter().map(|c| c.name.clone()));
    for (ai, ac) in a.columns.iter().enumerate() {
        let Some(from) = ac.renamed_from.as_deref().filter(|_| !a_used[ai]) else {
            continue;
        };
        if let Some(bi) = by_name.find(from, &b_used) {
            pairs.push((bi, ai, Pairing::Renamed));
            b_used[bi] = true;
            a_used[ai] = true;
        }
    }
    // Case-only differences: the same column if the warehouse folds both to one identifier.
    let by_lower = FirstUnused::new(b.columns.iter().map(|c| c.name.to_lowercase()));
    for (ai, ac) in a.columns.iter().enumerate() {
        if a_used[ai] {
            continue;
        }
        if let Some(bi) = by_lower.find(&ac.name.to_lowercase(), &b_used) {
            let bc = &b.columns[bi];
            let pairing =
                if d.physical_name(&bc.name, bc.quote) == d.physical_name(&ac.name, ac.quote) {
                    Pairing::Case {
                        same_result_name: d.result_set_name(&bc.name, bc.quote)
                            == d.result_set_name(&ac.name, ac.quote),
                    }
                } else {
                    Pairing::Renamed
                };
            pairs.push((bi, ai, pairing));
            b_used[bi] = true;
            a_used[ai] = true;
        }
    }

    let mut mapping = BTreeMap::new();
    for &(bi, ai, pairing) in &pairs {
        let (bc, ac) = (&b.columns[bi], &a.columns[ai]);
        mapping.insert(bc.name.clone(), ac.name.clone());
        match pairing {
            Pairing::Same => {}
            Pairing::Renamed => {
                // Letters alike, quoting not: spelt as the warehouse holds each, so the reader
                // sees why they are two columns.
                let (from, to) = if bc.name.eq_ignore_ascii_case(&ac.name) {
                    (spelt(d, bc), spelt(d, ac))
                } else {
                    (bc.name.clone(), ac.name.clone())
                };
                em.emit(
                    "column_renamed",
                    Strength::None,
                    &ac.name,
                    Some(bc.name.clone()),
                    Some(ac.name.clone()),
                    format!("column `{from}` renamed to `{to}`"),
                );
            }
            Pairing::Case { same_result_name } => {
                let f = em.emit(
                    "column_case_changed",
                    Strength::None,
                    &ac.name,
                    Some(bc.name.clone()),
                    Some(ac.name.clone()),
                    format!("column `{}` is now spelt `{}`", bc.name, ac.name),
                );
                if !same_result_name {
                    f.fwd = Level::Warn;
                }
            }
        }
        diff_column_pair(em, b, bc, a, ac, cx);
    }

    // Removed and added columns.
    let removed: Vec<&Column> = b
        .columns
        .iter()
        .zip(&b_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c)
        .collect();
    let added: Vec<&Column> = a
        .columns
        .iter()
        .zip(&a_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c)
        .collect();
    for c in &removed {
        let (rule, what) = match c.deprecation_date {
            Some(date) if cx.today >= date => (
                "column_removed_after_deprecation_date",
                format!("column `{}` removed (deprecated since {date})", c.name),
            ),
            Some(date) => (
                "column_removed_before_deprecation_date",
                format!(
                    "column `{}` removed before its deprecation date {date}",
                    c.name
                ),
            ),
            None => ("column_removed", format!("column `{}` removed", c.name)),
        };
        em.emit(
            rule,
            Strength::None,
            &c.name,
            Some(describe_column(c)),
            None,
            what,
        );
    }
    for c in &added {
        let p = column_promises(a, c, &cx.after, true);
        let required = p.not_null > Strength::None && c.default.is_none();
        let (rule, strength) = if required {
            ("column_added_required", p.not_null)
        } else {
            ("column_added", Strength::None)
        };
        em.emit(
            rule,
            strength,
            &c.name,
            None,
            Some(describe_column(c)),
            format!("column `{}` added", c.name),
        );
    }
    rename_hints(em, b, &removed, a, &added, cx);

    // Order of the columns both sides have.
    let mut by_before = pairs.clone();
    by_before.sort_by_key(|p| p.0);
    if by_before.windows(2).any(|w| w[0].1 > w[1].1) {
        let order = |r: &Relation| {
            r.columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        em.emit(
            "column_reordered",
            Strength::None,
            "",
            Some(order(b)),
            Some(order(a)),
            "columns reordered".to_string(),
        );
    }
    mapping
}

fn describe_column(c: &Column) -> String {
    match &c.data_type {
        Some(t) => format!("{} {}", c.name, t),
        None => c.name.clone(),
    }
}

/// RULES.md §2.6 step 3: a 1:1 match of type and promises earns a hint, never a pass.
fn rename_hints(
    em: &mut Emitter,
    b: &Relation,
    removed: &[&Column],
    a: &Relation,
    added: &[&Column],
    cx: &ColumnCtx,
) {
    if removed.is_empty() || added.is_empty() {
        return;
    }
    let sig = |r: &Relation, c: &Column, ctx: &StrengthCtx| {
        let t = c
            .data_type
            .as_deref()
            .map(|t| canonicalize(t, &cx.warehouse));
        (t, column_promises(r, c, ctx, true).shape())
    };
    let rs: Vec<_> = removed.iter().map(|c| sig(b, c, &cx.before)).collect();
    let as_: Vec<_> = added.iter().map(|c| sig(a, c, &cx.after)).collect();
    // A hint needs a signature that exactly one removed and exactly one added column have:
    // counted once per signature, so this stays linear however many columns changed.
    let mut added_by_sig: HashMap<_, (usize, usize)> = HashMap::new();
    for (ai, s) in as_.iter().enumerate() {
        added_by_sig.entry(s).or_insert((0, ai)).0 += 1;
    }
    let mut removed_count: HashMap<_, usize> = HashMap::new();
    for s in &rs {
        *removed_count.entry(s).or_default() += 1;
    }
    let (b_pos, a_pos) = (first_positions(b), first_positions(a));
    let mut hints: HashMap<String, Vec<Hint>> = HashMap::new();
    for (ri, r) in removed.iter().enumerate() {
        let Some(&(1, ai)) = added_by_sig.get(&rs[ri]) else {
            continue;
        };
        if removed_count.get(&as_[ai]) != Some(&1) {
            continue;
        }
        let same_pos = b_pos.get(r.name.as_str()) == a_pos.get(added[ai].name.as_str());
        hints
            .entry(r.name.clone())
            .or_default()
            .push(Hint::PossibleRename {
                from: r.name.clone(),
                to: added[ai].name.clone(),
                confidence: if same_pos { "medium" } else { "low" }.to_string(),
            });
    }
    em.hint_removed(hints);
}

/// Each column name's first position, as `position` over the columns would find it.
fn first_positions(r: &Relation) -> HashMap<&str, usize> {
    let mut first = HashMap::new();
    for (i, c) in r.columns.iter().enumerate() {
        first.entry(c.name.as_str()).or_insert(i);
    }
    first
}

/// The first column of a name not yet paired, by an index of the name's positions.
struct FirstUnused {
    positions: HashMap<String, Vec<usize>>,
}

impl FirstUnused {
    fn new(names: impl Iterator<Item = String>) -> FirstUnused {
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, name) in names.enumerate() {
            positions.entry(name).or_default().push(i);
        }
        FirstUnused { positions }
    }

    fn find(&self, name: &str, used: &[bool]) -> Option<usize> {
        self.positions
            .get(name)?
            .iter()
            .copied()
            .find(|&i| !used[i])
    }
}

fn diff_column_pair(
    em: &mut Emitter,
    b: &Relation,
    bc: &Column,
    a: &Relation,
    ac: &Column,
    cx: &ColumnCtx,
) {
    let path = ac.name.as_str();
    match (&bc.data_type, &ac.data_type) {
        (Some(bt), Some(at)) if normalize_raw(bt) != normalize_raw(at) => {
            let (bct, act) = (
                canonicalize(bt, &cx.warehouse),
                canonicalize(at, &cx.warehouse),
            );
            diff_type(em, path, bt, &bct, at, &act);
        }
        (Some(bt), None) => {
            em.emit(
                "column_type_changed",
                Strength::None,
                path,
                Some(bt.clone()),
                None,
                format!("column `{path}` no longer declares a type"),
            )
            .confidence = Confidence::Low;
        }
        _ => {}
    }
    diff_promises(
        em,
        path,
        &column_promises(b, bc, &cx.before, !cx.pk_changed),
        &column_promises(a, ac, &cx.after, !cx.pk_changed),
    );
    diff_column_metadata(em, path, bc, ac);
}

fn diff_type(em: &mut Emitter, path: &str, braw: &str, bt: &CanonType, araw: &str, at: &CanonType) {
    match (bt, at) {
        (CanonType::Struct(bf), CanonType::Struct(af)) => {
            for (name, bty) in bf {
                let sub = format!("{path}.{name}");
                match af
                    .iter()
                    .find(|(n, _)| n == name)
                    .or_else(|| af.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
                {
                    Some((_, aty)) => {
                        diff_type(em, &sub, &bty.describe(), bty, &aty.describe(), aty)
                    }
                    None => {
                        em.emit(
                            "column_removed",
                            Strength::None,
                            &sub,
                            Some(bty.describe()),
                            None,
                            format!("field `{sub}` removed"),
                        );
                    }
                }
            }
            for (name, aty) in af {
                if !bf.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    let sub = format!("{path}.{name}");
                    em.emit(
                        "column_added",
                        Strength::None,
                        &sub,
                        None,
                        Some(aty.describe()),
                        format!("field `{sub}` added"),
                    );
                }
            }
        }
        (CanonType::Array(be), CanonType::Array(ae)) => diff_type(
            em,
            &format!("{path}[]"),
            &be.describe(),
            be,
            &ae.describe(),
            ae,
        ),
        (CanonType::Map(bk, bv), CanonType::Map(ak, av)) => {
            diff_type(
                em,
                &format!("{path}{{key}}"),
                &bk.describe(),
                bk,
                &ak.describe(),
                ak,
            );
            diff_type(
                em,
                &format!("{path}{{value}}"),
                &bv.describe(),
                bv,
                &av.describe(),
                av,
            );
        }
        _ => {
            let (before, after) = (Some(braw.to_string()), Some(araw.to_string()));
            let what = |verb: &str, dims: &[String]| {
                if dims.is_empty() {
                    format!("`{path}` {braw} → {araw} ({verb})")
                } else {
                    format!("`{path}` {braw} → {araw} ({verb}: {})", dims.join(", "))
                }
            };
            match compare(braw, bt, araw, at) {
                TypeChange::Equal => {}
                TypeChange::Alias => {
                    em.emit(
                        "column_type_alias_changed",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("same type", &[]),
                    );
                }
                TypeChange::Widened { dims } => {
                    em.emit(
                        "column_type_widened",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("widened", &dims),
                    );
                }
                TypeChange::Narrowed { dims } => {
                    em.emit(
                        "column_type_narrowed",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("narrowed", &dims),
                    );
                }
                TypeChange::WidenedAndNarrowed { widened, narrowed } => {
                    em.emit(
                        "column_type_widened",
                        Strength::None,
                        path,
                        before.clone(),
                        after.clone(),
                        what("widened", &widened),
                    );
                    em.emit(
                        "column_type_narrowed",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("narrowed", &narrowed),
                    );
                }
                TypeChange::Promoted => {
                    em.emit(
                        "column_type_promoted",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("promoted to another family", &[]),
                    );
                }
                TypeChange::WidenedLossy => {
                    em.emit(
                        "column_type_widened_lossy",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("lossy widening", &[]),
                    );
                }
                TypeChange::Changed { low_confidence } => {
                    let f = em.emit(
                        "column_type_changed",
                        Strength::None,
                        path,
                        before,
                        after,
                        what("changed", &[]),
                    );
                    if low_confidence {
                        f.confidence = Confidence::Low;
                    }
                }
            }
        }
    }
}

/// `meta.tessera` is Tessera's own control channel (ignores, renames), not documentation.
fn documented_meta(meta: &crate::contract::Meta) -> Vec<(&String, &serde_json::Value)> {
    meta.iter()
        .filter(|(k, _)| k.as_str() != "tessera")
        .collect()
}

/// Which documentation fields differ (description, tags, meta other than `meta.tessera`).
pub(crate) fn documentation_changes(
    (bd, bt, bm): (&Option<String>, &[String], &crate::contract::Meta),
    (ad, at, am): (&Option<String>, &[String], &crate::contract::Meta),
) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if bd != ad {
        changed.push("description");
    }
    if bt != at {
        changed.push("tags");
    }
    if documented_meta(bm) != documented_meta(am) {
        changed.push("meta");
    }
    changed
}

fn diff_column_metadata(em: &mut Emitter, path: &str, b: &Column, a: &Column) {
    let mut changed = documentation_changes(
        (&b.description, &b.tags, &b.meta),
        (&a.description, &a.tags, &a.meta),
    );
    if b.default != a.default {
        changed.push("default");
    }
    if b.deprecation_date != a.deprecation_date {
        changed.push("deprecation_date");
    }
    if !changed.is_empty() {
        em.emit(
            "column_metadata_changed",
            Strength::None,
            path,
            None,
            None,
            format!("`{path}`: {} changed", changed.join(", ")),
        );
    }
}
