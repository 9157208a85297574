//! Relation-level comparison and the walk over two projects.

use std::collections::{BTreeMap, BTreeSet};

use crate::contract::{Access, Materialization, Project, Relation};

use super::columns::{ColumnCtx, diff_columns, documentation_changes};
use super::emit::Emitter;
use super::finding::Finding;
use super::guarantees::{StrengthCtx, combined_unique, primary_key, relation_custom_tests};
use super::level::{Level, Strength};
use super::settings::Settings;

/// Raw findings of every relation pair (severities not yet finalised).
pub(crate) fn diff_projects(before: &Project, after: &Project, s: &Settings) -> Vec<Finding> {
    let keys: BTreeSet<&String> = before
        .relations
        .keys()
        .chain(after.relations.keys())
        .collect();
    let renamed = renamed_sources(before, after, s);
    let mut out = Vec::new();
    for key in keys {
        let (b, a) = match (before.get(key), after.get(key)) {
            // A source renamed in dbt but reading the same table is compared with its new
            // entry (under the after key), not reported as removed plus added.
            (Some(_), None) if renamed.contains_key(key.as_str()) => continue,
            (None, Some(a)) => match renamed.iter().find(|(_, new)| **new == key.as_str()) {
                Some((old, _)) => (before.get(old), Some(a)),
                None => (None, Some(a)),
            },
            pair => pair,
        };
        let em = diff_pair(b, a, before, s);
        out.extend(em.findings);
    }
    out.extend(latest_version_changes(before, after, s));
    out
}

/// Sources present on one side only that name the same physical table on both: old key → new
/// key. A source's identity is the relation it reads (`database.schema.identifier`), not its
/// name in dbt, so renaming `name:` while the table stays is no change for its readers. Only
/// sources with a schema and an identifier are paired, one to one.
fn renamed_sources<'p>(
    before: &'p Project,
    after: &'p Project,
    s: &Settings,
) -> BTreeMap<&'p str, &'p str> {
    let dialect = s.warehouse.dialect;
    let place = |r: &Relation| -> Option<[String; 3]> {
        if r.resource_type != crate::contract::ResourceType::Source {
            return None;
        }
        let fold = |part: &Option<String>| {
            let part = part.as_deref().filter(|p| !p.is_empty())?;
            Some(dialect.physical_name(part, false))
        };
        // No database means the target's, the same on both sides of one project's change.
        let database = fold(&r.database).unwrap_or_default();
        Some([database, fold(&r.schema)?, fold(&r.identifier)?])
    };
    let mut added: Vec<(&str, [String; 3])> = after
        .relations
        .iter()
        .filter(|(k, _)| !before.relations.contains_key(*k))
        .filter_map(|(k, r)| Some((k.as_str(), place(r)?)))
        .collect();
    let mut out = BTreeMap::new();
    for (key, r) in &before.relations {
        if after.relations.contains_key(key) {
            continue;
        }
        let Some(at) = place(r) else { continue };
        if let Some(i) = added.iter().position(|(_, p)| *p == at) {
            out.insert(key.as_str(), added.swap_remove(i).0);
        }
    }
    out
}

