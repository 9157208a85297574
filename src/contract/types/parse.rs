//! The shapes all dialects share: words, one parameter list, `[]` suffixes, and the nested
//! `array/struct/row/object/map` forms with either `<…>` or `(…)`. Accepting every nesting syntax
//! in every dialect costs nothing (no dialect gives them a different meaning) and keeps dbt YAML
//! written in a neighbouring dialect's style readable. Names are resolved in `dialects.rs`.

use super::{CanonType, dialects, normalize_raw};
use crate::contract::dialect::{Dialect, Warehouse};

/// Real schemas nest a handful of levels. Anything deeper is refused so that hostile input
/// cannot exhaust the stack here, or in the recursive derives and callers downstream.
const MAX_DEPTH: usize = 64;

/// A type parameter: a number, or the `MAX` some dialects accept as a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    Num(u64),
    Max,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word,
    Num(u64),
    /// `"name"` or `` `name` ``, unescaped.
    Quoted(String),
    /// `'text'`: never part of a type, but tokenized so a COMMENT clause fails cleanly.
    Str,
    Punct(char),
    /// A number too large for u64 or an unterminated quote.
    Bad,
}

struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some((start, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        let tok = if c.is_ascii_digit() {
            while it.next_if(|&(_, d)| d.is_ascii_digit()).is_some() {}
            let end = it.peek().map_or(s.len(), |&(i, _)| i);
            s.get(start..end)
                .and_then(|digits| digits.parse().ok())
                .map_or(Tok::Bad, Tok::Num)
        } else if c.is_alphabetic() || c == '_' {
            while it
                .next_if(|&(_, d)| d.is_alphanumeric() || d == '_' || d == '$')
                .is_some()
            {}
            Tok::Word
        } else if matches!(c, '"' | '`' | '\'') {
            let mut text = String::new();
            let mut closed = false;
            while let Some((_, d)) = it.next() {
                if d != c {
                    text.push(d);
                } else if it.next_if(|&(_, e)| e == c).is_some() {
                    // A doubled quote stands for itself inside a quoted name.
                    text.push(c);
                } else {
                    closed = true;
                    break;
                }
            }
            match (closed, c) {
                (false, _) => Tok::Bad,
                (true, '\'') => Tok::Str,
                (true, _) => Tok::Quoted(text),
            }
        } else {
            Tok::Punct(c)
        };
        let end = it.peek().map_or(s.len(), |&(i, _)| i);
        out.push(Token { tok, start, end });
    }
    out
}

/// Nesting went past [`MAX_DEPTH`]; the whole input becomes Unknown.
struct TooDeep;

pub(super) fn parse(raw: &str, wh: &Warehouse) -> CanonType {
    let toks = tokenize(raw);
    let parser = Parser {
        src: raw,
        toks: &toks,
        wh,
    };
    match parser.ty(0, toks.len(), 0) {
        // The top-level text is normalized whole, so Unknown always equals normalize_raw(raw).
        Ok(CanonType::Unknown(_)) | Err(TooDeep) => CanonType::Unknown(normalize_raw(raw)),
        Ok(t) => t,
    }
}

struct Parser<'a> {
    src: &'a str,
    toks: &'a [Token],
    wh: &'a Warehouse,
}

/// Result of reading a prefix of a token range: the type and the index just past it, or `None`
/// when the prefix does not read as a type.
type Prefix = Result<Option<(CanonType, usize)>, TooDeep>;

