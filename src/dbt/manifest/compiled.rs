//! Models' output columns from the SQL dbt compiled into a manifest (`compiled_code`), for a
//! comparison of two manifests. The SQL needs no Jinja: each upstream relation dbt wrote into it
//! (`"db"."schema"."orders"`) is replaced by a placeholder whose columns are known, and the final
//! select is read by the same parser as the project files' path ([`crate::dbt::columns`]).
//!
//! Parsing SQL is most of the cost, so only what can differ is parsed: models whose compiled SQL
//! or whose properties differ between the two manifests, then the models downstream of any whose
//! output changed (a `select *` passes an upstream's columns on), for as long as it keeps
//! changing. A model parsed on one side is parsed on the other, so like is compared with like.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::Manifest;
use crate::contract::{Dialect, Project, Relation, ResourceType};
use crate::dbt::columns::{self, Derived, OutputColumn};

/// What deriving output from compiled SQL needs from one manifest.
#[derive(Debug, Clone, Default)]
pub struct CompiledCode {
    /// Relation key (`orders`, `orders.v2`) → the model's compiled SQL and what it reads.
    models: HashMap<String, Model>,
    /// Unique id → relation key, for every relation of the manifest.
    keys: HashMap<String, String>,
    /// Unique id → the relation name as compiled SQL spells it (`relation_name`), or the ways
    /// it may be spelt when an older manifest does not say.
    relation_names: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
struct Model {
    unique_id: String,
    sql: String,
    depends_on: Vec<String>,
}

impl CompiledCode {
    /// `None` when no model of the manifest carries compiled SQL (`dbt parse` writes none). The
    /// SQL is moved out of `m`, not copied.
    pub fn take_from(m: &mut Manifest) -> Option<CompiledCode> {
        if !m.nodes.iter().any(|n| n.compiled_code.is_some()) {
            return None;
        }
        let keys: HashMap<String, String> = m
            .relations
            .relations
            .iter()
            .filter_map(|(k, r)| Some((r.unique_id.clone()?, k.clone())))
            .collect();
        let mut relation_names: HashMap<String, Vec<String>> =
            std::mem::take(&mut m.source_relation_names)
                .into_iter()
                .map(|(uid, name)| (uid, vec![name]))
                .collect();
        let mut models = HashMap::new();
        for n in m.nodes.iter_mut().filter(|n| n.enabled) {
            if let Some(name) = n.relation_name.as_deref().filter(|s| !s.trim().is_empty()) {
                relation_names.insert(n.unique_id.clone(), vec![name.to_string()]);
            }
            let (Some(key), Some(sql)) = (keys.get(&n.unique_id), n.compiled_code.take()) else {
                continue;
            };
            models.insert(
                key.clone(),
                Model {
                    unique_id: n.unique_id.clone(),
                    sql,
                    depends_on: n.depends_on.clone(),
                },
            );
        }
        // Manifests before `relation_name` (schema v4 and older nodes): the name is built from
        // the relation's parts, as dbt writes it with quoting on or off.
        for (uid, key) in &keys {
            if !relation_names.contains_key(uid)
                && let Some(r) = m.relations.get(key)
            {
                let spellings = spellings(r);
                if !spellings.is_empty() {
                    relation_names.insert(uid.clone(), spellings);
                }
            }
        }
        Some(CompiledCode {
            models,
            keys,
            relation_names,
        })
    }
}

/// The derived output of the models that can differ between `base` and `head`, by relation key,
/// for each side (the same keys on both).
pub fn derive_changed(
    (base, base_project): (&CompiledCode, &Project),
    (head, head_project): (&CompiledCode, &Project),
    dialect: Dialect,
) -> (BTreeMap<String, Derived>, BTreeMap<String, Derived>) {
    let on_both = |key: &str| base.models.contains_key(key) && head.models.contains_key(key);
    // Models downstream of each unique id, on either side.
    let mut children: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for code in [base, head] {
        for (key, m) in &code.models {
            for dep in &m.depends_on {
                children.entry(dep).or_default().insert(key);
            }
        }
    }
    let mut queue: Vec<String> = Vec::new();
    for (key, h) in &head.models {
        let changed = base
            .models
            .get(key)
            .is_some_and(|b| b.sql != h.sql || base_project.get(key) != head_project.get(key));
        if changed {
            queue.push(key.clone());
        }
    }
    // A source or seed whose declared columns changed changes what `select *` over it outputs.
    for (uid, key) in &head.keys {
        let (b, h) = (base_project.get(key), head_project.get(key));
        if h.is_some_and(|r| r.resource_type != ResourceType::Model)
            && b.map(|r| &r.columns) != h.map(|r| &r.columns)
        {
            queue.extend(
                children
                    .get(uid.as_str())
                    .into_iter()
                    .flatten()
                    .map(|k| k.to_string()),
            );
        }
    }
    queue.retain(|k| on_both(k));
    queue.sort();
    queue.dedup();

    let mut sides = (
        Deriver::new(base, base_project, dialect),
        Deriver::new(head, head_project, dialect),
    );
    let (mut out_base, mut out_head) = (BTreeMap::new(), BTreeMap::new());
    let mut done: HashSet<String> = HashSet::new();
    while let Some(key) = queue.pop() {
        if !done.insert(key.clone()) {
            continue;
        }
        let (b, h) = (sides.0.derive(&key), sides.1.derive(&key));
        if !same_output(&b, &h) {
            let uids = [base.models.get(&key), head.models.get(&key)];
            for uid in uids.into_iter().flatten().map(|m| m.unique_id.as_str()) {
                for child in children.get(uid).into_iter().flatten() {
                    if on_both(child) && !done.contains(*child) {
                        queue.push(child.to_string());
                    }
                }
            }
        }
        out_base.insert(key.clone(), b);
        out_head.insert(key, h);
    }
    (out_base, out_head)
}

/// The same columns, in the same order, with the same types. Unresolved output counts as
/// changed, so that what reads it is looked at too.
fn same_output(a: &Derived, b: &Derived) -> bool {
    match (a, b) {
        (Derived::Resolved { columns: a, .. }, Derived::Resolved { columns: b, .. }) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| {
                    x.name == y.name && x.quoted == y.quoted && x.data_type == y.data_type
                })
        }
        _ => false,
    }
}

