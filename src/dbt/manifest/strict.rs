//! The few manifest fields whose shape decides what a contract is: the `nodes`, `sources`,
//! `exposures` and `groups` tables, each entry in them, a node's `columns`, and the strings that
//! name a node or type a column. The lenient types of [`super::lenient`] turn a wrong shape into
//! "absent", which is right for decoration but here would drop a node or a column without a word,
//! and a dropped column reads as a break that never happened (or hides one that did). These
//! types fail instead, with the JSON path of the value in the error.
//!
//! A streaming deserializer has no path of its own, so each keyed table prefixes the path of
//! errors that come out of its entries. Paths travel inside serde's error message as
//! `.seg.seg` + [`PATH_END`] + message; [`split_path`] takes them apart again.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::lenient::Str;

/// Ends the JSON path at the start of an error message. JSON-escaped keys never contain it.
const PATH_END: char = '\u{1}';

/// A keyed table of the manifest, named for error paths.
pub(crate) trait Section {
    /// The field that holds the table: `nodes`, `columns`, ...
    const FIELD: &'static str;
    /// What one entry is, for "expected an object (…)".
    const ENTRY: &'static str;
    /// What the table is keyed by.
    const KEY: &'static str;
}

/// The entries of a keyed table, in file order, without their keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table<T>(pub Vec<T>);

/// The entries of a keyed table, in file order, with their keys.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Keyed<T>(pub Vec<(String, T)>);

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table(Vec::new())
    }
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<'de, T: Deserialize<'de> + Section> Deserialize<'de> for Table<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Table<T>, D::Error> {
        let mut out = Vec::new();
        d.deserialize_any(TableVisitor(
            |_: Cow<'de, str>, v: T| out.push(v),
            PhantomData,
        ))?;
        Ok(Table(out))
    }
}

impl<'de, T: Deserialize<'de> + Section> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Keyed<T>, D::Error> {
        let mut out = Vec::new();
        d.deserialize_any(TableVisitor(
            |k: Cow<'de, str>, v: T| out.push((k.into_owned(), v)),
            PhantomData,
        ))?;
        // JSON objects may repeat a key and serde keeps both here; dbt never writes that, and
        // picking one of two columns silently is how a break would slip through.
        if out.len() > 1 {
            let mut seen = std::collections::HashSet::with_capacity(out.len());
            if let Some((key, _)) = out.iter().find(|(k, _)| !seen.insert(k.as_str())) {
                return Err(D::Error::custom(format_args!(
                    ".{}{}{PATH_END}the key is given twice; Tessera will not pick one",
                    T::FIELD,
                    segment(key)
                )));
            }
        }
        Ok(Keyed(out))
    }
}

struct TableVisitor<'de, T, F>(F, PhantomData<(&'de (), T)>);

impl<'de, T, F> TableVisitor<'de, T, F>
where
    T: Section,
{
    fn wrong<E: Error>(found: &str) -> E {
        E::custom(format_args!(
            ".{}{PATH_END}expected an object keyed by {}, found {found}",
            T::FIELD,
            T::KEY
        ))
    }
}

