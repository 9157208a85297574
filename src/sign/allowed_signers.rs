//! OpenSSH's allowed_signers format (ssh-keygen(1), "ALLOWED SIGNERS"), read and written the way
//! `ssh-keygen -Y verify` does, so that the file Tessera exports and the acks it checks mean the
//! same thing to both tools. `ssh-key` parses keys but not this file, hence this parser.
//!
//! `principals [options] keytype base64-key [comment]`, where principals and the `namespaces`
//! option are comma-separated pattern lists (`*`, `?`, `!negation`).

use std::collections::HashSet;

use ssh_key::PublicKey;

use super::NAMESPACE;
use super::error::SignError;
use super::time::{self, SignersTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedSigner {
    /// 1-based line in the file.
    pub line: usize,
    /// Principal patterns as written, quotes removed.
    pub principals: Vec<String>,
    /// The `namespaces` option; `None` allows every namespace.
    pub namespaces: Option<Vec<String>>,
    /// `valid-after` / `valid-before`, seconds since the epoch, both inclusive.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    pub public_key: PublicKey,
}

/// A well-formed line Tessera does not use, and why: unlike a syntax error it does not make the
/// whole file unusable, but it must not be silently ignored either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEntry {
    pub line: usize,
    pub principals: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedSigners {
    pub entries: Vec<AllowedSigner>,
    pub rejected: Vec<RejectedEntry>,
}

impl AllowedSigners {
    /// Fails on the first malformed line (a trust file that is half read is worse than none).
    pub fn parse(text: &str) -> Result<AllowedSigners, SignError> {
        let mut out = AllowedSigners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |reason: String| SignError::AllowedSigners { line, reason };
            let rest = raw.trim_start_matches([' ', '\t']);
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            let (principals_raw, rest) = principals_token(rest).map_err(err)?;
            let principals = split_list(&principals_raw);
            if principals.iter().any(String::is_empty) {
                return Err(err(format!("empty principal in `{principals_raw}`")));
            }
            let first = rest.split_whitespace().next().unwrap_or_default();
            let (options, key_text) = if first.is_empty() || looks_like_key_type(first) {
                (Options::default(), rest)
            } else {
                let (text, after) = options_token(rest).map_err(err)?;
                (parse_options(text).map_err(err)?, after)
            };
            let mut key_fields = key_text.split_whitespace();
            let (Some(key_type), Some(base64)) = (key_fields.next(), key_fields.next()) else {
                return Err(err(
                    "missing key: expected `keytype base64-key` after the principals".into(),
                ));
            };
            let public_key = PublicKey::from_openssh(&format!("{key_type} {base64}"))
                .map_err(|e| err(format!("invalid `{key_type}` key: {e}")))?;

            let mut reject = |reason: &str| {
                out.rejected.push(RejectedEntry {
                    line,
                    principals: principals_raw.clone(),
                    reason: reason.into(),
                });
            };
            if options.cert_authority {
                reject(
                    "`cert-authority` entries trust SSH certificates, which Tessera does not verify yet",
                );
                continue;
            }
            if key_type.contains("-cert-v01@openssh.com") {
                reject("certificate keys are not supported; list the plain public key");
                continue;
            }
            let mut window = [None, None];
            let mut local = None;
            for (slot, name, value) in [
                (0, "valid-after", &options.valid_after),
                (1, "valid-before", &options.valid_before),
            ] {
                let Some(value) = value else { continue };
                match time::parse_signers_time(value) {
                    Some(SignersTime::Utc(unix)) => window[slot] = Some(unix),
                    Some(SignersTime::Local) => local = Some(name),
                    None => {
                        return Err(err(format!(
                            "{name}=\"{value}\" is not YYYYMMDD[HHMM[SS]][Z]"
                        )));
                    }
                }
            }
            if let Some(name) = local {
                reject(&format!(
                    "{name} is in local time; Tessera needs UTC, so append `Z`"
                ));
                continue;
            }
            out.entries.push(AllowedSigner {
                line,
                principals,
                namespaces: options.namespaces.as_deref().map(split_list),
                valid_after: window[0],
                valid_before: window[1],
                public_key,
            });
        }
        Ok(out)
    }

    /// The entries that let `key` sign in `namespace` at `at_unix`.
    pub fn entries_for(
        &self,
        key: &PublicKey,
        namespace: &str,
        at_unix: i64,
    ) -> Vec<&AllowedSigner> {
        self.entries
            .iter()
            .filter(|e| {
                e.public_key.key_data() == key.key_data()
                    && e.namespaces
                        .as_ref()
                        .is_none_or(|ns| match_list(namespace, ns))
                    && e.valid_after.is_none_or(|t| at_unix >= t)
                    && e.valid_before.is_none_or(|t| at_unix <= t)
            })
            .collect()
    }

    /// The principals `key` may sign as in `namespace` at `at_unix` (patterns as written,
    /// negations left out), like `ssh-keygen -Y find-principals`.
    pub fn principals_for(&self, key: &PublicKey, namespace: &str, at_unix: i64) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .entries_for(key, namespace, at_unix)
            .into_iter()
            .flat_map(|e| e.principals.iter().map(String::as_str))
            .filter(|p| !p.starts_with('!'))
            .collect();
        let mut seen = Vec::new();
        out.retain(|p| {
            let first = !seen.contains(p);
            seen.push(*p);
            first
        });
        out
    }

    /// Whether `principal` may sign with `key` in `namespace` at `at_unix`, the check
    /// `ssh-keygen -Y verify -I principal` makes.
    pub fn allows(&self, principal: &str, key: &PublicKey, namespace: &str, at_unix: i64) -> bool {
        self.entries_for(key, namespace, at_unix)
            .into_iter()
            .any(|e| match_list(principal, &e.principals))
    }
}

