//! The exact text an ack signs. It is line-based rather than re-serialised YAML or JSON so that the
//! bytes are stable across versions of any library, readable in `ssh-keygen -Y verify` output, and
//! parseable back without ambiguity: one text per payload and one payload per text.
//!
//! ```text
//! tessera-ack v1
//! proposal: P-12
//! asset: analytics.core.orders
//! breaking-digest: sha256:…
//! base-digest: sha256:…
//! head-digest: sha256:…
//! team: team-bi
//! decision: migrating
//! migrating-until: 2026-10-01
//! signer: alice@example.com
//! timestamp: 2026-09-01T12:00:00Z
//! comment: dashboards move first\nthen the export
//! ```
//!
//! `migrating-until` is present exactly when the decision is `migrating`, `comment` only when
//! there is one. Values escape `\`, control characters and the invisible characters that can
//! make text display as something else, so a comment can never start a line of its own.

use std::fmt::Write as _;

use super::error::SignError;
use super::time;

/// First line of every payload; a new layout gets a new version, never a changed meaning.
pub const HEADER: &str = "tessera-ack v1";

/// The same decision the store records: one vocabulary from payload to report.
pub use crate::store::Decision;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckPayload {
    pub proposal: String,
    pub asset: String,
    pub breaking_digest: String,
    pub base_digest: String,
    pub head_digest: String,
    pub team: String,
    pub decision: Decision,
    /// `YYYY-MM-DD`, exactly when `decision` is `Migrating`.
    pub migrating_until: Option<String>,
    /// The signer's email, the principal of their key in allowed_signers.
    pub signer: String,
    /// RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    pub comment: Option<String>,
}

/// Field keys in their one allowed order; `Option` fields may be left out.
const KEYS: [&str; 11] = [
    "proposal",
    "asset",
    "breaking-digest",
    "base-digest",
    "head-digest",
    "team",
    "decision",
    "migrating-until",
    "signer",
    "timestamp",
    "comment",
];
const OPTIONAL: [&str; 2] = ["migrating-until", "comment"];

