//! Turning the raw manifest into Tessera's contract model: one [`Relation`] per enabled model
//! (version), seed, snapshot and source table, plus the lineage facts other commands need.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::datatests;
use super::md5::md5_hex;
use super::raw::{
    RawColumn, RawConstraint, RawExposure, RawFreshness, RawGroup, RawMetadata, RawNode, RawSource,
};
use super::refs;
use super::{Counts, Exposure, Group, Manifest, NodeInfo};
use crate::contract::{
    Access, Column, Constraint, ConstraintKind, Date, Freshness, Materialization, Meta, Project,
    Relation, ResourceType,
};

pub(super) struct Parts {
    pub metadata: RawMetadata,
    pub nodes: Vec<RawNode>,
    pub sources: Vec<RawSource>,
    pub exposures: Vec<RawExposure>,
    pub groups: Vec<RawGroup>,
    pub unit_tests: usize,
}

pub(super) fn assemble(parts: Parts) -> Manifest {
    let Parts {
        mut metadata,
        nodes,
        sources,
        exposures,
        groups,
        unit_tests,
    } = parts;
    let root = root_package(&metadata, &nodes, &sources);
    let mut counts = Counts {
        unit_tests,
        ..Counts::default()
    };
    let mut relations = Vec::new();
    let mut infos = Vec::new();
    let mut tests = Vec::new();

    for mut node in nodes {
        let resource_type = node.resource_type.take().unwrap_or_default();
        counts.count_node(&resource_type, &node, root.as_deref());
        let enabled = is_enabled(node.config.0.as_ref().and_then(|c| c.enabled.0));
        let kind = match resource_type.as_str() {
            "model" => ResourceType::Model,
            "seed" => ResourceType::Seed,
            "snapshot" => ResourceType::Snapshot,
            "test" => {
                if enabled && node.test_metadata.0.is_some() {
                    tests.push(node);
                }
                continue;
            }
            _ => continue,
        };
        infos.push(node_info(&mut node, &resource_type, kind, enabled));
        if enabled {
            relations.push(node_relation(node, kind));
        }
    }
    // Compiled SQL names sources by their relation name; only worth keeping when there is some.
    let compiled = infos.iter().any(|n| n.compiled_code.is_some());
    let mut source_relation_names = BTreeMap::new();
    for source in sources {
        counts.count_source(&source, root.as_deref());
        if compiled
            && let (Some(uid), Some(name)) =
                (source.unique_id.as_deref(), source.relation_name.as_deref())
        {
            source_relation_names.insert(uid.to_string(), name.to_string());
        }
        if is_enabled(source.config.0.as_ref().and_then(|c| c.enabled.0)) {
            relations.push(source_relation(source));
        }
    }

    datatests::attach(&mut relations, tests, &mut counts);

    counts.exposures = exposures.len();
    let exposures = exposures
        .into_iter()
        .filter_map(|e| {
            let (owner_email, owner_name) = owner(e.owner.0);
            if owner_email.is_some() || owner_name.is_some() {
                counts.exposures_with_owner += 1;
            }
            let enabled = is_enabled(e.config.0.and_then(|c| c.enabled.0));
            enabled.then(|| Exposure {
                unique_id: e.unique_id.0.unwrap_or_default(),
                name: e.name.0.unwrap_or_default(),
                owner_email,
                owner_name,
                depends_on: e.depends_on.0.map(|d| d.nodes.0).unwrap_or_default(),
            })
        })
        .collect();
    counts.groups = groups.len();
    let groups = groups
        .into_iter()
        .map(|g| {
            let (owner_email, owner_name) = owner(g.owner.0);
            if owner_email.is_some() || owner_name.is_some() {
                counts.groups_with_owner += 1;
            }
            Group {
                name: g.name.0.unwrap_or_default(),
                owner_email,
                owner_name,
            }
        })
        .collect();
    counts.finish();

    let mut project = Project::default();
    for relation in relations {
        let key = relation.key();
        let replace = match project.get(&key) {
            None => true,
            Some(existing) => {
                counts.shadowed_relations += 1;
                // Two packages may both define `orders`; the root project's one is the contract.
                root.is_some()
                    && relation.package == root
                    && existing.package.as_deref() != root.as_deref()
            }
        };
        if replace {
            project.insert(relation);
        }
    }

    let schema_version = metadata
        .dbt_schema_version
        .as_deref()
        .and_then(schema_version);
    Manifest {
        schema_version,
        dbt_version: metadata.dbt_version.take().filter(|s| !s.is_empty()),
        adapter_type: metadata.adapter_type.take().filter(|s| !s.is_empty()),
        project_name: root,
        relations: project,
        nodes: infos,
        exposures,
        groups,
        counts,
        source_relation_names,
    }
}

