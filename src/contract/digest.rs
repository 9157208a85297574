//! Canonical sha256 digests of contracts. The digest must not move when a YAML file is merely
//! reordered, so everything whose order carries no meaning is sorted before hashing.

use sha2::{Digest, Sha256};

use super::model::{Project, Relation};

/// `sha256:<hex>` of one relation's contract.
pub fn relation_digest(relation: &Relation) -> String {
    let mut hasher = Sha256::new();
    hasher.update(canonical_bytes(relation));
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// `sha256:<hex>` over every relation of a project, in key order.
pub fn project_digest(project: &Project) -> String {
    let mut hasher = Sha256::new();
    for (key, relation) in &project.relations {
        hasher.update(key.as_bytes());
        hasher.update([0]);
        hasher.update(relation_digest(relation).as_bytes());
        hasher.update([0]);
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// The bytes that are hashed: JSON with sorted object keys (serde_json's default map) of a copy
/// whose unordered collections are sorted.
pub fn canonical_bytes(relation: &Relation) -> Vec<u8> {
    let mut r = relation.clone();
    // Where a contract was declared is not part of what it promises.
    r.file = None;
    r.columns.sort_by(|a, b| a.name.cmp(&b.name));
    for c in &mut r.columns {
        c.constraints.sort();
        c.constraints.dedup();
        for t in &mut c.tests {
            if let super::model::TestKind::AcceptedValues { values } = &mut t.kind {
                values.sort();
                values.dedup();
            }
        }
        c.tests.sort();
        c.tests.dedup();
        c.tags.sort();
        c.ignore.sort();
    }
    r.constraints.sort();
    r.tests.sort();
    r.tags.sort();
    r.ignore.sort();
    // serde_json::Value maps are BTreeMaps here (no preserve_order), so keys come out sorted.
    match serde_json::to_value(&r) {
        Ok(v) => v.to_string().into_bytes(),
        // Serialising plain data cannot fail; fall back to Debug rather than panic.
        Err(_) => format!("{r:?}").into_bytes(),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{
        Column, Constraint, ConstraintKind, DataTest, Freshness, TestKind, TestSeverity,
    };

    #[test]
    fn a_contract_survives_a_json_round_trip() {
        let mut r = Relation::new("orders");
        r.deprecation_date = "2026-09-01".parse().ok();
        r.freshness = Some(Freshness {
            warn_after_secs: Some(60),
            error_after_secs: None,
        });
        let mut c = Column::new("id", Some("int"));
        c.constraints.push(Constraint {
            kind: ConstraintKind::Check {
                expression: "id > 0".into(),
            },
            columns: vec![],
        });
        c.tests.push(DataTest {
            kind: TestKind::AcceptedValues {
                values: vec!["a".into()],
            },
            severity: TestSeverity::Warn,
            contractual: false,
        });
        r.columns.push(c);
        let json = serde_json::to_string(&r).expect("serialises");
        let back: Relation = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, r);
        assert_eq!(relation_digest(&back), relation_digest(&r));
    }
}
