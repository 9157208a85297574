//! A deliberately small scan of model SQL (and Python) for the Jinja calls that matter before any
//! real SQL parsing: `config(...)`, `ref(...)`, `source(...)` and `{% snapshot name %}` blocks.
//! Arguments are read as Python literals; anything dynamic (`var('x')`, string concatenation) is
//! left out rather than guessed.

use serde_json::{Map, Value};

/// One call site: positional arguments and keyword arguments, in order. An argument that is
/// not a literal is `Value::Null`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Call {
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
    /// Where the call starts in the scanned text, and the first argument whose literal nests
    /// deeper than [`MAX_LITERAL_DEPTH`] (its keyword, or `None` for a positional one).
    pub at: usize,
    pub too_deep: Option<Option<String>>,
}

/// Deepest list/dict nesting read in a call's literal arguments. dbt configs nest two or
/// three levels; the bound keeps a hostile file from overflowing the stack (the parser and the
/// drop of the value both recurse once per level).
pub(crate) const MAX_LITERAL_DEPTH: usize = 32;

/// A `config()` argument nested deeper than [`MAX_LITERAL_DEPTH`]: its keyword (`None` when
/// positional) and the byte offset of the call in the scanned text.
#[derive(Debug, PartialEq)]
pub(crate) struct TooDeep {
    pub keyword: Option<String>,
    pub at: usize,
}

impl Call {
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    fn string_args(&self) -> Option<Vec<&str>> {
        self.args.iter().map(Value::as_str).collect()
    }
}

/// A model's upstream, as its SQL names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dependency {
    Ref {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        package: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<String>,
    },
    Source {
        source: String,
        table: String,
    },
}

impl Dependency {
    /// The [`Relation::key`](crate::contract::Relation::key) this dependency points at.
    pub fn key(&self) -> String {
        match self {
            Dependency::Ref {
                name,
                version: Some(v),
                ..
            } => format!("{name}.v{v}"),
            Dependency::Ref { name, .. } => name.clone(),
            Dependency::Source { source, table } => format!("{source}.{table}"),
        }
    }
}

/// Every `ref()` and `source()` with literal arguments, sorted and without duplicates.
pub(crate) fn dependencies(code: &str) -> Vec<Dependency> {
    let code = strip_jinja_comments(code);
    let mut deps = Vec::new();
    for call in calls(&code, "ref") {
        let version = call
            .kwarg("v")
            .or_else(|| call.kwarg("version"))
            .and_then(scalar_string);
        let dep = match call.string_args().as_deref() {
            Some([name]) => Dependency::Ref {
                name: name.to_string(),
                package: None,
                version,
            },
            Some([package, name]) => Dependency::Ref {
                name: name.to_string(),
                package: Some(package.to_string()),
                version,
            },
            _ => continue,
        };
        deps.push(dep);
    }
    for call in calls(&code, "source") {
        if let Some([source, table]) = call.string_args().as_deref() {
            deps.push(Dependency::Source {
                source: source.to_string(),
                table: table.to_string(),
            });
        }
    }
    deps.sort();
    deps.dedup();
    deps
}

/// The keyword arguments of every `config(...)` call, merged in order (a later call wins).
/// dbt also takes the configs as one dict, `config({"materialized": "table"})`, or splatted,
/// `config(**{...})`; both read as keywords.
/// A literal too deep to read is an error rather than "not given": its value may be the
/// materialization or the contract, and a default in its place could hide a break.
#[cfg(test)]
pub(crate) fn config(code: &str) -> Result<Map<String, Value>, TooDeep> {
    config_scan(code).map(|(values, _)| values)
}

/// [`config`], and, when the last call that sets `materialized` sets it to an expression, that
/// expression: one scan of the code for both.
pub(crate) fn config_scan(
    code: &str,
) -> Result<(Map<String, Value>, Option<JinjaMaterialized>), TooDeep> {
    let code = strip_jinja_comments(code);
    let mut out = Map::new();
    // Where the last call that sets `materialized` starts, when it sets no literal.
    let mut by_jinja = None;
    for call in calls(&code, "config") {
        if let Some(keyword) = call.too_deep {
            return Err(TooDeep {
                keyword,
                at: call.at,
            });
        }
        if let Some((_, v)) = call.kwargs.iter().find(|(k, _)| k == "materialized") {
            by_jinja = v.is_null().then_some(call.at);
        }
        let dicts = call.args.into_iter().filter_map(|a| match a {
            Value::Object(m) => Some(m),
            _ => None,
        });
        for (k, v) in dicts.flatten().chain(call.kwargs) {
            if !v.is_null() {
                out.insert(k, v);
            }
        }
    }
    let materialized = by_jinja.and_then(|at| materialized_at(&code, at));
    Ok((out, materialized))
}

