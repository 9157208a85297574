//! Errors of `tessera.yaml`: each one names the file, points at the offending text with a label
//! and says how to fix it. serde-saphyr's own errors are re-worded here, because its messages
//! speak of parser events ("expected sequence start") and name the source `<input>`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::path::PathBuf;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde_saphyr::{Location, MessageFormatter};

use super::suggest::keyword_help;

/// What went wrong, one stable diagnostic code each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not YAML, or not the single document a config file is.
    Syntax,
    /// A key this place of the file does not have.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A key given twice in one mapping, or two entries claiming the same name.
    Duplicate,
    /// A list where a value belongs, text where a number belongs, …
    WrongType,
    /// A value of the right type that is not one of the accepted ones.
    InvalidValue,
    /// A rule id `tessera rules` does not list.
    UnknownRule,
    /// A date that is not a real `YYYY-MM-DD` day.
    InvalidDate,
}

impl ErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "tessera::config::syntax",
            ErrorKind::UnknownKey => "tessera::config::unknown_key",
            ErrorKind::MissingKey => "tessera::config::missing_key",
            ErrorKind::Duplicate => "tessera::config::duplicate",
            ErrorKind::WrongType => "tessera::config::wrong_type",
            ErrorKind::InvalidValue => "tessera::config::invalid_value",
            ErrorKind::UnknownRule => "tessera::config::unknown_rule",
            ErrorKind::InvalidDate => "tessera::config::invalid_date",
        }
    }
}

/// Who named a config file that turned out not to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigOrigin {
    /// The `--config` flag.
    Flag,
    /// The `TESSERA_CONFIG` environment variable.
    Env,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigOrigin::Flag => "--config",
            ConfigOrigin::Env => "TESSERA_CONFIG",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin} names {}, which {problem}", path.display())]
    NotFound {
        path: PathBuf,
        origin: ConfigOrigin,
        problem: &'static str,
    },
    /// A problem at a place in the file; boxed because it carries the whole source text.
    #[error(transparent)]
    Invalid(Box<Located>),
}

impl ConfigError {
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            ConfigError::Invalid(l) => Some(l.kind),
            _ => None,
        }
    }

    pub fn code_str(&self) -> &'static str {
        match self {
            ConfigError::Read { .. } => "tessera::config::read",
            ConfigError::NotFound { .. } => "tessera::config::not_found",
            ConfigError::Invalid(l) => l.kind.code(),
        }
    }

    /// 1-based line and column of the offending text, when the error has a place.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match self {
            ConfigError::Invalid(l) => Some((l.line, l.column)),
            _ => None,
        }
    }

    pub fn help_text(&self) -> Option<String> {
        self.help().map(|h| h.to_string())
    }
}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self {
            ConfigError::Read { .. } => Some(Box::new(
                "check that the file exists, is readable and is UTF-8 text",
            )),
            ConfigError::NotFound { origin, .. } => Some(Box::new(match origin {
                ConfigOrigin::Flag => {
                    "the path comes from the `--config` flag: fix it or drop the flag"
                }
                ConfigOrigin::Env => {
                    "the path comes from the TESSERA_CONFIG environment variable: fix it or unset it"
                }
            })),
            ConfigError::Invalid(l) => l
                .help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>),
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self {
            ConfigError::Invalid(l) => Some(&l.source_code),
            _ => None,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self {
            ConfigError::Invalid(l) => Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
                Some(l.label.clone()),
                l.span,
            )))),
            _ => None,
        }
    }
}

/// A problem at one place of a config file.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Located {
    pub kind: ErrorKind,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    /// 1-based, in characters, like an editor shows.
    pub line: usize,
    pub column: usize,
    pub span: SourceSpan,
    pub source_code: NamedSource<String>,
}

/// A problem found while deserializing, before the source text is at hand.
#[derive(Debug, Clone)]
pub(super) struct Issue {
    pub kind: ErrorKind,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub at: Location,
}

impl Issue {
    pub fn new(
        kind: ErrorKind,
        at: Location,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) -> Issue {
        Issue {
            kind,
            message: message.into(),
            label: label.into(),
            help,
            at,
        }
    }

    pub fn into_error(self, src: &str, name: &str) -> ConfigError {
        let offset = self.at.span().byte_offset().map(|o| o as usize);
        let len = self.at.span().byte_len().map(|l| l as usize);
        located(
            src,
            name,
            self.at.line() as usize,
            self.at.column() as usize,
            offset,
            len,
            self,
        )
    }
}

thread_local! {
    /// The issue behind the last custom error this module's `Deserialize` impls raised. serde's
    /// error trait only carries a message, and serde-saphyr places such an error at the enclosing
    /// key; this side channel keeps the exact span of the value and the structured help.
    static PENDING: RefCell<Option<Issue>> = const { RefCell::new(None) };
}

