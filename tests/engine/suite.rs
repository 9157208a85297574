use tessera::compat::diff_history;
use tessera::impact::{self, ImpactSettings};

use crate::vectors::{self, render, render_hints, sides, sorted};

/// Requirements the engine cannot meet yet; vectors that need one are listed as pending by name.
const PENDING_REQUIREMENTS: &[&str] = &[];
/// Vectors that run through the impact step, with `impacted=[..]` in their findings.
const CONSUMER_USAGE: &str = "consumer_usage";

#[test]
fn every_vector_classifies_as_specified() {
    let Some(all) = vectors::load() else {
        return;
    };
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    let mut checked = 0;
    for v in &all {
        if v.requires
            .as_deref()
            .is_some_and(|r| PENDING_REQUIREMENTS.contains(&r))
        {
            pending.push(v.id.clone());
            continue;
        }
        checked += 1;
        let s = vectors::settings(v);
        let (history, candidate) = sides(v);
        let mut report = diff_history(&history, &candidate, &s);
        let with_impact = v.requires.as_deref() == Some(CONSUMER_USAGE);
        if with_impact {
            let mut known: Vec<_> = history.iter().map(|(_, p)| p).collect();
            known.push(&candidate);
            let consumers = vectors::consumers(v, &known);
            let settings = ImpactSettings {
                authoritative: vectors::registry_authoritative(v),
                warehouse: s.warehouse,
                unplaced: Default::default(),
            };
            report = impact::apply(report, &consumers, &settings, &candidate);
        }
        let got = sorted(
            report
                .findings
                .iter()
                .map(|f| render(f, with_impact))
                .collect(),
        );
        let want = sorted(v.findings.clone());
        let mut problems = Vec::new();
        if got != want {
            problems.push(format!("findings\n      want {want:?}\n      got  {got:?}"));
        }
        if report.verdict.name() != v.expect {
            problems.push(format!(
                "verdict: want {}, got {}",
                v.expect,
                report.verdict.name()
            ));
        }
        if let Some(h) = &v.hints {
            let got_h = render_hints(&report);
            if got_h != sorted(h.clone()) {
                problems.push(format!("hints: want {h:?}, got {got_h:?}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("  {}: {}", v.id, problems.join("; ")));
        }
    }
    println!(
        "vectors: {} in file, {} checked, {} pending ({}), {} failed",
        all.len(),
        checked,
        pending.len(),
        pending.join(", "),
        failures.len()
    );
    assert!(
        all.len() >= 100,
        "vectors.yaml should hold 100+ vectors, found {}",
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