/// A `config(materialized=…)` whose value is not a literal: the expression as written, and
/// the literal it stands for when it is a name that a `{% set name = '…' %}` before the call
/// gives one.
#[derive(Debug, PartialEq)]
pub(crate) struct JinjaMaterialized {
    pub expr: String,
    pub value: Option<String>,
}

#[cfg(test)]
pub(crate) fn materialized_by_jinja(code: &str) -> Option<JinjaMaterialized> {
    config_scan(code).ok().and_then(|(_, m)| m)
}

/// The `materialized=` expression of the `config(` call at `at` in `code`.
fn materialized_at(code: &str, at: usize) -> Option<JinjaMaterialized> {
    let rest = code.get(at..)?;
    let start = rest.find("materialized")? + "materialized".len();
    let value = rest[start..].trim_start().strip_prefix('=')?.trim_start();
    let expr = argument_text(value).trim().to_string();
    if expr.is_empty() || expr.eq_ignore_ascii_case("none") {
        return None;
    }
    let is_name = expr.chars().all(is_ident_char);
    let value = is_name
        .then(|| last_set_literal(&code[..at], &expr))
        .flatten();
    Some(JinjaMaterialized { expr, value })
}

/// The text of one call argument: up to the `,` or `)` that ends it, outside brackets and
/// quotes.
fn argument_text(s: &str) -> &str {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') if depth > 0 => depth -= 1,
            (None, ',' | ')' | '}') => return &s[..i],
            _ => {}
        }
    }
    s
}

/// The literal of the last `{% set name = '…' %}` in `code`.
fn last_set_literal(code: &str, name: &str) -> Option<String> {
    let mut found = None;
    for block in code.split("{%").skip(1) {
        let body = block.split("%}").next().unwrap_or("");
        let body = body.trim_start_matches(['-', '+']).trim_start();
        let Some(rest) = body.strip_prefix("set") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix(name) else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim().trim_end_matches(['-', '+']).trim_end();
        let quote = rest.chars().next().filter(|q| *q == '\'' || *q == '"');
        found = match quote {
            Some(q) if rest.len() >= 2 && rest.ends_with(q) => {
                Some(rest[1..rest.len() - 1].to_string())
            }
            // Set to something else: whatever an earlier literal said no longer holds.
            _ => None,
        };
    }
    found
}

/// The Jinja of a SQL file (`{{ … }}` and `{% … %}` blocks, one a line), without comments.
/// Scanning only these for calls is several times faster than scanning the whole SQL.
pub(crate) fn jinja_blocks(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(i) = rest.find('{') {
        let close = match rest[i + 1..].chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                rest = &rest[i + 1..];
                continue;
            }
        };
        let Some(len) = rest[i + 2..].find(close) else {
            out.push_str(&rest[i..]);
            break;
        };
        let end = i + 2 + len + 2;
        if close != "#}" {
            out.push_str(&rest[i..end]);
            out.push('\n');
        }
        rest = &rest[end..];
    }
    out
}