impl Parser<'_> {
    fn word(&self, i: usize) -> Option<String> {
        let t = self.toks.get(i)?;
        (t.tok == Tok::Word).then(|| self.src.get(t.start..t.end).unwrap_or("").to_lowercase())
    }

    /// Punctuation at `i`, only if `i` is inside the range being read.
    fn punct_in(&self, i: usize, hi: usize) -> Option<char> {
        if i < hi { self.punct(i) } else { None }
    }

    fn punct(&self, i: usize) -> Option<char> {
        match self.toks.get(i)?.tok {
            Tok::Punct(c) => Some(c),
            _ => None,
        }
    }

    fn text(&self, lo: usize, hi: usize) -> &str {
        match (
            self.toks.get(lo),
            hi.checked_sub(1).and_then(|h| self.toks.get(h)),
        ) {
            (Some(a), Some(b)) if lo < hi => self.src.get(a.start..b.end).unwrap_or(""),
            _ => "",
        }
    }

    fn unknown(&self, lo: usize, hi: usize) -> CanonType {
        CanonType::Unknown(normalize_raw(self.text(lo, hi)))
    }

    /// Reads the whole range `lo..hi` as one type.
    fn ty(&self, lo: usize, hi: usize, depth: usize) -> Result<CanonType, TooDeep> {
        if depth > MAX_DEPTH {
            return Err(TooDeep);
        }
        if lo >= hi {
            return Ok(self.unknown(lo, hi));
        }
        let Some((mut t, mut i)) = self.base(lo, hi, depth)? else {
            return Ok(self.unknown(lo, hi));
        };
        // Postgres ignores declared array dimensions: `int[][]` is the same type as `int[]`.
        let collapse = matches!(self.wh.dialect, Dialect::Postgres | Dialect::Redshift);
        let mut dims = 0;
        while i < hi {
            let keyword = self.word(i).as_deref() == Some("array");
            if keyword {
                i += 1;
            }
            let mut sized = false;
            if self.punct_in(i, hi) == Some('[') {
                i += 1;
                if i < hi && matches!(self.toks.get(i).map(|t| &t.tok), Some(Tok::Num(_))) {
                    sized = true;
                    i += 1;
                }
                if self.punct_in(i, hi) != Some(']') {
                    return Ok(self.unknown(lo, hi));
                }
                i += 1;
            } else if !keyword {
                return Ok(self.unknown(lo, hi));
            }
            // DuckDB's `T[n]` is a fixed-size ARRAY, a different type from the LIST `T[]`.
            if sized && self.wh.dialect == Dialect::Duckdb {
                return Ok(self.unknown(lo, hi));
            }
            dims += 1;
            if depth + dims > MAX_DEPTH {
                return Err(TooDeep);
            }
            if !(collapse && dims > 1) {
                t = CanonType::Array(Box::new(t));
            }
        }
        Ok(t)
    }

    /// Reads the type at the start of `lo..hi`, before any array suffix.
    fn base(&self, lo: usize, hi: usize, depth: usize) -> Prefix {
        let Some(first) = self.word(lo) else {
            return Ok(None);
        };
        let open = self.punct_in(lo + 1, hi).filter(|c| matches!(c, '<' | '('));
        if open.is_none() {
            return Ok(self.scalar(lo, hi));
        }
        let Some(close) = self.matching(lo + 1, hi) else {
            return Ok(None);
        };
        let parts = self.split(lo + 2, close);
        let t = match (first.as_str(), parts.as_slice()) {
            ("array" | "list", &[(a, b)]) if a < b => {
                CanonType::Array(Box::new(self.ty(a, b, depth + 1)?))
            }
            ("map", &[(ka, kb), (va, vb)]) if ka < kb && va < vb => CanonType::Map(
                Box::new(self.ty(ka, kb, depth + 1)?),
                Box::new(self.ty(va, vb, depth + 1)?),
            ),
            ("struct" | "row" | "object", _) => {
                let mut fields = Vec::with_capacity(parts.len());
                for (n, &(a, b)) in parts.iter().enumerate() {
                    match self.field(n, a, b, depth)? {
                        Some(f) => fields.push(f),
                        None => return Ok(None),
                    }
                }
                CanonType::Struct(fields)
            }
            ("array" | "list" | "map", _) => return Ok(None),
            _ => return Ok(self.scalar(lo, hi)),
        };
        Ok(Some((t, close + 1)))
    }

    /// One struct field: `name type`, `name: type`, `"quoted name" type`, or an anonymous `type`.
    fn field(
        &self,
        n: usize,
        lo: usize,
        hi: usize,
        depth: usize,
    ) -> Result<Option<(String, CanonType)>, TooDeep> {
        let Some(first) = self.toks.get(lo).filter(|_| lo < hi) else {
            return Ok(None);
        };
        let colon = self.punct_in(lo + 1, hi) == Some(':');
        let next_is_name_like = lo + 1 < hi
            && matches!(
                self.toks.get(lo + 1).map(|t| &t.tok),
                Some(Tok::Word | Tok::Quoted(_))
            );
        let name = match &first.tok {
            Tok::Quoted(q) if lo + 1 < hi => Some(q.clone()),
            Tok::Word if colon || next_is_name_like => Some(self.text(lo, lo + 1).to_string()),
            _ => None,
        };
        match name {
            Some(name) => {
                let ty_lo = if colon { lo + 2 } else { lo + 1 };
                if ty_lo >= hi {
                    return Ok(None);
                }
                Ok(Some((name, self.ty(ty_lo, hi, depth + 1)?)))
            }
            None => Ok(Some((
                format!("_field_{}", n + 1),
                self.ty(lo, hi, depth + 1)?,
            ))),
        }
    }

    /// Words with at most one parameter list among them (`timestamp(3) with time zone`),
    /// stopping before a Postgres `array` suffix.
    fn scalar(&self, lo: usize, hi: usize) -> Option<(CanonType, usize)> {
        let mut words: Vec<String> = Vec::new();
        let mut params: Option<Vec<Param>> = None;
        let mut i = lo;
        while i < hi {
            if let Some(w) = self.word(i) {
                if w == "array" && !words.is_empty() {
                    break;
                }
                words.push(w);
                i += 1;
            } else if self.punct(i) == Some('(') && !words.is_empty() && params.is_none() {
                let close = self.matching(i, hi)?;
                let mut list = Vec::new();
                for (a, b) in self.split(i + 1, close) {
                    if b != a + 1 {
                        return None;
                    }
                    list.push(match self.toks.get(a).map(|t| &t.tok) {
                        Some(Tok::Num(n)) => Param::Num(*n),
                        Some(Tok::Word) if self.word(a).as_deref() == Some("max") => Param::Max,
                        _ => return None,
                    });
                }
                if list.is_empty() {
                    return None;
                }
                params = Some(list);
                i = close + 1;
            } else {
                break;
            }
        }
        if words.is_empty() {
            return None;
        }
        let key = words.join(" ");
        dialects::scalar(self.wh, &key, params.as_deref().unwrap_or(&[])).map(|t| (t, i))
    }

    /// Index of the bracket closing the one at `open`, if it closes with the matching kind.
    fn matching(&self, open: usize, hi: usize) -> Option<usize> {
        let want = match self.punct(open)? {
            '<' => '>',
            '(' => ')',
            '[' => ']',
            _ => return None,
        };
        let mut level = 0usize;
        for j in open..hi {
            match self.punct(j) {
                Some('<' | '(' | '[') => level += 1,
                Some(c @ ('>' | ')' | ']')) => {
                    level = level.checked_sub(1)?;
                    if level == 0 {
                        return (c == want).then_some(j);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Splits `lo..hi` at commas outside any brackets. An empty range has no parts.
    fn split(&self, lo: usize, hi: usize) -> Vec<(usize, usize)> {
        let mut parts = Vec::new();
        if lo >= hi {
            return parts;
        }
        let mut level = 0usize;
        let mut start = lo;
        for j in lo..hi {
            match self.punct(j) {
                Some('<' | '(' | '[') => level += 1,
                Some('>' | ')' | ']') => level = level.saturating_sub(1),
                Some(',') if level == 0 => {
                    parts.push((start, j));
                    start = j + 1;
                }
                _ => {}
            }
        }
        parts.push((start, hi));
        parts
    }
}