/// An unknown or malformed value at `at`.
pub(super) fn invalid<E: serde::de::Error>(
    at: Location,
    message: String,
    label: &str,
    help: String,
) -> E {
    reject(Issue::new(
        ErrorKind::InvalidValue,
        at,
        message,
        label,
        Some(help),
    ))
}

/// Records `issue` and returns the serde error that aborts deserialization.
pub(super) fn reject<E: serde::de::Error>(issue: Issue) -> E {
    let err = E::custom(&issue.message);
    PENDING.with(|p| *p.borrow_mut() = Some(issue));
    err
}

pub(super) fn clear_pending() {
    PENDING.with(|p| p.borrow_mut().take());
}

/// Turns a serde-saphyr error into a diagnostic on `src`, named `name`.
pub(super) fn from_yaml(err: &serde_saphyr::Error, src: &str, name: &str) -> ConfigError {
    use serde_saphyr::Error as E;
    let pending = PENDING.with(|p| p.borrow_mut().take());
    let orig = original(err);
    if let (E::Message { msg, .. }, Some(issue)) = (orig, pending)
        && *msg == issue.message
    {
        return issue.into_error(src, name);
    }
    let loc = err
        .location()
        .or_else(|| orig.location())
        .unwrap_or(Location::UNKNOWN);
    let line = loc.line() as usize;
    let column = loc.column() as usize;
    let offset = loc.span().byte_offset().map(|o| o as usize);
    let len = loc.span().byte_len().map(|l| l as usize);
    let at = offset.unwrap_or_else(|| offset_of(src, line, column));
    let issue = |kind, message: String, label: String, help: Option<String>| Issue {
        kind,
        message,
        label,
        help,
        at: loc,
    };
    let issue = match orig {
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            let help = if expected.is_empty() {
                "this mapping takes no keys".to_string()
            } else {
                keyword_help(field, "keys allowed here", expected)
            };
            issue(
                ErrorKind::UnknownKey,
                format!("unknown key `{field}`"),
                "unknown key".into(),
                Some(help),
            )
        }
        E::SerdeMissingField { field, .. } => issue(
            ErrorKind::MissingKey,
            format!("missing required key `{field}`"),
            format!("this entry has no `{field}`"),
            Some(format!("add `{field}: …` to this entry")),
        ),
        E::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("this key");
            issue(
                ErrorKind::Duplicate,
                format!("`{key}` is given twice in the same mapping"),
                "second occurrence".into(),
                Some("keep one of them: YAML keeps only one value per key".into()),
            )
        }
        E::MultipleDocuments { .. } => issue(
            ErrorKind::Syntax,
            "more than one YAML document".into(),
            "a second document starts here".into(),
            Some("a config file holds a single YAML document: remove this `---` and what follows, or merge it into the first".into()),
        ),
        E::Unexpected { expected, .. } => wrong_type(src, at, friendly_expected(expected), loc),
        E::InvalidScalar { ty, .. } => wrong_type(src, at, scalar_expected(ty), loc),
        E::InvalidBooleanStrict { .. } => wrong_type(src, at, "`true` or `false`", loc),
        E::NullIntoString { .. } => wrong_type(src, at, "a value", loc),
        E::SerdeInvalidType { expected, .. } => {
            wrong_type(src, at, friendly_expected(expected), loc)
        }
        E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => issue(
            ErrorKind::InvalidValue,
            format!("invalid value: {unexpected}"),
            "invalid value".into(),
            Some(format!("expected {expected}")),
        ),
        E::SerdeInvalidLength { expected, .. } => issue(
            ErrorKind::InvalidValue,
            format!("expected {expected}"),
            "invalid value".into(),
            None,
        ),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let help = keyword_help(variant, "valid values", expected);
            issue(
                ErrorKind::InvalidValue,
                format!("unknown value `{variant}`"),
                "not a valid value".into(),
                Some(help),
            )
        }
        // serde's derive reports `tests` and its alias `data_tests` given together this way.
        E::Message { msg, .. } if msg.starts_with("duplicate field") => issue(
            ErrorKind::Duplicate,
            clean(msg),
            "given twice".into(),
            Some("keep one of them (aliases such as `tests`/`data_tests` count as one key)".into()),
        ),
        E::Message { msg, .. } => issue(
            ErrorKind::InvalidValue,
            clean(msg),
            "invalid value".into(),
            None,
        ),
        other => {
            let text = clean(&serde_saphyr::DefaultMessageFormatter.format_message(other));
            let help = if text.contains("tab") {
                "YAML indents with spaces: replace the tab characters"
            } else {
                "check the indentation (spaces only), the quotes and the brackets around this point"
            };
            issue(
                ErrorKind::Syntax,
                format!("invalid YAML: {text}"),
                text,
                Some(help.into()),
            )
        }
    };
    located(src, name, line, column, offset, len, issue)
}

fn original(mut err: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = err
    {
        err = error;
    }
    err
}

