//! The Python methods dbt macros call on strings and dicts (`name.startswith('staging')`,
//! `cfg.get('x', 1)`, `d.items()`), which Jinja2 inherits from Python and minijinja does not
//! have. A method not listed here still fails the render, so the model is unresolved rather
//! than guessed.

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, State};

/// minijinja's unknown-method callback.
pub(super) fn call(
    _: &mut State<'_, '_>,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    match value.kind() {
        ValueKind::String => string_method(value.as_str().unwrap_or_default(), method, args),
        ValueKind::Map => map_method(value, method, args),
        ValueKind::Seq => match method {
            "append" | "extend" | "insert" | "pop" | "remove" | "reverse" | "sort" => {
                Err(in_place("list", "[...]", method))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        },
        _ => Err(Error::from(ErrorKind::UnknownMethod)),
    }
}

fn str_arg(args: &[Value], i: usize) -> Result<Option<&str>, Error> {
    match args.get(i) {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "expected a string")),
    }
}

fn string_method(s: &str, method: &str, args: &[Value]) -> Result<Value, Error> {
    let arg = |i| str_arg(args, i);
    let chars = |set: Option<&str>| -> Vec<char> {
        set.map_or_else(|| vec![' ', '\t', '\n', '\r'], |c| c.chars().collect())
    };
    Ok(match method {
        "startswith" | "endswith" => {
            // Python takes one prefix or a tuple of them.
            let candidates: Vec<String> = match args.first() {
                Some(v) if v.kind() == ValueKind::Seq => v
                    .try_iter()?
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                _ => arg(0)?.map(str::to_string).into_iter().collect(),
            };
            let hit = candidates.iter().any(|c| match method {
                "startswith" => s.starts_with(c.as_str()),
                _ => s.ends_with(c.as_str()),
            });
            Value::from(hit)
        }
        "lower" => Value::from(s.to_lowercase()),
        "upper" => Value::from(s.to_uppercase()),
        "strip" => Value::from(s.trim_matches(chars(arg(0)?).as_slice())),
        "lstrip" => Value::from(s.trim_start_matches(chars(arg(0)?).as_slice())),
        "rstrip" => Value::from(s.trim_end_matches(chars(arg(0)?).as_slice())),
        "replace" => match (arg(0)?, arg(1)?) {
            (Some(from), Some(to)) => Value::from(s.replace(from, to)),
            _ => return Err(Error::from(ErrorKind::MissingArgument)),
        },
        "split" => {
            let parts: Vec<Value> = match arg(0)? {
                Some(sep) if !sep.is_empty() => s.split(sep).map(Value::from).collect(),
                _ => s.split_whitespace().map(Value::from).collect(),
            };
            Value::from(parts)
        }
        "isdigit" => Value::from(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit())),
        _ => return Err(Error::from(ErrorKind::UnknownMethod)),
    })
}

fn map_method(map: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    Ok(match method {
        "get" => {
            let key = args.first().cloned().unwrap_or_default();
            match map.get_item(&key)? {
                v if v.is_undefined() => args.get(1).cloned().unwrap_or(Value::from(())),
                v => v,
            }
        }
        "keys" => Value::from(map.try_iter()?.collect::<Vec<_>>()),
        "values" | "items" => {
            let mut out = Vec::new();
            for k in map.try_iter()? {
                let v = map.get_item(&k)?;
                out.push(match method {
                    "items" => Value::from(vec![k, v]),
                    _ => v,
                });
            }
            Value::from(out)
        }
        "update" | "pop" | "setdefault" | "clear" | "popitem" => {
            return Err(in_place("dict", "{...} or dict(...)", method));
        }
        _ => return Err(Error::from(ErrorKind::UnknownMethod)),
    })
}

/// A method that changes a value in place, called on one Tessera cannot change: a value
/// that was not written as a literal in the template (see `mutable.rs`).
fn in_place(kind: &str, literal: &str, method: &str) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "`{method}` changes a {kind} in place, which Tessera does only for a {kind} written \
as {literal} in the model or its macros"
        ),
    )
}

#[cfg(test)]
mod tests {
    use minijinja::Environment;

    fn render(template: &str) -> String {
        let mut env = Environment::new();
        env.set_unknown_method_callback(super::call);
        env.render_str(template, ())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn string_methods_answer_as_python_does() {
        assert_eq!(render("{{ 'staging_db'.startswith('staging') }}"), "True");
        assert_eq!(render("{{ 'raw'.startswith(('a', 'r')) }}"), "True");
        assert_eq!(render("{{ 'a.b'.endswith('.c') }}"), "False");
        assert_eq!(render("{{ ' Ab '.strip().lower() }}"), "ab");
        assert_eq!(render("{{ 'a_b'.replace('_', '-').upper() }}"), "A-B");
        assert_eq!(render("{{ 'a,b'.split(',') | length }}"), "2");
    }

    #[test]
    fn dict_methods_answer_as_python_does() {
        assert_eq!(render("{{ {'a': 1}.get('a') }}"), "1");
        assert_eq!(render("{{ {'a': 1}.get('b', 2) }}"), "2");
        assert_eq!(
            render("{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{% endfor %}"),
            "a=1"
        );
    }

    #[test]
    fn other_methods_still_fail() {
        assert!(render("{{ 'a'.nosuch() }}").starts_with("error"));
    }
}
