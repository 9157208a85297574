//! Escaping for every place Tessera writes a name it did not choose. Team, asset, column and user
//! names, comments, purposes and paths come from repositories and from the store, which anyone
//! with write access to either can fill; a name must never be able to clear a terminal, close a
//! markdown fence, add a line to a suggested command, or merge two graph nodes.
//!
//! Each function escapes for one destination. Plain names (letters, digits, `._-@/`) come out
//! unchanged everywhere, so ordinary output keeps its look.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Characters a terminal, an editor or a browser may act on instead of showing: C0 and C1
/// controls, DEL, the bidirectional overrides that reorder what is shown ("trojan source"),
/// and the Unicode line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// The visible form of an unsafe character: `\n`, `\r`, `\t`, `\x1b`, `\u{202e}`.
fn visible(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

fn escape_where(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One value on a terminal line or in a table cell: every control character, newlines
/// included, and every escape sequence shown as visible text.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// Text that may span lines on purpose (a warning, a composed message): like [`terminal`], but
/// a newline stays a newline. Names inside it should already have gone through [`terminal`].
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| c != '\n' && is_unsafe(c))
}

/// The last line of defence for a whole stream (stdout or stderr): newlines and tabs stay, and
/// so do the colour sequences Tessera writes itself (`ESC [ digits ; m`, SGR); every other
/// control character or escape sequence becomes visible. A colour sequence cannot move the
/// cursor, clear the screen or make a link, so letting one through from data costs nothing.
pub fn stream(s: &str) -> Cow<'_, str> {
    let needs = s.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c));
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && let Some(len) = sgr_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if c != '\n' && c != '\t' && is_unsafe(c) {
            visible(c, &mut out);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// Length of the SGR sequence (`ESC [ 1;31 m`) at the start of `s`, if one starts there.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// A word for a POSIX shell command shown to be copied: unchanged when it is plainly safe,
/// single-quoted otherwise, and in `$'…'` (POSIX.1-2024, bash, zsh, ksh) when it holds a
/// control character, so the command stays on one line and still means exactly the name.
pub fn shell(s: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./@:+,=%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    if !s.chars().any(is_unsafe) {
        return Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if is_unsafe(c) && (c as u32) < 0x80 => visible(c, &mut out),
            // `$'…'` has no portable escape above 0x7f: write the UTF-8 bytes.
            c if is_unsafe(c) => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// The longest run of `ch` in `s`.
fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// A markdown code span that no content can end early: the backtick fence is longer than any
/// backtick run inside, padded when the content starts or ends with a backtick or a space.
/// A code span is one line, so line breaks and other controls become visible escapes.
pub fn md_code(s: &str) -> String {
    let s = terminal(s);
    if s.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Prose from data: whatever markdown or HTML would interpret is backslash-escaped (`<` too,
/// so no tag can open), a line break becomes a space, other controls visible escapes. Pipes
/// are left to [`md_cell`], which knows whether the text sits in a table.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '&' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c if is_unsafe(c) => visible(c, &mut out),
            _ => out.push(ch),
        }
    }
    out
}

/// GitHub splits table rows on every unescaped `|`, even inside code spans, and unescapes `\|`
/// before it parses the cell, so escaping here is right for text and code alike.
pub fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// A fenced code block around `body` that no line of it can close: the fence is longer than
/// any backtick run in the body (and at least three).
pub fn md_fence(info: &str, body: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let body = body.trim_end_matches('\n');
    format!("{fence}{info}\n{body}\n{fence}\n")
}

/// A Mermaid label, for inside `"…"`: quotes, `#` (which starts Mermaid's entity codes), the
/// HTML specials, pipes and backticks become entity codes, controls visible escapes.
pub fn mermaid(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if is_unsafe(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// A Graphviz DOT label, for inside `"…"`: backslashes (which start DOT's `\N`, `\l` escapes)
/// and quotes escaped, controls shown as visible escapes.
pub fn dot(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            // `\x1b` written out must not be read back by DOT as an escape.
            c if is_unsafe(c) => {
                let mut v = String::new();
                visible(c, &mut v);
                out.push_str(&v.replace('\\', r"\\"));
            }
            c => out.push(c),
        }
    }
    out
}

/// Graph node ids that never collide: each distinct name gets its own number, in first-seen
/// order, and a readable tail that is only decoration (`team-bi` and `team_bi` are `t1_team_bi`
/// and `t2_team_bi`).
#[derive(Debug, Default)]
pub struct Ids {
    by_name: HashMap<(String, String), String>,
    next: usize,
}

impl Ids {
    pub fn id(&mut self, prefix: &str, name: &str) -> String {
        let key = (prefix.to_string(), name.to_string());
        if let Some(id) = self.by_name.get(&key) {
            return id.clone();
        }
        self.next += 1;
        let tail: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(40)
            .collect();
        let id = format!("{prefix}{}_{tail}", self.next);
        self.by_name.insert(key, id.clone());
        id
    }
}

/// XML element text: the markup characters escaped, and the control characters XML 1.0 cannot
/// carry at all replaced.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// XML attribute values also escape quotes, and the whitespace that attribute-value
/// normalisation would otherwise turn into spaces.
pub fn xml_attr(s: &str) -> String {
    xml_text(s)
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
#[path = "escape_tests.rs"]
mod tests;