fn wrong_type(src: &str, at: usize, expected: &str, loc: Location) -> Issue {
    let found = token_at(src, at);
    let mut message = match key_before(src, at) {
        Some(key) => format!("`{key}` expects {expected}"),
        None if at == 0 => format!("the file must be {expected}"),
        None => format!("expected {expected}"),
    };
    if !found.is_empty() && !found.starts_with(['[', '{', '-']) {
        message.push_str(&format!(", found `{found}`"));
    }
    let help = match expected {
        "a list" => "write a list as `[a, b]`, or one `- item` per line indented under the key",
        "a mapping" => "write `key: value` lines indented under the key, or `{key: value}`",
        "a whole number" => "write a plain whole number such as `5`",
        "`true` or `false`" => "write `true` or `false`",
        _ => "write a single value here; quote it if it contains `: ` or ` #`",
    };
    Issue::new(
        ErrorKind::WrongType,
        loc,
        message,
        format!("expected {expected}"),
        Some(help.into()),
    )
}

fn friendly_expected(expected: &str) -> &str {
    match expected {
        "sequence start" | "a sequence" => "a list",
        "mapping start" | "empty mapping start" | "a map" => "a mapping",
        "string scalar" | "scalar" | "a string" | "value" => "a single value",
        e if e.starts_with("struct ") => "a mapping",
        e => e,
    }
}

fn scalar_expected(ty: &str) -> &'static str {
    match ty {
        t if t.starts_with("bool") => "`true` or `false`",
        t if t.starts_with('u') || t.starts_with('i') => "a whole number",
        t if t.starts_with('f') => "a number",
        _ => "a single value",
    }
}

/// Strips serde-saphyr's location suffix and control characters from a message.
fn clean(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    msg.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn located(
    src: &str,
    name: &str,
    line: usize,
    column: usize,
    offset: Option<usize>,
    len: Option<usize>,
    issue: Issue,
) -> ConfigError {
    let start = clamp_to_char(src, offset.unwrap_or_else(|| offset_of(src, line, column)));
    // A span of 0 or 1 is serde-saphyr's "here"; widen it to the token so the label underlines
    // the whole offending word.
    let len = match len {
        Some(l) if l > 1 => l,
        _ => token_at(src, start).len(),
    };
    let end = clamp_to_char(src, start.saturating_add(len));
    ConfigError::Invalid(Box::new(Located {
        kind: issue.kind,
        message: issue.message,
        label: issue.label,
        help: issue.help,
        line: line.max(1),
        column: column.max(1),
        span: SourceSpan::new(start.into(), end - start),
        source_code: NamedSource::new(name, src.to_string()).with_language("yaml"),
    }))
}

fn clamp_to_char(src: &str, mut i: usize) -> usize {
    i = i.min(src.len());
    while !src.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte offset of a 1-based line and character column, for parser errors that carry no offset.
pub(super) fn offset_of(src: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match src[start..].find('\n') {
            Some(nl) => start += nl + 1,
            None => return src.len(),
        }
    }
    let rest = &src[start..];
    let in_line = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    start + in_line
}

/// The scalar-looking word at `at`: what a label should underline.
fn token_at(src: &str, at: usize) -> &str {
    let rest = src.get(at..).unwrap_or("");
    if rest.starts_with(['[', '{']) {
        return &rest[..flow_len(rest)];
    }
    let end = rest.find(['\n', '#', ',', ']', '}']).unwrap_or(rest.len());
    let token = rest[..end].trim_end();
    token.strip_suffix(':').unwrap_or(token)
}

/// Length of the flow collection (`[..]`, `{..}`) `rest` starts with, up to its closing bracket
/// or the end of the line when it is not closed there.
fn flow_len(rest: &str) -> usize {
    let mut depth = 0usize;
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            (None, '\n') => return i,
            _ => {}
        }
    }
    rest.len()
}

/// The key a value at `at` belongs to, when it sits on the key's line (`key: value`,
/// `{key: value}`).
fn key_before(src: &str, mut at: usize) -> Option<&str> {
    // Some errors about a missing value point at the key's colon.
    if src.get(at..).is_some_and(|rest| rest.starts_with(':')) {
        at += 1;
    }
    let line_start = src.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let before = src.get(line_start..at)?.trim_end();
    let before = before.strip_suffix(':')?;
    let key_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '{' | ',' | '-'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = before[key_start..].trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

pub(super) fn display_value(v: &str) -> Cow<'_, str> {
    if v.is_empty() {
        Cow::Borrowed("(empty)")
    } else {
        Cow::Owned(format!("`{v}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_line_and_column() {
        let src = "a: 1\nbé: [x\n";
        assert_eq!(offset_of(src, 1, 1), 0);
        assert_eq!(offset_of(src, 2, 1), 5);
        assert_eq!(offset_of(src, 2, 5), 10);
        assert_eq!(offset_of(src, 9, 9), src.len());
        assert_eq!(key_before(src, 10), Some("bé"));
        assert_eq!(token_at(src, 10), "[x");
        let src = "a:\u{3000}k: [1]";
        assert_eq!(key_before(src, 8), Some("k"));
    }
}
