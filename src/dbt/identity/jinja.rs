//! A small, strict evaluator for the Jinja dbt projects put in `profiles.yml` values and in
//! their `generate_schema_name` / `generate_database_name` / `generate_alias_name` overrides.
//!
//! It understands what those usually contain (`set`, `if`/`elif`/`else`, `return`, string
//! concatenation, comparisons, `is none`, `trim`/`lower`/`upper`, `env_var`, `target.*`,
//! `node.name`) and refuses everything else: a macro it cannot evaluate exactly must leave the
//! identity unknown, never guessed.

use std::collections::BTreeMap;

/// A value of the subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    None,
    Str(String),
    Bool(bool),
    List(Vec<Value>),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Str(s) => !s.is_empty(),
            Value::Bool(b) => *b,
            Value::List(l) => !l.is_empty(),
        }
    }

    fn render(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Str(s) => s.clone(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::List(_) => String::new(),
        }
    }
}

/// What a template may read: variables (dotted names such as `target.schema` are plain keys) and
/// the environment for `env_var`.
pub struct Scope<'a> {
    pub vars: BTreeMap<String, Value>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `default__generate_schema_name(custom, node)` and its kin: dbt's built-in behaviour, by
    /// macro name without the `default__` prefix.
    pub builtin: &'a dyn Fn(&str, &[Value]) -> Option<Value>,
}

/// Why a template could not be evaluated; the caller names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

type R<T> = Result<T, Unsupported>;

fn no<T>(what: impl Into<String>) -> R<T> {
    Err(Unsupported(what.into()))
}

/// Renders `template`; a `return(…)` ends it with that value.
pub fn render(template: &str, scope: &mut Scope<'_>) -> R<String> {
    match run(template, scope)? {
        Flow::Return(v) => Ok(v.render()),
        Flow::Text(t) => Ok(t),
    }
}

enum Flow {
    Text(String),
    Return(Value),
}

