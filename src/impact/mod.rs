//! Findings x consumers: who each finding hurts, and what that does to its severity.
//!
//! The engine judges a change against the contract alone, so it must assume every column has a
//! reader. Registered consumers say which columns they read and what they expect of them; this
//! step uses that to name the impacted teams, to relax reader-side breaks nobody known reads, and
//! to escalate changes that break a consumer's own declared expectations (RULES.md §0 item 7).
//!
//! Pure: plain data in, plain data out. The caller loads consumers from the store; it should only
//! call [`apply`] when the registry was actually consulted, because an empty consumer list here
//! means "nobody is known to read this", not "we could not ask".

mod expect;
mod matching;
pub mod proposal;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::compat::{Finding, Level, Mode, Report};
use crate::contract::{Freshness, Project, Warehouse};

use matching::{AssetNames, top_column};

/// One consumer team's registered use of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerUse {
    pub team: String,
    /// As the consumer named it: dbt node name (`orders`, `raw.orders`, `orders.v2`) or relation
    /// name (`db.schema.table`).
    pub asset: String,
    /// `None` = every column (select *, unparsed SQL, or undeclared).
    pub columns: Option<Vec<String>>,
    /// Column -> type the consumer's own contract declares.
    pub expects_types: BTreeMap<String, String>,
    pub expects_freshness: Option<Freshness>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImpactSettings {
    /// The registry lists every reader (no unregistered BI tools or notebooks), so "no registered
    /// consumer uses it" means "nobody uses it".
    pub authoritative: bool,
    pub warehouse: Warehouse,
    /// Relation keys (`orders`, `orders.v2`) whose readers cannot be known: where the relation
    /// lands is unknown, or its project never synced. An empty consumer list says nothing about
    /// them, so their breaks are never lowered.
    pub unplaced: BTreeSet<String>,
}

/// Fills `impacted` on every finding and adjusts severities of the findings that count; returns
/// a new report (verdict recomputed). `after` is the new side of the change: it holds the column
/// types and freshness SLA that consumer expectations are checked against.
///
/// A finding that is ERR on the reader side and that no consumer of its asset uses becomes WARN
/// (INFO with an authoritative registry), also when no consumer is registered for the asset at
/// all: that is the same situation, nobody known reads it. Not for an unplaced relation
/// ([`ImpactSettings::unplaced`]): nobody is known to read it because nobody could look. A
/// finding that violates a using consumer's declared type or freshness becomes ERR.
pub fn apply(
    report: Report,
    consumers: &[ConsumerUse],
    settings: &ImpactSettings,
    after: &Project,
) -> Report {
    let folded: Vec<String> = consumers
        .iter()
        .map(|c| AssetNames::fold(settings.warehouse.dialect, &c.asset))
        .collect();
    let findings = report
        .findings
        .into_iter()
        .map(|f| assess(f, consumers, &folded, settings, after))
        .collect();
    Report::new(findings)
}

