//! Renders a model's Jinja with minijinja and a small dbt context, so the SQL that reaches the
//! parser is the SQL dbt would compile: the project's own macros expanded, `ref()`/`source()`
//! turned into placeholders that remember which upstream they stand for.
//!
//! What dbt supplies and Tessera cannot (a package's macros, `run_query`, the adapter's
//! introspection) becomes an opaque value: printed, it leaves a marker in the SQL; iterated, it
//! fails the render. Either way the model ends up unresolved rather than guessed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};

use super::context::{self, Config};
use super::jinja_text::{
    OVERRIDABLE, called_names, defines_macro, macro_names, mentions, strip_blocks,
    without_overrides,
};
use crate::dbt::identity::Target;
use crate::dbt::usage::Upstream;

/// Marks SQL produced by a call Tessera cannot expand.
pub(super) const OPAQUE: &str = "__tessera_opaque__";
/// A relation placeholder: `__tessera_up_N` stands for upstream `N`.
pub(super) const UPSTREAM: &str = "__tessera_up_";
const THIS: &str = "__tessera_this";

/// Bounds a runaway template (`{% for %}` over a huge range); dbt models need far less.
const FUEL: u64 = 2_000_000;

/// One project's macros, by file, with the names each defines, and the rest of the context
/// its models render in.
#[derive(Debug, Default, Clone)]
pub struct Macros {
    files: Vec<MacroFile>,
    /// `vars:` of dbt_project.yml (global, then the project's own scope over them): `var()`
    /// answers these before its default, as dbt does.
    pub(super) vars: BTreeMap<String, serde_json::Value>,
    /// The target `target` and `this` answer with; `None` when no target is known, and
    /// [`context::ASSUMED`] stands in.
    pub(super) target: Option<Target>,
    /// The dbt profile, for `target.profile_name`.
    pub(super) profile: Option<String>,
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

    /// Renders models against `target`, the one their relations are placed in (profiles.yml,
    /// else `dbt.target`); `None` keeps the assumed one.
    pub fn set_target(&mut self, target: Option<&Target>, profile: Option<&str>) {
        self.target = target.cloned();
        self.profile = profile.map(str::to_string);
    }

    /// Whether any of `models`, or a macro they may call, reads `target`: an assumed target
    /// then changes what they render. The naming macros (`generate_schema_name`) place
    /// relations and are not called from models; placement warns about them on its own.
    pub fn read_target<'a>(&self, mut models: impl Iterator<Item = &'a str>) -> bool {
        const NAMING: &[&str] = &[
            "generate_schema_name",
            "generate_database_name",
            "generate_alias_name",
        ];
        let reads = |text: &str| called_names(text).contains("target");
        let naming_only = |f: &MacroFile| f.names.iter().all(|n| NAMING.contains(&n.as_str()));
        self.files.iter().any(|f| !naming_only(f) && reads(&f.text)) || models.any(reads)
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
pub(super) struct Log {
    upstreams: Vec<Upstream>,
    opaque: BTreeSet<String>,
    /// Where upstream relations land, for `ref('x').schema`; kept across renders.
    placed: Option<Arc<Placements>>,
}

/// Where each relation of the side lands, by relation key, and the key an unversioned
/// `ref('name')` means.
#[derive(Debug, Default)]
pub(super) struct Placements {
    pub by_key: HashMap<String, This>,
    pub latest: HashMap<String, String>,
}

impl Placements {
    fn of(&self, up: &Upstream) -> Option<&This> {
        let key = match up {
            Upstream::Ref {
                name,
                version: Some(v),
            } => format!("{name}.v{v}"),
            Upstream::Ref { name, .. } => self.latest.get(name).unwrap_or(name).clone(),
            Upstream::Source { source, table } => format!("{source}.{table}"),
        };
        self.by_key.get(&key)
    }
}

pub(super) type Shared = Arc<Mutex<Log>>;

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
        context::install(&mut env, macros.vars.clone(), &log);
        super::mutable::install(&mut env);
        // The full-refresh shape: what a reader of a fresh build sees.
        env.add_function("is_incremental", || false);
        env.add_function("return", |v: Value| super::returns::returned(&v));
        env.add_global("execute", true);
        env.add_global(
            "target",
            context::target(macros.target.as_ref(), macros.profile.as_deref(), adapter),
        );
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
            super::mutable::DICT,
            super::mutable::LIST,
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

    /// Whether [`Self::set_placements`] was called.
    pub fn has_placements(&self) -> bool {
        log(&self.log).placed.is_some()
    }

    /// Where upstream relations land, for `ref()` and `source()` to answer `.schema` with.
    pub fn set_placements(&mut self, placements: Placements) {
        log(&self.log).placed = Some(Arc::new(placements));
    }

    /// Renders one model, which lands at `this`. `Err` says why the Jinja could not be
    /// rendered.
    pub fn render(&mut self, code: &str, this: &This) -> Result<Rendered, String> {
        // The model's own relation, in the target's schema unless it is placed elsewhere.
        let target = self.macros.target.as_ref();
        let this = Rel {
            placeholder: THIS.to_string(),
            name: this.identifier.clone(),
            schema: this
                .schema
                .clone()
                .or_else(|| target.and_then(|t| t.schema.clone())),
            database: this
                .database
                .clone()
                .or_else(|| target.and_then(|t| t.database.clone())),
        };
        self.env.add_global("this", Value::from_object(this));
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
        {
            let mut l = log(&self.log);
            l.upstreams.clear();
            l.opaque.clear();
        }
        let rendered = self.env.render_str(&super::literals::rewrite(source), ());
        let mut l = log(&self.log);
        let sql = match rendered {
            Ok(text) => super::returns::unwrap(&text),
            Err(e) => {
                return Err(match needs_warehouse(&l.opaque) {
                    Some(call) => format!("`{call}` needs a warehouse connection"),
                    None => format!("its Jinja does not render: {}", describe(&e)),
                });
            }
        };
        Ok(Rendered {
            sql,
            upstreams: std::mem::take(&mut l.upstreams),
            opaque: std::mem::take(&mut l.opaque),
        })
    }
}

/// The first call among `calls` whose answer only the warehouse has.
pub(super) fn needs_warehouse(calls: &BTreeSet<String>) -> Option<&str> {
    calls
        .iter()
        .map(String::as_str)
        .find(|c| context::NEEDS_WAREHOUSE.contains(c))
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
    let placed = l.placed.as_ref().and_then(|p| p.of(&up));
    Value::from_object(Rel {
        placeholder: format!("{UPSTREAM}{i}"),
        name: placed.map_or(name, |p| p.identifier.clone()),
        schema: placed.and_then(|p| p.schema.clone()),
        database: placed.and_then(|p| p.database.clone()),
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

pub(super) fn opaque(log: &Shared, name: &str) -> Value {
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
    /// Where it lands, when known; else the assumed target's names stand in.
    schema: Option<String>,
    database: Option<String>,
}

/// Where the model being rendered lands, for `this`.
#[derive(Debug, Clone, Default)]
pub(super) struct This {
    pub identifier: String,
    pub schema: Option<String>,
    pub database: Option<String>,
}

impl Object for Rel {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "identifier" | "name" | "table" => Some(Value::from(self.name.clone())),
            "schema" => Some(Value::from(
                self.schema.as_deref().unwrap_or(context::ASSUMED.1),
            )),
            "database" => Some(Value::from(
                self.database.as_deref().unwrap_or(context::ASSUMED.2),
            )),
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
