//! Dict and list literals inside Jinja tags, rewritten to calls of the mutable constructors of
//! `mutable.rs`: `{'a': 1}` becomes `__tessera_dict('a', 1)`, `[x]` becomes `__tessera_list(x)`.
//! Only the characters of a literal's brackets and a dict's top-level `:` change, so the
//! template keeps its lines and its meaning.

use super::mutable::{DICT, LIST};

/// What a bracket or brace opened inside a tag.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Dict,
    List,
    Subscript,
    Paren,
}

/// Words after which `[` starts a list rather than subscripting what precedes it.
const BEFORE_LITERAL: &[&str] = &["in", "and", "or", "not", "if", "else", "elif", "is", "do"];

/// `source` with every dict and list literal inside a Jinja tag turned into a call of
/// [`DICT`] or [`LIST`]. Text outside tags, comments, `{% raw %}` blocks and string literals
/// are left as they are; no line breaks are added, so error lines still match.
pub(super) fn rewrite(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    let mut rest = source;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let (close, is_expr) = match tail.as_bytes().get(1) {
            Some(b'{') => ("}}", true),
            Some(b'%') => ("%}", true),
            Some(b'#') => ("#}", false),
            _ => {
                out.push('{');
                rest = &tail[1..];
                continue;
            }
        };
        if !is_expr {
            let end = tail[2..].find(close).map_or(tail.len(), |e| e + 4);
            out.push_str(&tail[..end]);
            rest = &tail[end..];
            continue;
        }
        if close == "%}" && opens_raw(&tail[2..]) {
            let end = raw_end(tail);
            out.push_str(&tail[..end]);
            rest = &tail[end..];
            continue;
        }
        out.push_str(&tail[..2]);
        let used = rewrite_tag(&tail[2..], close, &mut out);
        rest = &tail[2 + used..];
    }
    out.push_str(rest);
    out
}

fn opens_raw(after_open: &str) -> bool {
    let t = after_open.trim_start_matches(['-', '+', '~']).trim_start();
    t.strip_prefix("raw").is_some_and(|r| {
        r.trim_start()
            .trim_start_matches(['-', '+', '~'])
            .starts_with("%}")
    })
}

/// The length of a `{% raw %}` block up to and including its `{% endraw %}` tag.
fn raw_end(tail: &str) -> usize {
    let Some(e) = tail.find("endraw") else {
        return tail.len();
    };
    tail[e..].find("%}").map_or(tail.len(), |c| e + c + 2)
}

/// Copies one tag's body and its closing delimiter into `out`, rewritten; returns how many
/// bytes of `body` it consumed.
fn rewrite_tag(body: &str, close: &str, out: &mut String) -> usize {
    let mut stack: Vec<Open> = Vec::new();
    let mut quote: Option<char> = None;
    // The last significant character copied, and the word it ended, if any.
    let mut prev: Option<char> = None;
    let mut word = String::new();
    let mut last: Option<char> = None;
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                quote = None;
                prev = Some(c);
                last = Some(c);
            }
            continue;
        }
        // Inside a dict, `}}` first closes the dict; anywhere else it ends the tag (an
        // unbalanced bracket must not swallow the rest of the file).
        if body[at..].starts_with(close) && (close == "%}" || stack.last() != Some(&Open::Dict)) {
            out.push_str(close);
            return at + close.len();
        }
        if c.is_alphanumeric() || c == '_' {
            if !last.is_some_and(|p| p.is_alphanumeric() || p == '_') {
                word.clear();
            }
            word.push(c);
        }
        last = Some(c);
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '{' => {
                stack.push(Open::Dict);
                out.push_str(DICT);
                out.push('(');
            }
            '[' => {
                let literal = match prev {
                    None => true,
                    Some(p) if p.is_alphanumeric() || p == '_' => {
                        BEFORE_LITERAL.contains(&word.as_str())
                    }
                    Some(p) => !matches!(p, ')' | ']' | '}' | '\'' | '"'),
                };
                if literal {
                    stack.push(Open::List);
                    out.push_str(LIST);
                    out.push('(');
                } else {
                    stack.push(Open::Subscript);
                    out.push('[');
                }
            }
            '(' => {
                stack.push(Open::Paren);
                out.push('(');
            }
            '}' | ']' | ')' => match stack.pop() {
                Some(Open::Dict) | Some(Open::List) => out.push(')'),
                _ => out.push(c),
            },
            ':' if stack.last() == Some(&Open::Dict) => out.push(','),
            _ => out.push(c),
        }
        if !c.is_whitespace() {
            // A closing bracket rewritten to `)` still ends an operand.
            prev = Some(c);
        }
    }
    body.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_become_calls_and_the_rest_is_left_alone() {
        assert_eq!(
            rewrite("{% set d = {'a': [1, 2], 'b': x[0]} %}{# {'c': 1} #}{ 'sql': [3] }"),
            "{% set d = __tessera_dict('a', __tessera_list(1, 2), 'b', x[0]) %}{# {'c': 1} #}{ 'sql': [3] }"
        );
        assert_eq!(
            rewrite("{{ {'a': {'b': 1}}}}{% raw %}{{ [1] }}{% endraw %}"),
            "{{ __tessera_dict('a', __tessera_dict('b', 1))}}{% raw %}{{ [1] }}{% endraw %}"
        );
        assert_eq!(
            rewrite("{% for c in ['a:b'] if c not in ['x'] %}{{ c[1:] }}{% endfor %}"),
            "{% for c in __tessera_list('a:b') if c not in __tessera_list('x') %}{{ c[1:] }}{% endfor %}"
        );
    }
}
