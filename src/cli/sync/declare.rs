//! From one repository's declarations to the store's [`Declaration`]: asset keys, owners,
//! contract versions and consumer registrations.

use std::collections::{BTreeMap, BTreeSet};

use crate::compat::{self, Semver};
use crate::config::Config;
use crate::contract::{Dialect, Project, Relation, ResourceType};
use crate::store::{self, Consumer, DeclaredAsset, RegistrationSource, Store};

/// An asset's key in the store: `schema.identifier`, folded the way the warehouse folds
/// unquoted names. The database is left out on purpose: it usually differs per environment
/// (dev, prod), while consumers name the schema and table. A model, seed or snapshot nothing
/// could place (no manifest, profile, `dbt.target` or earlier sync), or any relation without a
/// schema, gets `project/node`, which nothing outside the project can collide with.
pub fn asset_key(r: &Relation, project: &str, d: Dialect) -> String {
    let default_ident = match (&r.version, r.resource_type) {
        (Some(v), _) => format!("{}_v{v}", r.name),
        (None, ResourceType::Source) => r.name.rsplit('.').next().unwrap_or(&r.name).to_string(),
        (None, _) => r.name.clone(),
    };
    let ident = r.identifier.clone().unwrap_or(default_ident);
    let placed = !crate::cli::check::identity::needs_place(r);
    match r.schema.as_deref().filter(|s| placed && !s.is_empty()) {
        Some(schema) => format!("{}.{}", d.fold_relation(schema), d.fold_relation(&ident)),
        None => format!("{project}/{}", r.key()),
    }
}

/// Whether an asset key names a place in the warehouse, rather than the `project/node` stand-in
/// [`asset_key`] gives a relation whose schema is unknown.
pub fn is_placed(key: &str) -> bool {
    !key.contains('/')
}

/// A relation name as a consumer writes it (`db.schema.table`, `schema.table`) → asset key.
pub fn key_from_name(name: &str, d: Dialect) -> String {
    if name.contains('/') {
        return name.to_string();
    }
    // Without the database: `schema.table` matches in the producer's target database.
    let folded = d.fold_relation(name);
    let parts: Vec<&str> = folded.split('.').collect();
    parts[parts.len().saturating_sub(2)..].join(".")
}

/// Owner matching (DESIGN.md): exact user email, then exact user name, then team name.
pub struct Owners<'a> {
    cfg: &'a Config,
    /// Unmatched owner value → the assets that carry it, for one warning per value.
    pub unmatched: BTreeMap<String, Vec<String>>,
}

impl<'a> Owners<'a> {
    pub fn new(cfg: &'a Config) -> Owners<'a> {
        Owners {
            cfg,
            unmatched: BTreeMap::new(),
        }
    }

    /// (team, user email) for an owner value.
    pub fn resolve(
        &mut self,
        value: Option<&str>,
        asset: &str,
    ) -> (Option<String>, Option<String>) {
        let default_team = self.cfg.owner().map(str::to_string);
        let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return (default_team, None);
        };
        let first_team = |u: &crate::config::User| u.teams.first().map(|t| t.value.clone());
        if let Some(u) = self.cfg.users.iter().find(|u| u.email.value == v) {
            return (first_team(u).or(default_team), Some(u.email.value.clone()));
        }
        if let Some(u) = self.cfg.users.iter().find(|u| u.name.as_deref() == Some(v)) {
            return (first_team(u).or(default_team), Some(u.email.value.clone()));
        }
        if self.cfg.teams.iter().any(|t| t.name.value == v) {
            return (Some(v.to_string()), None);
        }
        self.unmatched
            .entry(v.to_string())
            .or_default()
            .push(asset.to_string());
        (default_team, None)
    }
}