/// One side's models, each derived once, upstreams first.
struct Deriver<'a> {
    code: &'a CompiledCode,
    project: &'a Project,
    dialect: Dialect,
    memo: HashMap<String, Derived>,
    in_progress: HashSet<String>,
}

impl<'a> Deriver<'a> {
    fn new(code: &'a CompiledCode, project: &'a Project, dialect: Dialect) -> Deriver<'a> {
        Deriver {
            code,
            project,
            dialect,
            memo: HashMap::new(),
            in_progress: HashSet::new(),
        }
    }

    fn derive(&mut self, key: &str) -> Derived {
        if let Some(d) = self.memo.get(key) {
            return d.clone();
        }
        let Some(model) = self.code.models.get(key) else {
            return Derived::unresolved(format!("`{key}` has no compiled SQL in the manifest"), ());
        };
        if !self.in_progress.insert(key.to_string()) {
            return Derived::unresolved(format!("`{key}` depends on itself"), ());
        }
        let mut names: Vec<(&str, usize)> = Vec::new();
        let mut upstreams = Vec::with_capacity(model.depends_on.len());
        let mut upstream_inputs = Vec::with_capacity(model.depends_on.len());
        for (i, uid) in model.depends_on.iter().enumerate() {
            for name in self.code.relation_names.get(uid).into_iter().flatten() {
                names.push((name, i));
            }
            upstreams.push(self.upstream(uid));
            upstream_inputs.push(self.upstream_inputs(uid));
        }
        let sql = substitute(&model.sql, &mut names);
        let project = self.project;
        let declared: Vec<Vec<(&str, Option<&str>)>> = model
            .depends_on
            .iter()
            .map(|uid| {
                let relation = self.code.keys.get(uid).and_then(|k| project.get(k));
                relation
                    .map(|r| {
                        let cols = r.columns.iter();
                        cols.map(|c| (c.name.as_str(), c.data_type.as_deref()))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect();
        let names: Vec<(String, bool)> = model
            .depends_on
            .iter()
            .map(|uid| match self.code.keys.get(uid) {
                Some(key) => (key.clone(), self.code.models.contains_key(key)),
                None => (uid.clone(), false),
            })
            .collect();
        let d = columns::derive_rendered(
            &sql,
            &names,
            &upstreams,
            &upstream_inputs,
            &declared,
            self.dialect,
        );
        self.in_progress.remove(key);
        self.memo.insert(key.to_string(), d.clone());
        d
    }

    /// A model upstream's digest, once [`Self::upstream`] derived it; 0 for the rest.
    fn upstream_inputs(&self, uid: &str) -> u64 {
        let key = self.code.keys.get(uid);
        key.and_then(|k| self.memo.get(k))
            .map_or(0, Derived::inputs)
    }

    /// The output of the relation with unique id `uid`: derived for a model, declared for a
    /// source, seed or snapshot (what the warehouse holds).
    fn upstream(&mut self, uid: &str) -> Result<Vec<OutputColumn>, String> {
        let Some(key) = self.code.keys.get(uid) else {
            return Err(format!("`{uid}` is not among the manifest's relations"));
        };
        if self.code.models.contains_key(key) {
            return match self.derive(key) {
                Derived::Resolved { columns, .. } => Ok(columns),
                Derived::Unresolved { reason, .. } => {
                    Err(format!("`{key}` is unresolved ({reason})"))
                }
            };
        }
        match self.project.get(key) {
            Some(r) if r.resource_type != ResourceType::Model && !r.columns.is_empty() => {
                Ok(declared(r))
            }
            Some(r) if r.resource_type == ResourceType::Model => {
                Err(format!("`{key}` has no compiled SQL in the manifest"))
            }
            Some(_) => Err(format!("`{key}` declares no columns")),
            None => Err(format!("`{key}` is not among the manifest's relations")),
        }
    }
}

/// How compiled SQL may name `r` when the manifest gives no `relation_name`: its
/// `database.schema.identifier` (or `schema.identifier`) bare, in double quotes, and in
/// backticks (BigQuery, Databricks).
fn spellings(r: &Relation) -> Vec<String> {
    let (Some(schema), Some(identifier)) = (r.schema.as_deref(), r.identifier.as_deref()) else {
        return Vec::new();
    };
    let parts: Vec<&str> = r
        .database
        .as_deref()
        .into_iter()
        .chain([schema, identifier])
        .collect();
    let quoted = |q: char| {
        let p: Vec<String> = parts.iter().map(|p| format!("{q}{p}{q}")).collect();
        p.join(".")
    };
    vec![parts.join("."), quoted('"'), quoted('`')]
}

fn declared(r: &Relation) -> Vec<OutputColumn> {
    r.columns
        .iter()
        .map(|c| OutputColumn {
            name: if c.quote {
                c.name.clone()
            } else {
                c.name.to_lowercase()
            },
            quoted: c.quote,
            data_type: c.data_type.clone(),
            cast: false,
            expr: None,
        })
        .collect()
}

/// `sql` with each upstream's relation name replaced by its placeholder. Longer names go first,
/// and a name only counts where it stands alone (not inside a longer identifier or after a
/// dot), so `main.orders` is not found inside `main.orders_daily`.
fn substitute(sql: &str, names: &mut [(&str, usize)]) -> String {
    names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
    let mut out = sql.to_string();
    for (name, i) in names.iter() {
        if name.is_empty() || !out.contains(name) {
            continue;
        }
        let placeholder = columns::upstream_placeholder(*i);
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        let mut consumed = 0;
        while let Some(at) = rest.find(name) {
            let start = consumed + at;
            let end = start + name.len();
            let before = out[..start].chars().next_back();
            let after = out[end..].chars().next();
            let alone =
                !before.is_some_and(|c| is_ident(c) || c == '.') && !after.is_some_and(is_ident);
            next.push_str(&out[consumed..start]);
            next.push_str(if alone { &placeholder } else { name });
            consumed = end;
            rest = &out[end..];
        }
        next.push_str(&out[consumed..]);
        out = next;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '"' || c == '`'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_names_are_replaced_only_where_they_stand_alone() {
        let sql = "select * from main.orders join main.orders_daily d on x \
                   join \"db\".\"s\".\"t\" t2 on y where z in (select 1 from other.main.orders)";
        let mut names = vec![
            ("main.orders", 0),
            ("main.orders_daily", 1),
            ("\"db\".\"s\".\"t\"", 2),
        ];
        assert_eq!(
            substitute(sql, &mut names),
            "select * from __tessera_up_0 join __tessera_up_1 d on x \
             join __tessera_up_2 t2 on y where z in (select 1 from other.main.orders)"
        );
    }
}
