//! The parts of dbt's compile context that come from the project rather than from the
//! relations: `target`, `this`, `var()`, `env_var()`, `log()` and `config`. Each answers what
//! dbt would answer for a run against the target Tessera places relations in, so a model that
//! branches on them renders the SQL that target builds.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

use super::render::{Shared, opaque};
use crate::dbt::identity::Target;

/// The target models render against when none is known: no profiles.yml with the project's
/// profile, and no `dbt.target` in tessera.yaml. `(name, schema, database)`.
pub const ASSUMED: (&str, &str, &str) = ("dev", "tessera_schema", "tessera_database");

/// Calls whose answer comes from the warehouse: a model whose SQL depends on one cannot be
/// derived without a connection.
pub(super) const NEEDS_WAREHOUSE: &[&str] = &[
    "run_query",
    "statement",
    "load_result",
    "load_relation",
    "adapter.get_columns_in_relation",
    "adapter.get_relation",
    "adapter.get_relations_by_pattern",
    "adapter.list_relations_without_caching",
    "adapter.execute",
];

/// `target` as dbt exposes it: name, schema, database, the adapter's type and the profile.
pub(super) fn target(target: Option<&Target>, profile: Option<&str>, adapter: &str) -> Value {
    let (name, schema, database) = match target {
        Some(t) => (t.name.clone(), t.schema.clone(), t.database.clone()),
        None => (
            ASSUMED.0.to_string(),
            Some(ASSUMED.1.to_string()),
            Some(ASSUMED.2.to_string()),
        ),
    };
    // The warehouse configured in tessera.yaml decides the dialect SQL is parsed in; the
    // profile's `type:` stands in only when tessera.yaml names none.
    let kind = match (adapter, target.and_then(|t| t.adapter.as_deref())) {
        ("default", Some(a)) => a.to_string(),
        (a, _) => a.to_string(),
    };
    let mut map: BTreeMap<&str, Value> = BTreeMap::new();
    map.insert("name", Value::from(name.clone()));
    map.insert("target_name", Value::from(name));
    map.insert("type", Value::from(kind));
    if let Some(s) = schema {
        map.insert("schema", Value::from(s));
    }
    if let Some(d) = database {
        map.insert("database", Value::from(d));
    }
    if let Some(p) = profile {
        map.insert("profile_name", Value::from(p));
    }
    Value::from(map)
}

/// Installs `var`, `env_var`, `log` and `config`.
pub(super) fn install(
    env: &mut Environment<'static>,
    vars: BTreeMap<String, serde_json::Value>,
    log: &Shared,
) {
    let l = log.clone();
    // dbt's `var(name, default)`: the project's value wins; the default only fills a var the
    // project does not set.
    env.add_function("var", move |args: Rest<Value>, kwargs: Kwargs| {
        let name = args.first().and_then(|v| v.as_str()).unwrap_or("");
        let default = match args.get(1) {
            Some(d) => Some(d.clone()),
            None => kwargs.get::<Option<Value>>("default")?,
        };
        Ok::<_, Error>(match (vars.get(name), default) {
            (Some(v), _) => json_value(v),
            (None, Some(d)) => d,
            (None, None) => opaque(&l, &format!("var('{name}')")),
        })
    });
    let l = log.clone();
    env.add_function("env_var", move |args: Rest<Value>, kwargs: Kwargs| {
        let name = args.first().and_then(|v| v.as_str()).unwrap_or("");
        let default = match args.get(1) {
            Some(d) => Some(d.clone()),
            None => kwargs.get::<Option<Value>>("default")?,
        };
        Ok::<_, Error>(match default {
            Some(d) => d,
            None => opaque(&l, &format!("env_var('{name}')")),
        })
    });
    // `log(msg, info=True)` prints to dbt's log, never into the SQL.
    env.add_function("log", |_: Rest<Value>, _: Kwargs| "");
    env.add_global("config", Value::from_object(Config));
}

pub(super) fn json_value(v: &serde_json::Value) -> Value {
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

/// `config(...)` renders nothing; `config.get(key, default)` answers the default, and
/// `config.set(key, value)` (a config set from Jinja) changes nothing a select outputs.
#[derive(Debug)]
pub(super) struct Config;

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
            "get" => Ok(match args.get(1) {
                Some(kw) if kw.is_kwargs() => kw.get_attr("default")?,
                Some(d) => d.clone(),
                None => Value::from(()),
            }),
            "set" => Ok(Value::from(())),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}
