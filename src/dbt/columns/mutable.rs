//! Python's in-place dict and list methods (`d.update(...)`, `cols.append(c)`), which dbt
//! macros call under `{% do %}` to build a column list. minijinja's values are immutable, so
//! every dict and list literal in a template is rewritten (`literals.rs`) to a call of a
//! constructor here, which builds a shared, mutable one. Keys keep the order they were
//! written in, as in Python.
//!
//! A dict or list that did not come from a literal (a `var()` value, `zip(...)`) is still
//! immutable: a method that would change it fails the render, so the model is unresolved
//! rather than rendered without the change.

use std::sync::{Arc, Mutex, MutexGuard};

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

pub(super) const DICT: &str = "__tessera_dict";
pub(super) const LIST: &str = "__tessera_list";

/// Installs the constructors the rewritten literals call, and `dict(...)` as a mutable one.
pub(super) fn install(env: &mut Environment<'static>) {
    env.add_function(DICT, |items: Rest<Value>| {
        let pairs = items
            .chunks(2)
            .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
            .collect();
        Value::from_object(MutMap(Mutex::new(pairs)))
    });
    env.add_function(LIST, |items: Rest<Value>| {
        Value::from_object(MutList(Mutex::new(items.0)))
    });
    env.add_function("dict", |args: Rest<Value>, kwargs: Kwargs| {
        let map = MutMap::default();
        if let Some(from) = args.first() {
            map.update_from(from)?;
        }
        for key in kwargs.args() {
            let v: Value = kwargs.get(key)?;
            map.insert(Value::from(key), v);
        }
        Ok::<_, Error>(Value::from_object(map))
    });
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A render that failed mid-way leaves the value as it was; nothing reads it again.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn key_error(key: &Value) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("KeyError: {key}"))
}

/// A dict from a literal or `dict(...)`, in insertion order.
#[derive(Debug, Default)]
struct MutMap(Mutex<Vec<(Value, Value)>>);

impl MutMap {
    fn get(&self, key: &Value) -> Option<Value> {
        lock(&self.0)
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn insert(&self, key: Value, value: Value) {
        let mut items = lock(&self.0);
        match items.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => items.push((key, value)),
        }
    }

    /// `update(other)`: `other`'s items are read before this dict is locked, since `other`
    /// may be this dict itself.
    fn update_from(&self, other: &Value) -> Result<(), Error> {
        let mut pairs = Vec::new();
        for k in other.try_iter()? {
            let v = if other.kind() == minijinja::value::ValueKind::Map {
                other.get_item(&k)?
            } else {
                // A sequence of `(key, value)` pairs.
                let v = k.get_item(&Value::from(1))?;
                pairs.push((k.get_item(&Value::from(0))?, v));
                continue;
            };
            pairs.push((k, v));
        }
        for (k, v) in pairs {
            self.insert(k, v);
        }
        Ok(())
    }

    fn snapshot(&self) -> Vec<(Value, Value)> {
        lock(&self.0).clone()
    }
}

impl Object for MutMap {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.snapshot().into_iter().map(|(k, _)| k).collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let arg = |i: usize| args.get(i).cloned();
        let none = Value::from(());
        Ok(match method {
            "get" => self
                .get(&arg(0).unwrap_or_default())
                .or(arg(1))
                .unwrap_or(none),
            "keys" => Value::from(
                self.snapshot()
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>(),
            ),
            "values" => Value::from(
                self.snapshot()
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>(),
            ),
            "items" => Value::from(
                self.snapshot()
                    .into_iter()
                    .map(|(k, v)| Value::from(vec![k, v]))
                    .collect::<Vec<_>>(),
            ),
            "update" => {
                for a in args {
                    if a.is_kwargs() {
                        let kw = Kwargs::try_from(a.clone())?;
                        for key in kw.args() {
                            self.insert(Value::from(key), kw.get::<Value>(key)?);
                        }
                    } else {
                        self.update_from(a)?;
                    }
                }
                none
            }
            "setdefault" => {
                let key = arg(0).ok_or_else(|| Error::from(ErrorKind::MissingArgument))?;
                match self.get(&key) {
                    Some(v) => v,
                    None => {
                        let v = arg(1).unwrap_or(none);
                        self.insert(key, v.clone());
                        v
                    }
                }
            }
            "pop" => {
                let key = arg(0).ok_or_else(|| Error::from(ErrorKind::MissingArgument))?;
                let mut items = lock(&self.0);
                match items.iter().position(|(k, _)| *k == key) {
                    Some(i) => items.remove(i).1,
                    None => arg(1).ok_or_else(|| key_error(&key))?,
                }
            }
            "copy" => Value::from_object(MutMap(Mutex::new(self.snapshot()))),
            "clear" => {
                lock(&self.0).clear();
                none
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        })
    }
}

/// A list from a literal.
#[derive(Debug, Default)]
struct MutList(Mutex<Vec<Value>>);

