//! The shape of `tessera.yaml`. Key names are public interface (DESIGN.md, "Files in a user's
//! repository"): extend them, never rename them. Every key is optional; values that other
//! modules may later complain about keep their span (`Spanned`), and defaults the user did not
//! write carry `Location::UNKNOWN` (see [`super::is_explicit`]).

use std::path::PathBuf;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::keywords::{
    ConstraintType, EnumExtension, FailOn, Mode, Period, TypeWidening, UnenforcedConstraints,
    UnversionedBreaking,
};
use super::values::{self, Contracts, RuleEntry, RuleId, Store, TestDecl, unset};
use crate::contract::{Date, Materialization, Meta, Warehouse};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// This repository's project name in the store.
    pub project: Option<Spanned<String>>,
    /// Default owning team of this repository's assets.
    pub owner: Option<Spanned<String>>,
    pub store: Spanned<Store>,
    /// `None`: take the dialect from the manifest's adapter type.
    #[serde(deserialize_with = "values::warehouse")]
    pub warehouse: Option<Spanned<Warehouse>>,
    pub dbt: Dbt,
    pub compatibility: Compatibility,
    /// Waivers from the top level and from `compatibility.waivers`, in that order of the file
    /// sections (`compatibility.waivers` first).
    pub waivers: Vec<Waiver>,
    pub teams: Vec<Team>,
    pub users: Vec<User>,
    /// Tables not described by dbt.
    pub assets: Vec<Asset>,
    /// What this repository reads from other teams.
    pub consumes: Vec<Consume>,
    pub notify: Notify,
    pub proposals: Proposals,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            project: None,
            owner: None,
            store: unset(Store::default()),
            warehouse: None,
            dbt: Dbt::default(),
            compatibility: Compatibility::default(),
            waivers: Vec::new(),
            teams: Vec::new(),
            users: Vec::new(),
            assets: Vec::new(),
            consumes: Vec::new(),
            notify: Notify::default(),
            proposals: Proposals::default(),
        }
    }
}

impl Config {
    pub fn project(&self) -> Option<&str> {
        self.project.as_ref().map(|p| p.value.as_str())
    }

    pub fn owner(&self) -> Option<&str> {
        self.owner.as_ref().map(|o| o.value.as_str())
    }

    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.name.value == name)
    }

    pub fn user(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.value.eq_ignore_ascii_case(email))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dbt {
    /// Directory holding `dbt_project.yml`, relative to the config file.
    pub project_dir: Spanned<PathBuf>,
    /// A compiled `manifest.json`, when one is available.
    pub manifest: Option<Spanned<PathBuf>>,
    /// `catalog.json` from `dbt docs generate`: the warehouse's column types, for both sides.
    pub catalog: Option<Spanned<PathBuf>>,
    pub contracts: Spanned<Contracts>,
    /// Where models land when no profiles.yml is at hand (CI, pre-commit machines): the
    /// target's database and schema, which dbt's configs and naming macros build on.
    pub target: Option<DbtTarget>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DbtTarget {
    pub database: Option<String>,
    pub schema: Option<String>,
    /// The target's name, for naming macros that branch on `target.name` (default `default`).
    pub name: Option<String>,
}

impl Default for Dbt {
    fn default() -> Dbt {
        Dbt {
            project_dir: unset(PathBuf::from(".")),
            manifest: None,
            catalog: None,
            contracts: unset(Contracts::default()),
            target: None,
        }
    }
}

/// RULES.md §2.7.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Compatibility {
    pub default_mode: Spanned<Mode>,
    /// How many earlier versions the `*_TRANSITIVE` modes compare against.
    #[serde(deserialize_with = "values::positive")]
    pub transitive_window: Spanned<u32>,
    pub fail_on: Spanned<FailOn>,
    /// Per-selector modes; the last matching override wins.
    pub overrides: Vec<Override>,
    #[serde(deserialize_with = "values::rule_entries")]
    pub rules: Vec<RuleEntry>,
    pub policy: Policy,
    pub consumer_registry: ConsumerRegistry,
    /// Always empty after [`super::parse`]: these waivers are moved to [`Config::waivers`].
    pub waivers: Vec<Waiver>,
}

impl Default for Compatibility {
    fn default() -> Compatibility {
        Compatibility {
            default_mode: unset(Mode::default()),
            transitive_window: unset(5),
            fail_on: unset(FailOn::default()),
            overrides: Vec::new(),
            rules: Vec::new(),
            policy: Policy::default(),
            consumer_registry: ConsumerRegistry::default(),
            waivers: Vec::new(),
        }
    }
}

