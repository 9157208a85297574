//! A pull-request comment (also the GitHub step summary). Everything from the contracts is data
//! and gets escaped: a column may be called `a|b`, and a type may contain backticks.

use std::fmt::Write;

use super::{
    RenderInput, Status, UNKNOWN_CONSUMERS, change, hints, modes, relation_label, status, summary,
};
use crate::compat::{Finding, Level, Verdict};

pub(super) use super::escape::{md_cell as cell, md_code as code, md_text as text};

pub(super) fn render(input: &RenderInput) -> String {
    let mut out = String::new();
    let (verdict, detail) = summary(input);
    let emoji = match input.report.verdict {
        Verdict::Breaking => "🔴",
        Verdict::Warning => "🟡",
        Verdict::Compatible => "🟢",
    };
    let _ = writeln!(out, "{emoji} **{verdict}**: {detail}");
    let mut context = format!("tessera {}", input.command);
    if let (Some(base), Some(head)) = (input.base, input.head) {
        let _ = write!(context, " · {} → {}", code(base), code(head));
    }
    let _ = writeln!(out, "\n<sub>{context}</sub>");

    let findings = &input.report.findings;
    let (counted, skipped): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.counts());
    if !counted.is_empty() {
        out.push('\n');
        out.push_str("| severity | asset | column | change | impacted |\n");
        out.push_str("|---|---|---|---|---|\n");
        for f in counted {
            let impacted = if !input.consumers_known {
                "unknown".to_string()
            } else if f.impacted.is_empty() {
                "—".to_string()
            } else {
                text(&f.impacted.join(", "))
            };
            row(&mut out, f, &impacted);
        }
        if !input.consumers_known {
            let _ = writeln!(out, "\nImpacted teams: {UNKNOWN_CONSUMERS}.");
        }
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>{} waived or ignored</summary>\n",
            skipped.len()
        );
        out.push_str("| severity | asset | column | change | why |\n");
        out.push_str("|---|---|---|---|---|\n");
        for f in skipped {
            let why = match status(f) {
                Status::Waived(reason) => format!("waived: {}", text(reason)),
                Status::Ignored => "ignored inline".to_string(),
                Status::Counts => String::new(),
            };
            row(&mut out, f, &why);
        }
        out.push_str("\n</details>\n");
    }

    let hint_lines = hints(input, &code, &message);
    list(&mut out, "Hints", &hint_lines);
    let mode_lines: Vec<String> = modes(input)
        .into_iter()
        .map(|(m, assets)| {
            let assets: Vec<String> = assets.iter().map(|a| code(a)).collect();
            format!("{} ({})", text(m.explain()), assets.join(", "))
        })
        .collect();
    list(&mut out, "Compatibility mode", &mode_lines);
    out
}

/// The column and "what changed" cells of a finding's row, as markdown.
pub(super) fn column_and_change(f: &Finding) -> (String, String) {
    let column = if f.path.is_empty() {
        "(relation)".to_string()
    } else {
        code(&f.path)
    };
    let mut what = format!("{} {}", code(f.rule), message(&f.message));
    let delta = change(f);
    if !delta.is_empty() {
        let _ = write!(what, "<br>{}", code(&delta));
    }
    if let Some(against) = &f.against {
        let _ = write!(what, "<br>against {}", code(against));
    }
    (column, what)
}

/// One table row; the last cell is already markdown.
fn row(out: &mut String, f: &Finding, last: &str) {
    let sev = match f.severity {
        Level::Err => "🔴 ERR",
        Level::Warn => "🟡 WARN",
        Level::Info => "⚪ INFO",
    };
    let (column, what) = column_and_change(f);
    let cells = [
        sev.to_string(),
        code(&relation_label(f)),
        column,
        what,
        last.to_string(),
    ];
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

fn list(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n**{title}**\n");
    for l in lines {
        let _ = writeln!(out, "- {l}");
    }
}

/// Engine messages quote identifiers in backticks; keep those as code spans when they pair up,
/// and fall back to plain escaped text when a name's own backtick unbalances them. Either way
/// each piece is escaped, so a mispairing can only misplace formatting, never break the table.
pub(super) fn message(s: &str) -> String {
    let pieces: Vec<&str> = s.split('`').collect();
    if pieces.len().is_multiple_of(2) {
        return text(s);
    }
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { code(p) } else { text(p) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    /// Splits a table row on unescaped pipes, the way GitHub does.
    fn cells(row: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut escaped = false;
        for ch in row.trim().trim_matches('|').chars() {
            if ch == '|' && !escaped {
                out.push(String::new());
            } else if let Some(last) = out.last_mut() {
                last.push(ch);
            }
            escaped = ch == '\\' && !escaped;
        }
        out
    }

    #[test]
    fn verdict_first_then_one_row_per_finding() {
        let report = fixture::report();
        let out = render(&fixture::input(&report));
        let first = out.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("🔴 **breaking**: 2 findings block (ERR)"),
            "{first}"
        );
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
        // Two header rows (main table and details table) plus one row per finding.
        assert_eq!(rows.len(), report.findings.len() + 2, "{out}");
        for r in &rows {
            assert_eq!(cells(r).len(), 5, "{r}");
        }
        let awkward = rows
            .iter()
            .find(|r| r.contains("note"))
            .copied()
            .unwrap_or_default();
        assert!(awkward.contains("note\\|x"), "{awkward}");
        assert!(out.contains("<details><summary>2 waived or ignored</summary>"));
        assert!(out.contains("waived: nobody reads it"));
        assert!(out.contains("**Hints**"));
        assert!(out.contains("FORWARD: readers built"));
        assert!(out.contains("finance, growth"));
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(text("a `b` *c*"), "a \\`b\\` \\*c\\*");
        assert_eq!(cell("`a|b`"), "`a\\|b`");
        assert_eq!(message("column `a_b` removed"), "column `a_b` removed");
        assert_eq!(message("`a`b` gone"), "\\`a\\`b\\` gone");
    }

    #[test]
    fn unknown_consumers() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.consumers_known = false;
        let out = render(&input);
        assert!(out.contains(UNKNOWN_CONSUMERS));
        assert!(!out.contains("finance"));
    }

    #[test]
    fn empty_report() {
        let report = fixture::empty();
        let out = render(&fixture::input(&report));
        assert!(out.starts_with("🟢 **compatible**: no changes\n"));
        assert!(!out.contains("| severity"));
    }
}
