//! Turns the project's files into relations: models (one per version), sources, seeds and
//! snapshots, each with its layered config, columns and tests. Each property file is built on
//! its own (in parallel, see `mod.rs`); `leftovers` then adds the files no entry describes.

mod parts;

use std::collections::{BTreeMap, HashMap, HashSet};

use super::config::{Kind, NodeConfig, ProjectFile};
use super::properties::{
    NodeProps, SourceProps, TableProps, VersionProps, description, given_tests,
};
use super::{
    Code, DbtError, Inventory, ModelLanguage, ModelSource, PropertySource, freshness, stem,
};
use crate::contract::{Access, Materialization, Relation, ResourceType};
use parts::latest_version;

const NAME_HELP: &str = "every entry under `models:`, `seeds:`, `snapshots:` and `sources:` \
    needs a `name:`";

/// What every file's builder reads: the project and its files, indexed by name.
pub(crate) struct Shared<'a> {
    project: &'a ProjectFile,
    files: &'a Inventory,
    code: &'a HashMap<String, Code>,
    /// Each seed file's header row (its columns), or why it has none.
    seed_headers: &'a super::seed_csv::Headers,
    /// Model, seed and snapshot definitions by the name they define (the first of each).
    models: BTreeMap<&'a str, &'a str>,
    seeds: BTreeMap<&'a str, &'a str>,
    snapshots: BTreeMap<&'a str, &'a str>,
}

impl<'a> Shared<'a> {
    pub fn new(
        project: &'a ProjectFile,
        files: &'a Inventory,
        (code, seed_headers): (&'a HashMap<String, Code>, &'a super::seed_csv::Headers),
        warnings: &mut Vec<String>,
    ) -> Shared<'a> {
        let mut by_name = |paths: &'a [String], what: &str| {
            let mut out: BTreeMap<&str, &str> = BTreeMap::new();
            for path in paths {
                let name = stem(path);
                match out.get(name) {
                    Some(first) => warnings.push(format!(
                        "{path}: another {what} is named `{name}` ({first}); only the first is read"
                    )),
                    None => {
                        out.insert(name, path);
                    }
                }
            }
            out
        };
        let models = by_name(&files.model_code, "model");
        let seeds = by_name(&files.seed_files, "seed");
        let mut snapshots = BTreeMap::new();
        for path in &files.snapshot_code {
            for name in code.get(path).map_or(&[][..], |c| &c.snapshots) {
                snapshots.entry(name.as_str()).or_insert(path.as_str());
            }
        }
        Shared {
            project,
            files,
            code,
            seed_headers,
            models,
            seeds,
            snapshots,
        }
    }
}

/// What one property file declares, or what `leftovers` adds.
#[derive(Default)]
pub(crate) struct Output {
    /// In declaration order; a model comes with its code.
    pub relations: Vec<(Relation, Option<ModelSource>)>,
    /// `(file, relation key)`: which files declare or configure which relations.
    pub declared: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// Model and seed files an entry describes, and snapshot names.
    pub claimed: Vec<String>,
    /// Names of versioned models: their `<name>.sql` is not a model of its own.
    pub versioned: Vec<String>,
}

pub(crate) struct Builder<'s, 'a> {
    shared: &'s Shared<'a>,
    out: Output,
}

/// A property-file entry with the file it came from.
type Entry<'p> = (&'p PropertySource<'p>, &'p NodeProps<'p>);

/// One version of a versioned model.
struct Version<'p> {
    props: &'p VersionProps<'p>,
    v: String,
    latest: &'p str,
}

impl<'s, 'a> Builder<'s, 'a> {
    /// Everything one property file declares.
    pub fn property_file(
        shared: &'s Shared<'a>,
        pf: &PropertySource<'_>,
    ) -> Result<Output, DbtError> {
        let mut b = Builder {
            shared,
            out: Output::default(),
        };
        b.models(pf)?;
        for entry in &pf.props.sources {
            let s = &entry.value;
            if s.name.is_empty() {
                let msg = "a source has no `name`";
                return Err(pf.src().invalid(entry.referenced, msg, NAME_HELP));
            }
            for table in &s.tables {
                if table.value.name.is_empty() {
                    let msg = "a source table has no `name`";
                    return Err(pf.src().invalid(table.referenced, msg, NAME_HELP));
                }
                b.source_table(pf, s, &table.value)?;
            }
        }
        b.seeds(pf)?;
        b.snapshots(pf)?;
        Ok(b.out)
    }

