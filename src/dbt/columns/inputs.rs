//! Digests of what decides a model's output, so that a model whose inputs are the same on both
//! sides of a change is known not to have changed, and one that cannot be derived is reported
//! only when its inputs changed.

use super::OutputColumn;
use super::select::Cols;

/// What is known of an unresolved model whose select names some columns itself beside the
/// ones Jinja Tessera cannot expand yields (`{{ dbt_utils.star(…) }}, status as st`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    /// The columns the select names itself.
    pub columns: Vec<OutputColumn>,
    /// A digest of the model's Jinja blocks and of what it reads: equal on both sides, the
    /// unexpanded part outputs the same columns on both, so a named column that went away
    /// went away from the output.
    pub opaque: u64,
}

/// The upstream digests that count for a model's own: all of them when it resolved. When it
/// did not, an upstream whose columns are known counts by those alone (already digested), so
/// that an upstream edit that leaves its output as it was (a filter, a join) does not report
/// every unresolved model downstream of it; one whose columns are unknown counts by its digest.
pub(super) fn unresolved_inputs(resolved: bool, upstreams: &[Cols], inputs: &[u64]) -> Vec<u64> {
    if resolved {
        return inputs.to_vec();
    }
    upstreams
        .iter()
        .zip(inputs)
        .map(|(u, i)| match u {
            Cols::Known(_) => 0,
            Cols::Unknown(_) => *i,
        })
        .collect()
}

/// A digest of the Jinja blocks (`{{ … }}`, `{% … %}`) of a model's code, in order: what
/// decides what its macro calls output, where the SQL around them does not.
pub(super) fn jinja_digest(code: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    let mut rest = code;
    while let Some(at) = rest.find(['{']) {
        let after = &rest[at..];
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                rest = &after[1..];
                continue;
            }
        };
        let end = after.find(close).map_or(after.len(), |e| e + 2);
        let block: String = after[..end].split_whitespace().collect();
        block.hash(&mut h);
        rest = &after[end..];
    }
    h.finish()
}

pub(super) fn text_digest(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The SQL's digest with the columns and types of each upstream it reads, as derived and as
/// declared, in order.
pub(super) fn digest(
    sql: u64,
    upstreams: &[Cols],
    declared: &[Vec<(&str, Option<&str>)>],
    upstream_inputs: &[u64],
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    sql.hash(&mut h);
    declared.hash(&mut h);
    upstream_inputs.hash(&mut h);
    for up in upstreams {
        match up {
            Cols::Known(columns) => {
                0u8.hash(&mut h);
                for c in columns {
                    (&c.name, c.quoted, &c.data_type).hash(&mut h);
                }
            }
            Cols::Unknown(why) => (1u8, why).hash(&mut h),
        }
    }
    h.finish()
}
