//! dbt's `return()`: a macro that calls it evaluates to the returned value alone, and whatever
//! text it printed on the way (whitespace, or a stray `}` from a typo, as in balboa's `ref`
//! override) is dropped. minijinja has no such thing: a macro's output is all its text.
//!
//! So the body of every macro that calls `return` is framed by markers, `return(v)` prints `v`
//! between markers of its own, and once the model is rendered each frame is replaced by its
//! first returned value (or by its text, when no `return` ran). The markers are control
//! characters that SQL and Jinja source never hold.

/// Opens a returning macro's output.
const OPEN: char = '\u{1}';
/// Opens a returned value.
const VALUE: char = '\u{2}';
/// Closes a returned value.
const VALUE_END: char = '\u{3}';
/// Closes a returning macro's output.
const CLOSE: char = '\u{4}';

/// What `return(v)` prints.
pub(super) fn returned(v: &minijinja::Value) -> String {
    format!("{VALUE}{v}{VALUE_END}")
}

/// `text` (a macro file) with the body of each macro that calls `return` framed.
pub(super) fn frame(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = super::jinja_text::find_tag(rest, "macro") {
        let Some(open_len) = rest[start..].find("%}").map(|i| i + 2) else {
            break;
        };
        let body_start = start + open_len;
        let Some(end) = super::jinja_text::find_tag(&rest[body_start..], "endmacro") else {
            break;
        };
        let body = &rest[body_start..body_start + end];
        out.push_str(&rest[..body_start]);
        if calls_return(body) {
            out.push(OPEN);
            out.push_str(body);
            out.push(CLOSE);
        } else {
            out.push_str(body);
        }
        rest = &rest[body_start + end..];
    }
    out.push_str(rest);
    out
}

fn calls_return(body: &str) -> bool {
    let mut from = 0;
    while let Some(i) = body[from..].find("return") {
        let at = from + i;
        let before = body[..at].chars().next_back();
        let after = body[at + "return".len()..].trim_start();
        let word_start = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if word_start && after.starts_with('(') {
            return true;
        }
        from = at + "return".len();
    }
    false
}

/// A rendered model with every frame replaced by its first returned value, else its text.
pub(super) fn unwrap(rendered: &str) -> String {
    if !rendered.contains([OPEN, VALUE]) {
        return rendered.to_string();
    }
    struct Frame {
        text: String,
        returned: Option<String>,
        is_value: bool,
    }
    let frame = |is_value| Frame {
        text: String::new(),
        returned: None,
        is_value,
    };
    let mut stack = vec![frame(false)];
    for c in rendered.chars() {
        match c {
            OPEN => stack.push(frame(false)),
            VALUE => stack.push(frame(true)),
            VALUE_END | CLOSE if stack.len() > 1 => {
                let Some(done) = stack.pop() else { break };
                let top_level = stack.len() == 1;
                let Some(parent) = stack.last_mut() else {
                    break;
                };
                if done.is_value {
                    // A value printed outside any returning macro stays text; in one, the
                    // first return wins, as dbt stops at it.
                    if top_level {
                        parent.text.push_str(&done.text);
                    } else if parent.returned.is_none() {
                        parent.returned = Some(done.text);
                    }
                } else {
                    parent.text.push_str(&done.returned.unwrap_or(done.text));
                }
            }
            VALUE_END | CLOSE => {}
            c => {
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
        }
    }
    // Frames left open (a render cut short) keep their text.
    let mut out = String::new();
    for f in stack {
        out.push_str(&f.returned.unwrap_or(f.text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_macros_calling_return_are_framed() {
        let text = "{% macro a() %}x{{ return(1) }}{% endmacro %}{% macro b() %}y{% endmacro %}";
        let framed = frame(text);
        assert_eq!(
            framed,
            "{% macro a() %}\u{1}x{{ return(1) }}\u{4}{% endmacro %}{% macro b() %}y{% endmacro %}"
        );
        assert!(!calls_return("{{ my_return(1) }} x.return(2)"));
    }

    #[test]
    fn a_frame_becomes_its_first_returned_value() {
        let v = |s: &str| format!("{VALUE}{s}{VALUE_END}");
        let rendered = format!("select * from {OPEN}\n }} {}{}{CLOSE} t", v("db.x"), v("y"));
        assert_eq!(unwrap(&rendered), "select * from db.x t");
        // No return ran: the text stands, as in dbt.
        assert_eq!(unwrap(&format!("a{OPEN} b {CLOSE}c")), "a b c");
        // Nested: the inner macro's value is the outer one's text, then its value.
        let inner = format!("{OPEN}junk{}{CLOSE}", v("in"));
        assert_eq!(unwrap(&format!("{OPEN}{}{CLOSE}", v(&inner))), "in");
    }
}
