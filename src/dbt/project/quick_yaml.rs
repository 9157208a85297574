//! A fast reader for the plain block-style YAML that dbt property files are written in.
//!
//! serde-saphyr reads about 15 MB/s here, too slow to read a few megabytes of property files
//! within a pre-commit hook's budget. This reader covers the common subset (block mappings and
//! sequences, quoted and single-line plain scalars, `|`/`>` block scalars, flow collections) and
//! returns `None` for anything else: anchors, tags, multi-line plain scalars, duplicate keys,
//! odd indentation, or anything it is not sure about. The caller then uses serde-saphyr, which
//! stays the reference for what the YAML means and for every error message. Plain scalars that
//! are not obviously strings are resolved by serde-saphyr too, so `yes`, `01` or `0x1F` mean
//! exactly what they mean there.
//!
//! The result is a tree of [`Node`]s borrowing from the text, deserialized straight into the
//! property-file types (`de.rs`): building `serde_json::Value`s first cost as much as parsing.

use std::borrow::Cow;

use serde_json::Value;

mod de;
mod flow;

use flow::Flow;

/// A YAML value; strings borrow from the text unless escapes or folding changed them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'t> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(Cow<'t, str>),
    Seq(Vec<Node<'t>>),
    /// Keys in document order; duplicates are refused while reading.
    Map(Vec<(Cow<'t, str>, Node<'t>)>),
}

impl Node<'_> {
    fn from_value(value: Value) -> Node<'static> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::Str(Cow::Owned(s)),
            Value::Array(items) => Node::Seq(items.into_iter().map(Node::from_value).collect()),
            Value::Object(map) => Node::Map(
                map.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from_value(v)))
                    .collect(),
            ),
        }
    }
}

/// Deepest nesting this reader takes on. Deeper documents go to serde-saphyr, whose default
/// budget refuses more than 64 levels: staying below it keeps the two readers in agreement and
/// bounds the recursion here (parsing, converting, dropping), so a hostile file cannot
/// overflow the stack.
const MAX_DEPTH: usize = 48;

/// A cheap upper bound on nesting: open flow brackets (counted even inside quotes, which only
/// makes the quick path decline more often) and indentation, taking one level per space.
fn too_deep(text: &str) -> bool {
    let mut open = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                open += 1;
                if open > MAX_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => open = open.saturating_sub(1),
            _ => {}
        }
    }
    text.lines()
        .any(|l| l.len() - l.trim_start_matches(' ').len() > 2 * MAX_DEPTH)
}

/// The document, or `None` when serde-saphyr must read it.
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    if too_deep(text)
        || text.starts_with('\u{feff}')
        || text
            .bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    let mut p = Reader::new(text)?;
    let Some(first) = p.peek() else {
        return Some(Node::Map(Vec::new()));
    };
    let value = p.mapping(first.indent)?;
    // Everything must have been read: anything left is structure this reader does not know.
    p.peek().is_none().then_some(value)
}

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Spaces before the content.
    indent: usize,
    /// Byte range of the content (after the indentation, without the line break).
    start: usize,
    end: usize,
}