fn diff_pair<'a>(
    b: Option<&'a Relation>,
    a: Option<&'a Relation>,
    before: &Project,
    s: &Settings,
) -> Emitter<'a> {
    let mut em = Emitter::new(b, a);
    match (b, a) {
        // An ephemeral model has no relation in the warehouse: nothing outside dbt can read it.
        (Some(b), None) if b.materialized == Materialization::Ephemeral => {
            let what = format!("ephemeral model `{}` removed", b.key());
            em.emit(
                "ephemeral_model_removed",
                Strength::None,
                "",
                Some(b.key()),
                None,
                what,
            );
        }
        (Some(b), None) => {
            let (rule, what) = match b.deprecation_date {
                Some(d) if s.today >= d => (
                    "relation_removed_after_deprecation_date",
                    format!("`{}` removed (deprecated since {d})", b.key()),
                ),
                Some(d) => (
                    "relation_removed_before_deprecation_date",
                    format!("`{}` removed before its deprecation date {d}", b.key()),
                ),
                None => ("relation_removed", format!("`{}` removed", b.key())),
            };
            em.emit(rule, Strength::None, "", Some(b.key()), None, what);
        }
        (None, Some(a)) => {
            let other_version_existed = a.version.is_some()
                && before
                    .relations
                    .values()
                    .any(|r| r.name == a.name && r.version.is_some());
            if other_version_existed {
                em.emit(
                    "version_added",
                    Strength::None,
                    "",
                    None,
                    Some(a.key()),
                    format!(
                        "version {} of `{}` added",
                        a.version.as_deref().unwrap_or(""),
                        a.name
                    ),
                );
            } else {
                em.emit(
                    "relation_added",
                    Strength::None,
                    "",
                    None,
                    Some(a.key()),
                    format!("`{}` added", a.key()),
                );
            }
        }
        // Most relations are untouched by a change; equal contracts have nothing to report.
        (Some(b), Some(a)) if b == a => {}
        (Some(b), Some(a)) => {
            diff_relation(&mut em, b, a, s);
            super::docs::unread(&mut em, a);
        }
        (None, None) => {}
    }
    em
}

fn is_view_like(m: &Materialization) -> bool {
    matches!(m, Materialization::View | Materialization::MaterializedView)
}

