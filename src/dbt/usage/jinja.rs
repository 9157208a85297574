//! The Jinja pre-pass: turns a dbt model into plain SQL that sqlparser can read, remembering what
//! each placeholder stands for. It does not evaluate Jinja; it only has to keep the relations and
//! column names in the places where the parser will find them.
//!
//! Placeholders (unquoted identifiers, so they parse in every dialect):
//! - `__tessera_up_N`: `{{ ref(…) }}` / `{{ source(…) }}`, upstream `N`;
//! - `__tessera_rel_N`: any other `{{ … }}` after `from`/`join` (`{{ this }}`,
//!   `dbt_utils.union_relations(…)`), a relation over the upstreams it names, if any;
//! - `__tessera_star_N`: any other `{{ … }}` naming upstreams elsewhere (`dbt_utils.star(…)`),
//!   every column of those upstreams;
//! - `__tessera_col_N`: any other `{{ … }}` with identifier-like string arguments
//!   (`cents_to_dollars('amount')`): macros usually splice those names into the SQL as columns;
//! - `__tessera_glue`: any other `{{ … }}` inside an identifier (`col_{{ suffix }}`);
//! - `NULL`: any other `{{ … }}`.

use std::collections::BTreeSet;

use super::Upstream;

pub(super) const UPSTREAM: &str = "__tessera_up_";
pub(super) const RELATION: &str = "__tessera_rel_";
pub(super) const STAR: &str = "__tessera_star_";
pub(super) const COLUMNS: &str = "__tessera_col_";
/// Any name containing this was built by Jinja at compile time: it cannot be known here.
pub(super) const GLUE: &str = "__tessera_glue";

/// The three renderings: every branch of every `{% if %}` kept, only the first branch, only the
/// `else` branch. The last two are tried only when the first does not parse.
pub(super) const VARIANTS: usize = 3;
const ALL: usize = 0;
const FIRST: usize = 1;
const ELSE: usize = 2;

#[derive(Debug, Default)]
pub(super) struct Prepared {
    pub upstreams: Vec<Upstream>,
    /// Upstreams named in a `{% … %}` statement or inside a block whose content is not SQL
    /// (`{% set x %}`, `{% call %}`): read at compile time in ways no SQL parse can see.
    pub in_jinja: BTreeSet<usize>,
    pub relations: Vec<BTreeSet<usize>>,
    pub stars: Vec<BTreeSet<usize>>,
    pub columns: Vec<Vec<String>>,
    pub sql: [String; VARIANTS],
    /// Whether any `{% if %}` was seen, that is whether the last two renderings differ.
    pub conditional: bool,
}

#[derive(Clone, Copy)]
enum Frame {
    If { branch: usize, in_else: bool },
    Keep,
    Drop,
}

/// The open blocks, with running counts of what hides text in each rendering, so that asking
/// whether text is visible does not walk the stack (a file of 30,000 nested `{% if %}` took
/// 25 s when every emit did).
#[derive(Default)]
struct Frames {
    stack: Vec<Frame>,
    /// Open `Drop` blocks: nothing inside reaches any rendering.
    drops: usize,
    /// Open `if`s past their first branch, and open `if`s not in their `else`.
    not_first: usize,
    not_else: usize,
}

impl Frames {
    fn count(&mut self, frame: Frame, sign: isize) {
        let add = |n: &mut usize, yes: bool| {
            if yes {
                *n = n.saturating_add_signed(sign);
            }
        };
        match frame {
            Frame::Drop => add(&mut self.drops, true),
            Frame::If { branch, in_else } => {
                add(&mut self.not_first, branch != 0 || in_else);
                add(&mut self.not_else, !in_else);
            }
            Frame::Keep => {}
        }
    }

    fn push(&mut self, frame: Frame) {
        self.count(frame, 1);
        self.stack.push(frame);
    }

    fn pop(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.count(frame, -1);
        }
    }

    /// `elif` / `else` of the innermost block, when it is an `if`.
    fn next_branch(&mut self, is_else: bool) {
        let Some(&top @ Frame::If { branch, .. }) = self.stack.last() else {
            return;
        };
        let next = Frame::If {
            branch: branch + 1,
            in_else: is_else,
        };
        self.count(top, -1);
        self.count(next, 1);
        if let Some(last) = self.stack.last_mut() {
            *last = next;
        }
    }

    fn visible(&self, variant: usize) -> bool {
        self.drops == 0
            && match variant {
                FIRST => self.not_first == 0,
                ELSE => self.not_else == 0,
                _ => true,
            }
    }
}

