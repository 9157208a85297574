//! JUnit XML, the test-report shape every CI system can display: one test case per finding,
//! failed when it blocks, skipped when waived or ignored.

use std::fmt::Write;

use super::escape::{xml_attr as attr, xml_text as text};
use super::{RenderInput, Status, UNKNOWN_CONSUMERS, blocks, change, location, status, teams};
use crate::compat::Finding;

pub(super) fn render(input: &RenderInput) -> String {
    let findings = &input.report.findings;
    let tests = findings.len();
    let failures = findings.iter().filter(|f| blocks(f, input.fail_on)).count();
    let skipped = findings.iter().filter(|f| !f.counts()).count();
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}""#);

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, r#"<testsuites name="tessera" {counts}>"#);
    let suite = attr(&format!("tessera {}", input.command));
    let _ = writeln!(out, r#"  <testsuite name="{suite}" {counts}>"#);
    let mut props = vec![("fail_on", input.fail_on.name().to_string())];
    props.extend(input.base.map(|b| ("base", b.to_string())));
    props.extend(input.head.map(|h| ("head", h.to_string())));
    out.push_str("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            out,
            r#"      <property name="{name}" value="{}"/>"#,
            attr(&value)
        );
    }
    out.push_str("    </properties>\n");
    for f in findings {
        testcase(&mut out, input, f);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, input: &RenderInput, f: &Finding) {
    let name = format!("{} {}", f.rule, f.display_path());
    let mut open = format!(
        r#"    <testcase classname="{}" name="{}""#,
        attr(&f.asset),
        attr(&name)
    );
    // GitLab and others link a case to its file when `file` is present; unknown ones ignore it.
    if let (Some(file), _) = location(input, f) {
        let _ = write!(open, r#" file="{}""#, attr(&file));
    }
    match status(f) {
        Status::Waived(reason) => {
            let msg = attr(&format!("waived: {reason}"));
            let _ = writeln!(
                out,
                "{open}>\n      <skipped message=\"{msg}\"/>\n    </testcase>"
            );
        }
        Status::Ignored => {
            let _ = writeln!(
                out,
                "{open}>\n      <skipped message=\"ignored inline\"/>\n    </testcase>"
            );
        }
        Status::Counts if blocks(f, input.fail_on) => {
            let _ = writeln!(
                out,
                "{open}>\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attr(&f.message),
                attr(f.rule),
                text(&details(input, f))
            );
        }
        Status::Counts => {
            let _ = writeln!(out, "{open}/>");
        }
    }
}

/// The failure body: what a reader of the CI page needs to act without opening the repository.
fn details(input: &RenderInput, f: &Finding) -> String {
    let mut s = format!("{} {} at {}", f.severity, f.rule, f.display_path());
    let delta = change(f);
    if !delta.is_empty() {
        let _ = write!(s, "\n{delta}");
    }
    if let Some(against) = &f.against {
        let _ = write!(s, "\nagainst {against}");
    }
    let _ = write!(s, "\n{}", f.message);
    if !f.hint.is_empty() {
        let _ = write!(s, "\nhint: {}", f.hint);
    }
    let impacted = if input.consumers_known {
        teams(f)
    } else {
        UNKNOWN_CONSUMERS.to_string()
    };
    let _ = write!(s, "\nimpacted teams: {impacted}");
    s
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    /// A small well-formedness check: every tag closes in order, attribute values are quoted
    /// and free of `<`, and every `&` starts an entity.
    fn check_xml(xml: &str) -> Result<(), String> {
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .ok_or("no declaration")?;
        let mut stack: Vec<String> = Vec::new();
        let mut rest = body;
        while let Some(start) = rest.find('<') {
            check_text(&rest[..start])?;
            let after = &rest[start + 1..];
            let end = tag_end(after).ok_or("unterminated tag")?;
            let tag = &after[..end];
            rest = &after[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop().as_deref() != Some(name) {
                    return Err(format!("unbalanced </{name}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().ok_or("empty tag")?;
            check_attrs(&tag[name.len()..])?;
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        check_text(rest)?;
        if stack.is_empty() {
            Ok(())
        } else {
            Err(format!("unclosed {stack:?}"))
        }
    }

    /// The `>` that ends a tag, skipping quoted attribute values.
    fn tag_end(s: &str) -> Option<usize> {
        let mut quoted = false;
        s.char_indices().find_map(|(i, c)| {
            if c == '"' {
                quoted = !quoted;
            }
            (c == '>' && !quoted).then_some(i)
        })
    }

    fn check_attrs(s: &str) -> Result<(), String> {
        let mut rest = s.trim();
        while !rest.is_empty() {
            let (name, value) = rest.split_once("=\"").ok_or(format!("bad attr {rest}"))?;
            if name.trim().contains(char::is_whitespace) {
                return Err(format!("bad attr name {name}"));
            }
            let (value, tail) = value.split_once('"').ok_or("unquoted")?;
            if value.contains('<') {
                return Err(format!("raw < in {value}"));
            }
            check_text(value)?;
            rest = tail.trim_start();
        }
        Ok(())
    }

    fn check_text(s: &str) -> Result<(), String> {
        for (i, _) in s.match_indices('&') {
            let entity = &s[i..];
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
                .iter()
                .any(|e| entity.starts_with(e));
            if !ok {
                return Err(format!("bare & in {s}"));
            }
        }
        if s.contains('>') && s.contains("]]") {
            return Err("]]> in text".into());
        }
        Ok(())
    }

    #[test]
    fn well_formed_with_failures_and_skips() {
        let report = fixture::report();
        let xml = render(&fixture::input(&report));
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert!(xml.contains(
            r#"<testsuite name="tessera check" tests="6" failures="2" errors="0" skipped="2">"#
        ));
        assert_eq!(xml.matches("<testcase ").count(), 6);
        assert_eq!(xml.matches("<failure ").count(), 2);
        assert_eq!(xml.matches("<skipped ").count(), 2);
        assert!(xml.contains(r#"<skipped message="waived: nobody reads it"/>"#));
        // The awkward column name: `&`, `<` and `"` escaped in the name attribute.
        assert!(xml.contains("note|x,y:z%&lt;&amp;&quot;`"), "{xml}");
        assert!(xml.contains(r#"type="column_removed""#));
    }

    #[test]
    fn a_lower_fail_on_fails_more() {
        let report = fixture::report();
        let mut input = fixture::input(&report);
        input.fail_on = crate::compat::Level::Info;
        let xml = render(&input);
        assert!(xml.contains(r#"failures="4""#), "{xml}");
    }

    #[test]
    fn escaping() {
        assert_eq!(attr("a<b>&\"c'\n"), "a&lt;b&gt;&amp;&quot;c&apos;&#10;");
        assert_eq!(text("x\u{1}y"), "x\u{FFFD}y");
        assert!(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>").is_err());
        assert!(check_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>&</a>").is_err());
    }

    #[test]
    fn empty_report() {
        let report = fixture::empty();
        let xml = render(&fixture::input(&report));
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert!(xml.contains(r#"tests="0" failures="0" errors="0" skipped="0""#));
        assert!(!xml.contains("<testcase"));
    }
}
