//! Everything that tunes a comparison besides the two contracts: modes, severity overrides,
//! policy switches, waivers and "today". Built by the command layer from `tessera.yaml` and flags.

use std::collections::BTreeMap;

use crate::contract::{Date, Relation, Warehouse};

use super::level::{Level, Mode};

/// A per-direction override: `Some(None)` turns a direction off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOverride {
    pub fwd: Option<Option<Level>>,
    pub bwd: Option<Option<Level>>,
}

impl RuleOverride {
    pub fn both(level: Option<Level>) -> RuleOverride {
        RuleOverride {
            fwd: Some(level),
            bwd: Some(level),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnumExtension {
    #[default]
    Warn,
    Strict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnenforcedConstraints {
    /// Score an unenforced constraint as a declared promise (WARN when lost).
    #[default]
    Declared,
    /// Ignore unenforced constraints entirely.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Shortcut for `column_type_widened.fwd`.
    pub type_widening: Option<Level>,
    pub enum_extension: EnumExtension,
    pub positional_consumers: bool,
    pub min_deprecation_days: u32,
    /// `Warn` is dbt's preset: ERR becomes WARN on unversioned models.
    pub unversioned_breaking: Level,
    pub unenforced_constraints: UnenforcedConstraints,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            type_widening: None,
            enum_extension: EnumExtension::Warn,
            positional_consumers: false,
            min_deprecation_days: 0,
            unversioned_breaking: Level::Err,
            unenforced_constraints: UnenforcedConstraints::Declared,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    /// `orders.legacy_flag`, `model.shop.orders.legacy_flag`, or a relation name form.
    pub target: String,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<Date>,
}

impl Waiver {
    pub fn is_active(&self, today: Date) -> bool {
        self.expires.is_none_or(|e| today <= e)
    }

    pub fn label(&self) -> String {
        match self.expires {
            Some(e) => format!("{} (until {e})", self.reason),
            None => self.reason.clone(),
        }
    }
}

/// A dbt-style node selector, the subset that makes sense for contracts:
/// `resource_type:X`, `source:src.tbl` / `source:src.*`, `access:X`, `tag:X`, `group:X`,
/// `config.materialized:X`, `path:dir/` and plain names with `*` globs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(pub String);

impl Selector {
    pub fn matches(&self, r: &Relation) -> bool {
        let s = self.0.trim();
        let (method, value) = match s.split_once(':') {
            Some((m, v)) => (m.trim(), v.trim()),
            None => ("", s),
        };
        match method {
            "resource_type" => glob(value, r.resource_type.name()),
            "source" => {
                r.resource_type == crate::contract::ResourceType::Source
                    && (glob(value, &r.name)
                        || r.name.split('.').next().is_some_and(|src| glob(value, src)))
            }
            "access" => r.access.is_some_and(|a| glob(value, a.name())),
            "tag" => r.tags.iter().any(|t| glob(value, t)),
            "group" => r.group.as_deref().is_some_and(|g| glob(value, g)),
            "config.materialized" => glob(value, r.materialized.name()),
            "path" | "file" => r
                .file
                .as_deref()
                .is_some_and(|f| f.starts_with(value) || glob(value, f)),
            "fqn" | "" => {
                glob(value, &r.name)
                    || glob(value, &r.key())
                    || r.unique_id.as_deref().is_some_and(|u| glob(value, u))
            }
            _ => false,
        }
    }
}

/// Shell-style `*` and `?` matching, enough for selectors and waiver targets.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub warehouse: Warehouse,
    pub default_mode: Mode,
    /// Later entries win, like dbt's config precedence.
    pub overrides: Vec<(Selector, Mode)>,
    pub rules: BTreeMap<String, RuleOverride>,
    pub policy: Policy,
    pub waivers: Vec<Waiver>,
    /// How many retained versions `*_TRANSITIVE` modes compare against (None = all).
    pub transitive_window: Option<usize>,
    /// "Today" for deprecation dates and waiver expiry; never read from the clock in the engine.
    pub today: Date,
}

impl Settings {
    pub fn new(today: Date) -> Settings {
        Settings {
            warehouse: Warehouse::default(),
            default_mode: Mode::Forward,
            overrides: Vec::new(),
            rules: BTreeMap::new(),
            policy: Policy::default(),
            waivers: Vec::new(),
            transitive_window: None,
            today,
        }
    }

    /// The mode of a relation: the last matching override, else the default.
    pub fn mode_for(&self, r: &Relation) -> Mode {
        self.overrides
            .iter()
            .rev()
            .find(|(sel, _)| sel.matches(r))
            .map(|(_, m)| *m)
            .unwrap_or(self.default_mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_like_a_shell() {
        assert!(glob("stg_*", "stg_orders"));
        assert!(glob("*", ""));
        assert!(glob("raw.*", "raw.orders"));
        assert!(!glob("raw.*", "raws.orders"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("abc", "abcd"));
    }

    #[test]
    fn selectors_pick_relations() {
        let mut r = Relation::new("raw_stripe.charges");
        r.resource_type = crate::contract::ResourceType::Source;
        assert!(Selector("source:raw_stripe.*".into()).matches(&r));
        assert!(Selector("source:raw_stripe".into()).matches(&r));
        assert!(Selector("resource_type:source".into()).matches(&r));
        assert!(!Selector("resource_type:snapshot".into()).matches(&r));
        r.access = Some(crate::contract::Access::Private);
        assert!(Selector("access:private".into()).matches(&r));
    }
}