    /// Models, seeds and snapshots that no property-file entry describes.
    pub fn leftovers(
        shared: &'s Shared<'a>,
        claimed: &HashSet<&str>,
        versioned: &HashSet<&str>,
    ) -> Result<Output, DbtError> {
        let mut b = Builder {
            shared,
            out: Output::default(),
        };
        for (name, path) in &shared.models {
            if claimed.contains(path) {
                continue;
            }
            if versioned.contains(name) {
                b.warn(format!(
                    "{path}: model `{name}` is versioned, and this file is none of its versions"
                ));
                continue;
            }
            b.model(name, path, None, None)?;
        }
        for (name, path) in &shared.seeds {
            if !claimed.contains(path) {
                let fqn = b.fqn(path, &shared.files.seed_roots, &[name]);
                b.node(name, path, fqn, None, ResourceType::Seed)?;
            }
        }
        for (name, path) in &shared.snapshots {
            if !claimed.contains(name) {
                let fqn = b.fqn(path, &shared.files.snapshot_roots, &[name]);
                b.node(name, path, fqn, None, ResourceType::Snapshot)?;
            }
        }
        Ok(b.out)
    }

    fn models(&mut self, pf: &PropertySource<'_>) -> Result<(), DbtError> {
        let shared = self.shared;
        for entry in self.entries(pf, &pf.props.models, "model")? {
            let m = &entry.value;
            let name = m.name.as_str();
            if m.versions.is_empty() {
                match shared.models.get(name) {
                    Some(path) => {
                        self.out.claimed.push(path.to_string());
                        self.model(name, path, Some((pf, m)), None)?;
                    }
                    None => self.warn(format!(
                        "{}: model `{name}` has no .sql or .py file under {}",
                        pf.path,
                        shared.files.model_roots.join(", ")
                    )),
                }
                continue;
            }
            self.out.versioned.push(name.to_string());
            let latest = latest_version(m);
            for version in &m.versions {
                let Some(v) = version.v.as_ref().map(|v| v.0.clone()) else {
                    let help = "each entry under `versions:` needs `v:`, its version identifier";
                    let msg = format!("a version of model `{name}` has no `v`");
                    return Err(pf.src().invalid(entry.referenced, &msg, help));
                };
                // dbt looks for `<name>_v<v>`, and for the latest version also `<name>` (dbt 1.5+).
                let file = version.defined_in.clone().unwrap_or(format!("{name}_v{v}"));
                let fallback = (version.defined_in.is_none() && v == latest).then_some(name);
                let path = shared
                    .models
                    .get(file.as_str())
                    .or_else(|| fallback.and_then(|n| shared.models.get(n)));
                let Some(path) = path else {
                    self.warn(format!(
                        "{}: version {v} of model `{name}` has no file `{file}.sql` or `{file}.py`",
                        pf.path
                    ));
                    continue;
                };
                self.out.claimed.push(path.to_string());
                let version = Version {
                    props: version,
                    v,
                    latest: &latest,
                };
                self.model(name, path, Some((pf, m)), Some(version))?;
            }
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
        let shared = self.shared;
        let Some(code) = shared.code.get(path) else {
            return Ok(());
        };
        let v_part = version.as_ref().map(|v| format!("v{}", v.v));
        let mut fqn = self.fqn(path, &shared.files.model_roots, &[name]);
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
                cfg.overlay(self.config_map(pf.path, &v.props.config));
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
        rel.file = Some(file.to_string());
        if let Some((pf, m)) = entry {
            let vprops = version.as_ref().map(|v| v.props);
            rel.description = vprops
                .and_then(|v| description(&v.description))
                .or_else(|| description(&m.description));
            rel.columns = self.columns(pf, m, vprops)?;
            let constraints = match vprops {
                Some(v) if !v.constraints.is_empty() => &v.constraints,
                _ => &m.constraints,
            };
            rel.constraints = constraints.iter().map(super::columns::constraint).collect();
            let tests = vprops
                .and_then(|v| given_tests(&v.tests, &v.data_tests))
                .or_else(|| given_tests(&m.tests, &m.data_tests))
                .unwrap_or_default();
            self.attach_tests(pf, &tests, &mut rel)?;
            self.declare(pf.path, &rel);
        }
        self.declare(path, &rel);
        let language = match path.ends_with(".py") {
            true => ModelLanguage::Python,
            false => ModelLanguage::Sql,
        };
        let source = ModelSource {
            name: name.to_string(),
            version: version.map(|v| v.v),
            path: path.to_string(),
            language,
            depends: code.depends.clone(),
            // Moved in once every file is built (the code is shared until then).
            sql: String::new(),
            snapshot_meta: None,
        };
        self.out.relations.push((rel, Some(source)));
        Ok(())
    }

    fn source_table(
        &mut self,
        pf: &PropertySource<'_>,
        s: &SourceProps<'_>,
        t: &TableProps<'_>,
    ) -> Result<(), DbtError> {
        let fqn = self.fqn(
            pf.path,
            &self.shared.files.property_roots,
            &[&s.name, &t.name],
        );
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
            cfg.overlay(self.config_map(pf.path, config));
        }
        self.problems(pf.path, problems);
        if !cfg.is_enabled() {
            return Ok(());
        }
        let name = format!("{}.{}", s.name, t.name);
        let kind = ResourceType::Source;
        let mut rel = self.relation(pf.path, &name, kind, &cfg, Materialization::Table);
        rel.contract_enforced = false;
        rel.unique_id = Some(format!("source.{}.{name}", self.shared.project.name));
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
        self.declare(pf.path, &rel);
        self.out.relations.push((rel, None));
        Ok(())
    }

