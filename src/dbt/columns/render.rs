//! Renders a model's Jinja with minijinja and a small dbt context, so the SQL that reaches the
//! parser is the SQL dbt would compile: the project's own macros expanded, `ref()`/`source()`
//! turned into placeholders that remember which upstream they stand for.
//!
//! What dbt supplies and Tessera cannot (a package's macros, `run_query`, the adapter's
//! introspection) becomes an opaque value: printed, it leaves a marker in the SQL; iterated, it
//! fails the render. Either way the model ends up unresolved rather than guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};

use super::jinja_text::{
    OVERRIDABLE, called_names, defines_macro, macro_names, mentions, strip_blocks,
    without_overrides,
};
use crate::dbt::usage::Upstream;

/// Marks SQL produced by a call Tessera cannot expand.
pub(super) const OPAQUE: &str = "__tessera_opaque__";
/// A relation placeholder: `__tessera_up_N` stands for upstream `N`.
pub(super) const UPSTREAM: &str = "__tessera_up_";
const THIS: &str = "__tessera_this";

/// Bounds a runaway template (`{% for %}` over a huge range); dbt models need far less.
const FUEL: u64 = 2_000_000;

/// One project's macros, by file, with the names each defines.
#[derive(Debug, Default, Clone)]
pub struct Macros {
    files: Vec<MacroFile>,
    /// `vars:` of dbt_project.yml, for `var()` without a default.
    pub(super) vars: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone)]
struct MacroFile {
    text: String,
    names: Vec<String>,
}

