//! Reads `shared/compat/vectors.yaml` into contracts. Shared by the engine harness and the
//! end-to-end test that renders the same vectors as dbt projects.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use tessera::compat::{EnumExtension, Level, Mode, RuleOverride, Settings, Waiver};
use tessera::contract::{
    Column, Constraint, ConstraintKind, DataTest, Date, Dialect, Freshness, Materialization,
    Project, Relation, ResourceType, TestKind, TestSeverity, Warehouse,
};

/// `shared/compat/vectors.yaml` beside the checkout, or `None` (with a printed skip reason) in a
/// clone that has no `shared/`.
pub fn vectors_path() -> Option<std::path::PathBuf> {
    crate::shared::shared_path("compat/vectors.yaml")
}

/// YAML as written, with mapping order kept (column order is part of some vectors).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::str)
    }
    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map(m) => m,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq(s) => s,
            _ => &[],
        }
    }
    pub fn is_true(&self, key: &str) -> bool {
        self.str_at(key) == Some("true")
    }
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Node::Null => serde_json::Value::Null,
            Node::Scalar(s) => match s.as_str() {
                "true" => true.into(),
                "false" => false.into(),
                _ => s.clone().into(),
            },
            Node::Seq(s) => s.iter().map(Node::to_json).collect(),
            Node::Map(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Node, D2::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = a.next_element()? {
                    v.push(n);
                }
                Ok(Node::Seq(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some((k, n)) = a.next_entry::<Node, Node>()? {
                    let key = match k {
                        Node::Scalar(s) => s,
                        other => format!("{other:?}"),
                    };
                    v.push((key, n));
                }
                Ok(Node::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone)]
pub struct Vector {
    pub id: String,
    pub raw: Node,
    pub mode: Mode,
    pub expect: String,
    pub findings: Vec<String>,
    pub hints: Option<Vec<String>>,
    pub requires: Option<String>,
}

/// Every vector, or `None` when the file is absent (see [`vectors_path`]).
pub fn load() -> Option<Vec<Vector>> {
    let text = std::fs::read_to_string(vectors_path()?).expect("vectors.yaml is readable");
    let doc: Node = serde_saphyr::from_str(&text).expect("vectors.yaml parses");
    let all = doc
        .items()
        .iter()
        .map(|v| Vector {
            id: v.str_at("id").unwrap_or("?").to_string(),
            mode: v
                .str_at("mode")
                .and_then(|m| m.parse().ok())
                .unwrap_or(Mode::Forward),
            expect: v.str_at("expect").unwrap_or("").to_string(),
            findings: v
                .get("findings")
                .map(|f| {
                    f.items()
                        .iter()
                        .filter_map(|s| s.str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            hints: v.get("hints").map(|h| {
                h.items()
                    .iter()
                    .filter_map(|s| s.str().map(str::to_string))
                    .collect()
            }),
            requires: v.str_at("requires").map(str::to_string),
            raw: v.clone(),
        })
        .collect();
    Some(all)
}

pub fn ctx(v: &Vector) -> Option<&Node> {
    v.raw.get("ctx")
}

pub fn resource(v: &Vector) -> ResourceType {
    match ctx(v).and_then(|c| c.str_at("resource")) {
        Some("source") => ResourceType::Source,
        Some("seed") => ResourceType::Seed,
        Some("snapshot") => ResourceType::Snapshot,
        _ => ResourceType::Model,
    }
}

pub fn dialect(v: &Vector) -> Dialect {
    ctx(v)
        .and_then(|c| c.str_at("adapter"))
        .map(Dialect::from_adapter)
        .unwrap_or(Dialect::Postgres)
}

fn level(s: &str) -> Option<Level> {
    s.parse().ok()
}

pub fn settings(v: &Vector) -> Settings {
    let today: Date = v
        .raw
        .str_at("now")
        .unwrap_or("2026-06-01")
        .parse()
        .expect("date");
    let mut s = Settings::new(today);
    s.default_mode = v.mode;
    let mut wh = Warehouse::new(dialect(v));
    if let Some(c) = ctx(v) {
        if let Some(m) = c
            .str_at("timestamp_type_mapping")
            .and_then(|m| m.parse().ok())
        {
            wh.timestamp_type_mapping = m;
        }
        for (rule, val) in c.get("rules").map(Node::entries).unwrap_or_default() {
            let o = match val {
                Node::Scalar(l) => RuleOverride::both(level(l)),
                other => RuleOverride {
                    fwd: other.str_at("fwd").map(level),
                    bwd: other.str_at("bwd").map(level),
                },
            };
            s.rules.insert(rule.clone(), o);
        }
        if let Some(p) = c.get("policy") {
            if p.str_at("enum_extension") == Some("strict") {
                s.policy.enum_extension = EnumExtension::Strict;
            }
            s.policy.positional_consumers = p.is_true("positional_consumers");
            if let Some(l) = p.str_at("unversioned_breaking").and_then(level) {
                s.policy.unversioned_breaking = l;
            }
            if let Some(l) = p.str_at("type_widening").and_then(level) {
                s.policy.type_widening = Some(l);
            }
            if let Some(n) = p
                .str_at("min_deprecation_days")
                .and_then(|n| n.parse().ok())
            {
                s.policy.min_deprecation_days = n;
            }
        }
        for w in c.get("waivers").map(Node::items).unwrap_or_default() {
            s.waivers.push(Waiver {
                rule: w.str_at("rule").unwrap_or("").into(),
                target: w.str_at("target").unwrap_or("").into(),
                reason: w.str_at("reason").unwrap_or("").into(),
                owner: w.str_at("owner").map(Into::into),
                expires: w.str_at("expires").and_then(|d| d.parse().ok()),
            });
        }
    }
    s.warehouse = wh;
    s
}

/// A side (`before`, `after`, `candidate`, or a history entry) as a project.
pub fn project(side: &Node, resource: ResourceType) -> Project {
    let mut p = Project::default();
    for (name, rel) in side.entries() {
        if name == "v" {
            continue;
        }
        for r in relations(name, rel, resource) {
            p.insert(r);
        }
    }
    p
}

fn relations(name: &str, n: &Node, resource: ResourceType) -> Vec<Relation> {
    let base = relation(name, n, resource);
    let Some(versions) = n.get("versions") else {
        return vec![base];
    };
    let latest = n.str_at("latest_version").map(str::to_string);
    versions
        .entries()
        .iter()
        .map(|(v, vn)| {
            let mut r = relation(name, vn, resource);
            r.materialized = base.materialized.clone();
            r.contract_enforced = base.contract_enforced;
            r.access = base.access;
            r.version = Some(v.clone());
            r.latest_version = latest.clone();
            r
        })
        .collect()
}

fn relation(name: &str, n: &Node, resource: ResourceType) -> Relation {
    let mut r = Relation::new(name);
    r.resource_type = resource;
    if resource == ResourceType::Source {
        r.contract_enforced = false;
    }
    if let Some(m) = n.str_at("materialized") {
        r.materialized = Materialization::parse(m);
    }
    if let Some(c) = n.str_at("contract") {
        r.contract_enforced = c == "enforced";
    }
    r.identifier = n.str_at("alias").map(str::to_string);
    r.access = n
        .str_at("access")
        .and_then(tessera::contract::Access::parse);
    r.deprecation_date = n.str_at("deprecation_date").and_then(|d| d.parse().ok());
    r.latest_version = n.str_at("latest_version").map(str::to_string);
    if let Some(f) = n.get("freshness") {
        r.freshness = Some(Freshness {
            warn_after_secs: f.get("warn_after").and_then(duration),
            error_after_secs: f.get("error_after").and_then(duration),
        });
    }
    if let Some(meta) = n.get("meta") {
        if let serde_json::Value::Object(m) = meta.to_json() {
            r.meta = m.into_iter().collect();
        }
        r.ignore = ignores(meta);
    }
    r.constraints = n
        .get("constraints")
        .map(|c| c.items().iter().filter_map(constraint).collect())
        .unwrap_or_default();
    r.columns = n
        .get("cols")
        .map(|c| c.entries().iter().map(|(cn, cv)| column(cn, cv)).collect())
        .unwrap_or_default();
    r
}

fn ignores(meta: &Node) -> Vec<String> {
    meta.get("tessera")
        .and_then(|t| t.get("ignore"))
        .map(|i| {
            i.items()
                .iter()
                .filter_map(|s| s.str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn duration(n: &Node) -> Option<u64> {
    Freshness::period_secs(n.str_at("count")?.parse().ok()?, n.str_at("period")?)
}

fn constraint(n: &Node) -> Option<Constraint> {
    let kind = match n {
        Node::Scalar(s) => match s.as_str() {
            "primary_key" => ConstraintKind::PrimaryKey,
            "unique" => ConstraintKind::Unique,
            "not_null" => ConstraintKind::NotNull,
            other => ConstraintKind::Other { name: other.into() },
        },
        Node::Map(m) => {
            let (k, v) = m.first()?;
            match k.as_str() {
                "check" => ConstraintKind::Check {
                    expression: v.str()?.into(),
                },
                "foreign_key" => ConstraintKind::ForeignKey {
                    to: v.str_at("to")?.into(),
                    field: v.str_at("field")?.into(),
                },
                "primary_key" => ConstraintKind::PrimaryKey,
                "unique" => ConstraintKind::Unique,
                other => ConstraintKind::Other { name: other.into() },
            }
        }
        _ => return None,
    };
    let columns = match n {
        Node::Map(m) => m
            .first()
            .and_then(|(_, v)| v.get("columns"))
            .map(|c| {
                c.items()
                    .iter()
                    .filter_map(|s| s.str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Some(Constraint { kind, columns })
}

fn test(n: &Node) -> Option<DataTest> {
    let (name, args) = match n {
        Node::Scalar(s) => (s.as_str(), &Node::Null),
        Node::Map(m) => {
            let (k, v) = m.first()?;
            (k.as_str(), v)
        }
        _ => return None,
    };
    let severity = if args.str_at("severity") == Some("warn") {
        TestSeverity::Warn
    } else {
        TestSeverity::Error
    };
    let strs = |n: &Node| {
        n.items()
            .iter()
            .filter_map(|s| s.str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let kind = match name {
        "not_null" => TestKind::NotNull,
        "unique" => TestKind::Unique,
        "accepted_values" => TestKind::AcceptedValues {
            values: match args {
                Node::Seq(_) => strs(args),
                _ => args.get("values").map(strs).unwrap_or_default(),
            },
        },
        "relationships" => TestKind::Relationships {
            to: args.str_at("to")?.into(),
            field: args.str_at("field")?.into(),
        },
        other => TestKind::Custom { name: other.into() },
    };
    let contractual = args
        .get("meta")
        .and_then(|m| m.get("tessera"))
        .is_some_and(|t| t.is_true("contract"));
    Some(DataTest {
        kind,
        severity,
        contractual,
    })
}

fn column(name: &str, n: &Node) -> Column {
    let mut c = Column::new(name, n.str_at("type"));
    c.quote = n.is_true("quote");
    c.default = n.str_at("default").map(str::to_string);
    c.renamed_from = n.str_at("renamed_from").map(str::to_string);
    c.deprecation_date = n.str_at("deprecation_date").and_then(|d| d.parse().ok());
    if n.is_true("not_null") {
        c.constraints.push(Constraint {
            kind: ConstraintKind::NotNull,
            columns: vec![],
        });
    }
    c.constraints.extend(
        n.get("constraints")
            .map(|x| x.items().iter().filter_map(constraint).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    c.tests = n
        .get("tests")
        .map(|x| x.items().iter().filter_map(test).collect())
        .unwrap_or_default();
    if let Some(meta) = n.get("meta") {
        c.ignore = ignores(meta);
    }
    c
}

/// The sides of a vector: (history with labels, candidate) or (before, after) as a one-entry history.
pub fn sides(v: &Vector) -> (Vec<(String, Project)>, Project) {
    let res = resource(v);
    if let Some(h) = v.raw.get("history") {
        let history = h
            .items()
            .iter()
            .map(|e| {
                (
                    format!("v{}", e.str_at("v").unwrap_or("?")),
                    project(e, res),
                )
            })
            .collect();
        let cand = v
            .raw
            .get("candidate")
            .map(|c| project(c, res))
            .unwrap_or_default();
        (history, cand)
    } else {
        let before = v
            .raw
            .get("before")
            .map(|b| project(b, res))
            .unwrap_or_default();
        let after = v
            .raw
            .get("after")
            .map(|a| project(a, res))
            .unwrap_or_default();
        (vec![("before".into(), before)], after)
    }
}

/// A finding in the vectors' notation.
pub fn render(f: &tessera::compat::Finding, with_impact: bool) -> String {
    let mut s = format!("{} {} {}", f.rule, f.display_path(), f.severity);
    if let Some(a) = f.against.as_deref().filter(|a| a.starts_with('v')) {
        s.push_str(&format!(" (against {a})"));
    }
    if f.waived_by.is_some() {
        s.push_str(" (waived)");
    }
    if f.ignored {
        s.push_str(" (ignored)");
    }
    if with_impact {
        s.push_str(&format!(" impacted=[{}]", f.impacted.join(",")));
    }
    s
}

pub fn render_hints(report: &tessera::compat::Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .findings
        .iter()
        .flat_map(|f| &f.hints)
        .map(|h| match h {
            tessera::compat::Hint::PossibleRename { from, to, .. } => {
                format!("possible_rename {from} -> {to}")
            }
        })
        .collect();
    out.sort();
    out
}

pub fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

pub type Map = BTreeMap<String, String>;

/// The consumer registry a vector declares (`ctx.consumers`, `ctx.consumer_registry`), as the
/// impact step takes it. `known` holds every side of the vector, to tell `raw.orders` (a whole
/// source table) from `orders.id` (a column).
pub fn consumers(v: &Vector, known: &[&Project]) -> Vec<tessera::impact::ConsumerUse> {
    use tessera::impact::ConsumerUse;
    let is_relation = |name: &str| {
        known
            .iter()
            .any(|p| p.get(name).is_some() || p.relations.values().any(|r| r.name == name))
    };
    // `node.column` or `node`; an entry that names a relation is the whole relation.
    let split = |entry: &str| -> (String, Option<String>) {
        if is_relation(entry) {
            return (entry.to_string(), None);
        }
        match entry.rsplit_once('.') {
            Some((node, col)) => (node.to_string(), Some(col.to_string())),
            None => (entry.to_string(), None),
        }
    };
    let mut out: Vec<ConsumerUse> = Vec::new();
    let Some(teams) = ctx(v).and_then(|c| c.get("consumers")) else {
        return out;
    };
    for (team, spec) in teams.entries() {
        let mut mine: BTreeMap<String, ConsumerUse> = BTreeMap::new();
        for used in spec.get("uses").map(Node::items).unwrap_or_default() {
            let Some(used) = used.str() else { continue };
            let (asset, col) = split(used);
            let c = use_of(&mut mine, team, &asset);
            match col {
                None => c.columns = None,
                Some(col) => {
                    if let Some(cols) = &mut c.columns {
                        cols.push(col);
                    }
                }
            }
        }
        let mut freshness = None;
        for (key, exp) in spec.get("expects").map(Node::entries).unwrap_or_default() {
            if key == "freshness" {
                freshness = Some(freshness_of(exp));
                continue;
            }
            let (asset, col) = split(key);
            let c = use_of(&mut mine, team, &asset);
            match col {
                Some(col) => {
                    if let Some(t) = exp.str_at("type") {
                        c.expects_types.insert(col, t.to_string());
                    }
                }
                None => {
                    if let Some(f) = exp.get("freshness") {
                        c.expects_freshness = Some(freshness_of(f));
                    }
                }
            }
        }
        // A bare `freshness:` expectation applies to every asset the team reads.
        for c in mine.values_mut() {
            if c.expects_freshness.is_none() {
                c.expects_freshness = freshness;
            }
        }
        out.extend(mine.into_values());
    }
    out
}

/// The team's registration for `asset`, created with an empty column list on first mention.
fn use_of<'m>(
    mine: &'m mut BTreeMap<String, tessera::impact::ConsumerUse>,
    team: &str,
    asset: &str,
) -> &'m mut tessera::impact::ConsumerUse {
    mine.entry(asset.to_string())
        .or_insert_with(|| tessera::impact::ConsumerUse {
            team: team.to_string(),
            asset: asset.to_string(),
            columns: Some(Vec::new()),
            ..Default::default()
        })
}

fn freshness_of(n: &Node) -> Freshness {
    Freshness {
        warn_after_secs: n.get("warn_after").and_then(duration),
        error_after_secs: n.get("error_after").and_then(duration),
    }
}

/// `ctx.consumer_registry.authoritative`; a registry is not authoritative unless it says so.
pub fn registry_authoritative(v: &Vector) -> bool {
    ctx(v)
        .and_then(|c| c.get("consumer_registry"))
        .is_some_and(|r| r.is_true("authoritative"))
}