    fn seeds(&mut self, pf: &PropertySource<'_>) -> Result<(), DbtError> {
        let shared = self.shared;
        for entry in self.entries(pf, &pf.props.seeds, "seed")? {
            let s = &entry.value;
            let Some(path) = shared.seeds.get(s.name.as_str()) else {
                let roots = shared.files.seed_roots.join(", ");
                let name = &s.name;
                self.warn(format!(
                    "{}: seed `{name}` has no .csv file under {roots}",
                    pf.path
                ));
                continue;
            };
            self.out.claimed.push(path.to_string());
            let fqn = self.fqn(path, &shared.files.seed_roots, &[&s.name]);
            self.node(&s.name, path, fqn, Some((pf, s)), ResourceType::Seed)?;
        }
        Ok(())
    }

    fn snapshots(&mut self, pf: &PropertySource<'_>) -> Result<(), DbtError> {
        let shared = self.shared;
        for entry in self.entries(pf, &pf.props.snapshots, "snapshot")? {
            let s = &entry.value;
            let (path, roots) = match shared.snapshots.get(s.name.as_str()) {
                Some(path) => (*path, &shared.files.snapshot_roots),
                // Defined in YAML alone (dbt ≥ 1.9).
                None if s.relation.is_some() => (pf.path, &shared.files.property_roots),
                None => {
                    self.warn(format!(
                        "{}: snapshot `{}` has no `{{% snapshot %}}` block and no `relation:`",
                        pf.path, s.name
                    ));
                    continue;
                }
            };
            self.out.claimed.push(s.name.to_string());
            let fqn = self.fqn(path, roots, &[&s.name]);
            self.node(&s.name, path, fqn, Some((pf, s)), ResourceType::Snapshot)?;
        }
        Ok(())
    }

