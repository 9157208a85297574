//! `--format concise`: one line per finding, `file:line: SEVERITY rule node.path message`, the
//! shape editors and `grep` understand. A finding without a known place starts with its node.

use std::fmt::Write as _;

use super::RenderInput;

pub(super) fn render(input: &RenderInput) -> String {
    let mut out = String::new();
    for f in &input.report.findings {
        let place = match (input.locate)(f) {
            Some((file, line)) => format!("{file}:{line}"),
            None => f.file.clone().unwrap_or_else(|| f.node.clone()),
        };
        let status = if f.waived_by.is_some() {
            " (waived)"
        } else if f.ignored {
            " (ignored)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{place}: {} {} {} {}{status}",
            f.severity.name(),
            f.rule,
            f.display_path(),
            one_line(&f.message)
        );
    }
    out
}

/// Messages are single lines already; a line break from a name must not start a new "finding".
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::super::fixture;

    #[test]
    fn one_line_per_finding_with_its_place() {
        let report = fixture::report();
        let input = fixture::input(&report);
        let text = super::render(&input);
        assert_eq!(text.lines().count(), report.findings.len(), "{text}");
        let first = &report.findings[0];
        assert!(
            text.lines().next().is_some_and(|l| l.contains(first.rule)
                && l.contains(first.severity.name())
                && l.contains(&first.display_path())),
            "{text}"
        );
    }
}
