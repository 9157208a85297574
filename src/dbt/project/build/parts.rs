//! The pieces every kind of relation is built from: the resolved config, columns and tests.

use serde_json::Value;
use serde_saphyr::Spanned;

use super::super::columns::{self, TesseraMeta, sorted};
use super::super::config::{Kind, NodeConfig, ProjectFile};
use super::super::properties::{ColumnProps, NodeProps, VersionColumn, VersionProps};
use super::super::{DbtError, PropertySource, Src, data_tests, folders};
use super::Builder;
use crate::contract::{Column, Materialization, Relation, ResourceType};

impl<'a> Builder<'_, 'a> {
    /// The fields every kind of relation takes from its resolved config.
    pub(super) fn relation(
        &mut self,
        path: &str,
        name: &str,
        resource: ResourceType,
        cfg: &NodeConfig,
        default: Materialization,
    ) -> Relation {
        let project = &self.shared.project.name;
        let deprecation_date = cfg.deprecation_date.as_deref().and_then(|d| {
            let what = format!("{} `{name}`", resource.name());
            columns::date(d, path, &what, &mut self.out.warnings)
        });
        Relation {
            name: name.to_string(),
            resource_type: resource,
            unique_id: Some(format!("{}.{project}.{name}", resource.name())),
            package: Some(project.clone()),
            database: cfg.database.clone(),
            schema: cfg.schema.clone(),
            identifier: Some(cfg.alias.clone().unwrap_or_else(|| name.to_string())),
            materialized: cfg
                .materialized
                .as_deref()
                .map_or(default, Materialization::parse),
            contract_enforced: cfg.contract_enforced.unwrap_or(false),
            group: cfg.group.clone(),
            deprecation_date,
            tags: sorted(cfg.tags.clone()),
            owner: columns::owner(&cfg.meta),
            ignore: TesseraMeta::of(&cfg.meta).list("ignore"),
            meta: cfg.meta.clone(),
            // A legacy snapshot's `target_schema` is where it lands, whatever the target says.
            placed_by: (cfg.schema_as_is == Some(true))
                .then_some(crate::contract::IdentitySource::Profile),
            ..Relation::default()
        }
    }

    /// A model's (or version's) columns: for a version, the model's columns its include/exclude
    /// selects, then its own, which replace a model column of the same name in place.
    pub(super) fn columns(
        &mut self,
        pf: &PropertySource<'_>,
        m: &NodeProps<'_>,
        version: Option<&VersionProps<'_>>,
    ) -> Result<Vec<Column>, DbtError> {
        let src = pf.src();
        let select = version.and_then(|v| {
            v.columns.iter().find_map(|c| match c {
                VersionColumn::Select(s) => Some(s),
                VersionColumn::Column(_) => None,
            })
        });
        let mut out: Vec<Column> = Vec::new();
        for c in &m.columns {
            if select.is_none_or(|s| s.includes(&c.name))
                && let Some(col) = self.column(&src, c, &m.name)?
            {
                out.push(col);
            }
        }
        let own = version.into_iter().flat_map(|v| &v.columns);
        for c in own {
            let VersionColumn::Column(c) = c else {
                continue;
            };
            let Some(col) = self.column(&src, c, &m.name)? else {
                continue;
            };
            match out.iter_mut().find(|o| o.name == col.name) {
                Some(slot) => *slot = col,
                None => out.push(col),
            }
        }
        Ok(out)
    }

    pub(super) fn column(
        &mut self,
        src: &Src<'_>,
        props: &ColumnProps<'_>,
        relation: &str,
    ) -> Result<Option<Column>, DbtError> {
        if props.name.trim().is_empty() {
            self.warn(format!(
                "{}: a column of `{relation}` has no name; skipped",
                src.path
            ));
            return Ok(None);
        }
        columns::column(props, src, &mut self.out.warnings).map(Some)
    }

    /// Model-level tests; one whose `column_name` names a declared column belongs to it.
    pub(super) fn attach_tests(
        &mut self,
        pf: &PropertySource<'_>,
        tests: &[&Spanned<Value>],
        rel: &mut Relation,
    ) -> Result<(), DbtError> {
        let src = pf.src();
        for entry in tests {
            let Some(parsed) = data_tests::parse(entry, &src, &mut self.out.warnings)? else {
                continue;
            };
            let column = parsed
                .column
                .and_then(|name| rel.columns.iter_mut().find(|c| c.name == name));
            match column {
                Some(col) => col.tests.push(parsed.test),
                None => rel.tests.push(parsed.test),
            }
        }
        Ok(())
    }

    /// Properties dbt treats as configs (`access:`, `group:`, `meta:`, `tags:` beside
    /// `config:`), under the entry's `config:` block, which wins.
    pub(super) fn property_config(
        &mut self,
        pf: &PropertySource<'_>,
        m: &NodeProps<'_>,
    ) -> NodeConfig {
        let mut c = NodeConfig {
            access: m.access.clone(),
            group: m.group.clone(),
            deprecation_date: m.deprecation_date.clone(),
            tags: m.tags.0.clone(),
            meta: m.meta.clone(),
            ..NodeConfig::default()
        };
        c.overlay(self.config_map(pf.path, &m.config));
        c
    }

    pub(super) fn config_map(
        &mut self,
        path: &str,
        map: &serde_json::Map<String, Value>,
    ) -> NodeConfig {
        let mut problems = Vec::new();
        let c = NodeConfig::from_map(map, &mut problems);
        self.problems(path, problems);
        c
    }

    pub(super) fn project_config(&mut self, kind: Kind, fqn: &[&str]) -> NodeConfig {
        let mut problems = Vec::new();
        let c = self.shared.project.config_for(kind, fqn, &mut problems);
        self.problems("dbt_project.yml", problems);
        c
    }

    pub(super) fn problems(&mut self, path: &str, problems: Vec<String>) {
        for p in problems {
            self.warn(format!("{path}: {p}"));
        }
    }

    /// `[project, folders…, tail…]`, dbt's fully qualified name used by project-file configs.
    pub(super) fn fqn<'p>(&self, path: &'p str, roots: &[String], tail: &[&'p str]) -> Vec<&'p str>
    where
        'a: 'p,
    {
        let project: &'a ProjectFile = self.shared.project;
        let mut fqn = vec![project.name.as_str()];
        fqn.extend(folders(path, roots));
        fqn.extend_from_slice(tail);
        fqn
    }
}

/// The declared `latest_version`, else the highest version: numerically when every version is a
/// number, else the greatest string, as dbt orders them.
pub(super) fn latest_version(m: &NodeProps<'_>) -> String {
    if let Some(latest) = &m.latest_version {
        return latest.0.clone();
    }
    let versions: Vec<&str> = m
        .versions
        .iter()
        .filter_map(|v| v.v.as_ref())
        .map(|v| v.0.as_str())
        .collect();
    let numbers: Option<Vec<f64>> = versions.iter().map(|v| v.parse().ok()).collect();
    let best = match numbers {
        Some(nums) => nums
            .iter()
            .zip(&versions)
            .max_by(|a, b| a.0.total_cmp(b.0))
            .map(|(_, v)| *v),
        None => versions.iter().max().copied(),
    };
    best.unwrap_or_default().to_string()
}