impl Compatibility {
    /// The configured setting of one rule, if `rules:` names it.
    pub fn rule(&self, id: &str) -> Option<&RuleEntry> {
        self.rules.iter().find(|r| r.rule.value.as_str() == id)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// dbt selector syntax: `resource_type:snapshot`, `source:raw_stripe.*`, `access:private`.
    pub select: Spanned<String>,
    pub mode: Spanned<Mode>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub type_widening: Spanned<TypeWidening>,
    pub enum_extension: Spanned<EnumExtension>,
    /// Consumers read columns by position (`SELECT *` into fixed layouts): reordering breaks.
    pub positional_consumers: Spanned<bool>,
    /// Minimum days between a deprecation notice and a removal.
    pub min_deprecation_days: Spanned<u32>,
    pub unversioned_breaking: Spanned<UnversionedBreaking>,
    pub unenforced_constraints: Spanned<UnenforcedConstraints>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            type_widening: unset(TypeWidening::default()),
            enum_extension: unset(EnumExtension::default()),
            positional_consumers: unset(false),
            min_deprecation_days: unset(0),
            unversioned_breaking: unset(UnversionedBreaking::default()),
            unenforced_constraints: unset(UnenforcedConstraints::default()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsumerRegistry {
    /// The store's registrations are the whole truth: consumers nobody registered do not exist.
    pub authoritative: bool,
}

/// A finding allowed on purpose, until it expires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: Spanned<RuleId>,
    /// What the finding is about: `orders.legacy_flag`, `model.shop.orders`, …
    pub target: Spanned<String>,
    pub reason: Spanned<String>,
    /// Defaults to the top-level `owner`.
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    /// The waiver stops applying on this day.
    #[serde(deserialize_with = "values::date")]
    pub expires: Spanned<Date>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub name: Spanned<String>,
    #[serde(default)]
    pub slack_channel: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub email: Spanned<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub teams: Vec<Spanned<String>>,
    #[serde(default)]
    pub github: Option<String>,
    #[serde(default)]
    pub gitlab: Option<String>,
    #[serde(default)]
    pub slack_member_id: Option<String>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`) that sign this user's acks.
    #[serde(default)]
    pub ssh_keys: Vec<Spanned<String>>,
}

/// A table declared by hand.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// `database.schema.identifier`.
    #[serde(deserialize_with = "values::relation")]
    pub name: Spanned<String>,
    #[serde(default)]
    pub owner: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    /// Overrides `compatibility.default_mode` for this asset.
    #[serde(default)]
    pub mode: Option<Spanned<Mode>>,
    #[serde(default, deserialize_with = "values::opt_materialization")]
    pub materialized: Option<Spanned<Materialization>>,
    #[serde(default, deserialize_with = "values::opt_date")]
    pub deprecation_date: Option<Spanned<Date>>,
    #[serde(default)]
    pub freshness: Option<FreshnessDecl>,
    #[serde(default)]
    pub columns: Vec<ColumnDecl>,
    #[serde(default)]
    pub meta: Meta,
}

/// A column as dbt property files write it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDecl {
    pub name: Spanned<String>,
    #[serde(default)]
    pub data_type: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub constraints: Vec<ConstraintDecl>,
    #[serde(default, alias = "data_tests")]
    pub tests: Vec<Spanned<TestDecl>>,
    #[serde(default)]
    pub meta: Meta,
}

/// A dbt constraint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstraintDecl {
    #[serde(rename = "type")]
    pub kind: Spanned<ConstraintType>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expression: Option<String>,
    /// Foreign keys: the referenced relation and its columns.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub to_columns: Vec<String>,
    /// Model-level constraints: the columns covered.
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub warn_unenforced: Option<bool>,
    #[serde(default)]
    pub warn_unsupported: Option<bool>,
}

/// dbt's `freshness: {warn_after: {count, period}, error_after: {count, period}}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FreshnessDecl {
    pub warn_after: Option<Threshold>,
    pub error_after: Option<Threshold>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub count: u64,
    pub period: Period,
}

impl Threshold {
    pub fn seconds(self) -> Option<u64> {
        crate::contract::Freshness::period_secs(self.count, self.period.name())
    }
}

/// An asset of another team that this repository reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consume {
    #[serde(deserialize_with = "values::relation")]
    pub asset: Spanned<String>,
    /// The consuming team; defaults to the top-level `owner`.
    #[serde(default)]
    pub team: Option<Spanned<String>>,
    /// The columns read; empty means "all of them" (every change may impact this consumer).
    #[serde(default)]
    pub columns: Vec<Spanned<String>>,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notify {
    pub webhooks: Vec<Webhook>,
    pub slack: Option<Slack>,
    pub email: Option<Email>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    #[serde(deserialize_with = "values::http_url")]
    pub url: Spanned<String>,
    /// Event names (`proposal.created`, …); empty means every event.
    #[serde(default)]
    pub events: Vec<Spanned<String>>,
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    /// Environment variable holding the HMAC secret; the secret itself never sits in the file.
    #[serde(default)]
    pub secret_env: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Slack {
    /// Environment variable holding the Slack incoming-webhook URL.
    pub webhook_env: Option<String>,
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Email {
    /// Environment variable holding the SMTP URL (with credentials).
    pub smtp_env: Option<String>,
    pub from: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Proposals {
    /// Pending proposals expire after this many days.
    #[serde(deserialize_with = "values::positive")]
    pub expire_after_days: Spanned<u32>,
}

impl Default for Proposals {
    fn default() -> Proposals {
        Proposals {
            expire_after_days: unset(30),
        }
    }
}
