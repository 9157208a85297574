//! GitHub Actions workflow commands: one annotation per finding that counts, then the verdict as
//! a plain log line. The step summary is the markdown report (see [`super::step_summary`]).

use std::fmt::Write;

use super::{RenderInput, location, summary, teams};
use crate::compat::Level;

pub(super) fn render(input: &RenderInput) -> String {
    let mut out = String::new();
    for f in input.report.findings.iter().filter(|f| f.counts()) {
        let command = match f.severity {
            Level::Err => "error",
            Level::Warn => "warning",
            Level::Info => "notice",
        };
        let (file, line) = location(input, f);
        let mut props = Vec::new();
        if let Some(file) = file {
            props.push(format!("file={}", escape_property(&file)));
            if let Some(line) = line {
                props.push(format!("line={line}"));
            }
        }
        let title = format!("{} {}", f.rule, f.display_path());
        props.push(format!("title={}", escape_property(&title)));

        let mut message = f.message.clone();
        if input.consumers_known && !f.impacted.is_empty() {
            let _ = write!(message, "\nImpacted teams: {}", teams(f));
        }
        if f.is_breaking() && !f.hint.is_empty() {
            let _ = write!(message, "\nHint: {}", f.hint);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&message)
        );
    }
    let (verdict, detail) = summary(input);
    let _ = writeln!(out, "{verdict}: {detail}");
    out
}

/// The message part, as `@actions/core` escapes it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally must not contain the `:` and `,` that delimit properties.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50%\r\nok: a,b"), "50%25%0D%0Aok: a,b");
        assert_eq!(escape_property("50%\nok: a,b"), "50%25%0Aok%3A a%2Cb");
    }

    #[test]
    fn one_command_per_counting_finding() {
        let report = fixture::report();
        let out = render(&fixture::input(&report));
        let commands: Vec<&str> = out.lines().filter(|l| l.starts_with("::")).collect();
        let counting = report.findings.iter().filter(|f| f.counts()).count();
        assert_eq!(commands.len(), counting, "{out}");
        assert_eq!(
            commands
                .iter()
                .filter(|c| c.starts_with("::error "))
                .count(),
            2
        );
        assert!(commands.iter().any(|c| c.starts_with("::notice ")));
        assert!(!out.contains("legacy_flag") && !out.contains("internal"));

        let amount = commands
            .iter()
            .find(|c| c.contains(" orders.amount::"))
            .copied()
            .unwrap_or_default();
        assert!(
            amount.starts_with(
                "::error file=models/orders.yml,line=12,title=column_removed orders.amount::"
            ),
            "{amount}"
        );
        assert!(amount.contains("%0AImpacted teams: finance, growth"));

        // The awkward column: `%`, `:` and `,` escaped in the title, `%` in the message.
        let awkward = commands
            .iter()
            .find(|c| c.contains("line=18"))
            .copied()
            .unwrap_or_default();
        assert!(
            awkward.contains("title=column_type_changed orders.note|x%2Cy%3Az%25<&\"`::"),
            "{awkward}"
        );
        let (_, message) = awkward.split_once("::").unwrap_or_default();
        let (_, message) = message.split_once("::").unwrap_or_default();
        assert!(message.contains("z%25") && !message.contains('\n'));
        assert_eq!(
            out.lines().last().unwrap_or_default(),
            "breaking: 2 findings block (ERR), 1 warning, 1 info, 1 waived, 1 ignored · suggested version bump: major"
        );
    }

    #[test]
    fn empty_report() {
        let report = fixture::empty();
        let out = render(&fixture::input(&report));
        assert_eq!(out, "compatible: no changes\n");
    }
}
