//! Which models an ephemeral model is pasted into, and which of its columns they still name.
//! An ephemeral model is not in the warehouse, so its own column changes break no reader
//! outside dbt; but dbt inlines it into every model built from it, and one of those that still
//! names a dropped column in a filter, a join or a grouping fails to build, although its own
//! output never showed the column.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::contract::Materialization;
use crate::dbt::ModelSource;

use super::sides::Side;

/// Sets [`crate::contract::Relation::inlined_readers`] on each ephemeral model of `after` for
/// the columns it had on `before`: the readers are looked for in the new SQL, which is what
/// dbt will build.
pub fn mark(before: &Side, after: &mut Side) {
    let ephemeral = |k: &str| {
        after
            .project
            .relations
            .get(k)
            .is_some_and(|r| r.materialized == Materialization::Ephemeral)
    };
    let mut readers: HashMap<String, Vec<&ModelSource>> = HashMap::new();
    for m in &after.models {
        for d in &m.depends {
            readers.entry(d.key()).or_default().push(m);
        }
    }
    let mut marks: Vec<(String, BTreeMap<String, Vec<String>>)> = Vec::new();
    for (k, rel) in &after.project.relations {
        if rel.materialized != Materialization::Ephemeral {
            continue;
        }
        let Some(old) = before.project.relations.get(k) else {
            continue;
        };
        // Everything it is pasted into: its readers, and theirs while they are ephemeral too.
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue = vec![k.clone()];
        let mut built_from: Vec<&ModelSource> = Vec::new();
        while let Some(next) = queue.pop() {
            for m in readers.get(&next).into_iter().flatten() {
                let mk = m.key();
                if seen.insert(mk.clone()) {
                    if ephemeral(&mk) {
                        queue.push(mk);
                    }
                    built_from.push(m);
                }
            }
        }
        let mut named: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in built_from {
            let words = words(&m.sql);
            for c in &old.columns {
                let name = c.name.to_lowercase();
                if words.contains(name.as_str()) {
                    named.entry(name).or_default().push(m.key());
                }
            }
        }
        if !named.is_empty() {
            marks.push((k.clone(), named));
        }
    }
    for (k, named) in marks {
        if let Some(r) = after.project.relations.get_mut(&k) {
            r.inlined_readers = named;
        }
    }
}

/// The identifiers of some SQL, lower case: a column named anywhere in it, quoted or not.
fn words(sql: &str) -> BTreeSet<String> {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
