//! Turns the project's files into relations: models (one per version), sources, seeds and
//! snapshots, each with its layered config, columns and tests.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::columns::{self, TesseraMeta, sorted};
use super::config::{Kind, NodeConfig, ProjectFile};
use super::properties::{NodeProps, VersionColumn, VersionProps, description, given_tests};
use super::{
    Code, DbtError, Inventory, ModelLanguage, ModelSource, PropertySource, Src, data_tests,
    folders, freshness, stem,
};
use crate::contract::{Access, Column, Materialization, Project, Relation, ResourceType};

const NAME_HELP: &str = "every entry under `models:`, `seeds:`, `snapshots:` and `sources:` \
    needs a `name:`";

pub(crate) struct Builder<'a> {
    code: &'a HashMap<String, Code>,
    project: &'a ProjectFile,
    files: &'a Inventory,
    relations: Project,
    by_file: BTreeMap<String, Vec<String>>,
    models: Vec<ModelSource>,
    warnings: Vec<String>,
}

/// A property-file entry with the file it came from.
type Entry<'p> = (&'p PropertySource<'p>, &'p NodeProps<'p>);

/// One version of a versioned model.
struct Version<'p> {
    props: &'p VersionProps<'p>,
    v: String,
    latest: &'p str,
}

impl<'a> Builder<'a> {
    pub fn new(
        code: &'a HashMap<String, Code>,
        project: &'a ProjectFile,
        files: &'a Inventory,
        warnings: Vec<String>,
    ) -> Builder<'a> {
        Builder {
            code,
            project,
            files,
            relations: Project::default(),
            by_file: BTreeMap::new(),
            models: Vec::new(),
            warnings,
        }
    }

    pub fn finish(self) -> super::Built {
        (self.relations, self.by_file, self.models, self.warnings)
    }

    pub fn models(&mut self, property_files: &[PropertySource<'_>]) -> Result<(), DbtError> {
        let files = self.files;
        let code = self.by_name(&files.model_code, "model");
        let mut claimed: HashSet<&str> = HashSet::new();
        let mut versioned: HashSet<&str> = HashSet::new();
        for (pf, entry) in self.entries(property_files, |p| &p.props.models, "model")? {
            let m = &entry.value;
            let name = m.name.as_str();
            if !m.versions.is_empty() {
                versioned.insert(name);
            }
            let latest = latest_version(m);
            if m.versions.is_empty() {
                match code.get(name) {
                    Some(path) => {
                        claimed.insert(path);
                        self.model(name, path, Some((pf, m)), None)?;
                    }
                    None => self.warn(format!(
                        "{}: model `{name}` has no .sql or .py file under {}",
                        pf.path,
                        files.model_roots.join(", ")
                    )),
                }
                continue;
            }
            for version in &m.versions {
                let Some(v) = version.v.as_ref().map(|v| v.0.clone()) else {
                    let help = "each entry under `versions:` needs `v:`, its version identifier";
                    let msg = format!("a version of model `{name}` has no `v`");
                    return Err(pf.src().invalid(entry.referenced, &msg, help));
                };
                // dbt looks for `<name>_v<v>`, and for the latest version also `<name>` (dbt 1.5+).
                let file = version.defined_in.clone().unwrap_or(format!("{name}_v{v}"));
                let fallback = (version.defined_in.is_none() && v == latest).then_some(name);
                let path = code
                    .get(file.as_str())
                    .or_else(|| fallback.and_then(|n| code.get(n)));
                let Some(path) = path else {
                    self.warn(format!(
                        "{}: version {v} of model `{name}` has no file `{file}.sql` or `{file}.py`",
                        pf.path
                    ));
                    continue;
                };
                claimed.insert(path);
                let version = Version {
                    props: version,
                    v,
                    latest: &latest,
                };
                self.model(name, path, Some((pf, m)), Some(version))?;
            }
        }
        for (name, path) in &code {
            if claimed.contains(path) {
                continue;
            }
            if versioned.contains(name) {
                self.warn(format!(
                    "{path}: model `{name}` is versioned, and this file is none of its versions"
                ));
                continue;
            }
            self.model(name, path, None, None)?;
        }
        Ok(())
    }

    fn model(
        &mut self,
        name: &str,
        path: &str,
        entry: Option<Entry<'_>>,
        version: Option<Version<'_>>,
    ) -> Result<(), DbtError> {
        let code_map = self.code;
        let Some(code) = code_map.get(path) else {
            return Ok(());
        };
        let v_part = version.as_ref().map(|v| format!("v{}", v.v));
        let mut fqn = self.fqn(path, &self.files.model_roots, &[name]);
        fqn.extend(v_part.as_deref());
        let mut cfg = self.project_config(Kind::Model, &fqn);
        if let Some((pf, m)) = entry {
            cfg.overlay(self.property_config(pf, m));
            if let Some(v) = &version {
                let top = NodeConfig {
                    access: v.props.access.clone(),
                    deprecation_date: v.props.deprecation_date.clone(),
                    ..NodeConfig::default()
                };
                cfg.overlay(top);
                cfg.overlay(self.config_map(&pf.path, &v.props.config));
            }
        }
        // An in-file `config()` is the most specific layer.
        cfg.overlay(self.config_map(path, &code.config));
        if !cfg.is_enabled() {
            return Ok(());
        }

        let file = entry.map_or(path, |(pf, _)| pf.path);
        let mut rel = self.relation(file, name, ResourceType::Model, &cfg, Materialization::View);
        rel.access = Some(Access::Protected);
        if let Some(access) = &cfg.access {
            match Access::parse(access) {
                Some(a) => rel.access = Some(a),
                None => self.warn(format!(
                    "{path}: model `{name}` has unknown access `{access}`"
                )),
            }
        }
        if let Some(v) = &version {
            rel.version = Some(v.v.clone());
            rel.latest_version = Some(v.latest.to_string());
            rel.unique_id = rel.unique_id.map(|id| format!("{id}.v{}", v.v));
            if cfg.alias.is_none() {
                rel.identifier = Some(format!("{name}_v{}", v.v));
            }
        }
        rel.file = Some(path.to_string());
        if let Some((pf, m)) = entry {
            rel.file = Some(pf.path.to_string());
            let vprops = version.as_ref().map(|v| v.props);
            rel.description = vprops
                .and_then(|v| description(&v.description))
                .or_else(|| description(&m.description));
            rel.columns = self.columns(pf, m, vprops)?;
            let constraints = match vprops {
                Some(v) if !v.constraints.is_empty() => &v.constraints,
                _ => &m.constraints,
            };
            rel.constraints = constraints.iter().map(columns::constraint).collect();
            let tests = vprops
                .and_then(|v| given_tests(&v.tests, &v.data_tests))
                .or_else(|| given_tests(&m.tests, &m.data_tests))
                .unwrap_or_default();
            self.attach_tests(pf, &tests, &mut rel)?;
            self.declare(&pf.path, &rel);
        }
        let key = self.declare(path, &rel);
        if self.insert(rel) {
            let language = match path.ends_with(".py") {
                true => ModelLanguage::Python,
                false => ModelLanguage::Sql,
            };
            self.models.push(ModelSource {
                name: name.to_string(),
                version: version.map(|v| v.v),
                path: path.to_string(),
                language,
                depends: code.depends.clone(),
                // Moved in once the build has succeeded.
                sql: String::new(),
            });
        } else {
            self.warn(format!(
                "{path}: `{key}` is declared twice; the first one is kept"
            ));
        }
        Ok(())
    }

    pub fn sources(&mut self, property_files: &[PropertySource<'_>]) -> Result<(), DbtError> {
        for pf in property_files {
            for entry in &pf.props.sources {
                let s = &entry.value;
                if s.name.is_empty() {
                    return Err(pf.src().invalid(
                        entry.referenced,
                        "a source has no `name`",
                        NAME_HELP,
                    ));
                }
                for table in &s.tables {
                    let t = &table.value;
                    if t.name.is_empty() {
                        let msg = "a source table has no `name`";
                        return Err(pf.src().invalid(table.referenced, msg, NAME_HELP));
                    }
                    self.source_table(pf, s, t)?;
                }
            }
        }
        Ok(())
    }

    fn source_table(
        &mut self,
        pf: &PropertySource<'_>,
        s: &super::properties::SourceProps<'_>,
        t: &super::properties::TableProps<'_>,
    ) -> Result<(), DbtError> {
        let fqn = self.fqn(&pf.path, &self.files.property_roots, &[&s.name, &t.name]);
        let mut cfg = self.project_config(Kind::Source, &fqn);
        let mut problems = Vec::new();
        let mut fresh = freshness::apply(None, cfg.freshness.as_ref(), &mut problems);
        for (top, config, tags, meta) in [
            (&s.freshness, &s.config, &s.tags, &s.meta),
            (&t.freshness, &t.config, &t.tags, &t.meta),
        ] {
            fresh = freshness::apply(fresh, top.as_ref(), &mut problems);
            fresh = freshness::apply(fresh, config.get("freshness"), &mut problems);
            let layer = NodeConfig {
                tags: tags.0.clone(),
                meta: meta.clone(),
                ..NodeConfig::default()
            };
            cfg.overlay(layer);
            cfg.overlay(self.config_map(&pf.path, config));
        }
        self.problems(&pf.path, problems);
        if !cfg.is_enabled() {
            return Ok(());
        }
        let name = format!("{}.{}", s.name, t.name);
        let kind = ResourceType::Source;
        let mut rel = self.relation(&pf.path, &name, kind, &cfg, Materialization::Table);
        rel.contract_enforced = false;
        rel.unique_id = Some(format!("source.{}.{name}", self.project.name));
        rel.database = s.database.clone().or(rel.database);
        rel.schema = s
            .schema
            .clone()
            .or(rel.schema)
            .or_else(|| Some(s.name.to_string()));
        rel.identifier = Some(t.identifier.clone().unwrap_or_else(|| t.name.to_string()));
        rel.freshness = fresh;
        rel.description = description(&t.description);
        rel.file = Some(pf.path.to_string());
        let src = pf.src();
        for c in &t.columns {
            if let Some(col) = self.column(&src, c, &name)? {
                rel.columns.push(col);
            }
        }
        let tests = given_tests(&t.tests, &t.data_tests).unwrap_or_default();
        self.attach_tests(pf, &tests, &mut rel)?;
        self.declare(&pf.path, &rel);
        if !self.insert(rel) {
            self.warn(format!(
                "{}: source table `{name}` is declared twice",
                pf.path
            ));
        }
        Ok(())
    }

    pub fn seeds(&mut self, property_files: &[PropertySource<'_>]) -> Result<(), DbtError> {
        let inventory = self.files;
        let files = self.by_name(&inventory.seed_files, "seed");
        let entries = self.entries(property_files, |p| &p.props.seeds, "seed")?;
        let mut props: BTreeMap<&str, Entry<'_>> = BTreeMap::new();
        for (pf, entry) in entries {
            let s = &entry.value;
            if files.contains_key(s.name.as_str()) {
                props.insert(&s.name, (pf, s));
            } else {
                let roots = inventory.seed_roots.join(", ");
                self.warn(format!(
                    "{}: seed `{}` has no .csv file under {roots}",
                    pf.path, s.name
                ));
            }
        }
        for (name, path) in &files {
            let fqn = self.fqn(path, &inventory.seed_roots, &[name]);
            let entry = props.get(name).copied();
            self.node(
                name,
                path,
                fqn,
                entry,
                ResourceType::Seed,
                NodeConfig::default(),
            )?;
        }
        Ok(())
    }

    pub fn snapshots(&mut self, property_files: &[PropertySource<'_>]) -> Result<(), DbtError> {
        let inventory = self.files;
        let code_map = self.code;
        let mut blocks: BTreeMap<&str, (&str, &Code)> = BTreeMap::new();
        for path in &inventory.snapshot_code {
            let Some(code) = code_map.get(path) else {
                continue;
            };
            for name in &code.snapshots {
                blocks.entry(name).or_insert((path.as_str(), code));
            }
        }
        let entries = self.entries(property_files, |p| &p.props.snapshots, "snapshot")?;
        let mut props: BTreeMap<&str, Entry<'_>> = BTreeMap::new();
        for (pf, entry) in entries {
            let s = &entry.value;
            if blocks.contains_key(s.name.as_str()) {
                props.insert(&s.name, (pf, s));
            } else if s.relation.is_some() {
                // Defined in YAML alone (dbt ≥ 1.9).
                let fqn = self.fqn(&pf.path, &inventory.snapshot_roots, &[&s.name]);
                let kind = ResourceType::Snapshot;
                self.node(
                    &s.name,
                    &pf.path,
                    fqn,
                    Some((pf, s)),
                    kind,
                    NodeConfig::default(),
                )?;
            } else {
                self.warn(format!(
                    "{}: snapshot `{}` has no `{{% snapshot %}}` block and no `relation:`",
                    pf.path, s.name
                ));
            }
        }
        for (name, (path, code)) in &blocks {
            let fqn = self.fqn(path, &inventory.snapshot_roots, &[name]);
            let in_file = self.config_map(path, &code.config);
            let entry = props.get(name).copied();
            self.node(name, path, fqn, entry, ResourceType::Snapshot, in_file)?;
        }
        Ok(())
    }

    /// A seed or snapshot.
    fn node(
        &mut self,
        name: &str,
        path: &str,
        fqn: Vec<&str>,
        entry: Option<Entry<'_>>,
        resource: ResourceType,
        in_file: NodeConfig,
    ) -> Result<(), DbtError> {
        let (kind, default) = match resource {
            ResourceType::Seed => (Kind::Seed, Materialization::Seed),
            _ => (Kind::Snapshot, Materialization::Snapshot),
        };
        let mut cfg = self.project_config(kind, &fqn);
        if let Some((pf, m)) = entry {
            cfg.overlay(self.property_config(pf, m));
        }
        cfg.overlay(in_file);
        if !cfg.is_enabled() {
            return Ok(());
        }
        let file = entry.map_or(path, |(pf, _)| pf.path);
        let mut rel = self.relation(file, name, resource, &cfg, default);
        rel.file = Some(path.to_string());
        if let Some((pf, m)) = entry {
            rel.file = Some(pf.path.to_string());
            rel.description = description(&m.description);
            rel.columns = self.columns(pf, m, None)?;
            rel.constraints = m.constraints.iter().map(columns::constraint).collect();
            let tests = given_tests(&m.tests, &m.data_tests).unwrap_or_default();
            self.attach_tests(pf, &tests, &mut rel)?;
            self.declare(&pf.path, &rel);
        }
        let key = self.declare(path, &rel);
        if !self.insert(rel) {
            self.warn(format!(
                "{path}: `{key}` is declared twice; the first one is kept"
            ));
        }
        Ok(())
    }

    /// The fields every kind of relation takes from its resolved config.
    fn relation(
        &mut self,
        path: &str,
        name: &str,
        resource: ResourceType,
        cfg: &NodeConfig,
        default: Materialization,
    ) -> Relation {
        let project = &self.project.name;
        let deprecation_date = cfg.deprecation_date.as_deref().and_then(|d| {
            let what = format!("{} `{name}`", resource.name());
            columns::date(d, path, &what, &mut self.warnings)
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
            ..Relation::default()
        }
    }

    /// A model's (or version's) columns: for a version, the model's columns its include/exclude
    /// selects, then its own, which replace a model column of the same name in place.
    fn columns(
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

    fn column(
        &mut self,
        src: &Src<'_>,
        props: &super::properties::ColumnProps<'_>,
        relation: &str,
    ) -> Result<Option<Column>, DbtError> {
        if props.name.trim().is_empty() {
            self.warn(format!(
                "{}: a column of `{relation}` has no name; skipped",
                src.path
            ));
            return Ok(None);
        }
        columns::column(props, src, &mut self.warnings).map(Some)
    }

    /// Model-level tests; one whose `column_name` names a declared column belongs to it.
    fn attach_tests(
        &mut self,
        pf: &PropertySource<'_>,
        tests: &[&Spanned<Value>],
        rel: &mut Relation,
    ) -> Result<(), DbtError> {
        let src = pf.src();
        for entry in tests {
            let Some(parsed) = data_tests::parse(entry, &src, &mut self.warnings)? else {
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
    fn property_config(&mut self, pf: &PropertySource<'_>, m: &NodeProps<'_>) -> NodeConfig {
        let mut c = NodeConfig {
            access: m.access.clone(),
            group: m.group.clone(),
            deprecation_date: m.deprecation_date.clone(),
            tags: m.tags.0.clone(),
            meta: m.meta.clone(),
            ..NodeConfig::default()
        };
        c.overlay(self.config_map(&pf.path, &m.config));
        c
    }

    fn config_map(&mut self, path: &str, map: &serde_json::Map<String, Value>) -> NodeConfig {
        let mut problems = Vec::new();
        let c = NodeConfig::from_map(map, &mut problems);
        self.problems(path, problems);
        c
    }

    fn project_config(&mut self, kind: Kind, fqn: &[&str]) -> NodeConfig {
        let mut problems = Vec::new();
        let c = self.project.config_for(kind, fqn, &mut problems);
        self.problems("dbt_project.yml", problems);
        c
    }

    fn problems(&mut self, path: &str, problems: Vec<String>) {
        for p in problems {
            self.warn(format!("{path}: {p}"));
        }
    }

    /// `[project, folders…, tail…]`, dbt's fully qualified name used by project-file configs.
    fn fqn<'s>(&self, path: &'s str, roots: &[String], tail: &[&'s str]) -> Vec<&'s str>
    where
        'a: 's,
    {
        let project: &'a ProjectFile = self.project;
        let mut fqn = vec![project.name.as_str()];
        fqn.extend(folders(path, roots));
        fqn.extend_from_slice(tail);
        fqn
    }

    /// Files named after their resource, by name; a second file with the same name is reported.
    fn by_name(&mut self, paths: &'a [String], what: &str) -> BTreeMap<&'a str, &'a str> {
        let mut out: BTreeMap<&str, &str> = BTreeMap::new();
        for path in paths {
            let name = stem(path);
            if let Some(first) = out.get(name) {
                self.warn(format!(
                    "{path}: another {what} is named `{name}` ({first}); only the first is read"
                ));
                continue;
            }
            out.insert(name, path);
        }
        out
    }

    /// Every entry of one kind across the property files, the first of each name.
    fn entries<'p>(
        &mut self,
        property_files: &'p [PropertySource<'p>],
        pick: fn(&'p PropertySource<'p>) -> &'p Vec<Spanned<NodeProps<'p>>>,
        what: &str,
    ) -> Result<Vec<(&'p PropertySource<'p>, &'p Spanned<NodeProps<'p>>)>, DbtError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for pf in property_files {
            for entry in pick(pf) {
                let name = entry.value.name.as_str();
                if name.trim().is_empty() {
                    let msg = format!("a {what} entry has no `name`");
                    return Err(pf.src().invalid(entry.referenced, &msg, NAME_HELP));
                }
                if !seen.insert(name) {
                    self.warn(format!(
                        "{}: {what} `{name}` is described twice; the first description is kept",
                        pf.path
                    ));
                    continue;
                }
                out.push((pf, entry));
            }
        }
        Ok(out)
    }

    /// Records that `path` declares or configures `rel`; returns its key.
    fn declare(&mut self, path: &str, rel: &Relation) -> String {
        let key = rel.key();
        let keys = self.by_file.entry(path.to_string()).or_default();
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        key
    }

    /// `false` when a relation with the same key exists already.
    fn insert(&mut self, rel: Relation) -> bool {
        if self.relations.relations.contains_key(&rel.key()) {
            return false;
        }
        self.relations.insert(rel);
        true
    }

    fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}

/// The declared `latest_version`, else the highest version: numerically when every version is a
/// number, else the greatest string, as dbt orders them.
fn latest_version(m: &NodeProps<'_>) -> String {
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