/// Names of the `{% snapshot name %}` blocks in a snapshot file.
pub(crate) fn snapshot_names(code: &str) -> Vec<String> {
    snapshot_blocks(code)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Each `{% snapshot name %}` block of a snapshot file with its body, the code between its
/// tags (a block left open runs to the end of the file, as far as its SQL goes).
pub(crate) fn snapshot_blocks(code: &str) -> Vec<(String, &str)> {
    let mut blocks = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("{%") {
        rest = &rest[i + 2..];
        let tag = rest.trim_start_matches('-').trim_start();
        let Some(after) = tag.strip_prefix("snapshot") else {
            continue;
        };
        if !after.starts_with(char::is_whitespace) {
            continue;
        }
        let name: String = after
            .trim_start()
            .chars()
            .take_while(|c| is_ident_char(*c))
            .collect();
        if name.is_empty() {
            continue;
        }
        let Some(open_end) = rest.find("%}") else {
            break;
        };
        let body = &rest[open_end + 2..];
        let end = end_of_snapshot(body).unwrap_or(body.len());
        blocks.push((name, &body[..end]));
        rest = &body[end..];
    }
    blocks
}

/// Where the `{% endsnapshot %}` tag closing a snapshot body starts.
fn end_of_snapshot(body: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = body[from..].find("{%") {
        let at = from + i;
        let tag = body[at + 2..].trim_start_matches('-').trim_start();
        if tag.starts_with("endsnapshot") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// `ref('x')` / `ref("pkg", "x", v=2)` / `source('a', 'b')` as written in a `relationships` test's
/// `to:` → the relation key (`x`, `x.v2`, `a.b`). Anything else is returned trimmed.
pub(crate) fn normalize_relation_ref(to: &str) -> String {
    let to = to.trim();
    let inner = to
        .strip_prefix("{{")
        .and_then(|s| s.strip_suffix("}}"))
        .map_or(to, str::trim);
    match dependencies(inner).as_slice() {
        [dep] => dep.key(),
        _ => inner.to_string(),
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strip_jinja_comments(code: &str) -> std::borrow::Cow<'_, str> {
    if !code.contains("{#") {
        return code.into();
    }
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        match rest[start..].find("#}") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out.into(),
        }
    }
    out.push_str(rest);
    out.into()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every call of `name(` that is not the tail of a longer identifier (`my_ref(`), parsed.
fn calls(code: &str, name: &str) -> Vec<Call> {
    let mut out = Vec::new();
    let pattern = format!("{name}(");
    let mut from = 0;
    while let Some(i) = code[from..].find(&pattern) {
        let start = from + i;
        from = start + pattern.len();
        if code[..start].chars().next_back().is_some_and(is_ident_char) {
            continue;
        }
        let mut p = Parser {
            s: &code[from..],
            pos: 0,
            depth: 0,
            too_deep: false,
        };
        if let Some(call) = p.call_args() {
            out.push(Call { at: start, ..call });
        }
    }
    out
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    /// Lists and dicts open around the current position, and whether the current argument
    /// went past [`MAX_LITERAL_DEPTH`].
    depth: usize,
    too_deep: bool,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Arguments up to the closing parenthesis; `None` when it never closes.
    fn call_args(&mut self) -> Option<Call> {
        let mut call = Call::default();
        loop {
            self.ws();
            if self.eat(')') {
                return Some(call);
            }
            // `**{...}` spreads a dict literal into keywords.
            let splat = self.rest().starts_with("**");
            if splat {
                self.pos += 2;
            }
            let keyword = if splat { None } else { self.keyword() };
            self.too_deep = false;
            let value = self.value().unwrap_or(Value::Null);
            if self.too_deep && call.too_deep.is_none() {
                call.too_deep = Some(keyword.clone());
            }
            if !self.skip_to_separator() {
                return None;
            }
            match (keyword, value) {
                (Some(k), value) => call.kwargs.push((k, value)),
                (None, Value::Object(m)) if splat => call.kwargs.extend(m),
                (None, value) => call.args.push(value),
            }
            self.eat(',');
        }
    }

    /// `name=` (but not `name==`), consumed only when present.
    fn keyword(&mut self) -> Option<String> {
        let start = self.pos;
        let ident: String = self
            .rest()
            .chars()
            .take_while(|c| is_ident_char(*c))
            .collect();
        if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.pos += ident.len();
        self.ws();
        if self.rest().starts_with('=') && !self.rest().starts_with("==") {
            self.bump();
            return Some(ident);
        }
        self.pos = start;
        None
    }

    /// Skips whatever is left of the current argument (a non-literal expression), stopping
    /// before `,` or `)` at depth zero. `false` when the input ends first.
    fn skip_to_separator(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            self.ws();
            match self.peek() {
                None => return false,
                Some(',' | ')') if depth == 0 => return true,
                Some('(' | '[' | '{') => depth += 1,
                Some(')' | ']' | '}') => depth = depth.saturating_sub(1),
                Some('\'' | '"') => {
                    if self.string().is_none() {
                        return false;
                    }
                    continue;
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        let v = match self.peek()? {
            '\'' | '"' => Value::String(self.string()?),
            '[' | '(' => self.nested(Parser::list)?,
            '{' => self.nested(Parser::dict)?,
            c if c.is_ascii_digit() || c == '-' => self.number()?,
            _ => {
                let word: String = self
                    .rest()
                    .chars()
                    .take_while(|c| is_ident_char(*c))
                    .collect();
                let v = match word.as_str() {
                    "True" | "true" => Value::Bool(true),
                    "False" | "false" => Value::Bool(false),
                    "None" | "none" => Value::Null,
                    _ => return None,
                };
                self.pos += word.len();
                v
            }
        };
        // `'a' ~ var('b')` and friends are expressions, not literals.
        self.ws();
        match self.peek() {
            Some(',' | ')' | ']' | '}' | ':') | None => Some(v),
            _ => None,
        }
    }

    fn string(&mut self) -> Option<String> {
        let quote = self.bump()?;
        let mut out = String::new();
        loop {
            match self.bump()? {
                '\\' => out.push(self.bump()?),
                c if c == quote => return Some(out),
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<Value> {
        let text: String = self
            .rest()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'))
            .collect();
        self.pos += text.len();
        let n: serde_json::Number = text.parse().ok()?;
        Some(Value::Number(n))
    }

    /// A list or dict, one level deeper; `None` (and `too_deep`) past the bound.
    fn nested(&mut self, read: fn(&mut Self) -> Option<Value>) -> Option<Value> {
        if self.depth >= MAX_LITERAL_DEPTH {
            self.too_deep = true;
            return None;
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn list(&mut self) -> Option<Value> {
        let close = if self.bump()? == '[' { ']' } else { ')' };
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(Value::Array(items));
            }
            items.push(self.value()?);
            if !self.eat(',') {
                return self.eat(close).then_some(Value::Array(items));
            }
        }
    }

    fn dict(&mut self) -> Option<Value> {
        self.bump();
        let mut map = Map::new();
        loop {
            if self.eat('}') {
                return Some(Value::Object(map));
            }
            let Value::String(key) = self.value()? else {
                return None;
            };
            if !self.eat(':') {
                return None;
            }
            map.insert(key, self.value()?);
            if !self.eat(',') {
                return self.eat('}').then_some(Value::Object(map));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_refs_and_sources() {
        let sql = "{# {{ ref('commented') }} #}\nselect * from {{ ref('orders') }} o\n\
                   join {{ ref(\"pkg\", \"customers\", v=2) }} c\n\
                   join {{ source('raw', 'payments') }}\n\
                   join {{ my_ref('nope') }} join {{ ref('orders') }}";
        let deps = dependencies(sql);
        let keys: Vec<String> = deps.iter().map(Dependency::key).collect();
        assert_eq!(keys, ["customers.v2", "orders", "raw.payments"]);
    }

    #[test]
    fn reads_config_literals_and_skips_expressions() {
        let sql = "{{ config(materialized='table', tags=['a', \"b\"], enabled=True,\n\
                   contract={'enforced': true}, schema=var('s'), alias='x' ~ 'y') }}\nselect 1";
        let c = config(sql).unwrap_or_default();
        assert_eq!(c.get("materialized"), Some(&json!("table")));
        assert_eq!(c.get("tags"), Some(&json!(["a", "b"])));
        assert_eq!(c.get("enabled"), Some(&json!(true)));
        assert_eq!(c.get("contract"), Some(&json!({"enforced": true})));
        assert!(!c.contains_key("schema") && !c.contains_key("alias"));
        // Python models call `dbt.config(...)`.
        let dict = "{{ config({'materialized': 'table', 'tags': ['a']}) }}\n\
                    {{ config(**{\"alias\": \"o\"}, schema='s') }}";
        let c = config(dict).unwrap_or_default();
        assert_eq!(c.get("materialized"), Some(&json!("table")));
        assert_eq!(c.get("tags"), Some(&json!(["a"])));
        assert_eq!(c.get("alias"), Some(&json!("o")));
        assert_eq!(c.get("schema"), Some(&json!("s")));
        let py = "def model(dbt, session):\n    dbt.config(materialized=\"incremental\")\n";
        let c = config(py).unwrap_or_default();
        assert_eq!(c.get("materialized"), Some(&json!("incremental")));
    }

    #[test]
    fn survives_unbalanced_input() {
        let empty = |code: &str| config(code).is_ok_and(|c| c.is_empty());
        assert!(empty("{{ config(materialized='table'"));
        assert!(dependencies("{{ ref('x' }}").is_empty());
        assert!(empty("config(a=[1, 2"));
        assert!(empty("config(a='unterminated"));
    }

    #[test]
    fn a_materialization_set_by_a_jinja_name_is_read_from_its_set() {
        let code = "{% set mat = 'ephemeral' %}\n{{ config(materialized=mat) }}\nselect 1";
        assert_eq!(
            materialized_by_jinja(code),
            Some(JinjaMaterialized {
                expr: "mat".into(),
                value: Some("ephemeral".into())
            })
        );
        let code =
            "{{ config(materialized=('ephemeral' if target.name == 'prod' else 'table'), x=1) }}";
        assert_eq!(
            materialized_by_jinja(code),
            Some(JinjaMaterialized {
                expr: "('ephemeral' if target.name == 'prod' else 'table')".into(),
                value: None
            })
        );
        assert_eq!(
            materialized_by_jinja("{{ config(materialized='table') }}"),
            None
        );
        let code = "{{ config(materialized=m) }}{{ config(materialized='table') }}";
        assert_eq!(materialized_by_jinja(code), None);
        let code = "{% set m = 'table' %}{% set m = var('m') %}{{ config(materialized=m) }}";
        assert_eq!(materialized_by_jinja(code).and_then(|j| j.value), None);
    }

    #[test]
    fn literals_nested_past_the_bound_are_refused_without_recursing() {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let ok = format!(
            "select 1 {{{{ config(tags={}) }}}}",
            deep(MAX_LITERAL_DEPTH)
        );
        assert!(config(&ok).is_ok());
        for n in [MAX_LITERAL_DEPTH + 1, 30_000, 1_000_000] {
            let code = format!(
                "-- x\n{{{{ config(alias='a', materialized={}) }}}}",
                deep(n)
            );
            assert_eq!(
                config(&code),
                Err(TooDeep {
                    keyword: Some("materialized".into()),
                    at: 8
                })
            );
            // The same literal elsewhere (a ref's argument) is skipped, not followed down.
            let _ = dependencies(&code.replace("config", "ref"));
        }
        let dicts = format!("config({}1{})", "{'a': ".repeat(40_000), "}".repeat(40_000));
        assert_eq!(config(&dicts).map_err(|e| e.keyword), Err(None));
    }

    #[test]
    fn keeps_only_jinja_blocks() {
        let sql = "select {{ ref('a') }} -- ref('not_jinja')\n{# {{ ref('c') }} #}\n\
                   {% set x = source('s', 't') %}{ not jinja }\n{{ config(alias='z') }}";
        let blocks = jinja_blocks(sql);
        assert_eq!(
            blocks,
            "{{ ref('a') }}\n{% set x = source('s', 't') %}\n{{ config(alias='z') }}\n"
        );
        assert_eq!(jinja_blocks("a {{ unclosed"), "{{ unclosed");
    }

    #[test]
    fn finds_snapshot_blocks() {
        let sql = "{% snapshot orders_snapshot %}\n{{ config(target_schema='snapshots') }}\n\
                   select 1\n{% endsnapshot %}\n{%- snapshot other -%}{% endsnapshot %}";
        assert_eq!(snapshot_names(sql), ["orders_snapshot", "other"]);
        let blocks = snapshot_blocks(sql);
        assert_eq!(
            blocks[0].1,
            "\n{{ config(target_schema='snapshots') }}\nselect 1\n"
        );
        assert_eq!(blocks[1].1, "");
    }

    #[test]
    fn normalizes_relationship_targets() {
        assert_eq!(normalize_relation_ref("ref('customers')"), "customers");
        assert_eq!(normalize_relation_ref(" ref(\"customers\") "), "customers");
        assert_eq!(
            normalize_relation_ref("{{ ref('customers', v=1) }}"),
            "customers.v1"
        );
        assert_eq!(
            normalize_relation_ref("source('raw', 'orders')"),
            "raw.orders"
        );
        assert_eq!(
            normalize_relation_ref("analytics.customers"),
            "analytics.customers"
        );
    }
}