/// An allowed_signers file for `members` (email, OpenSSH public keys), each key limited to the
/// `tessera-ack` namespace, in the order given.
pub fn export(members: &[(String, Vec<String>)]) -> Result<String, SignError> {
    let mut out = String::from(
        "# Tessera signers: SSH keys allowed to sign acknowledgments (namespace tessera-ack).\n\
         # Check an ack with: ssh-keygen -Y verify -f THIS_FILE -I EMAIL -n tessera-ack -s SIG < PAYLOAD\n",
    );
    let mut seen = HashSet::new();
    for (email, keys) in members {
        check_principal(email)?;
        for key in keys {
            let mut public_key =
                PublicKey::from_openssh(key.trim()).map_err(|e| SignError::PublicKey {
                    owner: email.clone(),
                    reason: e.to_string(),
                })?;
            let comment: String = public_key
                .comment()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let comment: String = comment.chars().filter(|c| !c.is_control()).collect();
            public_key.set_comment("");
            let encoded = public_key.to_openssh().map_err(|e| SignError::PublicKey {
                owner: email.clone(),
                reason: e.to_string(),
            })?;
            let line = format!("{email} namespaces=\"{NAMESPACE}\" {encoded}");
            if !seen.insert((email, encoded)) {
                continue;
            }
            out.push_str(&line);
            if !comment.is_empty() {
                out.push(' ');
                out.push_str(&comment);
            }
            out.push('\n');
        }
    }
    Ok(out)
}

fn check_principal(p: &str) -> Result<(), SignError> {
    let reason = if p.is_empty() {
        "it is empty"
    } else if p.starts_with('#') {
        "it would start a comment"
    } else if p
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '"' | '*' | '?' | '!'))
    {
        "it contains whitespace, a quote, a comma or a pattern character (* ? !)"
    } else {
        return Ok(());
    };
    Err(SignError::Principal {
        principal: p.to_string(),
        reason: reason.to_string(),
    })
}

#[derive(Debug, Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<String>,
    valid_before: Option<String>,
}