    /// A seed, or a snapshot (whose SQL `config()` is its most specific layer).
    fn node(
        &mut self,
        name: &str,
        path: &str,
        fqn: Vec<&str>,
        entry: Option<Entry<'_>>,
        resource: ResourceType,
    ) -> Result<(), DbtError> {
        let (kind, default) = match resource {
            ResourceType::Seed => (Kind::Seed, Materialization::Seed),
            _ => (Kind::Snapshot, Materialization::Snapshot),
        };
        let mut cfg = self.project_config(kind, &fqn);
        if let Some((pf, m)) = entry {
            cfg.overlay(self.property_config(pf, m));
        }
        if let Some(code) = self.shared.code.get(path) {
            cfg.overlay(self.config_map(path, &code.config));
        }
        if !cfg.is_enabled() {
            return Ok(());
        }
        let file = entry.map_or(path, |(pf, _)| pf.path);
        let mut rel = self.relation(file, name, resource, &cfg, default);
        rel.file = Some(file.to_string());
        if let Some((pf, m)) = entry {
            rel.description = description(&m.description);
            rel.columns = self.columns(pf, m, None)?;
            rel.constraints = m
                .constraints
                .iter()
                .map(super::columns::constraint)
                .collect();
            let tests = given_tests(&m.tests, &m.data_tests).unwrap_or_default();
            self.attach_tests(pf, &tests, &mut rel)?;
            self.declare(pf.path, &rel);
        }
        if resource == ResourceType::Seed {
            match self.shared.seed_headers.get(path) {
                Some(Ok(header)) => super::seed_csv::apply(&mut rel, header, &cfg.column_types),
                Some(Err(why)) => self.warn(format!(
                    "{path}: {why}; the seed's columns are taken from its YAML"
                )),
                None => {}
            }
        }
        self.declare(path, &rel);
        let source = (resource == ResourceType::Snapshot)
            .then(|| self.snapshot_source(name, path))
            .flatten();
        self.out.relations.push((rel, source));
        Ok(())
    }

    /// The SQL of a snapshot defined in a `{% snapshot %}` block, for its output columns.
    fn snapshot_source(&self, name: &str, path: &str) -> Option<ModelSource> {
        let code = self.shared.code.get(path)?;
        let (_, body) = super::sql::snapshot_blocks(&code.text)
            .into_iter()
            .find(|(n, _)| n == name)?;
        Some(ModelSource {
            name: name.to_string(),
            version: None,
            path: path.to_string(),
            language: ModelLanguage::Sql,
            sql: body.to_string(),
            depends: code.depends.clone(),
            snapshot_meta: Some(snapshot_meta(&code.config)),
        })
    }

    /// One kind of entry of a property file, checked for a name, the first of each name.
    fn entries<'p>(
        &mut self,
        pf: &PropertySource<'_>,
        entries: &'p [serde_saphyr::Spanned<NodeProps<'p>>],
        what: &str,
    ) -> Result<Vec<&'p serde_saphyr::Spanned<NodeProps<'p>>>, DbtError> {
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
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
            out.push(entry);
        }
        Ok(out)
    }

    /// Records that `path` declares or configures `rel`.
    fn declare(&mut self, path: &str, rel: &Relation) {
        self.out.declared.push((path.to_string(), rel.key()));
    }

    fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }
}

/// The columns dbt adds to a snapshot's table, under the names `snapshot_meta_column_names`
/// gives them (dbt ≥ 1.9), with `dbt_is_deleted` when `hard_deletes='new_record'`. Read from
/// the snapshot's own `config()`, where snapshots are configured.
fn snapshot_meta(config: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    let renamed = config
        .get("snapshot_meta_column_names")
        .and_then(serde_json::Value::as_object);
    let mut names = vec![
        "dbt_scd_id",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
    ];
    if config
        .get("hard_deletes")
        .and_then(serde_json::Value::as_str)
        == Some("new_record")
    {
        names.push("dbt_is_deleted");
    }
    names
        .into_iter()
        .map(|n| {
            renamed
                .and_then(|r| r.get(n))
                .and_then(serde_json::Value::as_str)
                .unwrap_or(n)
                .to_lowercase()
        })
        .collect()
}
