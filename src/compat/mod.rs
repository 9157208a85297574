//! The compatibility engine: a pure differ and classifier. No IO, no clap, no clock: "today"
//! is part of [`Settings`].

mod columns;
mod diff;
mod docs;
mod emit;
pub mod examples;
pub mod finding;
mod guarantees;
pub mod level;
mod promises;
pub mod rules;
pub mod settings;
mod severity;

pub use finding::{Confidence, Finding, Hint, Report, Semver};
pub use level::{Level, MODE_NAMES, Mode, Strength, Verdict};
pub use rules::{RULES, Rule, rule, rule_ids};
pub use settings::{
    EnumExtension, Policy, RuleOverride, Selector, Settings, UnenforcedConstraints, Waiver,
};

use crate::contract::Project;

/// Classifies every difference between two sides of a change.
pub fn diff(before: &Project, after: &Project, settings: &Settings) -> Report {
    let raw = diff::diff_projects(before, after, settings);
    Report::new(severity::finalize(raw, before, after, settings))
}

/// Compares a candidate against a version history (oldest first, each with its label).
/// Non-transitive modes compare with the latest version only; `*_TRANSITIVE` modes with every
/// retained version (the last `transitive_window`, or all).
pub fn diff_history(
    history: &[(String, Project)],
    candidate: &Project,
    settings: &Settings,
) -> Report {
    let Some(latest_idx) = history.len().checked_sub(1) else {
        return diff(&Project::default(), candidate, settings);
    };
    let window = settings.transitive_window.unwrap_or(history.len()).max(1);
    let first = history.len().saturating_sub(window);
    let mut out = Vec::new();
    for (i, (label, version)) in history.iter().enumerate().skip(first.min(latest_idx)) {
        let raw = diff::diff_projects(version, candidate, settings);
        for mut f in severity::finalize(raw, version, candidate, settings) {
            if i == latest_idx || f.mode.is_transitive() {
                f.against = Some(label.clone());
                out.push(f);
            }
        }
    }
    Report::new(out)
}