/// dbt leaves `enabled` out when it is true; only an explicit `false` switches a node off.
fn is_enabled(flag: Option<bool>) -> bool {
    flag != Some(false)
}

/// The `N` of `https://schemas.getdbt.com/dbt/manifest/vN.json`.
pub(super) fn schema_version(url: &str) -> Option<u32> {
    let last = url.trim().rsplit('/').next()?;
    let stem = last.strip_suffix(".json").unwrap_or(last);
    stem.strip_prefix('v')?.parse().ok()
}

/// The root project's package: `metadata.project_name` (v10+); before that, the package whose
/// MD5 is `metadata.project_id` (dbt derives the id that way); failing both, the package that
/// holds the most tests, since dependencies rarely ship tests.
fn root_package(meta: &RawMetadata, nodes: &[RawNode], sources: &[RawSource]) -> Option<String> {
    if let Some(name) = meta.project_name.as_deref().filter(|s| !s.is_empty()) {
        return Some(name.to_string());
    }
    let packages: BTreeSet<&str> = nodes
        .iter()
        .filter_map(|n| n.package_name.as_deref())
        .chain(sources.iter().filter_map(|s| s.package_name.as_deref()))
        .collect();
    if let Some(id) = meta.project_id.as_deref() {
        let id = id.trim().to_ascii_lowercase();
        if let Some(found) = packages.iter().find(|p| md5_hex(p.as_bytes()) == id) {
            return Some((*found).to_string());
        }
    }
    let mut tests: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for node in nodes {
        if let Some(package) = node.package_name.as_deref() {
            let entry = tests.entry(package).or_default();
            match node.resource_type.as_deref() {
                Some("test") => entry.0 += 1,
                Some("model") => entry.1 += 1,
                _ => {}
            }
        }
    }
    tests
        .into_iter()
        .max_by_key(|&(_, counts)| counts)
        .map(|(p, _)| p.to_string())
}

fn node_info(
    node: &mut RawNode,
    resource_type: &str,
    kind: ResourceType,
    enabled: bool,
) -> NodeInfo {
    let compiled_code = if kind == ResourceType::Model {
        node.compiled_code
            .take()
            .or_else(|| node.compiled_sql.take())
    } else {
        None
    };
    NodeInfo {
        unique_id: node.unique_id.0.clone().unwrap_or_default(),
        resource_type: resource_type.to_string(),
        name: node.name.0.clone().unwrap_or_default(),
        package: node.package_name.0.clone().unwrap_or_default(),
        version: node.version.0.clone().filter(|s| !s.is_empty()),
        depends_on: node
            .depends_on
            .0
            .take()
            .map(|d| d.nodes.0)
            .unwrap_or_default(),
        group: group_of(node),
        original_file_path: node.original_file_path.0.clone(),
        compiled_code,
        relation_name: node.relation_name.0.clone(),
        enabled,
    }
}

fn group_of(node: &RawNode) -> Option<String> {
    node.group
        .0
        .clone()
        .or_else(|| node.config.0.as_ref().and_then(|c| c.group.0.clone()))
        .filter(|s| !s.is_empty())
}

fn node_relation(node: RawNode, kind: ResourceType) -> Relation {
    let group = group_of(&node);
    let RawNode {
        unique_id,
        name,
        package_name,
        database,
        schema,
        alias,
        original_file_path,
        patch_path,
        description,
        tags,
        meta,
        config,
        columns,
        access,
        version,
        latest_version,
        deprecation_date,
        contract,
        constraints,
        ..
    } = node;
    let config = config.0.unwrap_or_default();
    let materialized = match (config.materialized.non_empty(), kind) {
        (Some(m), _) => Materialization::parse(&m),
        // dbt's defaults when a node does not say.
        (None, ResourceType::Seed) => Materialization::Seed,
        (None, ResourceType::Snapshot) => Materialization::Snapshot,
        (None, _) => Materialization::View,
    };
    let meta = merge_meta(meta.0, config.meta.0);
    let name = name.0.unwrap_or_default();
    Relation {
        placed_by: Some(crate::contract::IdentitySource::Manifest),
        identifier: alias.non_empty().or_else(|| Some(name.clone())),
        name,
        version: version.non_empty(),
        latest_version: latest_version.non_empty(),
        resource_type: kind,
        unique_id: unique_id.non_empty(),
        package: package_name.non_empty(),
        database: database.non_empty(),
        schema: schema.non_empty(),
        materialized,
        contract_enforced: config.contract.0.or(contract.0).unwrap_or(false),
        access: access
            .non_empty()
            .or(config.access.non_empty())
            .and_then(|a| Access::parse(&a)),
        group,
        deprecation_date: deprecation_date.as_deref().and_then(parse_date),
        freshness: None,
        columns: columns.0.into_iter().map(|(k, c)| column(k, c)).collect(),
        constraints: constraints.0.into_iter().filter_map(constraint).collect(),
        tests: Vec::new(),
        description: description.non_empty(),
        tags: tags.0,
        owner: owner_from_meta(&meta),
        ignore: tessera_list(&meta, "ignore"),
        meta,
        // The property file says more than the SQL file about where a contract was declared.
        file: patch_path
            .non_empty()
            .map(|p| match p.split_once("://") {
                Some((_, path)) => path.to_string(),
                None => p,
            })
            .or(original_file_path.non_empty()),
        ..Relation::default()
    }
}