impl MutList {
    fn snapshot(&self) -> Vec<Value> {
        lock(&self.0).clone()
    }
}

/// Python's index: negative counts from the end; `None` when out of range.
fn index(i: &Value, len: usize) -> Option<usize> {
    let i = i64::try_from(i.clone()).ok()?;
    let i = if i < 0 { i + len as i64 } else { i };
    usize::try_from(i).ok().filter(|i| *i < len)
}

impl Object for MutList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let items = lock(&self.0);
        index(key, items.len()).map(|i| items[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.snapshot())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(lock(&self.0).len())
    }

    fn call_method(
        self: &Arc<Self>,
        _: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let none = Value::from(());
        let missing = || Error::from(ErrorKind::MissingArgument);
        let arg = |i: usize| args.get(i).cloned().ok_or_else(missing);
        Ok(match method {
            "append" => {
                let v = arg(0)?;
                lock(&self.0).push(v);
                none
            }
            "extend" => {
                // Read first: the argument may be this list.
                let more: Vec<Value> = arg(0)?.try_iter()?.collect();
                lock(&self.0).extend(more);
                none
            }
            "insert" => {
                let (at, v) = (i64::try_from(arg(0)?)?, arg(1)?);
                let mut items = lock(&self.0);
                let len = items.len() as i64;
                let at = if at < 0 {
                    (at + len).max(0)
                } else {
                    at.min(len)
                };
                items.insert(at as usize, v);
                none
            }
            "pop" => {
                let mut items = lock(&self.0);
                let at = args.first().cloned().unwrap_or(Value::from(-1));
                let i = index(&at, items.len()).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        "IndexError: pop index out of range",
                    )
                })?;
                items.remove(i)
            }
            "remove" => {
                let v = arg(0)?;
                let mut items = lock(&self.0);
                let i = items.iter().position(|x| *x == v).ok_or_else(|| {
                    Error::new(ErrorKind::InvalidOperation, "ValueError: not in list")
                })?;
                items.remove(i);
                none
            }
            "index" => {
                let v = arg(0)?;
                let i = self
                    .snapshot()
                    .iter()
                    .position(|x| *x == v)
                    .ok_or_else(|| {
                        Error::new(ErrorKind::InvalidOperation, "ValueError: not in list")
                    })?;
                Value::from(i)
            }
            "count" => {
                let v = arg(0)?;
                Value::from(self.snapshot().iter().filter(|x| **x == v).count())
            }
            "copy" => Value::from_object(MutList(Mutex::new(self.snapshot()))),
            "reverse" => {
                lock(&self.0).reverse();
                none
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> String {
        let mut env = Environment::new();
        install(&mut env);
        env.set_unknown_method_callback(super::super::pycompat::call);
        env.render_str(&super::super::literals::rewrite(template), ())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn dicts_change_in_place_and_keep_their_order() {
        assert_eq!(
            render(
                "{% set d = {'z': 1} %}{% do d.update({'a': 2}) %}{% do d.update(m=3) %}\
                 {% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}"
            ),
            "z=1 a=2 m=3 "
        );
        assert_eq!(
            render(
                "{% set d = {'a': 1, 'b': 2} %}{{ d.pop('a') }}{{ d.pop('x', 9) }}\
                 {{ d.setdefault('c', 3) }}{{ d.get('b') }}{{ d | length }}{{ d.keys() | join(',') }}"
            ),
            "19322b,c"
        );
        assert_eq!(
            render("{% set d = dict(a=1) %}{% do d.update({'b': 2}) %}{{ d.b }}{{ 'a' in d }}"),
            "2True"
        );
        // Each loop iteration changes the same dict, as in Python.
        assert_eq!(
            render(
                "{% set d = {} %}{% for c in ['x', 'y'] %}{% do d.update({c: loop.index}) %}{% endfor %}{{ d.y }}"
            ),
            "2"
        );
    }

    #[test]
    fn lists_change_in_place() {
        assert_eq!(
            render(
                "{% set l = [] %}{% for c in ['a', 'b'] %}{% do l.append(c) %}{% endfor %}\
                 {% do l.extend(['d']) %}{% do l.insert(2, 'c') %}{{ l | join(',') }}\
                 {{ l.pop() }}{{ l.pop(0) }}{{ l | length }}{{ (l + ['e'])[-1] }}"
            ),
            "a,b,c,dda2e"
        );
    }

    #[test]
    fn a_dict_that_is_not_a_literal_cannot_change() {
        let mut env = Environment::new();
        install(&mut env);
        env.set_unknown_method_callback(super::super::pycompat::call);
        let v = std::collections::BTreeMap::from([("a", Value::from(1))]);
        env.add_global("v", Value::from(v));
        let err = env
            .render_str("{% do v.update({'b': 2}) %}", ())
            .unwrap_err();
        assert!(err.to_string().contains("in place"), "{err}");
    }
}
