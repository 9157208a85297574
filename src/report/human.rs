//! The terminal report: one table per asset, then advice, impact and modes, and the verdict last,
//! where the eye lands after the output scrolls by.

use std::fmt::Write;

use comfy_table::{Attribute, Cell, Color};

use super::escape::terminal;
use super::{
    RenderInput, Status, UNKNOWN_CONSUMERS, blocks, change, hints, impacted, modes, relation_label,
    status, summary,
};
use crate::compat::{Finding, Level, Verdict};
use crate::output;

pub(super) fn render(input: &RenderInput) -> String {
    let mut out = String::new();
    for group in by_asset(&input.report.findings) {
        let first = group[0];
        let label = relation_label(first);
        let mut heading = terminal(&label).into_owned();
        if first.asset != label {
            heading.push_str(" · ");
            heading.push_str(&terminal(&first.asset));
        }
        let mut t = output::table(&["severity", "rule", "column", "before → after", "message"]);
        output::keep_whole(&mut t, &[0, 1, 2]);
        if input.color {
            // comfy-table drops styling off a terminal; the caller already decided colour is wanted.
            t.enforce_styling();
        }
        for f in group {
            t.add_row(vec![
                severity_cell(f, input.color),
                Cell::new(f.rule),
                Cell::new(if f.path.is_empty() {
                    "(relation)".into()
                } else {
                    terminal(&f.path)
                }),
                Cell::new(terminal(&change(f))),
                Cell::new(message(f)),
            ]);
        }
        let _ = writeln!(out, "{heading} · {}\n{t}\n", first.mode);
    }

    let code = |s: &str| format!("`{}`", terminal(s));
    let text = |s: &str| terminal(s).into_owned();
    section(&mut out, "hints", &hints(input, &code, &text));
    match impacted(input) {
        Some(rows) => {
            let lines: Vec<String> = rows
                .iter()
                .map(|(f, teams)| format!("{}: {}", terminal(&f.display_path()), terminal(teams)))
                .collect();
            section(&mut out, "impacted teams", &lines);
        }
        None if input
            .report
            .findings
            .iter()
            .any(|f| blocks(f, input.fail_on)) =>
        {
            let _ = writeln!(out, "impacted teams: {UNKNOWN_CONSUMERS}\n");
        }
        None => {}
    }
    let mode_lines: Vec<String> = modes(input)
        .into_iter()
        .map(|(m, assets)| format!("{} ({})", m.explain(), terminal(&assets.join(", "))))
        .collect();
    let title = if mode_lines.len() == 1 {
        "mode"
    } else {
        "modes"
    };
    section(&mut out, title, &mode_lines);

    let (verdict, detail) = summary(input);
    let verdict = if input.color {
        let code = match input.report.verdict {
            Verdict::Breaking => "1;31",
            Verdict::Warning => "1;33",
            Verdict::Compatible => "1;32",
        };
        format!("\x1b[{code}m{verdict}\x1b[0m")
    } else {
        verdict.to_string()
    };
    let _ = writeln!(out, "{verdict}: {detail}");
    out
}

/// Findings grouped by asset, keeping the report's order (it is sorted by relation already).
fn by_asset(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|g| g[0].asset == f.asset) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    groups
}

fn severity_cell(f: &Finding, color: bool) -> Cell {
    let (label, colour) = match status(f) {
        Status::Counts => (f.severity.name().to_string(), level_color(f.severity)),
        Status::Waived(_) => (format!("{} (waived)", f.severity), Color::DarkGrey),
        Status::Ignored => (format!("{} (ignored)", f.severity), Color::DarkGrey),
    };
    let cell = Cell::new(label);
    if !color {
        return cell;
    }
    let cell = cell.fg(colour);
    if f.is_breaking() {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

fn level_color(level: Level) -> Color {
    match level {
        Level::Err => Color::Red,
        Level::Warn => Color::Yellow,
        Level::Info => Color::Cyan,
    }
}

fn message(f: &Finding) -> String {
    let mut m = terminal(&f.message).into_owned();
    if let Some(against) = &f.against {
        let _ = write!(m, "\n(against {})", terminal(against));
    }
    if let Status::Waived(reason) = status(f) {
        let _ = write!(m, "\nwaived: {}", terminal(reason));
    }
    m
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}:");
    for l in lines {
        let _ = writeln!(out, "  - {l}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn plain_output_has_tables_hints_and_the_verdict_last() {
        let report = fixture::report();
        let out = render(&fixture::input(&report));
        assert!(!out.contains('\x1b'), "{out}");
        assert!(out.contains("orders · analytics.prod.orders · FORWARD"));
        assert!(out.contains("column_removed"));
        assert!(out.contains("(waived)") && out.contains("(ignored)"));
        assert!(out.contains("may have been renamed to `amount_usd`"));
        assert!(out.contains("orders.amount: finance, growth"));
        assert!(out.contains("FORWARD: readers built against the old contract"));
        let last = out.lines().last().unwrap_or_default();
        assert_eq!(
            last,
            "breaking: 2 findings block (ERR), 1 warning, 1 info, 1 waived, 1 ignored · suggested version bump: major"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.color = true;
        let out = render(&input);
        assert!(out.contains("\x1b[1;31mbreaking\x1b[0m"));
    }

    #[test]
    fn unknown_consumers_are_said_once() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.consumers_known = false;
        let out = render(&input);
        assert_eq!(out.matches(UNKNOWN_CONSUMERS).count(), 1);
        assert!(!out.contains("finance"));
    }

    #[test]
    fn empty_report_is_one_line() {
        let report = fixture::empty();
        let out = render(&fixture::input(&report));
        assert_eq!(out, "compatible: no changes\n");
    }
}
