//! The `*_TRANSITIVE` modes: a candidate must be compatible with every retained version of a
//! contract, not only with the base side. The base side is one revision; the other versions
//! live in the store, recorded by `sync`. A column dropped in v2 and re-added with another type
//! is a new column against v2 and a type change against v1, and v1's readers still exist.

use crate::compat::{self, Finding, Report};
use crate::contract::{Project, Relation};
use crate::store::Store;

use super::super::context::Context;

/// `report` plus the findings of every asset in a transitive mode against each retained version
/// in the store (the last `transitive_window`, or all), where they say something the base
/// comparison does not. Each added finding names the version in `against`.
pub fn against_history(
    report: Report,
    store: &dyn Store,
    ctx: &Context,
    project: &str,
    after: &Project,
    settings: &compat::Settings,
) -> crate::error::Result<Report> {
    let d = settings.warehouse.dialect;
    let mut findings = report.findings;
    for candidate in after.relations.values() {
        if !settings.mode_for(candidate).is_transitive() {
            continue;
        }
        let asset = super::super::sync::asset_key(candidate, project, d);
        let versions = store.contract_versions(&asset)?;
        let window = settings.transitive_window.unwrap_or(versions.len());
        let retained = &versions[versions.len().saturating_sub(window)..];
        let one = |r: Relation| -> Project {
            let mut p = Project::default();
            p.insert(r);
            p
        };
        for v in retained {
            let Ok(mut old) = serde_json::from_str::<Relation>(&v.contract_json) else {
                // The comparison this version needs cannot be made: say so rather than pass.
                ctx.warn(&format!(
                    "{asset} v{}: the stored contract cannot be read; the transitive comparison with it is skipped",
                    v.version
                ));
                continue;
            };
            // Paired by key with the candidate, whatever the relation was called then.
            old.name.clone_from(&candidate.name);
            old.version.clone_from(&candidate.version);
            let against = compat::diff(&one(old), &one(candidate.clone()), settings);
            for mut f in against.findings {
                if !f.mode.is_transitive() || said(&findings, &f) {
                    continue;
                }
                f.against = Some(format!("v{}", v.version));
                findings.push(f);
            }
        }
    }
    Ok(Report::new(findings))
}

/// Whether a finding of the same rule on the same place is already reported.
fn said(findings: &[Finding], f: &Finding) -> bool {
    findings
        .iter()
        .any(|g| g.rule == f.rule && g.node == f.node && g.version == f.version && g.path == f.path)
}
