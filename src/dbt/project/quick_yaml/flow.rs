//! Flow collections (`[a, b]`, `{k: v}`) inside block YAML, possibly over several lines.

use std::borrow::Cow;

use super::{Node, is_plain_word, quoted, resolve_plain};

/// A flow collection (`[a, b]`, `{k: v}`), which may span lines.
pub(super) struct Flow<'t> {
    pub text: &'t str,
    pub pos: usize,
}

impl<'t> Flow<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    /// Skips spaces, line breaks and comments.
    fn ws(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start_matches([' ', '\n', '\r']);
            self.pos += rest.len() - trimmed.len();
            let preceded_by_space = self.text[..self.pos].ends_with([' ', '\n']);
            if trimmed.starts_with('#') && preceded_by_space {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else {
                return;
            }
        }
    }

    pub fn value(&mut self) -> Option<Node<'t>> {
        self.ws();
        let rest = self.rest();
        match rest.chars().next()? {
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.eat(']') {
                        return Some(Node::Seq(items));
                    }
                    items.push(self.value()?);
                    self.ws();
                    if !self.eat(',') {
                        self.ws();
                        return self.eat(']').then_some(Node::Seq(items));
                    }
                }
            }
            '{' => {
                self.pos += 1;
                let mut map: Vec<(Cow<'t, str>, Node<'t>)> = Vec::new();
                loop {
                    self.ws();
                    if self.eat('}') {
                        return Some(Node::Map(map));
                    }
                    let Node::Str(key) = self.scalar(true)? else {
                        return None;
                    };
                    self.ws();
                    if !self.eat(':') || map.iter().any(|(k, _)| *k == key) {
                        return None;
                    }
                    let value = self.value()?;
                    map.push((key, value));
                    self.ws();
                    if !self.eat(',') {
                        self.ws();
                        return self.eat('}').then_some(Node::Map(map));
                    }
                }
            }
            _ => self.scalar(false),
        }
    }

    fn eat(&mut self, c: char) -> bool {
        let ok = self.rest().starts_with(c);
        if ok {
            self.pos += 1;
        }
        ok
    }

    fn scalar(&mut self, key: bool) -> Option<Node<'t>> {
        let rest = self.rest();
        if rest.starts_with(['"', '\'']) {
            let (value, after) = quoted(rest)?;
            self.pos += rest.len() - after.len();
            return Some(Node::Str(value));
        }
        let end = rest.find([',', '[', ']', '{', '}', '\n', '#', ':'])?;
        let word = rest[..end].trim_end();
        // A `:` inside a flow plain scalar, or a scalar running over a line break, is beyond
        // this reader; so are indicators at the start.
        let next = rest[end..].chars().next();
        let comment_glued = next == Some('#') && !rest[..end].ends_with(' ');
        if word.is_empty()
            || word == "-"
            || word.contains('\t')
            || word.starts_with(['&', '*', '!', '?', '|', '>', '%', '@', '`'])
            || (next == Some(':') && !key)
            || next == Some('\n')
            || comment_glued
        {
            return None;
        }
        self.pos += word.len();
        if key {
            return is_plain_word(word).then_some(Node::Str(Cow::Borrowed(word)));
        }
        resolve_plain(word)
    }
}