/// `opt[,opt…]`, where an option is `name` or `name="value"` and names are case-insensitive, as
/// OpenSSH's `sshsigopt_parse` reads them.
fn parse_options(text: &str) -> Result<Options, String> {
    let mut opts = Options::default();
    let mut rest = text;
    loop {
        let name_len = rest.find(['=', ',']).unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        rest = &rest[name_len..];
        let value = match rest.strip_prefix('=') {
            Some(quoted) => {
                let (value, after) = dequote(quoted).ok_or_else(|| {
                    format!("option `{name}` needs a quoted value, like {name}=\"…\"")
                })?;
                rest = after;
                Some(value)
            }
            None => None,
        };
        let slot = match name.as_str() {
            "cert-authority" if value.is_none() => {
                opts.cert_authority = true;
                None
            }
            "namespaces" => Some(&mut opts.namespaces),
            "valid-after" => Some(&mut opts.valid_after),
            "valid-before" => Some(&mut opts.valid_before),
            "" => return Err(format!("empty option in `{text}`")),
            _ => {
                return Err(format!(
                    "unknown option `{name}` (expected cert-authority, namespaces, valid-after, valid-before; or is the key type misspelled?)"
                ));
            }
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return Err(format!("option `{name}` is given twice"));
            }
            *slot = Some(
                value.ok_or_else(|| format!("option `{name}` needs a value, like {name}=\"…\""))?,
            );
        }
        match rest.strip_prefix(',') {
            Some(next) => rest = next,
            None if rest.is_empty() => return Ok(opts),
            None => return Err(format!("expected `,` between options, found `{rest}`")),
        }
    }
}

/// `"value"` with `\"` for a quote inside (other backslashes are literal, as in OpenSSH).
fn dequote(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.strip_prefix('"')?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 2..])),
            '\\' if s[i + 2..].starts_with('"') => {
                chars.next();
                out.push('"');
            }
            c => out.push(c),
        }
    }
    None
}

/// The principals field, as OpenSSH's `strdelimw` reads it: up to the first whitespace, or, when
/// it starts with a double quote, up to the next one (no escapes).
fn principals_token(s: &str) -> Result<(String, &str), String> {
    let (token, rest) = match s.strip_prefix('"') {
        Some(quoted) => {
            let end = quoted
                .find('"')
                .ok_or("unterminated quote in the principals")?;
            let rest = &quoted[end + 1..];
            if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
                return Err("expected whitespace after the quoted principals".into());
            }
            (&quoted[..end], rest)
        }
        None => s.split_at(s.find([' ', '\t']).unwrap_or(s.len())),
    };
    Ok((token.to_string(), rest.trim_start_matches([' ', '\t'])))
}

/// The options field, as OpenSSH's `sshkey_advance_past_options` finds its end: the first
/// whitespace outside double quotes, where `\"` inside quotes does not close them.
fn options_token(s: &str) -> Result<(&str, &str), String> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if s[i + 1..].starts_with('"') => escaped = true,
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => return Ok((&s[..i], s[i..].trim_start_matches([' ', '\t']))),
            _ => {}
        }
    }
    Err(if quoted {
        "unterminated quote in the options".into()
    } else {
        "missing key: expected `keytype base64-key` after the options".into()
    })
}

fn looks_like_key_type(token: &str) -> bool {
    !token.contains(['=', '"', ','])
        && (token.starts_with("ssh-")
            || token.starts_with("ecdsa-sha2-")
            || token.starts_with("sk-")
            || token.ends_with("@openssh.com"))
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::to_string).collect()
}

/// OpenSSH's `match_pattern_list`: a negated pattern that matches denies, otherwise any
/// positive match allows.
fn match_list(s: &str, patterns: &[String]) -> bool {
    let mut allowed = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(negated) if glob(s, negated) => return false,
            Some(_) => {}
            None => allowed |= glob(s, p),
        }
    }
    allowed
}

fn glob(s: &str, pattern: &str) -> bool {
    let s: Vec<char> = s.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative wildcard matching with one backtrack point: linear in practice, no recursion.
    let (mut si, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((star_p, star_s)) = star {
            pi = star_p + 1;
            si = star_s + 1;
            star = Some((star_p, star_s + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests;