impl Macros {
    pub fn add_file(&mut self, text: &str) {
        let text = super::returns::frame(&strip_blocks(text));
        let names = macro_names(&text);
        if !names.is_empty() {
            self.files.push(MacroFile { text, names });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The macro files `code` needs, directly or through other macros.
    fn needed(&self, code: &str) -> String {
        let mut used = vec![false; self.files.len()];
        let mut out = String::new();
        let mut pending = vec![code.to_string()];
        while let Some(text) = pending.pop() {
            for (i, f) in self.files.iter().enumerate() {
                if !used[i] && f.names.iter().any(|n| mentions(&text, n)) {
                    used[i] = true;
                    pending.push(f.text.clone());
                }
            }
        }
        for (i, f) in self.files.iter().enumerate() {
            if used[i] {
                out.push_str(&f.text);
                out.push('\n');
            }
        }
        out
    }
}

/// What one render produced.
pub(super) struct Rendered {
    pub sql: String,
    pub upstreams: Vec<Upstream>,
    /// Calls Tessera could not expand, as written (`dbt_utils.star`).
    pub opaque: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Log {
    upstreams: Vec<Upstream>,
    opaque: BTreeSet<String>,
}

type Shared = Arc<Mutex<Log>>;

fn log(shared: &Shared) -> std::sync::MutexGuard<'_, Log> {
    // A render that panicked mid-way leaves a log no one reads again: take it as it is.
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

/// A minijinja environment set up as dbt's compile context, reused for every model of a side.
pub(super) struct Renderer {
    env: Environment<'static>,
    log: Shared,
    macros: Macros,
    globals: BTreeSet<String>,
}

impl Renderer {
    pub fn new(macros: Macros, adapter: &str) -> Renderer {
        let log: Shared = Arc::default();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(200);
        env.set_unknown_method_callback(super::pycompat::call);
        let l = log.clone();
        // Keyword arguments (`v=`, `version=`, `package=`) come apart from the positional ones.
        let ref_fn = Value::from_function(
            move |args: minijinja::value::Rest<Value>, kwargs: minijinja::value::Kwargs| {
                let mut all = args.0;
                all.push(Value::from(kwargs));
                Ok::<_, Error>(relation(&l, ref_upstream(&all)))
            },
        );
        let l = log.clone();
        let source_fn = Value::from_function(
            move |args: minijinja::value::Rest<Value>, _: minijinja::value::Kwargs| {
                Ok::<_, Error>(relation(&l, source_upstream(&args)))
            },
        );
        env.add_global("ref", ref_fn.clone());
        env.add_global("source", source_fn.clone());
        // A project that overrides `ref` (to drop the database, say) reaches dbt's own
        // through `builtins`.
        let builtins: BTreeMap<&str, Value> = [
            ("ref", ref_fn),
            ("source", source_fn),
            ("config", Value::from_object(Config)),
        ]
        .into_iter()
        .collect();
        env.add_global("builtins", Value::from(builtins));
        let vars = macros.vars.clone();
        let l = log.clone();
        env.add_function("var", move |args: minijinja::value::Rest<Value>| {
            let name = args.first().and_then(|v| v.as_str()).unwrap_or("");
            Ok(match (args.get(1), vars.get(name)) {
                (Some(default), _) if !default.is_kwargs() => default.clone(),
                (_, Some(v)) => json_value(v),
                _ => opaque(&l, &format!("var('{name}')")),
            })
        });
        let l = log.clone();
        env.add_function("env_var", move |args: minijinja::value::Rest<Value>| {
            let name = args.first().and_then(|v| v.as_str()).unwrap_or("");
            Ok(match args.get(1) {
                Some(default) if !default.is_kwargs() => default.clone(),
                _ => opaque(&l, &format!("env_var('{name}')")),
            })
        });
        // The full-refresh shape: what a reader of a fresh build sees.
        env.add_function("is_incremental", || false);
        env.add_function("log", |_: minijinja::value::Rest<Value>| "");
        env.add_function("return", |v: Value| super::returns::returned(&v));
        env.add_global("config", Value::from_object(Config));
        env.add_global("execute", true);
        env.add_global("this", Value::from_object(Rel::named(THIS)));
        let target: BTreeMap<&str, Value> = [
            ("name", "dev"),
            ("target_name", "dev"),
            ("schema", "tessera_schema"),
            ("database", "tessera_database"),
            ("type", adapter),
        ]
        .into_iter()
        .map(|(k, v)| (k, Value::from(v)))
        .collect();
        env.add_global("target", Value::from(target));
        env.add_global(
            "adapter",
            Value::from_object(Adapter {
                prefix: adapter.to_string(),
                log: log.clone(),
            }),
        );
        let globals = [
            "ref",
            "source",
            "builtins",
            "var",
            "env_var",
            "is_incremental",
            "log",
            "return",
            "config",
            "execute",
            "this",
            "target",
            "adapter",
            // minijinja's own
            "range",
            "dict",
            "namespace",
            "debug",
            "loop",
            "caller",
            "varargs",
            "kwargs",
            "self",
            "super",
        ]
        .into_iter()
        .map(str::to_string)
        .collect();
        Renderer {
            env,
            log,
            macros,
            globals,
        }
    }

    /// Renders one model. `Err` says why the Jinja could not be rendered.
    pub fn render(&mut self, code: &str) -> Result<Rendered, String> {
        let code = strip_blocks(code);
        let mut source = self.macros.needed(&code);
        source.push_str(&code);
        // Names called or dereferenced that nothing defines: a package's macros, dbt's
        // `run_query`, `modules`… Each becomes opaque rather than an error at first use.
        for name in called_names(&source) {
            if !self.globals.contains(&name) && !defines_macro(&source, &name) {
                self.env
                    .add_global(name.clone(), opaque_value(&self.log, &name));
                self.globals.insert(name);
            }
        }
        match self.render_source(&source) {
            // A project's `ref` or `source` override decides how a relation is spelled (without
            // its database, say), never which relation it is: when it uses what minijinja
            // lacks (`varargs`, `kwargs`), dbt's own stands in.
            Err(_) if OVERRIDABLE.iter().any(|n| defines_macro(&source, n)) => {
                self.render_source(&without_overrides(&source))
            }
            rendered => rendered,
        }
    }

    fn render_source(&self, source: &str) -> Result<Rendered, String> {
        *log(&self.log) = Log::default();
        let rendered = self.env.render_str(source, ());
        let mut l = log(&self.log);
        let sql = super::returns::unwrap(&rendered.map_err(|e| describe(&e))?);
        Ok(Rendered {
            sql,
            upstreams: std::mem::take(&mut l.upstreams),
            opaque: std::mem::take(&mut l.opaque),
        })
    }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => Value::from(n.to_string()),
        },
        serde_json::Value::String(s) => Value::from(s.clone()),
        serde_json::Value::Array(items) => {
            Value::from(items.iter().map(json_value).collect::<Vec<_>>())
        }
        serde_json::Value::Object(map) => Value::from(
            map.iter()
                .map(|(k, v)| (k.clone(), json_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn describe(e: &Error) -> String {
    let mut s = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if let Some(line) = e.line() {
        s.push_str(&format!(" (line {line} of the rendered template)"));
    }
    s
}

fn relation(log: &Shared, upstream: Option<Upstream>) -> Value {
    let Some(up) = upstream else {
        return opaque(
            log,
            "ref() or source() with arguments that are not literals",
        );
    };
    let mut l = log_lock(log);
    let i = match l.upstreams.iter().position(|u| *u == up) {
        Some(i) => i,
        None => {
            l.upstreams.push(up.clone());
            l.upstreams.len() - 1
        }
    };
    let name = match &up {
        Upstream::Ref { name, .. } => name.clone(),
        Upstream::Source { table, .. } => table.clone(),
    };
    Value::from_object(Rel {
        placeholder: format!("{UPSTREAM}{i}"),
        name,
    })
}

fn log_lock(shared: &Shared) -> std::sync::MutexGuard<'_, Log> {
    log(shared)
}

fn ref_upstream(args: &[Value]) -> Option<Upstream> {
    let mut version = None;
    let mut names = Vec::new();
    for a in args {
        if a.is_kwargs() {
            for key in ["v", "version"] {
                if let Ok(v) = a.get_attr(key)
                    && !v.is_undefined()
                    && !v.is_none()
                {
                    version = Some(v.to_string());
                }
            }
        } else {
            names.push(a.as_str()?.to_string());
        }
    }
    let name = match names.as_slice() {
        [name] | [_, name] => name.clone(),
        _ => return None,
    };
    Some(Upstream::Ref { name, version })
}

fn source_upstream(args: &[Value]) -> Option<Upstream> {
    let names: Vec<&str> = args
        .iter()
        .filter(|a| !a.is_kwargs())
        .map(Value::as_str)
        .collect::<Option<_>>()?;
    match names.as_slice() {
        [source, table] => Some(Upstream::Source {
            source: source.to_string(),
            table: table.to_string(),
        }),
        _ => None,
    }
}

fn opaque(log: &Shared, name: &str) -> Value {
    log_lock(log).opaque.insert(name.to_string());
    opaque_value(log, name)
}

fn opaque_value(log: &Shared, name: &str) -> Value {
    Value::from_object(Opaque {
        name: name.to_string(),
        log: log.clone(),
    })
}

/// A relation as `ref()`, `source()` and `this` return it.
#[derive(Debug)]
struct Rel {
    placeholder: String,
    name: String,
}

impl Rel {
    fn named(placeholder: &str) -> Rel {
        Rel {
            placeholder: placeholder.to_string(),
            name: placeholder.to_string(),
        }
    }
}

impl Object for Rel {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "identifier" | "name" | "table" => Some(Value::from(self.name.clone())),
            "schema" => Some(Value::from("tessera_schema")),
            "database" => Some(Value::from("tessera_database")),
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.placeholder)
    }

    /// `include(database=False)`, `quote(...)` and `incorporate(...)` change how dbt spells
    /// the relation, not which one it is; `render()` spells it.
    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        method: &str,
        _: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "include" | "quote" | "incorporate" => Ok(Value::from_dyn_object(self.clone())),
            "render" => Ok(Value::from(self.placeholder.clone())),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `config(...)` renders nothing; `config.get(key, default)` answers the default.
#[derive(Debug)]
struct Config;

impl Object for Config {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _: &mut State<'_, '_>, _: &[Value]) -> Result<Value, Error> {
        Ok(Value::from(""))
    }

    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "get" => Ok(args.get(1).cloned().unwrap_or(Value::from(()))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}

/// `adapter.dispatch('name', 'pkg')` finds the project's `<adapter>__name` or `default__name`.
#[derive(Debug)]
struct Adapter {
    prefix: String,
    log: Shared,
}

impl Object for Adapter {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if method == "dispatch" {
            let name = args.first().and_then(|v| v.as_str()).unwrap_or("");
            for candidate in [
                format!("{}__{name}", self.prefix),
                format!("default__{name}"),
            ] {
                if let Some(m) = state.lookup(&candidate).filter(|v| !v.is_undefined()) {
                    return Ok(m);
                }
            }
            return Ok(opaque(&self.log, &format!("adapter.dispatch('{name}')")));
        }
        Ok(opaque(&self.log, &format!("adapter.{method}")))
    }
}

/// Anything Tessera cannot evaluate. Printing it leaves [`OPAQUE`] in the SQL; iterating it
/// fails, since a loop over unknown values cannot produce known SQL.
#[derive(Debug)]
struct Opaque {
    name: String,
    log: Shared,
}

impl Object for Opaque {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(opaque_value(&self.log, &format!("{}.{key}", self.name)))
    }

    fn is_true(self: &Arc<Self>) -> bool {
        true
    }

    fn call(self: &Arc<Self>, _: &mut State<'_, '_>, _: &[Value]) -> Result<Value, Error> {
        Ok(opaque(&self.log, &self.name))
    }

    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        method: &str,
        _: &[Value],
    ) -> Result<Value, Error> {
        Ok(opaque(&self.log, &format!("{}.{method}", self.name)))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        log_lock(&self.log).opaque.insert(self.name.clone());
        f.write_str(OPAQUE)
    }
}