enum Piece<'t> {
    Text(&'t str),
    Expr(&'t str),
    Stmt(&'t str),
}

fn pieces(template: &str) -> R<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        let kind = rest[start + 1..].chars().next();
        let close = match kind {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                out.push(Piece::Text(&rest[..start + 1]));
                rest = &rest[start + 1..];
                continue;
            }
        };
        out.push(Piece::Text(&rest[..start]));
        let body = &rest[start + 2..];
        let Some(end) = body.find(close) else {
            return no("an unclosed Jinja tag");
        };
        let inner = body[..end].trim_matches(['-', '+']).trim();
        match kind {
            Some('{') => out.push(Piece::Expr(inner)),
            Some('%') => out.push(Piece::Stmt(inner)),
            _ => {}
        }
        rest = &body[end + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// One `if` being walked: whether a branch was taken, and whether the current one is live.
struct Cond {
    taken: bool,
    live: bool,
    outer_live: bool,
}

fn run(template: &str, scope: &mut Scope<'_>) -> R<Flow> {
    let mut out = String::new();
    let mut stack: Vec<Cond> = Vec::new();
    let live = |stack: &[Cond]| stack.last().is_none_or(|c| c.live);
    for piece in pieces(template)? {
        match piece {
            Piece::Text(t) => {
                if live(&stack) {
                    out.push_str(t);
                }
            }
            Piece::Expr(e) => {
                if !live(&stack) {
                    continue;
                }
                if let Some(arg) = call_of(e, "return") {
                    return Ok(Flow::Return(eval(arg, scope)?));
                }
                out.push_str(&eval(e, scope)?.render());
            }
            Piece::Stmt(s) => {
                let (word, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
                let rest = rest.trim();
                match word {
                    "if" => {
                        let outer_live = live(&stack);
                        let hit = outer_live && eval(rest, scope)?.truthy();
                        stack.push(Cond {
                            taken: hit,
                            live: hit,
                            outer_live,
                        });
                    }
                    "elif" => {
                        let Some(c) = stack.last_mut() else {
                            return no("`elif` outside `if`");
                        };
                        let (taken, outer) = (c.taken, c.outer_live);
                        let hit = outer && !taken && eval(rest, scope)?.truthy();
                        let Some(c) = stack.last_mut() else {
                            return no("`elif` outside `if`");
                        };
                        c.live = hit;
                        c.taken |= hit;
                    }
                    "else" => {
                        let Some(c) = stack.last_mut() else {
                            return no("`else` outside `if`");
                        };
                        c.live = c.outer_live && !c.taken;
                        c.taken = true;
                    }
                    "endif" => {
                        if stack.pop().is_none() {
                            return no("`endif` outside `if`");
                        }
                    }
                    "set" if live(&stack) => {
                        let Some((name, expr)) = rest.split_once('=') else {
                            return no(format!("`set {rest}` without a value"));
                        };
                        let name = name.trim();
                        if !is_name(name) {
                            return no(format!("`set {name}`"));
                        }
                        let v = eval(expr.trim(), scope)?;
                        scope.vars.insert(name.to_string(), v);
                    }
                    "do" if live(&stack) => match call_of(rest, "return") {
                        Some(arg) => return Ok(Flow::Return(eval(arg, scope)?)),
                        None => return no(format!("`do {rest}`")),
                    },
                    "set" | "do" => {}
                    other => return no(format!("the `{other}` tag")),
                }
            }
        }
    }
    if !stack.is_empty() {
        return no("an `if` without `endif`");
    }
    Ok(Flow::Text(out))
}

/// `name(inner)` → `inner`.
fn call_of<'e>(e: &'e str, name: &str) -> Option<&'e str> {
    let rest = e.trim().strip_prefix(name)?.trim_start();
    rest.strip_prefix('(')?.strip_suffix(')')
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Name(String),
    Op(&'static str),
}

fn tokens(e: &str) -> R<Vec<Tok>> {
    const OPS: &[&str] = &["==", "!=", "(", ")", "[", "]", ",", "~", "|", "+", "."];
    let mut out = Vec::new();
    let mut chars = e.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '\'' || c == '"' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    Some((_, q)) if q == c => break,
                    Some((_, ch)) => s.push(ch),
                    None => return no("an unclosed string"),
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let mut s = String::new();
            while let Some(&(_, ch)) = chars.peek() {
                if ch.is_ascii_alphanumeric() || ch == '_' {
                    s.push(ch);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Name(s));
        } else if let Some(op) = OPS.iter().find(|op| e[i..].starts_with(**op)) {
            for _ in 0..op.len() {
                chars.next();
            }
            out.push(Tok::Op(op));
        } else {
            return no(format!("`{c}` in `{e}`"));
        }
    }
    Ok(out)
}

/// Evaluates one expression of the subset.
pub fn eval(e: &str, scope: &Scope<'_>) -> R<Value> {
    let toks = tokens(e)?;
    let mut p = Parser {
        toks: &toks,
        at: 0,
        scope,
    };
    let v = p.or()?;
    if p.at != toks.len() {
        return no(format!("the expression `{e}`"));
    }
    Ok(v)
}

struct Parser<'a, 's> {
    toks: &'a [Tok],
    at: usize,
    scope: &'a Scope<'s>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn word(&mut self, w: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Name(n)) if n == w);
        self.at += usize::from(hit);
        hit
    }

    fn op(&mut self, o: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Op(x)) if *x == o);
        self.at += usize::from(hit);
        hit
    }

    fn or(&mut self) -> R<Value> {
        let mut v = self.and()?;
        while self.word("or") {
            let r = self.and()?;
            v = Value::Bool(v.truthy() || r.truthy());
        }
        Ok(v)
    }

    fn and(&mut self) -> R<Value> {
        let mut v = self.not()?;
        while self.word("and") {
            let r = self.not()?;
            v = Value::Bool(v.truthy() && r.truthy());
        }
        Ok(v)
    }

    fn not(&mut self) -> R<Value> {
        if self.word("not") {
            return Ok(Value::Bool(!self.not()?.truthy()));
        }
        self.compare()
    }

    fn compare(&mut self) -> R<Value> {
        let v = self.concat()?;
        if self.op("==") {
            return Ok(Value::Bool(v == self.concat()?));
        }
        if self.op("!=") {
            return Ok(Value::Bool(v != self.concat()?));
        }
        if self.word("is") {
            let negate = self.word("not");
            let hit = if self.word("none") || self.word("None") {
                v == Value::None
            } else if self.word("defined") {
                true
            } else if self.word("string") {
                matches!(v, Value::Str(_))
            } else {
                return no("an `is` test other than none, defined or string");
            };
            return Ok(Value::Bool(hit != negate));
        }
        let negate = self.at + 1 < self.toks.len()
            && matches!(self.peek(), Some(Tok::Name(n)) if n == "not")
            && matches!(self.toks.get(self.at + 1), Some(Tok::Name(n)) if n == "in");
        if negate {
            self.at += 1;
        }
        if self.word("in") {
            let hay = self.concat()?;
            let hit = match &hay {
                Value::List(items) => items.contains(&v),
                Value::Str(s) => matches!(&v, Value::Str(n) if s.contains(n.as_str())),
                _ => return no("`in` over something that is not a list or a string"),
            };
            return Ok(Value::Bool(hit != negate));
        }
        Ok(v)
    }

    fn concat(&mut self) -> R<Value> {
        let mut v = self.filtered()?;
        loop {
            let tilde = self.op("~");
            if !tilde && !self.op("+") {
                return Ok(v);
            }
            let r = self.filtered()?;
            v = match (tilde, &v, &r) {
                (true, _, _) => Value::Str(v.render() + &r.render()),
                (false, Value::Str(a), Value::Str(b)) => Value::Str(format!("{a}{b}")),
                _ => return no("`+` on something other than two strings"),
            };
        }
    }

    fn filtered(&mut self) -> R<Value> {
        let mut v = self.primary()?;
        while self.op("|") {
            let Some(Tok::Name(f)) = self.peek().cloned() else {
                return no("a filter without a name");
            };
            self.at += 1;
            let s = match &v {
                Value::Str(s) => s.clone(),
                Value::None if f == "default" => String::new(),
                other => other.render(),
            };
            v = match f.as_str() {
                "trim" => Value::Str(s.trim().to_string()),
                "lower" => Value::Str(s.to_lowercase()),
                "upper" => Value::Str(s.to_uppercase()),
                "string" => Value::Str(s),
                "default" => {
                    let args = self.args()?;
                    match (&v, args.first()) {
                        (Value::None, Some(d)) => d.clone(),
                        (_, Some(_)) => v,
                        _ => return no("`default` without a value"),
                    }
                }
                other => return no(format!("the `{other}` filter")),
            };
        }
        Ok(v)
    }

    /// `( a, b )` after a function or filter name.
    fn args(&mut self) -> R<Vec<Value>> {
        if !self.op("(") {
            return no("a call without `(`");
        }
        let mut out = Vec::new();
        if self.op(")") {
            return Ok(out);
        }
        loop {
            out.push(self.or()?);
            if self.op(")") {
                return Ok(out);
            }
            if !self.op(",") {
                return no("a call's arguments");
            }
        }
    }

    fn primary(&mut self) -> R<Value> {
        let Some(tok) = self.peek().cloned() else {
            return no("an empty expression");
        };
        self.at += 1;
        match tok {
            Tok::Str(s) => Ok(Value::Str(s)),
            Tok::Op("(") => {
                let v = self.or()?;
                if !self.op(")") {
                    return no("a missing `)`");
                }
                Ok(v)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if self.op("]") {
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.or()?);
                    if self.op("]") {
                        return Ok(Value::List(items));
                    }
                    if !self.op(",") {
                        return no("a list");
                    }
                }
            }
            Tok::Name(n) => self.name(n),
            Tok::Op(o) => no(format!("`{o}`")),
        }
    }

    fn name(&mut self, first: String) -> R<Value> {
        match first.as_str() {
            "none" | "None" => return Ok(Value::None),
            "true" | "True" => return Ok(Value::Bool(true)),
            "false" | "False" => return Ok(Value::Bool(false)),
            _ => {}
        }
        let mut path = first;
        while self.op(".") {
            match self.peek().cloned() {
                Some(Tok::Name(part)) => {
                    self.at += 1;
                    path.push('.');
                    path.push_str(&part);
                }
                _ => return no(format!("`{path}.`")),
            }
        }
        if matches!(self.peek(), Some(Tok::Op("("))) {
            let args = self.args()?;
            return self.call(&path, &args);
        }
        match self.scope.vars.get(&path) {
            Some(v) => Ok(v.clone()),
            None => no(format!("`{path}`, which Tessera does not know here")),
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> R<Value> {
        if name == "env_var" {
            let Some(Value::Str(var)) = args.first() else {
                return no("`env_var` without a variable name");
            };
            return match ((self.scope.env)(var), args.get(1)) {
                (Some(v), _) => Ok(Value::Str(v)),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => no(format!(
                    "`env_var('{var}')`: the variable is not set and has no default"
                )),
            };
        }
        let builtin = name
            .strip_prefix("default__")
            .or_else(|| name.strip_prefix("dbt.default__"))
            .or((name == "generate_schema_name_for_env").then_some(name));
        match builtin.and_then(|b| (self.scope.builtin)(b, args)) {
            Some(v) => Ok(v),
            None => no(format!("a call to `{name}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_with<'a>(
        env: &'a dyn Fn(&str) -> Option<String>,
        builtin: &'a dyn Fn(&str, &[Value]) -> Option<Value>,
        vars: &[(&str, Value)],
    ) -> Scope<'a> {
        Scope {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            env,
            builtin,
        }
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn env_var_takes_the_environment_then_the_default() {
        let env = |k: &str| (k == "SET").then(|| "from_env".to_string());
        let none = |_: &str, _: &[Value]| None;
        let mut sc = scope_with(&env, &none, &[]);
        assert_eq!(
            render("{{ env_var('SET', 'x') }}", &mut sc).unwrap(),
            "from_env"
        );
        assert_eq!(
            render("{{ env_var(\"UNSET\", 'analytics') }}", &mut sc).unwrap(),
            "analytics"
        );
        assert!(render("{{ env_var('UNSET') }}", &mut sc).is_err());
        assert!(render("{{ var('x') }}", &mut sc).is_err());
    }

    #[test]
    fn branches_sets_and_returns() {
        let env = |_: &str| None;
        let none = |_: &str, _: &[Value]| None;
        let macro_body = "
            {%- set default_schema = target.schema -%}
            {%- if target.name in ['prod', 'ci'] and custom_schema_name is not none -%}
                {{ custom_schema_name | trim }}
            {%- elif custom_schema_name is none -%}
                {{ default_schema }}
            {%- else -%}
                {{ default_schema }}_{{ custom_schema_name | trim }}
            {%- endif -%}";
        let run = |name: &str, custom: Value| {
            let mut sc = scope_with(
                &env,
                &none,
                &[
                    ("target.name", s(name)),
                    ("target.schema", s("dbt_ana")),
                    ("custom_schema_name", custom),
                ],
            );
            render(macro_body, &mut sc).map(|t| t.trim().to_string())
        };
        assert_eq!(run("prod", s("marts")).unwrap(), "marts");
        assert_eq!(run("dev", s("marts")).unwrap(), "dbt_ana_marts");
        assert_eq!(run("dev", Value::None).unwrap(), "dbt_ana");
        let mut sc = scope_with(&env, &none, &[("x", s("a"))]);
        assert_eq!(
            render("{% do return(x ~ '_b') %}ignored", &mut sc).unwrap(),
            "a_b"
        );
        assert!(render("{% for x in y %}{% endfor %}", &mut sc).is_err());
        assert!(render("{{ adapter.quote(x) }}", &mut sc).is_err());
    }
}