impl AckPayload {
    /// The canonical text. Total: any value is escaped into a single line, so even a payload that
    /// fails [`AckPayload::validate`] cannot produce a text that reads as different fields. Sign
    /// only what validates; [`AckPayload::parse`] refuses the rest.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(512);
        out.push_str(HEADER);
        out.push('\n');
        for (key, value) in self.fields() {
            if let Some(value) = value {
                out.push_str(key);
                out.push_str(": ");
                escape_into(&mut out, value);
                out.push('\n');
            }
        }
        out
    }

    fn fields(&self) -> [(&'static str, Option<&str>); 11] {
        [
            ("proposal", Some(&self.proposal)),
            ("asset", Some(&self.asset)),
            ("breaking-digest", Some(&self.breaking_digest)),
            ("base-digest", Some(&self.base_digest)),
            ("head-digest", Some(&self.head_digest)),
            ("team", Some(&self.team)),
            ("decision", Some(self.decision.name())),
            ("migrating-until", self.migrating_until.as_deref()),
            ("signer", Some(&self.signer)),
            ("timestamp", Some(&self.timestamp)),
            ("comment", self.comment.as_deref()),
        ]
    }

    /// Whether every field has the shape a signed ack may carry.
    pub fn validate(&self) -> Result<(), SignError> {
        let invalid = |field: &'static str, reason: &str| SignError::InvalidField {
            field,
            reason: reason.to_string(),
        };
        for (field, value) in self.fields() {
            let Some(value) = value else { continue };
            if value.is_empty() {
                return Err(invalid(field, "must not be empty"));
            }
            if value.trim() != value {
                return Err(invalid(field, "must not begin or end with whitespace"));
            }
            // Identifiers, digests and dates have no use for line breaks or invisible characters;
            // only the free-text comment may carry them (escaped).
            if field != "comment" && value.chars().any(is_hidden) {
                return Err(invalid(
                    field,
                    "must not contain control or invisible characters",
                ));
            }
        }
        for (field, value) in [
            ("breaking-digest", &self.breaking_digest),
            ("base-digest", &self.base_digest),
            ("head-digest", &self.head_digest),
        ] {
            if value.chars().any(char::is_whitespace) {
                return Err(invalid(field, "must not contain whitespace"));
            }
        }
        match (self.decision, &self.migrating_until) {
            (Decision::Migrating, None) => {
                return Err(invalid(
                    "migrating-until",
                    "a `migrating` decision needs the date the migration ends",
                ));
            }
            (Decision::Migrating, Some(date)) if time::parse_date(date).is_none() => {
                return Err(invalid(
                    "migrating-until",
                    &format!("`{date}` is not a date of the form YYYY-MM-DD"),
                ));
            }
            (Decision::Approve | Decision::Block, Some(_)) => {
                return Err(invalid(
                    "migrating-until",
                    "only a `migrating` decision has an end date",
                ));
            }
            _ => {}
        }
        check_email(&self.signer).map_err(|reason| invalid("signer", reason))?;
        if time::parse_rfc3339_utc(&self.timestamp).is_none() {
            return Err(invalid(
                "timestamp",
                &format!(
                    "`{}` is not an RFC 3339 UTC time like 2026-09-01T12:00:00Z",
                    self.timestamp
                ),
            ));
        }
        Ok(())
    }

    /// Parses a canonical payload: the only text accepted for a payload is the one
    /// [`AckPayload::to_text`] writes for it.
    pub fn parse(text: &str) -> Result<AckPayload, SignError> {
        let malformed = |line: usize, reason: String| SignError::MalformedPayload { line, reason };
        if let Some(at) = text.find('\r') {
            let line = text[..at].matches('\n').count() + 1;
            return Err(malformed(
                line,
                "carriage return: a payload has LF line endings only".into(),
            ));
        }
        let Some(body) = text.strip_suffix('\n') else {
            let line = text.matches('\n').count() + 1;
            return Err(malformed(
                line,
                "the payload must end with a newline".into(),
            ));
        };
        let mut lines = body.split('\n').enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, HEADER)) => {}
            Some((_, l)) if l.starts_with("tessera-ack v") => {
                return Err(malformed(
                    1,
                    format!("unsupported payload version `{l}`, expected `{HEADER}`"),
                ));
            }
            _ => return Err(malformed(1, format!("the first line must be `{HEADER}`"))),
        }
        let mut values: [Option<String>; 11] = Default::default();
        let mut next_slot = 0;
        let mut last_line = 1;
        for (n, line) in lines {
            last_line = n;
            let Some((key, raw)) = line.split_once(": ") else {
                return Err(malformed(n, "expected `key: value`".into()));
            };
            let Some(slot) = KEYS.iter().position(|k| *k == key) else {
                return Err(malformed(n, format!("unknown key `{}`", escape(key))));
            };
            if values[slot].is_some() {
                return Err(malformed(n, format!("duplicate key `{key}`")));
            }
            if slot < next_slot {
                return Err(malformed(
                    n,
                    format!(
                        "key `{key}` is out of order: it belongs before `{}`",
                        KEYS[next_slot - 1]
                    ),
                ));
            }
            if let Some(missing) = KEYS[next_slot..slot].iter().find(|k| !OPTIONAL.contains(k)) {
                let later = line_of(text, missing).is_some_and(|at| at > n);
                return Err(malformed(
                    n,
                    if later {
                        format!("key `{key}` is out of order: `{missing}` comes first")
                    } else {
                        format!("missing key `{missing}` before `{key}`")
                    },
                ));
            }
            values[slot] = Some(unescape(raw).map_err(|reason| malformed(n, reason))?);
            next_slot = slot + 1;
        }
        if let Some(missing) = KEYS[next_slot..].iter().find(|k| !OPTIONAL.contains(k)) {
            return Err(malformed(last_line + 1, format!("missing key `{missing}`")));
        }
        let [
            proposal,
            asset,
            breaking_digest,
            base_digest,
            head_digest,
            team,
            decision,
            migrating_until,
            signer,
            timestamp,
            comment,
        ] = values;
        let decision_text = decision.unwrap_or_default();
        let Ok(decision) = decision_text.parse::<Decision>() else {
            let line = line_of(text, "decision").unwrap_or(1);
            return Err(malformed(
                line,
                format!(
                    "decision `{}` is not approve, block or migrating",
                    escape(&decision_text)
                ),
            ));
        };
        let payload = AckPayload {
            proposal: proposal.unwrap_or_default(),
            asset: asset.unwrap_or_default(),
            breaking_digest: breaking_digest.unwrap_or_default(),
            base_digest: base_digest.unwrap_or_default(),
            head_digest: head_digest.unwrap_or_default(),
            team: team.unwrap_or_default(),
            decision,
            migrating_until,
            signer: signer.unwrap_or_default(),
            timestamp: timestamp.unwrap_or_default(),
            comment,
        };
        match payload.validate() {
            Ok(()) => {}
            Err(SignError::InvalidField { field, reason }) => {
                // A missing end date is the decision line's fault.
                let line = line_of(text, field)
                    .or_else(|| line_of(text, "decision"))
                    .unwrap_or(1);
                return Err(malformed(line, format!("{field}: {reason}")));
            }
            Err(other) => return Err(other),
        }
        // The escapes admit spellings the writer never uses (`\u{41}` for `A`); refusing them
        // keeps "same payload" and "same bytes" the same thing.
        let canonical = payload.to_text();
        if canonical != text {
            let line = first_difference_line(text, &canonical);
            return Err(malformed(line, "not in canonical form (a character is escaped that need not be, or the other way round)".into()));
        }
        Ok(payload)
    }

    /// [`AckPayload::parse`] of bytes as stored or signed, which must be UTF-8.
    pub fn parse_bytes(bytes: &[u8]) -> Result<AckPayload, SignError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => AckPayload::parse(text),
            Err(e) => {
                let line = bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                Err(SignError::MalformedPayload {
                    line,
                    reason: "not UTF-8".into(),
                })
            }
        }
    }
}

