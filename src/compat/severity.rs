//! Turns raw findings into final ones: policy and per-rule overrides, the relation's mode,
//! dbt's unversioned preset, inline ignores and waivers.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::contract::{Project, Relation, ResourceType};

use super::finding::Finding;
use super::level::Level;
use super::settings::{EnumExtension, Settings, glob};

/// Finalises findings in place; drops those whose rule is turned off in both directions.
pub(crate) fn finalize(
    findings: Vec<Finding>,
    before: &Project,
    after: &Project,
    s: &Settings,
) -> Vec<Finding> {
    let ignores = Ignores::of(&findings, before, after);
    findings
        .into_iter()
        .filter_map(|mut f| {
            let key = relation_key(&f);
            let (b, a) = (before.get(&key), after.get(&key));
            let rel = a.or(b);
            apply_policy(&mut f, s);
            if !apply_rule_override(&mut f, s) {
                return None;
            }
            f.mode = rel.map(|r| s.mode_for(r)).unwrap_or(s.default_mode);
            f.severity = f.mode.pick(f.fwd, f.bwd);
            let unversioned_model = rel.is_some_and(|r| {
                r.resource_type == ResourceType::Model
                    && r.version.is_none()
                    && r.latest_version.is_none()
            });
            if s.policy.unversioned_breaking == Level::Warn
                && unversioned_model
                && f.severity == Level::Err
            {
                f.severity = Level::Warn;
            }
            if both_ephemeral(b, a) {
                match a.and_then(|a| still_named(a, &f)) {
                    Some(models) => pasted_into(&mut f, models),
                    None => nobody_reads(&mut f),
                }
            }
            f.ignored = ignores.ignored(&f, b, a);
            f.waived_by = waiver_for(&f, s);
            Some(f)
        })
        .collect()
}

/// An ephemeral model has no relation in the warehouse (dbt inlines it into the models that
/// ref it), so its own changes break no reader; the models built from it are compared on their
/// own output, which carries the change. Turning a model ephemeral is not this: it is judged
/// as `materialization_to_ephemeral` on a side that was a table.
fn both_ephemeral(b: Option<&Relation>, a: Option<&Relation>) -> bool {
    use crate::contract::Materialization::Ephemeral;
    matches!((b, a), (Some(b), Some(a)) if b.materialized == Ephemeral && a.materialized == Ephemeral)
}

/// The models built from an ephemeral model that still name the finding's column, if any.
fn still_named<'r>(a: &'r Relation, f: &Finding) -> Option<&'r Vec<String>> {
    let column = f.path.split(['.', '[']).next().unwrap_or(&f.path);
    if column.is_empty() {
        return None;
    }
    a.inlined_readers.get(&column.to_lowercase())
}

fn pasted_into(f: &mut Finding, models: &[String]) {
    let names: Vec<String> = models.iter().map(|m| format!("`{m}`")).collect();
    end_sentence(&mut f.message);
    let (verb, fail) = match models.len() {
        1 => ("names", "it fails"),
        _ => ("name", "they fail"),
    };
    f.message.push_str(&format!(
        " The model is ephemeral, but dbt pastes it into {}, which still {verb} `{}`: {fail} \
         to build.",
        names.join(", "),
        f.path
    ));
}

fn end_sentence(message: &mut String) {
    if !message.trim_end().ends_with(['.', '!', '?']) {
        message.push('.');
    }
}

fn nobody_reads(f: &mut Finding) {
    end_sentence(&mut f.message);
    f.severity = Level::Info;
    f.fwd = Level::Info;
    f.bwd = Level::Info;
    f.message.push_str(
        " The model is ephemeral: nothing outside dbt reads it, and the models built from it \
         are compared on their own output.",
    );
}

fn relation_key(f: &Finding) -> String {
    match &f.version {
        Some(v) => format!("{}.v{v}", f.node),
        None => f.node.clone(),
    }
}

fn apply_policy(f: &mut Finding, s: &Settings) {
    match f.rule {
        "column_type_widened" => {
            if let Some(l) = s.policy.type_widening {
                f.fwd = l;
            }
        }
        "accepted_values_extended" if s.policy.enum_extension == EnumExtension::Strict => {
            f.fwd = Level::Err
        }
        "column_reordered" if s.policy.positional_consumers => {
            f.fwd = Level::Warn;
            f.bwd = Level::Warn;
        }
        _ => {}
    }
}

/// Returns false when the rule is off in both directions.
fn apply_rule_override(f: &mut Finding, s: &Settings) -> bool {
    let Some(o) = s.rules.get(f.rule) else {
        return true;
    };
    let mut live = 2;
    for (dir, slot) in [(&o.fwd, &mut f.fwd), (&o.bwd, &mut f.bwd)] {
        match dir {
            Some(Some(l)) => *slot = *l,
            Some(None) => {
                *slot = Level::Info;
                live -= 1;
            }
            None => {}
        }
    }
    live > 0
}

/// The inline ignores (`meta.tessera.ignore`) of the columns of relations that have findings,
/// indexed once: looking a column up by name in a relation is linear, and doing it per finding
/// made a relation with 80,000 changed columns quadratic.
struct Ignores<'a> {
    /// (relation key, column name) → the rules ignored on that column; only columns with some.
    columns: HashMap<(&'a str, &'a str), Vec<&'a [String]>>,
}

impl<'a> Ignores<'a> {
    fn of(findings: &[Finding], before: &'a Project, after: &'a Project) -> Ignores<'a> {
        let keys: BTreeSet<String> = findings.iter().map(relation_key).collect();
        let mut columns = HashMap::new();
        for key in &keys {
            for side in [before, after] {
                let Some((k, r)) = side.relations.get_key_value(key) else {
                    continue;
                };
                // The first column of a name on each side counts, as `Relation::column` finds it.
                let mut seen = HashSet::new();
                for c in &r.columns {
                    if seen.insert(c.name.as_str()) && !c.ignore.is_empty() {
                        columns
                            .entry((k.as_str(), c.name.as_str()))
                            .or_insert_with(Vec::new)
                            .push(c.ignore.as_slice());
                    }
                }
            }
        }
        Ignores { columns }
    }

    fn ignored(&self, f: &Finding, b: Option<&Relation>, a: Option<&Relation>) -> bool {
        let col = f.path.split(['.', '[', '{']).next().unwrap_or("");
        let key = relation_key(f);
        let on_column = !col.is_empty()
            && self
                .columns
                .get(&(key.as_str(), col))
                .is_some_and(|lists| lists.iter().any(|l| l.iter().any(|i| i == f.rule)));
        on_column
            || [b, a]
                .into_iter()
                .flatten()
                .any(|r| r.ignore.iter().any(|i| i == f.rule))
    }
}

fn waiver_for(f: &Finding, s: &Settings) -> Option<String> {
    let suffix = if f.path.is_empty() {
        String::new()
    } else {
        format!(".{}", f.path)
    };
    let mut targets = vec![f.display_path(), format!("{}{suffix}", f.asset)];
    if let Some(u) = &f.unique_id {
        targets.push(format!("{u}{suffix}"));
    }
    s.waivers
        .iter()
        .filter(|w| w.is_active(s.today))
        .find(|w| (w.rule == f.rule || w.rule == "*") && targets.iter().any(|t| glob(&w.target, t)))
        .map(|w| w.label())
}
