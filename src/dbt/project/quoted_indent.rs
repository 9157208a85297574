//! Quoted values whose continuation lines sit at or left of their key's indentation:
//!
//! ```yaml
//!         file_format: "( type = csv
//!             skip_header = 1
//!         )"
//! ```
//!
//! The YAML spec wants every continuation line of a quoted scalar indented past the enclosing
//! block, and serde-saphyr enforces that (it only forgives a line holding just the closing
//! quote, and has no option to forgive more). PyYAML, and so dbt, does not check indentation
//! inside quoted scalars at all. Since the leading spaces of a continuation line are never part
//! of the value (lines fold), indenting such a line further changes nothing the file means: the
//! repaired text reads exactly as dbt reads the original.

use serde_saphyr::granit_parser::ErrorKind;
use serde_saphyr::{Error, ExternalMessageSource};

/// At most this many lines are re-indented in one file; past it the file is left unread.
const MAX_REPAIRS: usize = 64;

/// The text with every under-indented continuation line of a quoted scalar indented past its
/// block, or `None` when the text has no such line or has another problem as well (the
/// caller then reports the original error, at its line).
pub(crate) fn repair(text: &str) -> Option<String> {
    let mut fixed = text.to_string();
    let mut repaired = 0;
    loop {
        let err = match serde_saphyr::from_str::<serde::de::IgnoredAny>(&fixed) {
            Ok(_) => return (repaired > 0).then_some(fixed),
            Err(e) => e,
        };
        let line = under_indented_line(&err)?;
        repaired += 1;
        if repaired > MAX_REPAIRS {
            return None;
        }
        fixed = indent_line(&fixed, line)?;
    }
}

/// The 0-based line of an under-indented quoted-scalar continuation, if that is the error.
fn under_indented_line(err: &Error) -> Option<usize> {
    let Error::ExternalMessage { source, .. } = err.without_snippet() else {
        return None;
    };
    let ExternalMessageSource::Parser(scan) = source.as_ref() else {
        return None;
    };
    (*scan.kind() == ErrorKind::InvalidQuotedScalarIndent)
        .then(|| scan.marker().line().checked_sub(1))
        .flatten()
}

/// `text` with line `n` indented one column past the content of the line before it (past a
/// `- ` marker too): the scalar's previous line is either a continuation, already indented
/// past the block, or the line that opened the scalar, whose key the block's indentation is.
fn indent_line(text: &str, n: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line = *lines.get(n)?;
    // PyYAML refuses a document marker inside a quoted scalar as well.
    if line.starts_with("---") || line.starts_with("...") {
        return None;
    }
    let previous = lines[..n].iter().rev().find(|l| !l.trim().is_empty())?;
    let target = content_column(previous) + 1;
    let current = line.len() - line.trim_start_matches(' ').len();
    if current >= target {
        // Already past that column yet refused: not the case this repairs.
        return None;
    }
    let mut out = String::with_capacity(text.len() + target);
    for (i, l) in lines.iter().enumerate() {
        if i == n {
            out.extend(std::iter::repeat_n(' ', target - current));
        }
        out.push_str(l);
    }
    Some(out)
}

/// The column of a line's first character past its indentation and `- ` sequence markers.
fn content_column(line: &str) -> usize {
    let mut col = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        col += rest.len() - trimmed.len();
        match trimmed.strip_prefix("- ") {
            Some(after) => {
                col += 2;
                rest = after;
            }
            None => return col,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Doc {
        a: A,
    }
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct A {
        f: String,
        g: String,
    }

    #[test]
    fn an_under_indented_continuation_is_indented_and_the_value_is_unchanged() {
        let bad = "a:\n  f: \"( x = 1\n    y = 2\n  )\"\n  g: 'one\n two'\n";
        let fixed = repair(bad).expect("repaired");
        let doc: Doc = serde_saphyr::from_str(&fixed).unwrap();
        assert_eq!(doc.a.f, "( x = 1 y = 2 )");
        assert_eq!(doc.a.g, "one two");
        // Only the two offending lines moved.
        assert_eq!(fixed.lines().count(), bad.lines().count());
        assert_eq!(fixed.lines().nth(3), Some("     )\""));
    }

    #[test]
    fn continuations_of_a_value_in_a_list_entry_clear_the_entry_key() {
        let bad = "- name: \"one\n  two\"\n";
        let fixed = repair(bad).expect("repaired");
        let doc: Vec<std::collections::BTreeMap<String, String>> =
            serde_saphyr::from_str(&fixed).unwrap();
        assert_eq!(doc[0]["name"], "one two");
    }

    #[test]
    fn valid_files_and_other_errors_are_left_alone() {
        assert_eq!(repair("a: \"x\n  y\"\n"), None);
        assert_eq!(repair("a: [x\n"), None);
        // An unclosed quote swallows the rest of the file; it stays an error.
        assert_eq!(repair("a: \"x\nb: 1\n"), None);
    }
}