pub(super) fn prepare(code: &str) -> Prepared {
    let mut p = Prepared::default();
    let mut frames = Frames::default();
    let mut rest = code;
    loop {
        let Some((start, kind)) = next_opening(rest) else {
            emit(&mut p.sql, &frames, rest);
            break;
        };
        emit(&mut p.sql, &frames, &rest[..start]);
        let body = &rest[start + 2..];
        let close = match kind {
            '#' => body.find("#}").map(|i| (i, i + 2)),
            '{' => closing(body, "}}"),
            _ => closing(body, "%}"),
        };
        // Jinja refuses an unclosed tag; the rest is not SQL we can use.
        let Some((inner_end, after)) = close else {
            break;
        };
        let inner = body[..inner_end]
            .trim_start_matches(['-', '+'])
            .trim_end_matches(['-', '+'])
            .trim();
        match kind {
            '{' => {
                let glued = p.sql[ALL].chars().next_back().is_some_and(is_ident_char)
                    || body[after..].chars().next().is_some_and(is_ident_char);
                expression(&mut p, &frames, inner, glued);
            }
            '%' => statement(&mut p, &mut frames, inner),
            _ => {}
        }
        rest = &body[after..];
    }
    p
}

/// The next `{{`, `{%` or `{#`, with its second character.
fn next_opening(s: &str) -> Option<(usize, char)> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find('{') {
        let at = from + i;
        match bytes.get(at + 1) {
            Some(b'{') => return Some((at, '{')),
            Some(b'%') => return Some((at, '%')),
            Some(b'#') => return Some((at, '#')),
            _ => from = at + 1,
        }
    }
    None
}

/// Where `close` ends the tag, skipping string literals and nested brackets, so that
/// `{{ config(meta={'a': {'b': 1}}) }}` closes at the right `}}`.
fn closing(body: &str, close: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if let Some(q) = quote {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        if depth == 0 && body[i..].starts_with(close) {
            return Some((i, i + close.len()));
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn emit(sql: &mut [String; VARIANTS], frames: &Frames, text: &str) {
    for (variant, out) in sql.iter_mut().enumerate() {
        if frames.visible(variant) {
            out.push_str(text);
        }
    }
}

/// `glued`: the expression is part of a longer identifier (`y{{ loop.index }}`), which it must
/// not split.
fn expression(p: &mut Prepared, frames: &Frames, inner: &str, glued: bool) {
    let calls = relation_calls(inner);
    let named: BTreeSet<usize> = calls.iter().map(|c| intern(p, &c.upstream)).collect();
    if !frames.visible(ALL) {
        p.in_jinja.extend(&named);
        return;
    }
    // These render to nothing (a NULL in front of `select` would not parse); relations named
    // in them (hooks) are used at run time outside the model's query.
    if starts_with_call(inner, &["config", "log", "print", "do"]) {
        p.in_jinja.extend(&named);
        emit(&mut p.sql, frames, " ");
        return;
    }
    let whole_call = matches!(calls.as_slice(), [c] if c.span == (0, inner.len()));
    let text = match calls.first() {
        Some(c) if whole_call => format!(" {UPSTREAM}{} ", intern(p, &c.upstream)),
        _ if relation_position(&p.sql[ALL]) => {
            p.relations.push(named);
            format!(" {RELATION}{} ", p.relations.len() - 1)
        }
        _ if !named.is_empty() => {
            p.stars.push(named);
            format!(" {STAR}{} ", p.stars.len() - 1)
        }
        _ if glued => GLUE.to_string(),
        _ => {
            let names = column_like_strings(inner);
            if names.is_empty() {
                " NULL ".to_string()
            } else {
                p.columns.push(names);
                format!(" {COLUMNS}{} ", p.columns.len() - 1)
            }
        }
    };
    emit(&mut p.sql, frames, &text);
}

fn statement(p: &mut Prepared, frames: &mut Frames, inner: &str) {
    for call in relation_calls(inner) {
        let i = intern(p, &call.upstream);
        p.in_jinja.insert(i);
    }
    let word: String = inner.chars().take_while(|c| is_ident_char(*c)).collect();
    let rest = inner[word.len()..].trim_start();
    match word.as_str() {
        "if" => {
            p.conditional = true;
            frames.push(Frame::If {
                branch: 0,
                in_else: false,
            });
        }
        "elif" | "else" => frames.next_branch(word == "else"),
        "for" | "snapshot" | "filter" | "raw" | "block" | "with" | "autoescape" => {
            frames.push(Frame::Keep)
        }
        // `{% set x %}…{% endset %}` captures text; `{% set x = … %}` is one tag.
        "set" if !rest.contains('=') => frames.push(Frame::Drop),
        "macro" | "call" | "materialization" | "test" | "docs" => frames.push(Frame::Drop),
        w if w.starts_with("end") => {
            frames.pop();
        }
        _ => {}
    }
}

fn intern(p: &mut Prepared, upstream: &Upstream) -> usize {
    match p.upstreams.iter().position(|u| u == upstream) {
        Some(i) => i,
        None => {
            p.upstreams.push(upstream.clone());
            p.upstreams.len() - 1
        }
    }
}

/// Whether the SQL so far ends with `from` or `join`: a relation is expected next.
fn relation_position(sql: &str) -> bool {
    let reversed: String = sql
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| is_ident_char(*c))
        .collect();
    let word: String = reversed.chars().rev().collect();
    word.eq_ignore_ascii_case("from") || word.eq_ignore_ascii_case("join")
}

fn starts_with_call(inner: &str, names: &[&str]) -> bool {
    let word: String = inner.chars().take_while(|c| is_ident_char(*c)).collect();
    names.contains(&word.as_str()) && inner[word.len()..].trim_start().starts_with('(')
}

/// String arguments of a macro call that look like (possibly qualified) column names. Not for
/// `var()`/`env_var()`, whose arguments name variables.
fn column_like_strings(inner: &str) -> Vec<String> {
    if starts_with_call(inner, &["var", "env_var"]) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = inner;
    while let Some(i) = rest.find(['\'', '"']) {
        let quote = rest[i..].chars().next().unwrap_or('\'');
        let body = &rest[i + 1..];
        let Some(end) = body.find(quote) else { break };
        let s = &body[..end];
        let ident_like = !s.is_empty()
            && s.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && part.chars().all(is_ident_char)
            });
        if ident_like
            && !DATE_PARTS.contains(&s.to_lowercase().as_str())
            && !out.iter().any(|o| o == s)
        {
            out.push(s.to_string());
        }
        rest = &body[end + 1..];
    }
    out
}

