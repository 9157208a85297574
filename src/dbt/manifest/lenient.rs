//! Field types that accept any JSON value. dbt has changed the type of many manifest fields
//! across schema versions (`version` int or string, `config.contract` bool or object, `disabled`
//! list or map, nulls everywhere) and hand-edited manifests exist. A streaming deserializer cannot
//! back up and retry, so most fields Tessera reads are one of these: it takes the shape it expects
//! and skips anything else without failing the whole file. The fields a contract is made of are
//! the exception: [`super::strict`] rejects their wrong shapes.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::contract::Meta;

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visitor methods for scalars a lenient type has no use for.
macro_rules! ignore_scalars {
    ($value:expr; $($method:ident: $ty:ty),*) => {
        $(fn $method<E>(self, _: $ty) -> Result<Self::Value, E> { Ok($value) })*
    };
}

/// A string; numbers and booleans become their JSON text, anything else `None`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Str(pub Option<String>);

impl Str {
    pub fn take(&mut self) -> Option<String> {
        self.0.take()
    }

    /// The value when it is not blank: dbt writes `""` for "not documented".
    pub fn non_empty(self) -> Option<String> {
        self.0.filter(|s| !s.trim().is_empty())
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
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
    fn visit_bool<E>(self, v: bool) -> Result<Str, E> {
        Ok(Str(Some(v.to_string())))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Str, E> {
        Ok(Str(Some(v.to_string())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Str, E> {
        Ok(Str(Some(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Str, E> {
        Ok(Str(Some(v.to_string())))
    }
    fn visit_unit<E>(self) -> Result<Str, E> {
        Ok(Str(None))
    }
    fn visit_none<E>(self) -> Result<Str, E> {
        Ok(Str(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
        d.deserialize_any(StrVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Str, A::Error> {
        drain_seq(seq).map(|()| Str(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Str, A::Error> {
        drain_map(map).map(|()| Str(None))
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// A boolean; also `"true"`/`"false"` in any case. Anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Bool(pub Option<bool>);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Bool, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(Some(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Bool, E> {
                Ok(Bool(match v.trim().to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }))
            }
            ignore_scalars!(Bool(None); visit_i64: i64, visit_u64: u64, visit_f64: f64);
            fn visit_unit<E>(self) -> Result<Bool, E> {
                Ok(Bool(None))
            }
            fn visit_none<E>(self) -> Result<Bool, E> {
                Ok(Bool(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Bool, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Bool, A::Error> {
                drain_seq(seq).map(|()| Bool(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Bool, A::Error> {
                drain_map(map).map(|()| Bool(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A non-negative whole number; also a numeric string. Anything else is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct U64(pub Option<u64>);

impl<'de> Deserialize<'de> for U64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<U64, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = U64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a count")
            }
            fn visit_u64<E>(self, v: u64) -> Result<U64, E> {
                Ok(U64(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<U64, E> {
                Ok(U64(u64::try_from(v).ok()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<U64, E> {
                let whole = v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1e18;
                Ok(U64(whole.then_some(v as u64)))
            }
            fn visit_str<E>(self, v: &str) -> Result<U64, E> {
                Ok(U64(v.trim().parse().ok()))
            }
            ignore_scalars!(U64(None); visit_bool: bool);
            fn visit_unit<E>(self) -> Result<U64, E> {
                Ok(U64(None))
            }
            fn visit_none<E>(self) -> Result<U64, E> {
                Ok(U64(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<U64, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<U64, A::Error> {
                drain_seq(seq).map(|()| U64(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<U64, A::Error> {
                drain_map(map).map(|()| U64(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of strings (non-string scalars as their text); a lone string is a one-item list.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Strs(pub Vec<String>);

impl<'de> Deserialize<'de> for Strs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strs, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strs, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element::<Str>()? {
                    out.extend(item.0);
                }
                Ok(Strs(out))
            }
            fn visit_str<E>(self, v: &str) -> Result<Strs, E> {
                Ok(Strs(vec![v.to_owned()]))
            }
            ignore_scalars!(Strs::default(); visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64);
            fn visit_unit<E>(self) -> Result<Strs, E> {
                Ok(Strs::default())
            }
            fn visit_none<E>(self) -> Result<Strs, E> {
                Ok(Strs::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Strs, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Strs, A::Error> {
                drain_map(map).map(|()| Strs::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// A `meta` object, kept as JSON values; anything that is not an object is empty.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct MetaMap(pub Meta);

impl<'de> Deserialize<'de> for MetaMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MetaMap, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetaMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetaMap, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    out.insert(k, v);
                }
                Ok(MetaMap(out))
            }
            ignore_scalars!(MetaMap::default(); visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
            fn visit_unit<E>(self) -> Result<MetaMap, E> {
                Ok(MetaMap::default())
            }
            fn visit_none<E>(self) -> Result<MetaMap, E> {
                Ok(MetaMap::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<MetaMap, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<MetaMap, A::Error> {
                drain_seq(seq).map(|()| MetaMap::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// An object deserialized as `T`; `None` when the value is not an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Obj<T>, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
    }
    ignore_scalars!(Obj(None); visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_none<E>(self) -> Result<Obj<T>, E> {
        Ok(Obj(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
        drain_seq(seq).map(|()| Obj(None))
    }
}

/// The objects of a list (or of an object's values), in file order; items that are not objects
/// are skipped. The tables a contract is built from use [`super::strict::Table`] instead.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Many<T>(pub Vec<T>);

impl<T> Default for Many<T> {
    fn default() -> Self {
        Many(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Many<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Many<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Many<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or a list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Many<T>, A::Error> {
                let mut out = Vec::new();
                while let Some((IgnoredAny, v)) = map.next_entry::<IgnoredAny, Obj<T>>()? {
                    out.extend(v.0);
                }
                Ok(Many(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Many<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Obj<T>>()? {
                    out.extend(v.0);
                }
                Ok(Many(out))
            }
            ignore_scalars!(Many::default(); visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
            fn visit_unit<E>(self) -> Result<Many<T>, E> {
                Ok(Many::default())
            }
            fn visit_none<E>(self) -> Result<Many<T>, E> {
                Ok(Many::default())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Many<T>, D::Error> {
                d.deserialize_any(self)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The number of entries of an object or items of a list, whose contents are skipped.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Count(pub usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object or a list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
            ignore_scalars!(Count(0); visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
            fn visit_unit<E>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
            fn visit_none<E>(self) -> Result<Count, E> {
                Ok(Count(0))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Count, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct Probe {
        s: Str,
        b: Bool,
        n: U64,
        l: Strs,
        m: MetaMap,
        o: Obj<Inner>,
        c: Count,
    }

    #[derive(serde::Deserialize, Default, Debug)]
    #[serde(default)]
    struct Inner {
        x: Str,
    }

    fn probe(json: &str) -> Probe {
        match serde_json::from_str(json) {
            Ok(p) => p,
            Err(e) => panic!("{json}: {e}"),
        }
    }

    #[test]
    fn every_field_takes_every_json_type() {
        for value in [
            "null",
            "true",
            "-3",
            "7",
            "2.5",
            "\"text\"",
            "[1, \"a\", {\"x\": 1}]",
            "{\"x\": [1]}",
        ] {
            let json = format!(
                "{{\"s\": {value}, \"b\": {value}, \"n\": {value}, \"l\": {value}, \"m\": {value}, \"o\": {value}, \"c\": {value}}}"
            );
            probe(&json);
        }
    }

    #[test]
    fn converts_what_it_can() {
        let p = probe(
            r#"{"s": 2, "b": "TRUE", "n": "15", "l": ["a", 1, null, false], "m": {"k": [1]},
                "o": {"x": "y"}, "c": {"a": 1, "b": 2}}"#,
        );
        assert_eq!(p.s.0.as_deref(), Some("2"));
        assert_eq!(p.b.0, Some(true));
        assert_eq!(p.n.0, Some(15));
        assert_eq!(p.l.0, ["a", "1", "false"]);
        assert_eq!(p.m.0.len(), 1);
        assert_eq!(p.o.0.and_then(|i| i.x.0).as_deref(), Some("y"));
        assert_eq!(p.c.0, 2);
    }
}