fn assess(
    mut f: Finding,
    consumers: &[ConsumerUse],
    folded_assets: &[String],
    settings: &ImpactSettings,
    after: &Project,
) -> Finding {
    let dialect = settings.warehouse.dialect;
    let names = AssetNames::of(&f, dialect);
    let column = top_column(&f.path).map(|c| dialect.physical_name(c, false));
    // A declared rename hurts the readers of the old name, who are the ones whose queries fail.
    let renamed_from = (f.rule == "column_renamed")
        .then_some(f.before.as_deref())
        .flatten()
        .map(|c| dialect.physical_name(c, false));
    let readers_of_old: BTreeSet<&str> = consumers
        .iter()
        .zip(folded_assets)
        .filter(|(_, asset)| names.matches(asset))
        .filter(|(c, _)| {
            renamed_from
                .as_deref()
                .is_some_and(|old| c.columns.is_some() && matching::reads_column(c, old, dialect))
        })
        .map(|(c, _)| c.team.as_str())
        .collect();
    let users: Vec<&ConsumerUse> = consumers
        .iter()
        .zip(folded_assets)
        .filter(|(_, asset)| names.matches(asset))
        .map(|(c, _)| c)
        .filter(|c| match &column {
            None => true,
            Some(col) => {
                matching::reads_column(c, col, dialect) || readers_of_old.contains(c.team.as_str())
            }
        })
        .collect();
    if let (Some(old), Some(new)) = (&f.before, &f.after)
        && !readers_of_old.is_empty()
    {
        let text = format!(
            "{} read{} `{old}`, renamed to `{new}`",
            teams(&readers_of_old),
            if readers_of_old.len() == 1 { "s" } else { "" }
        );
        note(&mut f, text);
    }
    f.impacted = users
        .iter()
        .map(|c| c.team.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    // A waiver or an ignore is the producer's word. It settles a break nobody registered reads,
    // but it cannot answer for a consumer that reads what changed: that break goes back to the
    // consumer, who acknowledges it like any other.
    if !f.counts() {
        if !users.is_empty() && f.severity == Level::Err {
            let by = match &f.waived_by {
                Some(w) => format!("waived by the producer ({w})"),
                None => "ignored by the producer".to_string(),
            };
            let who = teams(&users.iter().map(|c| c.team.as_str()).collect());
            note(
                &mut f,
                format!("{by}; consumer not asked: {who} read it and must acknowledge"),
            );
            f.overruled_waiver = Some(by);
            f.waived_by = None;
            f.ignored = false;
        }
        return f;
    }

    let broken_for: BTreeSet<&str> = users
        .iter()
        .filter(|c| expect::violated(&f, c, column.as_deref(), settings, after))
        .map(|c| c.team.as_str())
        .collect();
    if !broken_for.is_empty() && judges_readers(f.mode) {
        if f.severity != Level::Err {
            let text = format!(
                "raised from {} to ERR: breaks what {} declare{} in their own contract",
                f.severity,
                teams(&broken_for),
                if broken_for.len() == 1 { "s" } else { "" }
            );
            note(&mut f, text);
            f.severity = Level::Err;
        }
    } else if f.severity == Level::Err && users.is_empty() && unplaced(&f, settings) {
        note(
            &mut f,
            "kept at ERR: where this relation lands is unknown, so no reader can be ruled out"
                .to_string(),
        );
    } else if f.severity == Level::Err && users.is_empty() {
        let reader_side = if settings.authoritative {
            Level::Info
        } else {
            Level::Warn
        };
        // A backward-side ERR is about stored rows and loaders, which no reader list can clear.
        let lowered = reader_side.max(writer_side(f.mode, f.bwd));
        if lowered < Level::Err {
            let why = if settings.authoritative {
                "the registry is authoritative"
            } else {
                "the registry is not authoritative, so an unregistered reader may still use it"
            };
            let what = match &column {
                Some(_) => "uses what changed",
                None => "reads this relation",
            };
            note(
                &mut f,
                format!("lowered from ERR to {lowered}: no registered consumer {what}; {why}"),
            );
            f.severity = lowered;
        }
    }
    f
}

fn unplaced(f: &Finding, settings: &ImpactSettings) -> bool {
    let key = match &f.version {
        Some(v) => format!("{}.v{v}", f.node),
        None => f.node.clone(),
    };
    settings.unplaced.contains(&key)
}

/// Modes in which readers of the old contract are part of the question. Under BACKWARD (readers
/// upgrade first) and NONE (never fail), a reader's expectation must not raise a severity.
fn judges_readers(mode: Mode) -> bool {
    matches!(
        mode,
        Mode::Forward | Mode::Full | Mode::ForwardTransitive | Mode::FullTransitive
    )
}

/// The part of a finding's severity that comes from the backward (stored rows) side.
fn writer_side(mode: Mode, bwd: Level) -> Level {
    match mode {
        Mode::Backward | Mode::BackwardTransitive | Mode::Full | Mode::FullTransitive => bwd,
        Mode::Forward | Mode::ForwardTransitive | Mode::None => Level::Info,
    }
}

fn teams(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

/// The message is the only free-text place that survives every renderer, so the reason for a
/// changed severity goes there rather than into a new field.
fn note(f: &mut Finding, text: String) {
    f.message.push_str(" (impact: ");
    f.message.push_str(&text);
    f.message.push(')');
}