/// The first argument of `dbt.date_trunc('day', …)` and friends, not a column.
const DATE_PARTS: &[&str] = &[
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
    "dayofweek",
    "dayofyear",
    "isoweek",
];

pub(super) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

pub(super) struct RelationCall {
    pub upstream: Upstream,
    /// Byte range of the whole call, `ref` to `)`.
    pub span: (usize, usize),
}

/// Every `ref(…)` and `source(…)` with literal arguments (also `dbt.ref(…)` in Python models).
pub(super) fn relation_calls(code: &str) -> Vec<RelationCall> {
    let mut out = Vec::new();
    for name in ["ref", "source"] {
        let pattern = format!("{name}(");
        let mut from = 0;
        while let Some(i) = code[from..].find(&pattern) {
            let start = from + i;
            from = start + pattern.len();
            if code[..start].chars().next_back().is_some_and(is_ident_char) {
                continue;
            }
            let Some((args, len)) = arguments(&code[from..]) else {
                continue;
            };
            if let Some(upstream) = upstream(name, &args) {
                out.push(RelationCall {
                    upstream,
                    span: (start, from + len),
                });
            }
        }
    }
    out.sort_by_key(|c| c.span);
    out
}

/// A literal argument: positional (`None`) or keyword.
type Arg = (Option<String>, String);

/// Literal arguments up to the closing parenthesis, and the length consumed. `None` as soon as
/// one argument is not a string or number literal: a dynamic name cannot be resolved.
fn arguments(s: &str) -> Option<(Vec<Arg>, usize)> {
    let mut args = Vec::new();
    let mut pos = 0;
    let skip_ws = |pos: &mut usize| {
        while s[*pos..].starts_with(char::is_whitespace) {
            *pos += s[*pos..].chars().next().map_or(1, char::len_utf8);
        }
    };
    loop {
        skip_ws(&mut pos);
        if s[pos..].starts_with(')') {
            return Some((args, pos + 1));
        }
        let word: String = s[pos..].chars().take_while(|c| is_ident_char(*c)).collect();
        let mut keyword = None;
        if !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) {
            let after = pos + word.len();
            let mut p = after;
            skip_ws(&mut p);
            if s[p..].starts_with('=') && !s[p..].starts_with("==") {
                keyword = Some(word);
                pos = p + 1;
                skip_ws(&mut pos);
            } else {
                return None;
            }
        }
        let quote = s[pos..].chars().next()?;
        let value = if quote == '\'' || quote == '"' {
            let end = s[pos + 1..].find(quote)?;
            let v = s[pos + 1..pos + 1 + end].to_string();
            pos += end + 2;
            v
        } else {
            let v: String = s[pos..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            if v.is_empty() || !v.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            pos += v.len();
            v
        };
        args.push((keyword, value));
        skip_ws(&mut pos);
        if s[pos..].starts_with(',') {
            pos += 1;
        } else if !s[pos..].starts_with(')') {
            return None;
        }
    }
}

fn upstream(name: &str, args: &[Arg]) -> Option<Upstream> {
    let positional: Vec<&str> = args
        .iter()
        .filter(|(k, _)| k.is_none())
        .map(|(_, v)| v.as_str())
        .collect();
    let kw = |names: &[&str]| {
        args.iter()
            .find(|(k, _)| k.as_deref().is_some_and(|k| names.contains(&k)))
            .map(|(_, v)| v.clone())
    };
    if name == "source" {
        let (source, table) = match positional.as_slice() {
            [s, t] => (s.to_string(), t.to_string()),
            [s] => (s.to_string(), kw(&["table_name"])?),
            [] => (kw(&["source_name"])?, kw(&["table_name"])?),
            _ => return None,
        };
        return Some(Upstream::Source { source, table });
    }
    let model = match positional.as_slice() {
        [name] | [_, name] => name.to_string(),
        [] => kw(&["model_name", "name"])?,
        _ => return None,
    };
    Some(Upstream::Ref {
        name: model,
        version: kw(&["v", "version"]),
    })
}
