//! Prints an impact run: the findings as `check` shows them, then the proposals and the gate.

use crate::compat::{self, Level};
use crate::error::Error;
use crate::report::coordination::{self, AckView, ProposalView};
use crate::report::{self, Format, RenderInput};

use super::super::check::Analysis;
use super::super::coord::Assessed;
use super::Entry;

pub use crate::report::coordination::Gate;

fn acks(a: &Assessed) -> Vec<AckView> {
    a.checked
        .iter()
        .map(|c| AckView {
            id: c.ack.id,
            team: c.ack.team.clone(),
            signer: c.ack.signer.clone(),
            decision: c.ack.decision.name().to_string(),
            migrating_until: c.ack.migrating_until.map(|d| d.to_string()),
            at: c.ack.created_at.to_string(),
            counts: c.verdict.is_ok(),
            comment: super::super::coord::ack_comment(&c.ack),
            rejection: c.verdict.as_ref().err().map(|r| r.code()),
            reason: c.verdict.as_ref().err().map(|r| r.to_string()),
        })
        .collect()
}

pub fn views<'a>(entries: &'a [Entry<'a>]) -> Vec<ProposalView<'a>> {
    entries
        .iter()
        .map(|e| ProposalView {
            id: &e.id,
            asset: &e.asset,
            node: &e.node,
            status: e.status(),
            outdated: e.outdated(),
            digest: &e.digest,
            findings: e.findings.clone(),
            teams: e.states(),
            acks: e.assessed.as_ref().map(acks).unwrap_or_default(),
        })
        .collect()
}

pub fn print(
    format: Format,
    analysis: &Analysis,
    entries: &[Entry],
    gate: &Gate,
) -> Result<(), Error> {
    let mut modes: Vec<(String, compat::Mode)> = Vec::new();
    for f in &analysis.report.findings {
        if !modes.iter().any(|(a, _)| *a == f.asset) {
            modes.push((f.asset.clone(), f.mode));
        }
    }
    let locator = analysis.after.locator();
    let locate = |f: &compat::Finding| locator.locate(f);
    let pinned = crate::env::pinned_today();
    let placed = |f: &compat::Finding| {
        super::super::check::placed_by(f, (&analysis.before, &analysis.after))
    };
    let input = RenderInput {
        placed_by: &placed,
        report: &analysis.report,
        command: "impact",
        base: Some(&analysis.before.label),
        head: Some(&analysis.after.label),
        fail_on: Level::Err,
        consumers_known: analysis.consumers_known(),
        modes,
        color: super::super::context::stdout_color(),
        locate: &locate,
        today_pinned: pinned.as_deref(),
    };
    let views = views(entries);
    let passes = |p: &ProposalView| entries.iter().any(|e| e.id == p.id && e.passes());
    let text = match format {
        Format::Human => {
            let mut s = report::render(Format::Human, &input);
            s.push('\n');
            s.push_str(&coordination::human(&views, gate));
            s
        }
        Format::Markdown => coordination::markdown(
            &input,
            &views,
            gate,
            &report::render(Format::Markdown, &input),
        ),
        Format::Json => {
            let mut doc: serde_json::Value =
                serde_json::from_str(&report::render(Format::Json, &input))
                    .map_err(|e| Error::Output(std::io::Error::other(e)))?;
            if let (Some(obj), serde_json::Value::Object(extra)) = (
                doc.as_object_mut(),
                coordination::json(&views, gate, &passes),
            ) {
                obj.extend(extra);
            }
            let mut s = serde_json::to_string_pretty(&doc)
                .map_err(|e| Error::Output(std::io::Error::other(e)))?;
            s.push('\n');
            s
        }
        other => report::render(other, &input),
    };
    crate::output::print(&text)?;
    if format == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        use std::io::Write;
        let summary = coordination::markdown(&input, &views, gate, &report::step_summary(&input));
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(Error::Output)?;
        f.write_all(summary.as_bytes()).map_err(Error::Output)?;
    }
    Ok(())
}
