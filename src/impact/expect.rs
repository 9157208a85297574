//! Consumer expectations: the type a consumer's own contract declares for a column, and the
//! freshness it needs. The engine cannot see either, which is why a widening is only WARN there
//! (RULES.md §2.5 row 14: "a typed downstream ... may overflow") and a looser SLA only WARN
//! (row 35: "escalate per consumer").

use crate::compat::Finding;
use crate::contract::types::{TypeChange, canonicalize, compare};
use crate::contract::{Dialect, Freshness, Project, Relation};

use super::{ConsumerUse, ImpactSettings};

/// Type rules whose new type may no longer fit a consumer's declared type. Narrowing is listed
/// too: a consumer that declares a type narrower than the new one fails its contract check
/// whichever way the producer moved.
const TYPE_RULES: &[&str] = &[
    "column_type_widened",
    "column_type_promoted",
    "column_type_widened_lossy",
    "column_type_changed",
    "column_type_narrowed",
];

const FRESHNESS_RULES: &[&str] = &["freshness_loosened", "freshness_tightened"];

/// Whether the finding's new state breaks something `c` declared it needs. `column` is the
/// finding's top-level column, folded.
pub(super) fn violated(
    f: &Finding,
    c: &ConsumerUse,
    column: Option<&str>,
    settings: &ImpactSettings,
    after: &Project,
) -> bool {
    if TYPE_RULES.contains(&f.rule) {
        let Some(col) = column else {
            return false;
        };
        type_violated(f, c, col, settings, after)
    } else if FRESHNESS_RULES.contains(&f.rule) {
        c.expects_freshness
            .is_some_and(|need| freshness_violated(need, after_relation(f, after)))
    } else {
        false
    }
}

fn type_violated(
    f: &Finding,
    c: &ConsumerUse,
    col: &str,
    settings: &ImpactSettings,
    after: &Project,
) -> bool {
    let dialect = settings.warehouse.dialect;
    let Some(expected) = c
        .expects_types
        .iter()
        .find(|(name, _)| dialect.physical_name(name.trim(), false) == col)
        .map(|(_, ty)| ty)
    else {
        return false;
    };
    let Some(actual) = after_type(f, col, dialect, after) else {
        // The new side declares no type the consumer could be checked against: fail closed.
        return true;
    };
    let wh = &settings.warehouse;
    let change = compare(
        &actual,
        &canonicalize(&actual, wh),
        expected,
        &canonicalize(expected, wh),
    );
    !matches!(
        change,
        TypeChange::Equal | TypeChange::Alias | TypeChange::Widened { .. }
    )
}

/// The new type of the whole top-level column: a nested finding (`payload.b`) is checked by
/// comparing the consumer's declared type of `payload` with the new type of `payload`.
fn after_type(f: &Finding, col: &str, dialect: Dialect, after: &Project) -> Option<String> {
    let from_project = after_relation(f, after).and_then(|r| {
        r.columns
            .iter()
            .find(|c| dialect.physical_name(&c.name, false) == col)
            .and_then(|c| c.data_type.clone())
    });
    // Without the column in `after`, a top-level finding still carries the new type as written.
    from_project.or_else(|| {
        let top_level = !f.path.contains(['.', '[', '{']);
        f.after.clone().filter(|_| top_level)
    })
}

fn after_relation<'a>(f: &Finding, after: &'a Project) -> Option<&'a Relation> {
    let key = match &f.version {
        Some(v) => format!("{}.v{v}", f.node),
        None => f.node.clone(),
    };
    after.get(&key)
}

/// A consumer's threshold is violated when the new SLA's same threshold is greater or missing
/// (no threshold = no alarm ever = infinitely stale). Thresholds the consumer leaves out are
/// ones it does not care about.
fn freshness_violated(need: Freshness, after: Option<&Relation>) -> bool {
    let have = after.and_then(|r| r.freshness).unwrap_or_default();
    [
        (need.warn_after_secs, have.warn_after_secs),
        (need.error_after_secs, have.error_after_secs),
    ]
    .into_iter()
    .any(|(need, have)| need.is_some_and(|n| have.is_none_or(|h| h > n)))
}