fn source_relation(source: RawSource) -> Relation {
    let RawSource {
        unique_id,
        name,
        source_name,
        package_name,
        database,
        schema,
        identifier,
        original_file_path,
        description,
        tags,
        meta,
        source_meta,
        config,
        columns,
        freshness,
        ..
    } = source;
    let config = config.0.unwrap_or_default();
    let table = name.0.unwrap_or_default();
    let mut all_meta = source_meta.0;
    all_meta.extend(meta.0);
    let meta = merge_meta(all_meta, config.meta.0);
    Relation {
        placed_by: Some(crate::contract::IdentitySource::Manifest),
        name: match source_name.non_empty() {
            Some(s) => format!("{s}.{table}"),
            None => table.clone(),
        },
        identifier: identifier.non_empty().or(Some(table)),
        version: None,
        latest_version: None,
        resource_type: ResourceType::Source,
        unique_id: unique_id.non_empty(),
        package: package_name.non_empty(),
        database: database.non_empty(),
        schema: schema.non_empty(),
        materialized: Materialization::default(),
        contract_enforced: false,
        access: None,
        group: None,
        deprecation_date: None,
        freshness: to_freshness(freshness.0).or_else(|| to_freshness(config.freshness.0)),
        columns: columns.0.into_iter().map(|(k, c)| column(k, c)).collect(),
        constraints: Vec::new(),
        tests: Vec::new(),
        description: description.non_empty(),
        tags: tags.0,
        owner: owner_from_meta(&meta),
        ignore: tessera_list(&meta, "ignore"),
        meta,
        file: original_file_path.non_empty(),
        ..Relation::default()
    }
}

/// `meta` overlaid with `config.meta`: dbt 1.10 moved `meta` under `config`, and projects mid-way
/// through the move have keys in both.
fn merge_meta(mut meta: Meta, config_meta: Meta) -> Meta {
    meta.extend(config_meta);
    meta
}

fn column(key: String, raw: RawColumn) -> Column {
    let RawColumn {
        name,
        description,
        meta,
        config,
        data_type,
        quote,
        tags,
        constraints,
    } = raw;
    let meta = merge_meta(meta.0, config.0.map(|c| c.meta.0).unwrap_or_default());
    Column {
        name: name.non_empty().unwrap_or(key),
        data_type: data_type.non_empty(),
        quote: quote.0.unwrap_or(false),
        default: tessera_scalar(&meta, "default"),
        constraints: constraints.0.into_iter().filter_map(constraint).collect(),
        tests: Vec::new(),
        renamed_from: tessera_scalar(&meta, "renamed_from"),
        deprecation_date: tessera_scalar(&meta, "deprecation_date")
            .as_deref()
            .and_then(parse_date),
        description: description.non_empty(),
        tags: tags.0,
        ignore: tessera_list(&meta, "ignore"),
        meta,
        ..Column::default()
    }
}

fn parse_date(s: &str) -> Option<Date> {
    s.parse().ok()
}