impl<'de, T, F> Visitor<'de> for TableVisitor<'de, T, F>
where
    T: Deserialize<'de> + Section,
    F: FnMut(Cow<'de, str>, T),
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object keyed by {}", T::KEY)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let at = || format!(".{}{}", T::FIELD, segment(&key));
            match map.next_value::<Entry<T>>() {
                Ok(Entry(Ok(v))) => (self.0)(key, v),
                Ok(Entry(Err(found))) => {
                    return Err(A::Error::custom(format_args!(
                        "{}{PATH_END}expected an object ({}), found {found}",
                        at(),
                        T::ENTRY
                    )));
                }
                Err(e) => return Err(A::Error::custom(nest(&at(), &e.to_string()))),
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(Self::wrong("a list"))
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<(), E> {
        Err(Self::wrong("a string"))
    }
    fn visit_bool<E: Error>(self, _: bool) -> Result<(), E> {
        Err(Self::wrong("a boolean"))
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<(), E> {
        Err(Self::wrong("a number"))
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<(), E> {
        Err(Self::wrong("a number"))
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<(), E> {
        Err(Self::wrong("a number"))
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        Err(Self::wrong("null"))
    }
}

/// A table key, borrowed from the input when it has no escapes (it is only kept for columns).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One entry of a table: the object as `T`, or what was found instead.
struct Entry<T>(Result<T, &'static str>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entry<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entry<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Entry<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(|t| Entry(Ok(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Entry(Err("a list")))
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry<T>, E> {
                Ok(Entry(Err("a string")))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry<T>, E> {
                Ok(Entry(Err("a boolean")))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry<T>, E> {
                Ok(Entry(Err("a number")))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry<T>, E> {
                Ok(Entry(Err("a number")))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry<T>, E> {
                Ok(Entry(Err("a number")))
            }
            fn visit_unit<E>(self) -> Result<Entry<T>, E> {
                Ok(Entry(Err("null")))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string field that names or types something (`resource_type`, `name`, `data_type`): a
/// string or null, never silently "absent" because it had another shape.
fn text<'de, D: Deserializer<'de>>(d: D, field: &'static str) -> Result<Str, D::Error> {
    struct V(&'static str);
    impl V {
        fn wrong<E: Error>(&self, found: &str) -> E {
            E::custom(format_args!(
                ".{}{PATH_END}expected a string, found {found}",
                self.0
            ))
        }
    }
    impl<'de> Visitor<'de> for V {
        type Value = Str;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E>(self, v: &str) -> Result<Str, E> {
            Ok(Str(Some(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Str, E> {
            Ok(Str(Some(v)))
        }
        fn visit_unit<E>(self) -> Result<Str, E> {
            Ok(Str(None))
        }
        fn visit_none<E>(self) -> Result<Str, E> {
            Ok(Str(None))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Str, A::Error> {
            Err(self.wrong("a list"))
        }
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Str, A::Error> {
            Err(self.wrong("an object"))
        }
        fn visit_bool<E: Error>(self, _: bool) -> Result<Str, E> {
            Err(self.wrong("a boolean"))
        }
        fn visit_i64<E: Error>(self, _: i64) -> Result<Str, E> {
            Err(self.wrong("a number"))
        }
        fn visit_u64<E: Error>(self, _: u64) -> Result<Str, E> {
            Err(self.wrong("a number"))
        }
        fn visit_f64<E: Error>(self, _: f64) -> Result<Str, E> {
            Err(self.wrong("a number"))
        }
    }
    d.deserialize_any(V(field))
}

pub(crate) fn resource_type<'de, D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
    text(d, "resource_type")
}

pub(crate) fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
    text(d, "name")
}

pub(crate) fn data_type<'de, D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
    text(d, "data_type")
}

/// `.key` for a plain key, `["key"]` (JSON-escaped) for any other, so that a unique id such as
/// `model.shop.orders` stays one segment.
fn segment(key: &str) -> String {
    let mut chars = key.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!(".{key}")
    } else {
        let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
        format!("[{quoted}]")
    }
}

/// Puts `at` in front of the path of an error that came out of a nested value.
fn nest(at: &str, inner: &str) -> String {
    let inner = strip_position(inner);
    if inner.starts_with('.') || inner.starts_with('[') {
        format!("{at}{inner}")
    } else {
        format!("{at}{PATH_END}{inner}")
    }
}

/// serde_json appends " at line L column C" once an error leaves the value it was raised in;
/// the final error carries the position, so the message must not repeat it.
fn strip_position(message: &str) -> &str {
    if let Some((head, tail)) = message.rsplit_once(" at line ")
        && let Some((line, column)) = tail.split_once(" column ")
        && line.bytes().all(|b| b.is_ascii_digit())
        && column.bytes().all(|b| b.is_ascii_digit())
    {
        return head;
    }
    message
}

/// The JSON path (without its leading dot) and the message of an error raised here, or `None`
/// for any other error.
pub(crate) fn split_path(message: &str) -> Option<(String, String)> {
    let (path, text) = message.split_once(PATH_END)?;
    let path = path.strip_prefix('.').unwrap_or(path);
    Some((path.to_string(), text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        assert_eq!(segment("x"), ".x");
        assert_eq!(segment("model.shop.orders"), "[\"model.shop.orders\"]");
        assert_eq!(segment("a\u{1}b"), "[\"a\\u0001b\"]");
        assert_eq!(segment(""), "[\"\"]");
    }

    #[test]
    fn nested_paths_join_and_drop_inner_positions() {
        let inner =
            format!(".columns.id{PATH_END}expected an object, found a list at line 3 column 9");
        let joined = nest("[\"model.a\"]", &inner);
        let outer = nest(".nodes", &joined);
        assert_eq!(
            split_path(&outer),
            Some((
                "nodes[\"model.a\"].columns.id".into(),
                "expected an object, found a list".into()
            ))
        );
        let plain = nest(".nodes.x", "duplicate field `name` at line 1 column 2");
        assert_eq!(
            split_path(&plain),
            Some(("nodes.x".into(), "duplicate field `name`".into()))
        );
        assert_eq!(split_path("invalid type"), None);
    }
}
