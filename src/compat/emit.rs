//! Collects the findings of one relation pair before severities are finalised.

use std::collections::HashMap;

use crate::contract::Relation;

use super::finding::{Confidence, Finding, Hint};
use super::level::{Level, Mode, Strength};
use super::rules::known;

/// The relation a finding is about, and the pair it came from (for ignores and modes).
pub(crate) struct Emitter<'a> {
    pub before: Option<&'a Relation>,
    pub after: Option<&'a Relation>,
    pub findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub fn new(before: Option<&'a Relation>, after: Option<&'a Relation>) -> Emitter<'a> {
        Emitter {
            before,
            after,
            findings: Vec::new(),
        }
    }

    fn relation(&self) -> Option<&'a Relation> {
        self.after.or(self.before)
    }

    /// Records a finding with the rule's directional defaults resolved for `strength`.
    pub fn emit(
        &mut self,
        rule_id: &'static str,
        strength: Strength,
        path: &str,
        before: Option<String>,
        after: Option<String>,
        what: String,
    ) -> &mut Finding {
        let rule = known(rule_id);
        let rel = self.relation();
        let node = rel.map(|r| r.name.clone()).unwrap_or_default();
        let asset = rel
            .and_then(|r| r.relation_name())
            .or_else(|| rel.map(|r| r.key()))
            .unwrap_or_default();
        let message = if rule.meaning.is_empty() {
            what
        } else {
            format!("{what}: {}", lowercase_first(rule.meaning))
        };
        self.findings.push(Finding {
            rule: rule.id,
            severity: Level::Info,
            fwd: rule.fwd.resolve(strength),
            bwd: rule.bwd.resolve(strength),
            mode: Mode::Forward,
            asset,
            node,
            version: rel.and_then(|r| r.version.clone()),
            unique_id: rel.and_then(|r| r.unique_id.clone()),
            path: path.to_string(),
            before,
            after,
            message,
            hint: rule.hint.to_string(),
            hints: Vec::new(),
            guarantee_strength: (strength != Strength::None).then_some(strength),
            confidence: Confidence::High,
            waived_by: None,
            ignored: false,
            overruled_waiver: None,
            against: None,
            impacted: Vec::new(),
            file: rel.and_then(|r| r.file.clone()),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// A promise's strength moving between the sides: `added` / `removed` rule when it appears
    /// or disappears, strength decreased / increased when the mechanism changes.
    pub fn strength_change(
        &mut self,
        path: &str,
        what: &str,
        b: Strength,
        a: Strength,
        added: &'static str,
        removed: &'static str,
    ) {
        let subject = if path.is_empty() {
            what.to_string()
        } else {
            format!("`{path}`: {what}")
        };
        let (bs, as_) = (Some(b.name().to_string()), Some(a.name().to_string()));
        let (rule, strength, what) = if b == Strength::None && a > Strength::None {
            (added, a, format!("{subject} promise added ({})", a.name()))
        } else if b > Strength::None && a == Strength::None {
            (
                removed,
                b,
                format!("{subject} promise removed (was {})", b.name()),
            )
        } else if a < b {
            (
                "guarantee_strength_decreased",
                b,
                format!("{subject} now {} (was {})", a.name(), b.name()),
            )
        } else if a > b {
            (
                "guarantee_strength_increased",
                a,
                format!("{subject} now {} (was {})", a.name(), b.name()),
            )
        } else {
            return;
        };
        self.emit(rule, strength, path, bs, as_, what);
    }

    /// Attaches hints to the first removal finding of each path, in one pass over the findings.
    pub fn hint_removed(&mut self, mut by_path: HashMap<String, Vec<Hint>>) {
        if by_path.is_empty() {
            return;
        }
        for f in &mut self.findings {
            if f.rule.starts_with("column_removed")
                && let Some(hints) = by_path.remove(&f.path)
            {
                f.hints.extend(hints);
                if by_path.is_empty() {
                    return;
                }
            }
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