fn constraint(raw: RawConstraint) -> Option<Constraint> {
    let RawConstraint {
        kind,
        expression,
        to,
        to_columns,
        columns,
    } = raw;
    let kind = kind.non_empty()?.trim().to_ascii_lowercase();
    let kind = match kind.as_str() {
        "not_null" => ConstraintKind::NotNull,
        "unique" => ConstraintKind::Unique,
        "primary_key" => ConstraintKind::PrimaryKey,
        "check" => ConstraintKind::Check {
            expression: expression.0.unwrap_or_default(),
        },
        "foreign_key" => foreign_key(to.non_empty(), to_columns.0, expression.non_empty()),
        _ => ConstraintKind::Other {
            // The expression is what a custom constraint means; keep it so the digest moves.
            name: match expression.non_empty() {
                Some(e) => format!("{kind}: {e}"),
                None => kind,
            },
        },
    };
    Some(Constraint {
        kind,
        columns: columns.0,
    })
}

/// dbt 1.9+ writes `to: ref('customers')` + `to_columns: [id]`; before that the target was
/// free SQL in `expression`, by convention `customers (id)` (sometimes `references ...`).
fn foreign_key(
    to: Option<String>,
    to_columns: Vec<String>,
    expr: Option<String>,
) -> ConstraintKind {
    if let Some(to) = to {
        return ConstraintKind::ForeignKey {
            to: refs::relation_name(&to),
            field: to_columns.into_iter().next().unwrap_or_default(),
        };
    }
    let expr = expr.unwrap_or_default();
    let text = expr.trim();
    let text = match text.get(..11) {
        Some(head) if head.eq_ignore_ascii_case("references ") => text.get(11..).unwrap_or(""),
        _ => text,
    };
    match text.split_once('(') {
        Some((target, rest)) => ConstraintKind::ForeignKey {
            to: refs::relation_name(target),
            field: rest
                .split([',', ')'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
        },
        None => ConstraintKind::ForeignKey {
            to: refs::relation_name(text),
            field: String::new(),
        },
    }
}

fn to_freshness(raw: Option<RawFreshness>) -> Option<Freshness> {
    let raw = raw?;
    let secs = |p: super::lenient::Obj<super::raw::RawPeriod>| {
        let p = p.0?;
        Freshness::period_secs(p.count.0?, p.period.as_deref()?)
    };
    let out = Freshness {
        warn_after_secs: secs(raw.warn_after),
        error_after_secs: secs(raw.error_after),
    };
    (!out.is_empty()).then_some(out)
}

fn owner(raw: Option<super::raw::RawOwner>) -> (Option<String>, Option<String>) {
    match raw {
        Some(o) => (o.email.non_empty(), o.name.non_empty()),
        None => (None, None),
    }
}

fn tessera(meta: &Meta) -> Option<&serde_json::Map<String, Value>> {
    meta.get("tessera").and_then(Value::as_object)
}

/// `meta.owner`, else `meta.tessera.owner`, when it is a non-blank string.
fn owner_from_meta(meta: &Meta) -> Option<String> {
    let direct = meta.get("owner").and_then(Value::as_str);
    let nested = || tessera(meta)?.get("owner")?.as_str();
    direct
        .filter(|s| !s.trim().is_empty())
        .or_else(|| nested().filter(|s| !s.trim().is_empty()))
        .map(str::to_string)
}

/// `meta.tessera.<key>` as text when it is a string, number or boolean.
fn tessera_scalar(meta: &Meta, key: &str) -> Option<String> {
    match tessera(meta)?.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `meta.tessera.<key>` as a list of strings; a lone string is a one-item list.
fn tessera_list(meta: &Meta, key: &str) -> Vec<String> {
    match tessera(meta).and_then(|t| t.get(key)) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_version_from_url() {
        assert_eq!(
            schema_version("https://schemas.getdbt.com/dbt/manifest/v12.json"),
            Some(12)
        );
        assert_eq!(
            schema_version("https://schemas.getdbt.com/dbt/manifest/v1.json"),
            Some(1)
        );
        assert_eq!(schema_version("nonsense"), None);
    }

    #[test]
    fn foreign_key_forms() {
        let fk = |to: &str, field: &str| ConstraintKind::ForeignKey {
            to: to.into(),
            field: field.into(),
        };
        assert_eq!(
            foreign_key(Some("ref('customers')".into()), vec!["id".into()], None),
            fk("customers", "id")
        );
        assert_eq!(
            foreign_key(Some("source('raw', 'c')".into()), vec![], None),
            fk("raw.c", "")
        );
        assert_eq!(
            foreign_key(None, vec![], Some("customers (id)".into())),
            fk("customers", "id")
        );
        assert_eq!(
            foreign_key(
                None,
                vec![],
                Some("REFERENCES analytics.customers(id, x)".into())
            ),
            fk("analytics.customers", "id")
        );
        assert_eq!(foreign_key(None, vec![], None), fk("", ""));
    }
}