fn line_of(text: &str, key: &str) -> Option<usize> {
    let prefix = format!("{key}: ");
    text.split('\n')
        .position(|l| l.starts_with(&prefix))
        .map(|i| i + 1)
}

fn first_difference_line(a: &str, b: &str) -> usize {
    a.split('\n')
        .zip(b.split('\n'))
        .position(|(x, y)| x != y)
        .map_or(1, |i| i + 1)
}

fn check_email(s: &str) -> Result<(), &'static str> {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err("must be an email address");
    };
    if local.is_empty() || domain.is_empty() {
        return Err("must be an email address");
    }
    // The signer is also an allowed_signers principal, where these characters separate or quote.
    if s.chars()
        .any(|c| c.is_whitespace() || matches!(c, ',' | '"' | '\'' | '*' | '?' | '!'))
    {
        return Err("must not contain whitespace, quotes, commas or the wildcards * ? !");
    }
    Ok(())
}

/// Characters that would break a line, or render as something other than what was signed
/// (bidirectional overrides, line separators, byte-order marks).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fn needs_escape(c: char) -> bool {
    c == '\\' || is_hidden(c)
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    escape_into(&mut out, value);
    out
}

fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if needs_escape(c) {
                return Err(format!(
                    "unescaped character U+{:04X} in a value",
                    u32::from(c)
                ));
            }
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest = chars.as_str();
                let hex = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .map(|(hex, _)| hex)
                    .filter(|hex| (1..=6).contains(&hex.len()))
                    .ok_or_else(|| "`\\u` must be followed by `{hex}`".to_string())?;
                let c = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("`\\u{{{hex}}}` is not a character"))?;
                out.push(c);
                chars = rest[hex.len() + 2..].chars();
            }
            Some(other) => {
                return Err(format!("unknown escape `\\{}`", escape(&other.to_string())));
            }
            None => return Err("a value ends with a lone `\\`".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests;