pub(crate) fn diff_relation(em: &mut Emitter, b: &Relation, a: &Relation, s: &Settings) {
    super::docs::yaml_entries(em, b, a);
    super::docs::yaml_types(em, b, a);
    super::docs::output_unknown(em, a);
    let d = s.warehouse.dialect;
    let unenforced = s.policy.unenforced_constraints;
    let b_ctx = StrengthCtx::of(b, d, unenforced);
    let mut a_ctx = StrengthCtx::of(a, d, unenforced);

    // One finding per fact: a materialization or contract change subsumes the guarantee changes
    // it causes, so guarantees are then scored as if the old setting still held.
    if b.materialized != a.materialized {
        let (bm, am) = (
            Some(b.materialized.name().to_string()),
            Some(a.materialized.name().to_string()),
        );
        let what = format!(
            "materialized {} → {}",
            b.materialized.name(),
            a.materialized.name()
        );
        if a.materialized == Materialization::Ephemeral {
            em.emit(
                "materialization_to_ephemeral",
                Strength::None,
                "",
                bm,
                am,
                what,
            );
            return;
        }
        if b.materialized.enforces_constraints() && is_view_like(&a.materialized) {
            let had_enforced = b
                .columns
                .iter()
                .flat_map(|c| &c.constraints)
                .chain(&b.constraints)
                .next()
                .is_some()
                && b_ctx.enforcing;
            let rule = if had_enforced {
                "materialization_drops_constraints"
            } else {
                "materialization_changed"
            };
            let f = em.emit(rule, Strength::None, "", bm, am, what);
            if !had_enforced {
                f.fwd = Level::Warn;
            }
        } else {
            em.emit("materialization_changed", Strength::None, "", bm, am, what);
        }
        a_ctx.enforcing = b_ctx.enforcing;
    }
    if b.contract_enforced != a.contract_enforced {
        let (rule, what) = if a.contract_enforced {
            (
                "contract_enforcement_added",
                "contract enforcement turned on",
            )
        } else {
            (
                "contract_enforcement_removed",
                "contract enforcement turned off",
            )
        };
        em.emit(
            rule,
            Strength::None,
            "",
            Some(b.contract_enforced.to_string()),
            Some(a.contract_enforced.to_string()),
            what.to_string(),
        );
        a_ctx.enforcing = b_ctx.enforcing;
    }

    location(em, b, a, s);
    access(em, b, a);
    deprecation(em, b, a, s);
    freshness(em, b, a);
    relation_metadata(em, b, a);

    let (bpk, apk) = (primary_key(b, &b_ctx), primary_key(a, &a_ctx));
    let cx = ColumnCtx {
        warehouse: s.warehouse,
        before: b_ctx,
        after: a_ctx,
        pk_changed: false,
        today: s.today,
    };
    // Column mapping is needed to compare key columns across renames, so match columns first
    // with a throwaway emitter and keep the real pass for after the key is known.
    let mut probe = Emitter::new(Some(b), Some(a));
    let mapping = diff_columns(&mut probe, b, a, &cx);
    let map_cols = |cols: &[String]| -> Vec<String> {
        let mut v: Vec<String> = cols
            .iter()
            .map(|c| mapping.get(c).cloned().unwrap_or_else(|| c.clone()))
            .collect();
        v.sort();
        v
    };
    let pk_changed = match (&bpk, &apk) {
        (Some((bc, _)), Some((ac, _))) => map_cols(bc) != *ac,
        (None, None) => false,
        _ => true,
    };
    if pk_changed {
        let cx2 = ColumnCtx {
            pk_changed: true,
            ..cx
        };
        diff_columns(em, b, a, &cx2);
        primary_key_findings(em, b, a, &bpk, &apk, &cx2, &map_cols);
    } else {
        em.findings.extend(probe.findings);
        if let (Some((cols, bs)), Some((_, as_))) = (&bpk, &apk) {
            if as_ < bs {
                em.emit(
                    "guarantee_strength_decreased",
                    *bs,
                    &key_path(cols),
                    Some(bs.name().into()),
                    Some(as_.name().into()),
                    format!("primary key now {} (was {})", as_.name(), bs.name()),
                );
            } else if as_ > bs {
                em.emit(
                    "guarantee_strength_increased",
                    *as_,
                    &key_path(cols),
                    Some(bs.name().into()),
                    Some(as_.name().into()),
                    format!("primary key now {} (was {})", as_.name(), bs.name()),
                );
            }
        }
    }

    // Multi-column uniqueness and contract-tagged tests on the relation.
    let bu: BTreeMap<Vec<String>, Strength> = combined_unique(b, &b_ctx)
        .into_iter()
        .map(|(k, v)| (map_cols(&k), v))
        .collect();
    let au = combined_unique(a, &a_ctx);
    for (cols, bs) in &bu {
        let as_ = au.get(cols).copied().unwrap_or_default();
        em.strength_change(
            "",
            &format!("unique ({})", cols.join(", ")),
            *bs,
            as_,
            "unique_added",
            "unique_removed",
        );
    }
    for (cols, as_) in &au {
        if !bu.contains_key(cols) {
            em.strength_change(
                "",
                &format!("unique ({})", cols.join(", ")),
                Strength::None,
                *as_,
                "unique_added",
                "unique_removed",
            );
        }
    }
    let (bt, at) = (relation_custom_tests(b), relation_custom_tests(a));
    for name in bt.keys().chain(at.keys()).collect::<BTreeSet<_>>() {
        let (bs, as_) = (
            bt.get(name).copied().unwrap_or_default(),
            at.get(name).copied().unwrap_or_default(),
        );
        em.strength_change(
            "",
            &format!("test `{name}`"),
            bs,
            as_,
            "data_test_added",
            "data_test_removed",
        );
    }
}

fn key_path(cols: &[String]) -> String {
    if cols.len() == 1 {
        cols[0].clone()
    } else {
        String::new()
    }
}

