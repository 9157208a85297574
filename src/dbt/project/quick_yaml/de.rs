//! Deserializing property-file types straight from a [`Node`] tree. Self-describing like
//! JSON: every request is answered with what the node holds, and serde's derived code checks
//! the shape. An error only means "let serde-saphyr read this file", so its text is not shown.

use std::borrow::Cow;

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use super::Node;

impl<'de> Deserializer<'de> for Node<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => visitor.visit_unit(),
            },
            Node::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Node::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Node::Seq(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Node::Map(entries) => {
                let mut map = MapDeserializer::new(entries.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for Node<'de> {
    type Deserializer = Node<'de>;

    fn into_deserializer(self) -> Node<'de> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use serde::Deserialize;
    use serde_json::{Value, json};

    #[test]
    fn deserializes_structs_options_and_values() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Doc {
            name: String,
            missing: Option<String>,
            empty: Option<String>,
            meta: Value,
            list: Vec<u32>,
        }
        let text = "name: a\nempty:\nmeta: {x: [1, 'two', yes, ~], z: 1.5}\nlist: [1, 2]\n";
        let doc = Doc::deserialize(parse(text).unwrap()).unwrap();
        assert_eq!(doc.name, "a");
        assert_eq!((doc.missing, doc.empty), (None, None));
        assert_eq!(doc.meta, json!({"x": [1, "two", true, null], "z": 1.5}));
        assert_eq!(doc.list, [1, 2]);
        // A wrong shape is an error (and the caller falls back to serde-saphyr).
        assert!(Doc::deserialize(parse("name: [a]\n").unwrap()).is_err());
    }
}
