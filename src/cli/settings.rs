//! Flags + environment + `tessera.yaml` → the engine's [`compat::Settings`].

use crate::compat::{
    self, EnumExtension, Level, Mode, RuleOverride, Selector, UnenforcedConstraints, Waiver,
};
use crate::config::{self, Config};
use crate::contract::{Date, Dialect, Warehouse};
use crate::error::Error;

/// "Today": `TESSERA_TODAY` when set (reproducible reviews and tests), else the UTC clock.
pub fn today(env_value: Option<&str>) -> Result<Date, Error> {
    if let Some(v) = env_value.filter(|v| !v.trim().is_empty()) {
        return v.parse().map_err(|_| Error::BadToday(v.to_string()));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Ok(Date::from_days_since_epoch((secs / 86_400) as i64))
}

pub fn mode(m: config::Mode) -> Mode {
    match m {
        config::Mode::None => Mode::None,
        config::Mode::Backward => Mode::Backward,
        config::Mode::Forward => Mode::Forward,
        config::Mode::Full => Mode::Full,
        config::Mode::BackwardTransitive => Mode::BackwardTransitive,
        config::Mode::ForwardTransitive => Mode::ForwardTransitive,
        config::Mode::FullTransitive => Mode::FullTransitive,
    }
}

fn level(l: config::Level) -> Option<Level> {
    match l {
        config::Level::Err => Some(Level::Err),
        config::Level::Warn => Some(Level::Warn),
        config::Level::Info => Some(Level::Info),
        config::Level::Off => None,
    }
}

pub fn fail_on(cfg: &Config) -> Level {
    match cfg.compatibility.fail_on.value {
        config::FailOn::Err => Level::Err,
        config::FailOn::Warn => Level::Warn,
    }
}

/// The warehouse: `tessera.yaml` first, then the manifest's adapter, then postgres.
pub fn warehouse(cfg: &Config, manifest_adapter: Option<&str>) -> Warehouse {
    if let Some(w) = &cfg.warehouse {
        return w.value;
    }
    Warehouse::new(
        manifest_adapter
            .map(Dialect::from_adapter)
            .unwrap_or_default(),
    )
}

pub fn compat_settings(cfg: &Config, wh: Warehouse, today: Date) -> compat::Settings {
    let c = &cfg.compatibility;
    let mut s = compat::Settings::new(today);
    s.warehouse = wh;
    s.default_mode = mode(c.default_mode.value);
    s.transitive_window = Some(c.transitive_window.value as usize);
    s.overrides = c
        .overrides
        .iter()
        .map(|o| (Selector(o.select.value.clone()), mode(o.mode.value)))
        .collect();
    // A mode on a hand-declared asset is an override that selects exactly that asset.
    s.overrides.extend(
        cfg.assets
            .iter()
            .filter_map(|a| Some((Selector(a.name.value.clone()), mode(a.mode.as_ref()?.value)))),
    );
    for entry in &c.rules {
        s.rules.insert(
            entry.rule.value.as_str().to_string(),
            RuleOverride {
                fwd: entry.setting.value.fwd.map(level),
                bwd: entry.setting.value.bwd.map(level),
            },
        );
    }
    let p = &c.policy;
    if config::is_explicit(&p.type_widening) {
        s.policy.type_widening = level(p.type_widening.value.level());
    }
    s.policy.enum_extension = match p.enum_extension.value {
        config::EnumExtension::Warn => EnumExtension::Warn,
        config::EnumExtension::Strict => EnumExtension::Strict,
    };
    s.policy.positional_consumers = p.positional_consumers.value;
    s.policy.min_deprecation_days = p.min_deprecation_days.value;
    s.policy.unversioned_breaking = match p.unversioned_breaking.value {
        config::UnversionedBreaking::Err => Level::Err,
        config::UnversionedBreaking::Warn => Level::Warn,
    };
    s.policy.unenforced_constraints = match p.unenforced_constraints.value {
        config::UnenforcedConstraints::Declared => UnenforcedConstraints::Declared,
        config::UnenforcedConstraints::None => UnenforcedConstraints::None,
    };
    s.waivers = cfg
        .waivers
        .iter()
        .map(|w| Waiver {
            rule: w.rule.value.as_str().to_string(),
            target: w.target.value.clone(),
            reason: w.reason.value.clone(),
            owner: w.owner.as_ref().map(|o| o.value.clone()),
            expires: Some(w.expires.value),
        })
        .collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_comes_from_the_environment_when_set() {
        assert_eq!(today(Some("2026-06-01")).ok(), Date::new(2026, 6, 1));
        assert!(matches!(today(Some("June 1st")), Err(Error::BadToday(_))));
        assert!(today(None).is_ok_and(|d| d.year >= 2024));
    }

    #[test]
    fn config_maps_onto_engine_settings() {
        let cfg = config::parse(
            "warehouse: snowflake\ncompatibility:\n  default_mode: FULL\n  overrides: [{select: 'source:raw.*', mode: BACKWARD}]\n  rules: {column_type_widened: off, accepted_values_extended: {fwd: err}}\n  policy: {type_widening: info, enum_extension: strict}\n  waivers: [{rule: column_removed, target: orders.x, reason: r, expires: 2026-07-01}]\n",
            "tessera.yaml",
        )
        .expect("valid config");
        let today = Date::new(2026, 6, 1).expect("date");
        let s = compat_settings(&cfg, warehouse(&cfg, Some("postgres")), today);
        assert_eq!(s.warehouse.dialect, Dialect::Snowflake);
        assert_eq!(s.default_mode, Mode::Full);
        assert_eq!(s.overrides.len(), 1);
        assert_eq!(
            s.rules.get("column_type_widened"),
            Some(&RuleOverride::both(None))
        );
        assert_eq!(
            s.rules.get("accepted_values_extended").and_then(|o| o.fwd),
            Some(Some(Level::Err))
        );
        assert_eq!(s.policy.type_widening, Some(Level::Info));
        assert_eq!(s.policy.enum_extension, EnumExtension::Strict);
        assert_eq!(s.waivers.len(), 1);
    }

    #[test]
    fn config_rule_ids_match_the_engine() {
        let engine: Vec<&str> = compat::rule_ids().collect();
        assert_eq!(
            config::RULE_IDS,
            engine.as_slice(),
            "config::RULE_IDS drifted from compat::RULES"
        );
    }
}
