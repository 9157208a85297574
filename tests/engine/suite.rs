use tessera::compat::diff_history;

use crate::vectors::{self, render, render_hints, sides, sorted};

/// Vectors that need the consumer registry are pending until it exists, and say so by name.
const PENDING_REQUIREMENTS: &[&str] = &["consumer_usage"];

#[test]
fn every_vector_classifies_as_specified() {
    let all = vectors::load();
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
        let report = diff_history(&history, &candidate, &s);
        let got = sorted(report.findings.iter().map(|f| render(f, false)).collect());
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