fn primary_key_findings(
    em: &mut Emitter,
    b: &Relation,
    a: &Relation,
    bpk: &Option<(Vec<String>, Strength)>,
    apk: &Option<(Vec<String>, Strength)>,
    cx: &ColumnCtx,
    map_cols: &dyn Fn(&[String]) -> Vec<String>,
) {
    let show = |cols: &[String]| format!("({})", cols.join(", "));
    match (bpk, apk) {
        (None, Some((cols, s))) => {
            em.emit(
                "primary_key_added",
                *s,
                &key_path(cols),
                None,
                Some(show(cols)),
                format!("primary key {} added", show(cols)),
            );
        }
        (Some((cols, s)), None) => {
            // INFO when uniqueness and non-null survive at the same strength through other mechanisms.
            let kept = map_cols(cols).iter().all(|c| {
                let Some(ac) = a.column(c) else { return false };
                let p = super::guarantees::column_promises(a, ac, &cx.after, false);
                p.unique >= *s && p.not_null >= *s
            }) || {
                let combined = combined_unique(a, &cx.after);
                cols.len() > 1 && combined.get(&map_cols(cols)).is_some_and(|u| u >= s)
            };
            let f = em.emit(
                "primary_key_removed",
                *s,
                &key_path(cols),
                Some(show(cols)),
                None,
                format!("primary key {} removed", show(cols)),
            );
            if kept {
                f.fwd = Level::Info;
            }
        }
        (Some((bc, _)), Some((ac, _))) => {
            em.emit(
                "primary_key_changed",
                Strength::None,
                "",
                Some(show(bc)),
                Some(show(ac)),
                format!("primary key {} → {}", show(bc), show(ac)),
            );
        }
        (None, None) => {}
    }
    let _ = b;
}

fn location(em: &mut Emitter, b: &Relation, a: &Relation, s: &Settings) {
    let d = s.warehouse.dialect;
    let fold = |v: &Option<String>| v.as_deref().map(|x| d.physical_name(x, false));
    let moved = fold(&b.database) != fold(&a.database)
        || fold(&b.schema) != fold(&a.schema)
        || fold(&b.identifier) != fold(&a.identifier);
    if moved {
        let show = |r: &Relation| r.relation_name().unwrap_or_else(|| r.key());
        em.emit(
            "relation_location_changed",
            Strength::None,
            "",
            Some(show(b)),
            Some(show(a)),
            format!("`{}` moved from {} to {}", a.key(), show(b), show(a)),
        );
    }
}

fn access(em: &mut Emitter, b: &Relation, a: &Relation) {
    // dbt's default access is protected.
    let (ba, aa) = (
        b.access.unwrap_or(Access::Protected),
        a.access.unwrap_or(Access::Protected),
    );
    if aa < ba {
        em.emit(
            "access_narrowed",
            Strength::None,
            "",
            Some(ba.name().into()),
            Some(aa.name().into()),
            format!("access {} → {}", ba.name(), aa.name()),
        );
    } else if aa > ba {
        em.emit(
            "relation_metadata_changed",
            Strength::None,
            "",
            Some(ba.name().into()),
            Some(aa.name().into()),
            format!("access widened {} → {}", ba.name(), aa.name()),
        );
    }
}

fn deprecation(em: &mut Emitter, b: &Relation, a: &Relation, s: &Settings) {
    let show = |d: Option<crate::contract::Date>| d.map(|d| d.to_string());
    match (b.deprecation_date, a.deprecation_date) {
        (None, Some(d)) => {
            em.emit(
                "relation_deprecated",
                Strength::None,
                "",
                None,
                show(Some(d)),
                format!("deprecation date set to {d}"),
            );
        }
        (Some(d), None) => {
            em.emit(
                "relation_undeprecated",
                Strength::None,
                "",
                show(Some(d)),
                None,
                "deprecation date removed".into(),
            );
        }
        (Some(bd), Some(ad)) if ad < bd => {
            em.emit(
                "deprecation_date_moved_earlier",
                Strength::None,
                "",
                show(Some(bd)),
                show(Some(ad)),
                format!("deprecation date moved earlier, {bd} → {ad}"),
            );
        }
        (Some(bd), Some(ad)) if ad > bd => {
            em.emit(
                "relation_deprecated",
                Strength::None,
                "",
                show(Some(bd)),
                show(Some(ad)),
                format!("deprecation date moved later, {bd} → {ad}"),
            );
        }
        _ => {}
    }
    let min = i64::from(s.policy.min_deprecation_days);
    if let Some(ad) = a.deprecation_date
        && min > 0
        && b.deprecation_date != Some(ad)
        && s.today.days_until(ad) < min
    {
        em.emit(
            "deprecation_notice_too_short",
            Strength::None,
            "",
            None,
            show(Some(ad)),
            format!(
                "deprecation date {ad} is {} days away; the policy asks for {min}",
                s.today.days_until(ad)
            ),
        );
    }
}

