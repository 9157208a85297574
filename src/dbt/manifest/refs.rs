//! Reading the Jinja calls dbt leaves in test arguments and constraints: `ref('customers')`,
//! `ref('pkg', 'orders', v=2)`, `source('raw', 'orders')`, usually wrapped as
//! `{{ get_where_subquery(ref('orders')) }}`. Only literal arguments are understood; a call built
//! from variables yields `None` rather than a guess.

/// What a `ref` or `source` call points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Ref {
        package: Option<String>,
        name: String,
        version: Option<String>,
    },
    Source {
        source: String,
        table: String,
    },
}

impl Target {
    /// The relation name Tessera uses: `customers`, or `raw.orders` for a source table.
    pub fn relation_name(&self) -> String {
        match self {
            Target::Ref { name, .. } => name.clone(),
            Target::Source { source, table } => format!("{source}.{table}"),
        }
    }
}

/// The relation a `to:` argument names: the target of a `ref`/`source` call, or the text itself
/// (trimmed) when it is not such a call.
pub(crate) fn relation_name(text: &str) -> String {
    match parse_target(text) {
        Some(target) => target.relation_name(),
        None => text.trim().to_string(),
    }
}

/// The first `ref(...)` or `source(...)` call in `text` whose arguments are all literals.
pub(crate) fn parse_target(text: &str) -> Option<Target> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while from < text.len() {
        let rest = text.get(from..)?;
        let found = [("ref(", false), ("source(", true)]
            .into_iter()
            .filter_map(|(pat, is_source)| rest.find(pat).map(|at| (at, pat.len(), is_source)))
            .min_by_key(|&(at, _, _)| at);
        let (at, len, is_source) = found?;
        let start = from + at;
        let glued = start > 0 && bytes.get(start - 1).is_some_and(|&b| is_ident(b));
        if !glued && let Some((args, version)) = call_args(text, start + len) {
            let target = match (is_source, args.as_slice()) {
                (false, [name]) => Some(Target::Ref {
                    package: None,
                    name: name.clone(),
                    version,
                }),
                (false, [package, name]) => Some(Target::Ref {
                    package: Some(package.clone()),
                    name: name.clone(),
                    version,
                }),
                (true, [source, table]) => Some(Target::Source {
                    source: source.clone(),
                    table: table.clone(),
                }),
                _ => None,
            };
            if target.is_some() {
                return target;
            }
        }
        // Every pattern starts with an ASCII byte, so the next byte is a char boundary.
        from = start + 1;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The positional string literals of a call whose argument list starts at `i`, plus a `v=` or
/// `version=` keyword argument. `None` if an argument is not a literal or the call is unclosed.
fn call_args(text: &str, mut i: usize) -> Option<(Vec<String>, Option<String>)> {
    let bytes = text.as_bytes();
    let mut positional = Vec::new();
    let mut version = None;
    loop {
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b',')
        {
            i += 1;
        }
        match *bytes.get(i)? {
            b')' => return Some((positional, version)),
            b'\'' | b'"' => {
                let (literal, next) = string_literal(text, i)?;
                positional.push(literal);
                i = next;
            }
            b if is_ident(b) => {
                let key_start = i;
                while bytes.get(i).is_some_and(|&b| is_ident(b)) {
                    i += 1;
                }
                let key = text.get(key_start..i)?;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                if bytes.get(i) != Some(&b'=') {
                    return None;
                }
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                let (value, next) = match bytes.get(i)? {
                    b'\'' | b'"' => string_literal(text, i)?,
                    _ => {
                        let value_start = i;
                        while bytes.get(i).is_some_and(|&b| is_ident(b) || b == b'.') {
                            i += 1;
                        }
                        (text.get(value_start..i)?.to_string(), i)
                    }
                };
                if key == "v" || key == "version" {
                    version = Some(value);
                }
                i = next;
            }
            _ => return None,
        }
    }
}

/// A quoted literal starting at `i` (the quote); returns its content and the index after it.
fn string_literal(text: &str, i: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(i)?;
    let mut out = String::new();
    let mut j = i + 1;
    let mut run_start = j;
    loop {
        match *bytes.get(j)? {
            b'\\' => {
                out.push_str(text.get(run_start..j)?);
                // The escaped character may be multi-byte; copy it whole.
                let ch = text.get(j + 1..)?.chars().next()?;
                out.push(ch);
                j += 1 + ch.len_utf8();
                run_start = j;
            }
            b if b == quote => {
                out.push_str(text.get(run_start..j)?);
                return Some((out, j + 1));
            }
            _ => j += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str) -> Target {
        Target::Ref {
            package: None,
            name: name.into(),
            version: None,
        }
    }

    #[test]
    fn reads_the_forms_dbt_writes() {
        assert_eq!(parse_target("ref('customers')"), Some(r("customers")));
        assert_eq!(parse_target("ref(\"customers\")"), Some(r("customers")));
        assert_eq!(
            parse_target("{{ get_where_subquery(ref('stg_orders')) }}"),
            Some(r("stg_orders"))
        );
        assert_eq!(
            parse_target("{{ ref('stg_orders') }}"),
            Some(r("stg_orders"))
        );
        assert_eq!(
            parse_target("{{ get_where_subquery(source('cws', 'trialrequestlicenses')) }}"),
            Some(Target::Source {
                source: "cws".into(),
                table: "trialrequestlicenses".into()
            })
        );
        assert_eq!(
            parse_target("ref('shop', 'orders', v=2)"),
            Some(Target::Ref {
                package: Some("shop".into()),
                name: "orders".into(),
                version: Some("2".into())
            })
        );
        assert_eq!(relation_name("source('raw','orders')"), "raw.orders");
        assert_eq!(
            relation_name(" analytics.customers "),
            "analytics.customers"
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(parse_target("ref(var('model_name'))"), None);
        assert_eq!(parse_target("ref('unclosed'"), None);
        assert_eq!(parse_target("xref('a')"), None);
        assert_eq!(parse_target("source('only_one')"), None);
        assert_eq!(parse_target(""), None);
        assert_eq!(parse_target("ref('é\\'x"), None);
        assert_eq!(parse_target("pref('a') ref('b')"), Some(r("b")));
    }
}