struct Reader<'t> {
    text: &'t str,
    lines: Vec<Line>,
    /// The next line to read.
    at: usize,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Option<Reader<'t>> {
        let mut lines = Vec::new();
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let body = raw.trim_end_matches('\n').trim_end_matches('\r');
            let indent = body.len() - body.trim_start_matches(' ').len();
            if body[indent..].starts_with('\t') {
                return None;
            }
            lines.push(Line {
                indent,
                start: start + indent,
                end: start + body.len(),
            });
            start += raw.len();
        }
        let mut reader = Reader { text, lines, at: 0 };
        // A single leading `---` is allowed; directives and further documents are not.
        match reader.peek().map(|l| reader.content(l)) {
            Some(c) if c.starts_with('%') => return None,
            Some(c) if c.trim_end() == "---" => reader.at += 1,
            _ => {}
        }
        if reader.lines[reader.at..]
            .iter()
            .any(|l| l.indent == 0 && matches!(reader.content(*l).get(..3), Some("---" | "...")))
        {
            return None;
        }
        Some(reader)
    }

    fn content(&self, line: Line) -> &'t str {
        &self.text[line.start..line.end]
    }

    /// The next line with content, skipping blank and comment lines.
    fn peek(&mut self) -> Option<Line> {
        while let Some(line) = self.lines.get(self.at) {
            let c = self.content(*line).trim_end();
            if !c.is_empty() && !c.starts_with('#') {
                return Some(*line);
            }
            self.at += 1;
        }
        None
    }

    fn mapping(&mut self, indent: usize) -> Option<Node<'t>> {
        let mut map: Vec<(Cow<'t, str>, Node<'t>)> = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let content = self.content(line);
            let (key, rest) = split_key(content)?;
            if map.iter().any(|(k, _)| *k == key) {
                return None;
            }
            self.at += 1;
            let rest_start = line.end - rest.len();
            let value = self.value(indent, rest, rest_start, true)?;
            map.push((key, value));
        }
        Some(Node::Map(map))
    }

    fn sequence(&mut self, indent: usize) -> Option<Node<'t>> {
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent {
                break;
            }
            let content = self.content(line);
            if line.indent > indent || !(content == "-" || content.starts_with("- ")) {
                return None;
            }
            let rest = content[1..].trim_start_matches(' ');
            let rest_start = line.end - rest.len();
            if split_key(rest).is_some() {
                // `- name: x`: a mapping whose keys line up with `name`.
                let inner = Line {
                    indent: line.indent + (content.len() - rest.len()),
                    start: rest_start,
                    end: line.end,
                };
                self.lines[self.at] = inner;
                items.push(self.mapping(inner.indent)?);
            } else {
                self.at += 1;
                if rest.starts_with('-') && (rest == "-" || rest.starts_with("- ")) {
                    return None;
                }
                items.push(self.value(indent, rest, rest_start, false)?);
            }
        }
        Some(Node::Seq(items))
    }

    /// The value after `key:` or `- ` on a line already consumed; `rest` starts at `rest_start`.
    fn value(
        &mut self,
        indent: usize,
        rest: &'t str,
        rest_start: usize,
        in_map: bool,
    ) -> Option<Node<'t>> {
        let rest = strip_comment(rest);
        match rest.chars().next() {
            None => self.nested(indent, in_map),
            Some('|' | '>') => self.block_scalar(indent, rest),
            Some('[' | '{') => self.flow_in_block(rest_start),
            Some('"' | '\'') => {
                let (value, after) = quoted(rest)?;
                if !strip_comment(after).is_empty() {
                    return None;
                }
                self.no_continuation(indent)?;
                Some(Node::Str(value))
            }
            Some('&' | '*' | '!' | '?' | '%' | '@' | '`' | ',' | ']' | '}') => None,
            Some(_) => {
                let odd = find_pair(rest, b':', b' ').is_some() || rest.ends_with(':');
                if odd || rest.contains('\t') || rest.starts_with("- ") {
                    return None;
                }
                self.no_continuation(indent)?;
                resolve_plain(rest)
            }
        }
    }

    /// A value on the following lines: deeper-indented, or a sequence at the key's own indent.
    fn nested(&mut self, indent: usize, in_map: bool) -> Option<Node<'t>> {
        let Some(next) = self.peek() else {
            return Some(Node::Null);
        };
        let content = self.content(next);
        let dash = content == "-" || content.starts_with("- ");
        if next.indent > indent {
            if dash {
                self.sequence(next.indent)
            } else {
                self.mapping(next.indent)
            }
        } else if next.indent == indent && dash && in_map {
            self.sequence(indent)
        } else {
            Some(Node::Null)
        }
    }

    /// A scalar's value may not go on over more-indented lines (a multi-line plain scalar).
    fn no_continuation(&mut self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    fn block_scalar(&mut self, indent: usize, header: &str) -> Option<Node<'t>> {
        let folded = header.starts_with('>');
        let chomp = match header[1..].trim_end() {
            "" => Chomp::Clip,
            "-" => Chomp::Strip,
            "+" => Chomp::Keep,
            _ => return None,
        };
        // Raw lines: blank lines and `#` are content here.
        let mut body: Vec<&str> = Vec::new();
        let mut content_indent = None;
        while let Some(line) = self.lines.get(self.at) {
            let text = self.content(*line);
            let blank = text.trim().is_empty();
            match content_indent {
                _ if blank => {}
                None if line.indent > indent => content_indent = Some(line.indent),
                Some(ci) if line.indent >= ci => {}
                _ => break,
            }
            body.push(&self.text[line.start - line.indent..line.end]);
            self.at += 1;
        }
        let ci = content_indent.unwrap_or(indent + 1);
        let mut lines: Vec<&str> = Vec::with_capacity(body.len());
        for raw in body {
            let stripped = raw.get(ci..).unwrap_or("");
            // Spaces beyond the content indent on a blank line, and more-indented lines in a
            // folded scalar, follow rules this reader does not implement.
            if (raw.trim().is_empty() && !stripped.is_empty())
                || (folded && stripped.starts_with([' ', '\t']))
            {
                return None;
            }
            lines.push(stripped);
        }
        let trailing = lines.iter().rev().take_while(|l| l.is_empty()).count();
        let text_lines = &lines[..lines.len() - trailing];
        let mut out = if folded {
            fold(text_lines)
        } else {
            text_lines.join("\n")
        };
        if !text_lines.is_empty() {
            match chomp {
                Chomp::Strip => {}
                Chomp::Clip => out.push('\n'),
                Chomp::Keep => out.push_str(&"\n".repeat(trailing + 1)),
            }
        } else if chomp == Chomp::Keep {
            out.push_str(&"\n".repeat(trailing));
        }
        Some(Node::Str(Cow::Owned(out)))
    }

    /// A flow collection starting at byte `start`, possibly over several lines; reading goes on
    /// at the line after the one it closes on.
    fn flow_in_block(&mut self, start: usize) -> Option<Node<'t>> {
        let mut flow = Flow {
            text: self.text,
            pos: start,
        };
        let value = flow.value()?;
        let line_end = self.text[flow.pos..]
            .find('\n')
            .map_or(self.text.len(), |i| flow.pos + i);
        if !strip_comment(&self.text[flow.pos..line_end]).is_empty() {
            return None;
        }
        while self.lines.get(self.at).is_some_and(|l| l.start <= line_end) {
            self.at += 1;
        }
        Some(value)
    }
}

