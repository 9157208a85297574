//! `tessera.yaml`: the typed model with spans, discovery, and diagnostics that point at the
//! offending text. No environment reads here: callers pass `--config` and `TESSERA_CONFIG`.

mod asset;
mod discover;
mod error;
mod keywords;
mod model;
mod parties;
mod suggest;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use miette::{NamedSource, SourceSpan};
use serde_saphyr::Spanned;

pub use discover::{CONFIG_FILE_NAMES, discover};
pub use error::{ConfigError, ConfigOrigin, ErrorKind, Located};
pub use keywords::{
    ConstraintType, EnumExtension, FailOn, Level, Mode, Period, TypeWidening,
    UnenforcedConstraints, UnversionedBreaking,
};
pub use model::*;
pub use parties::{TEAM_NAME_MAX, is_email, is_team_name, validate_parties};
pub use suggest::{levenshtein, suggest};
pub use values::{Contracts, RuleEntry, RuleId, RuleSetting, Store, TestDecl, is_explicit, unset};

use error::Issue;

/// Every rule id the classifier knows (shared compat/RULES.md). One list, to move to the compat
/// module once it exists.
pub const RULE_IDS: &[&str] = &[
    "column_added",
    "column_added_required",
    "column_removed",
    "column_removed_after_deprecation_date",
    "column_removed_before_deprecation_date",
    "column_renamed",
    "column_case_changed",
    "column_reordered",
    "column_type_alias_changed",
    "column_type_widened",
    "column_type_narrowed",
    "column_type_promoted",
    "column_type_widened_lossy",
    "column_type_changed",
    "column_nullability_tightened",
    "column_nullability_loosened",
    "guarantee_strength_decreased",
    "guarantee_strength_increased",
    "primary_key_added",
    "primary_key_removed",
    "primary_key_changed",
    "unique_added",
    "unique_removed",
    "check_added",
    "check_removed",
    "check_changed",
    "foreign_key_added",
    "foreign_key_removed",
    "relationships_added",
    "relationships_removed",
    "relationships_target_changed",
    "accepted_values_narrowed",
    "accepted_values_extended",
    "accepted_values_added",
    "accepted_values_removed",
    "freshness_tightened",
    "freshness_loosened",
    "materialization_to_ephemeral",
    "materialization_drops_constraints",
    "materialization_changed",
    "contract_enforcement_removed",
    "contract_enforcement_added",
    "relation_removed",
    "relation_removed_after_deprecation_date",
    "relation_removed_before_deprecation_date",
    "ephemeral_model_removed",
    "relation_location_changed",
    "relation_deprecated",
    "relation_undeprecated",
    "deprecation_date_moved_earlier",
    "deprecation_notice_too_short",
    "version_added",
    "latest_version_changed",
    "access_narrowed",
    "relation_metadata_changed",
    "column_metadata_changed",
    "column_docs_changed",
    "output_unresolved",
    "data_test_removed",
    "data_test_added",
    "relation_added",
];

/// A config file with the text its spans point into.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub source: String,
    pub config: Config,
}

impl LoadedConfig {
    /// The file as a miette source, named by its path.
    pub fn named_source(&self) -> NamedSource<String> {
        named_source(&self.path.display().to_string(), &self.source)
    }

    /// A diagnostic on a value of this file, for checks made after loading (an owner no team
    /// declares, a selector that matches nothing, …).
    pub fn error_at<T>(
        &self,
        kind: ErrorKind,
        at: &Spanned<T>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        Issue::new(kind, at.referenced, message, label, help)
            .into_error(&self.source, &self.path.display().to_string())
    }

    /// The directory relative paths in the file (`store`, `dbt.project_dir`) start from.
    pub fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// A miette source for YAML text.
pub fn named_source(name: &str, source: &str) -> NamedSource<String> {
    NamedSource::new(name, source.to_string()).with_language("yaml")
}

/// The byte span of a value, for miette labels; `(0, 0)` for a default the user did not write.
pub fn span_of<T>(v: &Spanned<T>) -> SourceSpan {
    let span = v.referenced.span();
    match (span.byte_offset(), span.byte_len()) {
        (Some(offset), Some(len)) if is_explicit(v) => {
            SourceSpan::new((offset as usize).into(), len as usize)
        }
        _ => SourceSpan::new(0.into(), 0),
    }
}

/// Reads and parses a config file.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let config = parse(&source, &path.display().to_string())?;
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        source,
        config,
    })
}

/// Parses config text; `path_for_messages` names the source in diagnostics.
pub fn parse(src: &str, path_for_messages: &str) -> Result<Config, ConfigError> {
    error::clear_pending();
    let parsed = serde_saphyr::from_str::<Option<Config>>(src);
    let mut config = match parsed {
        Ok(config) => config.unwrap_or_default(),
        Err(err) => return Err(error::from_yaml(&err, src, path_for_messages)),
    };
    error::clear_pending();
    let mut waivers = std::mem::take(&mut config.compatibility.waivers);
    waivers.append(&mut config.waivers);
    config.waivers = waivers;
    check(&config).map_err(|issue| issue.into_error(src, path_for_messages))?;
    Ok(config)
}

/// Checks that span more than one value: names that must be unique, texts that must not be
/// empty.
fn check(config: &Config) -> Result<(), Issue> {
    unique("team", config.teams.iter().map(|t| &t.name), false)?;
    unique("user", config.users.iter().map(|u| &u.email), true)?;
    unique("asset", config.assets.iter().map(|a| &a.name), true)?;
    for asset in &config.assets {
        unique("column", asset.columns.iter().map(|c| &c.name), true)?;
    }
    for w in &config.waivers {
        if w.reason.value.trim().is_empty() {
            return Err(Issue::new(
                ErrorKind::InvalidValue,
                w.reason.referenced,
                "a waiver needs a reason",
                "empty reason",
                Some("say why the finding is acceptable, e.g. a ticket and who agreed".into()),
            ));
        }
        if w.target.value.trim().is_empty() {
            return Err(Issue::new(
                ErrorKind::InvalidValue,
                w.target.referenced,
                "a waiver needs a target",
                "empty target",
                Some("name what the finding is about, e.g. `orders.legacy_flag`".into()),
            ));
        }
    }
    Ok(())
}

fn unique<'a>(
    what: &str,
    names: impl Iterator<Item = &'a Spanned<String>>,
    fold_case: bool,
) -> Result<(), Issue> {
    let mut seen: HashMap<String, &Spanned<String>> = HashMap::new();
    for name in names {
        let key = if fold_case {
            name.value.to_lowercase()
        } else {
            name.value.clone()
        };
        if let Some(first) = seen.get(&key) {
            return Err(Issue::new(
                ErrorKind::Duplicate,
                name.referenced,
                format!("{what} `{}` is declared twice", name.value),
                "declared again here",
                Some(format!(
                    "the first declaration is on line {}; merge the two entries",
                    first.referenced.line()
                )),
            ));
        }
        seen.insert(key, name);
    }
    Ok(())
}
