//! Warns, for each model a finding is about, when its YAML declares a `data_type` that differs
//! from the explicit cast its SQL gives the column: with no enforced contract dbt builds the
//! table from the SQL, so the declared type misleads readers.

use std::collections::BTreeSet;

use crate::compat::Report;
use crate::contract::types::canonicalize;
use crate::contract::{ColumnSource, Origin, Project, Warehouse};

use super::super::context::Context;

pub fn notes(ctx: &Context, report: &Report, after: &Project, wh: &Warehouse) {
    let mut seen = BTreeSet::new();
    for f in &report.findings {
        let key = super::relation_key(f);
        if !seen.insert(key.clone()) {
            continue;
        }
        let Some(r) = after.get(&key) else { continue };
        let Some(ColumnSource::Sql { yaml_types, .. }) = &r.column_source else {
            continue;
        };
        let mut differ = Vec::new();
        for c in &r.columns {
            let (Some(cast), Some(declared)) = (
                c.data_type
                    .as_deref()
                    .filter(|_| c.type_origin == Some(Origin::Sql)),
                yaml_types.get(&c.name),
            ) else {
                continue;
            };
            if canonicalize(cast, wh) != canonicalize(declared, wh) {
                differ.push(format!(
                    "`{}` as `{declared}` (its SQL casts it to `{cast}`)",
                    c.name
                ));
            }
        }
        if !differ.is_empty() {
            ctx.warn(&format!(
                "`{key}`: the YAML declares {} with no enforced contract, so dbt builds the SQL's \
                 type; readers are misled",
                differ.join(", ")
            ));
        }
    }
}