/// `>` scalars: line breaks between text lines become spaces; a run of n empty lines becomes n
/// line breaks.
fn fold(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut empty_run = 0;
    let mut seen_text = false;
    for line in lines {
        if line.is_empty() {
            empty_run += 1;
            continue;
        }
        if seen_text && empty_run == 0 {
            out.push(' ');
        } else {
            out.push_str(&"\n".repeat(empty_run));
        }
        out.push_str(line);
        seen_text = true;
        empty_run = 0;
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// `key: rest` → the key and what follows `:`. Only keys that are plainly strings qualify.
fn split_key(content: &str) -> Option<(Cow<'_, str>, &str)> {
    let (key, after) = if content.starts_with(['"', '\'']) {
        let (key, after) = quoted(content)?;
        (key, after.strip_prefix(':')?)
    } else {
        let colon =
            find_pair(content, b':', b' ').or_else(|| content.strip_suffix(':').map(str::len))?;
        let key = &content[..colon];
        // `key :` (YAML trims the space) and `a #b:` are rare enough to leave to serde-saphyr.
        if !is_plain_word(key) || key.ends_with(' ') || find_pair(key, b' ', b'#').is_some() {
            return None;
        }
        (Cow::Borrowed(key), &content[colon + 1..])
    };
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((key, after.trim_start_matches(' ')))
}

/// Where byte `a` is directly followed by byte `b`; cheaper than `str::find` on short lines.
fn find_pair(s: &str, a: u8, b: u8) -> Option<usize> {
    s.as_bytes().windows(2).position(|w| w[0] == a && w[1] == b)
}

/// YAML 1.1 booleans and nulls as serde-saphyr reads them (in any letter case).
const SPECIAL_WORDS: [(&str, Node<'static>); 10] = [
    ("true", Node::Bool(true)),
    ("yes", Node::Bool(true)),
    ("on", Node::Bool(true)),
    ("y", Node::Bool(true)),
    ("false", Node::Bool(false)),
    ("no", Node::Bool(false)),
    ("off", Node::Bool(false)),
    ("n", Node::Bool(false)),
    ("null", Node::Null),
    ("~", Node::Null),
];

fn special_word(s: &str) -> Option<&'static Node<'static>> {
    if s.len() > 5 {
        return None;
    }
    let special = SPECIAL_WORDS
        .iter()
        .find(|(w, _)| s.eq_ignore_ascii_case(w));
    special.map(|(_, v)| v)
}

/// Starts like a word and is no YAML 1.1 boolean or null, so it can only be a string.
fn is_plain_word(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && special_word(s).is_none()
}

fn resolve_plain(s: &str) -> Option<Node<'_>> {
    let s = s.trim_end();
    if let Some(v) = special_word(s) {
        return Some(v.clone());
    }
    if is_plain_word(s) {
        return Some(Node::Str(Cow::Borrowed(s)));
    }
    // A plain decimal integer (no sign, no leading zero, well inside i64).
    let digits = s.strip_prefix('-').unwrap_or(s);
    let decimal = digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if decimal && let Ok(n) = s.parse::<i64>() {
        return Some(Node::Number(n.into()));
    }
    // Floats, hex, dates and the rest: let serde-saphyr decide, in a value position.
    let doc: serde_json::Map<String, Value> = serde_saphyr::from_str(&format!("k: {s}\n")).ok()?;
    doc.get("k").cloned().map(Node::from_value)
}

/// The text before a ` #` comment (or all of it when it is only a comment), trimmed.
fn strip_comment(s: &str) -> &str {
    let s = s.trim();
    if s.starts_with('#') {
        return "";
    }
    match find_pair(s, b' ', b'#') {
        Some(i) if !s.starts_with(['"', '\'']) => s[..i].trim_end(),
        _ => s,
    }
}

/// A single-line quoted scalar at the start of `s`, and the text after its closing quote.
fn quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let quote = s.chars().next()?;
    let body = &s[1..];
    // Most quoted scalars have no escapes and can be borrowed as they are.
    let special = |c: char| c == quote || c == '\n' || c == '\r' || (quote == '"' && c == '\\');
    let end = body.find(special)?;
    let doubled_single = quote == '\'' && body[end + 1..].starts_with('\'');
    if body[end..].starts_with(quote) && !doubled_single {
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if quote == '\'' => {
                if s[i + 1..].starts_with('\'') {
                    chars.next();
                    out.push('\'');
                } else {
                    return Some((Cow::Owned(out), &s[i + 1..]));
                }
            }
            '"' if quote == '"' => return Some((Cow::Owned(out), &s[i + 1..])),
            '\\' if quote == '"' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    '\\' | '"' | '/' | ' ' => e,
                    'n' => '\n',
                    't' | '\t' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    'u' | 'x' | 'U' => {
                        let digits = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex = s.get(i + 2..i + 2 + digits)?;
                        for _ in 0..digits {
                            chars.next();
                        }
                        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                    }
                    _ => return None,
                });
            }
            '\n' | '\r' => return None,
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests;