/// The next contract version of an asset: 1.0.0 first, then the engine's semver suggestion
/// against the stored contract. Returns (version, breaking).
pub fn next_version(
    store: &dyn Store,
    key: &str,
    contract: &Relation,
    settings: &compat::Settings,
) -> crate::error::Result<(Option<String>, bool)> {
    let Some(latest) = store.latest_contract(key)? else {
        return Ok((Some("1.0.0".to_string()), false));
    };
    if latest.digest == crate::contract::relation_digest(contract) {
        return Ok((None, false));
    }
    // A stored contract this binary cannot read back is treated as a break: never guess "safe".
    let Ok(previous) = serde_json::from_str::<Relation>(&latest.contract_json) else {
        return Ok((Some(Semver::Major.bump(&latest.version)), true));
    };
    let before: Project = [previous].into_iter().collect();
    let mut renamed = contract.clone();
    renamed.name = before
        .relations
        .values()
        .next()
        .map(|r| r.name.clone())
        .unwrap_or_default();
    renamed.version = before
        .relations
        .values()
        .next()
        .and_then(|r| r.version.clone());
    let after: Project = [renamed].into_iter().collect();
    let report = compat::diff(&before, &after, settings);
    let breaking = report.findings.iter().any(|f| f.is_breaking());
    let bump = report.semver.max(Semver::Patch);
    Ok((Some(bump.bump(&latest.version)), breaking))
}

pub fn teams(cfg: &Config) -> Vec<store::Team> {
    cfg.teams
        .iter()
        .map(|t| store::Team {
            name: t.name.value.clone(),
            slack_channel: t.slack_channel.clone(),
            email: t.email.clone(),
            project: String::new(),
        })
        .collect()
}

pub fn users(cfg: &Config) -> Vec<store::User> {
    cfg.users
        .iter()
        .map(|u| store::User {
            email: u.email.value.clone(),
            name: u.name.clone(),
            teams: u.teams.iter().map(|t| t.value.clone()).collect(),
            github: u.github.clone(),
            gitlab: u.gitlab.clone(),
            slack_member_id: u.slack_member_id.clone(),
            ssh_keys: u.ssh_keys.iter().map(|k| k.value.clone()).collect(),
            project: String::new(),
        })
        .collect()
}

/// Registrations from `consumes:` entries.
pub fn consumes(cfg: &Config, d: Dialect) -> Vec<Consumer> {
    let team = cfg.owner().unwrap_or("").to_string();
    cfg.consumes
        .iter()
        .map(|c| {
            let columns: Vec<String> = c
                .columns
                .iter()
                .map(|col| d.physical_name(&col.value, false))
                .collect();
            Consumer {
                asset: key_from_name(&c.asset.value, d),
                team: c
                    .team
                    .as_ref()
                    .map(|t| t.value.clone())
                    .unwrap_or_else(|| team.clone()),
                project: String::new(),
                all_columns_reason: columns
                    .is_empty()
                    .then(|| "no columns declared".to_string()),
                columns: (!columns.is_empty()).then_some(columns),
                purpose: c.purpose.clone(),
                contact: c.contact.clone(),
                source: RegistrationSource::Consumes,
                retired: false,
            }
        })
        .collect()
}

/// Registrations from the dbt `sources:` this project reads: the source declaration *is* the
/// dependency. `usage` maps a source relation key to the columns its models read (None = all).
pub fn source_consumers(
    project: &Project,
    own_keys: &BTreeSet<String>,
    project_name: &str,
    team: &str,
    d: Dialect,
    usage: &BTreeMap<String, Option<BTreeSet<String>>>,
) -> Vec<Consumer> {
    project
        .relations
        .values()
        .filter(|r| r.resource_type == ResourceType::Source)
        .filter_map(|r| {
            let key = asset_key(r, project_name, d);
            // A project's own sources of its own assets are not a consumer relationship.
            if own_keys.contains(&key) || key.contains('/') {
                return None;
            }
            let cols = usage.get(&r.name).cloned().unwrap_or(None);
            let reason = match &cols {
                None if usage.contains_key(&r.name) => {
                    Some("select * or SQL that did not parse".to_string())
                }
                None => Some("no model reads this source".to_string()),
                Some(_) => None,
            };
            Some(Consumer {
                asset: key,
                team: team.to_string(),
                project: String::new(),
                columns: cols.map(|c| c.into_iter().map(|x| d.physical_name(&x, false)).collect()),
                all_columns_reason: reason,
                purpose: r.description.clone(),
                contact: None,
                source: RegistrationSource::DbtSource,
                retired: false,
            })
        })
        .collect()
}

pub fn declared_asset(
    asset: store::Asset,
    contract: &Relation,
    version: Option<String>,
    breaking: bool,
) -> DeclaredAsset {
    let mut d = DeclaredAsset::new(asset, contract, version);
    d.unacknowledged_break = breaking;
    d
}