fn freshness(em: &mut Emitter, b: &Relation, a: &Relation) {
    let (bf, af) = (
        b.freshness.unwrap_or_default(),
        a.freshness.unwrap_or_default(),
    );
    // A missing threshold is infinitely loose.
    let pairs = [
        (bf.warn_after_secs, af.warn_after_secs),
        (bf.error_after_secs, af.error_after_secs),
    ];
    let inf = |v: Option<u64>| v.unwrap_or(u64::MAX);
    let tightened = pairs.iter().any(|(x, y)| inf(*y) < inf(*x));
    let loosened = pairs.iter().any(|(x, y)| inf(*y) > inf(*x));
    let show = |f: crate::contract::Freshness| {
        let part = |name: &str, v: Option<u64>| v.map(|s| format!("{name} {}", human_secs(s)));
        let parts: Vec<String> = [
            part("warn_after", f.warn_after_secs),
            part("error_after", f.error_after_secs),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    };
    if tightened {
        em.emit(
            "freshness_tightened",
            Strength::None,
            "",
            Some(show(bf)),
            Some(show(af)),
            "freshness SLA tightened".into(),
        );
    }
    if loosened {
        em.emit(
            "freshness_loosened",
            Strength::None,
            "",
            Some(show(bf)),
            Some(show(af)),
            "freshness SLA loosened".into(),
        );
    }
}

fn human_secs(s: u64) -> String {
    if s.is_multiple_of(86_400) {
        format!("{}d", s / 86_400)
    } else if s.is_multiple_of(3_600) {
        format!("{}h", s / 3_600)
    } else {
        format!("{}m", s / 60)
    }
}

fn relation_metadata(em: &mut Emitter, b: &Relation, a: &Relation) {
    let mut changed = documentation_changes(
        (&b.description, &b.tags, &b.meta),
        (&a.description, &a.tags, &a.meta),
    );
    if b.group != a.group {
        changed.push("group");
    }
    if !changed.is_empty() {
        em.emit(
            "relation_metadata_changed",
            Strength::None,
            "",
            None,
            None,
            format!("{} changed", changed.join(", ")),
        );
    }
}

/// Rule 49: when `latest_version` moves, unpinned refs move with it, so the switch is as
/// breaking (forward) as the difference between the two versions.
fn latest_version_changes(before: &Project, after: &Project, s: &Settings) -> Vec<Finding> {
    let latest = |p: &Project| -> BTreeMap<String, String> {
        p.relations
            .values()
            .filter_map(|r| Some((r.name.clone(), r.latest_version.clone()?)))
            .collect()
    };
    let (bl, al) = (latest(before), latest(after));
    let mut out = Vec::new();
    for (name, bv) in &bl {
        let Some(av) = al.get(name).filter(|av| *av != bv) else {
            continue;
        };
        let (Some(old), Some(new)) = (
            before.get(&format!("{name}.v{bv}")),
            after.get(&format!("{name}.v{av}")),
        ) else {
            continue;
        };
        let mut probe = Emitter::new(Some(old), Some(new));
        diff_relation(&mut probe, old, new, s);
        let fwd = probe
            .findings
            .iter()
            .map(|f| f.fwd)
            .max()
            .unwrap_or(Level::Info);
        // The finding is about the model as a whole, not one version of it.
        let mut unversioned = new.clone();
        unversioned.version = None;
        let mut em = Emitter::new(None, Some(&unversioned));
        let f = em.emit(
            "latest_version_changed",
            Strength::None,
            "",
            Some(bv.clone()),
            Some(av.clone()),
            format!("latest_version of `{name}` {bv} → {av}"),
        );
        f.fwd = fwd;
        out.extend(em.findings);
    }
    out
}
