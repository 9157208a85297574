//! What is read from Jinja source without rendering it: the blocks a model never needs, the
//! macros a file defines, the names a template calls, and a project's overrides of dbt's own
//! functions.

use std::collections::BTreeSet;

/// dbt functions a project may override with a macro of the same name.
pub(super) const OVERRIDABLE: &[&str] = &["ref", "source"];

/// `source` with its `ref` and `source` macros renamed out of the way.
pub(super) fn without_overrides(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = find_tag(rest, "macro") {
        let Some(len) = rest[at..].find("%}") else {
            break;
        };
        let tag = &rest[at..at + len];
        let renamed = OVERRIDABLE.iter().find_map(|n| {
            let name_at = tag.find("macro")? + "macro".len();
            let after = tag[name_at..].trim_start();
            let rest_of_name = after.strip_prefix(n)?;
            rest_of_name
                .trim_start()
                .starts_with('(')
                .then(|| tag.replacen(n, &format!("__tessera_overridden_{n}"), 1))
        });
        out.push_str(&rest[..at]);
        out.push_str(renamed.as_deref().unwrap_or(tag));
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// Removes blocks minijinja does not know and a model never needs: generic tests,
/// materializations and docs that may share a macro file.
pub(super) fn strip_blocks(text: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in [
        ("test", "endtest"),
        ("materialization", "endmaterialization"),
        ("docs", "enddocs"),
        ("snapshot", "endsnapshot"),
    ] {
        out = strip_block(&out, open, close);
    }
    out
}

fn strip_block(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let Some(start) = find_tag(rest, open) else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match find_tag(after, close) {
            Some(end) => {
                let tail = &after[end..];
                let skip = tail.find("%}").map_or(tail.len(), |i| i + 2);
                rest = &tail[skip..];
            }
            None => return out,
        }
    }
}

/// Where `{% word` (with optional `-`) starts.
pub(super) fn find_tag(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let at = from + i;
        let tag = text[at + 2..].trim_start_matches(['-', '+']).trim_start();
        if let Some(after) = tag.strip_prefix(word)
            && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

pub(super) fn macro_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(at) = find_tag(&text[from..], "macro") {
        let start = from + at;
        let tag = text[start + 2..]
            .trim_start_matches(['-', '+'])
            .trim_start();
        let name: String = tag["macro".len()..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.push(name);
        }
        from = start + 2;
    }
    names
}

pub(super) fn defines_macro(source: &str, name: &str) -> bool {
    macro_names(source).iter().any(|n| n == name)
}

pub(super) fn mentions(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
            return true;
        }
        from = at + word.len();
    }
    false
}

/// Root names called (`name(`) or dereferenced (`name.`) inside Jinja tags.
pub(super) fn called_names(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = source;
    while let Some(i) = rest.find('{') {
        let close = match rest[i + 1..].chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = &rest[i + 1..];
                continue;
            }
        };
        let body = &rest[i + 2..];
        let end = body.find(close).unwrap_or(body.len());
        collect_roots(&body[..end], &mut names);
        rest = &body[end..];
    }
    names
}

fn collect_roots(tag: &str, names: &mut BTreeSet<String>) {
    let chars: Vec<char> = tag.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == '\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let prev = chars[..start].iter().rev().find(|c| !c.is_whitespace());
            // `x.name(` is a method, `|name(` a filter, `is name` a test: not roots.
            let root = !matches!(prev, Some('.') | Some('|'));
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            if root && matches!(next, Some('(') | Some('.')) {
                names.insert(chars[start..i].iter().collect());
            }
            continue;
        }
        i += 1;
    }
}