impl Owners<'_> {
    /// The team an owner value names, without recording a warning (for consumers).
    pub fn team_of(&self, value: Option<&str>) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        let first_team = |u: &crate::config::User| u.teams.first().map(|t| t.value.clone());
        if let Some(u) = self
            .cfg
            .users
            .iter()
            .find(|u| u.email.value == v || u.name.as_deref() == Some(v))
        {
            return first_team(u);
        }
        self.cfg
            .teams
            .iter()
            .any(|t| t.name.value == v)
            .then(|| v.to_string())
    }
}

/// In a monorepo, a model owned by one team that `ref()`s another team's asset is a consumer.
pub fn monorepo_consumers(
    project: &Project,
    models: &[crate::dbt::ModelSource],
    owners: &Owners,
    asset_owner: &BTreeMap<String, (String, Option<String>)>,
    d: Dialect,
) -> Vec<Consumer> {
    use crate::dbt::usage::{ColumnSet, Upstream, column_usage};
    let mut out = Vec::new();
    for m in models {
        let node = m.key();
        let Some(reader_team) = project
            .get(&node)
            .and_then(|r| owners.team_of(r.owner.as_deref()))
        else {
            continue;
        };
        for u in column_usage(&m.sql, d) {
            let Upstream::Ref { name, version } = &u.upstream else {
                continue;
            };
            let target = match version {
                Some(v) => format!("{name}.v{v}"),
                None => name.clone(),
            };
            let Some((key, Some(owner))) = asset_owner.get(&target) else {
                continue;
            };
            if *owner == reader_team {
                continue;
            }
            let (columns, reason) = match &u.columns {
                ColumnSet::Columns(c) => (
                    Some(c.iter().map(|x| d.physical_name(x, false)).collect()),
                    None,
                ),
                ColumnSet::All { .. } => {
                    (None, Some("select * or SQL that did not parse".to_string()))
                }
            };
            out.push(Consumer {
                asset: key.clone(),
                team: reader_team.clone(),
                project: String::new(),
                columns,
                all_columns_reason: reason,
                purpose: Some(format!("model {node}")),
                contact: None,
                source: RegistrationSource::MonorepoRef,
                retired: false,
            });
        }
    }
    out
}

/// Exposures (dashboards, apps) and cross-project refs to public models found in a manifest.
pub fn manifest_consumers(
    m: &crate::dbt::Manifest,
    owners: &Owners,
    default_team: &str,
    project: &str,
    d: Dialect,
) -> Vec<Consumer> {
    let by_id: BTreeMap<&str, &Relation> = m
        .relations
        .relations
        .values()
        .filter_map(|r| Some((r.unique_id.as_deref()?, r)))
        .collect();
    let mut out = Vec::new();
    let mut push = |asset: &Relation, team: String, source: RegistrationSource, purpose: String| {
        out.push(Consumer {
            asset: asset_key(asset, project, d),
            team,
            project: String::new(),
            columns: None,
            all_columns_reason: Some(format!("{} in the manifest", source.name())),
            purpose: Some(purpose),
            contact: None,
            source,
            retired: false,
        });
    };
    for e in &m.exposures {
        let team = owners
            .team_of(e.owner_email.as_deref())
            .or_else(|| owners.team_of(e.owner_name.as_deref()))
            .unwrap_or_else(|| default_team.to_string());
        for dep in &e.depends_on {
            if let Some(r) = by_id.get(dep.as_str()) {
                push(
                    r,
                    team.clone(),
                    RegistrationSource::Exposure,
                    format!("exposure {}", e.name),
                );
            }
        }
    }
    let root = m.project_name.as_deref().unwrap_or(project);
    for n in m.nodes.iter().filter(|n| n.enabled && n.package == root) {
        for dep in &n.depends_on {
            let Some(r) = by_id.get(dep.as_str()) else {
                continue;
            };
            // Another project's public model: a dbt-mesh cross-project ref.
            if r.package.as_deref().is_some_and(|p| p != root)
                && r.access == Some(crate::contract::Access::Public)
            {
                push(
                    r,
                    default_team.to_string(),
                    RegistrationSource::ManifestRef,
                    format!("ref from {}", n.name),
                );
            }
        }
    }
    out
}
