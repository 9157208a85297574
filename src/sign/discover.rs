//! Which key signs an ack, following git's conventions for SSH commit signing so that a developer
//! who already signs commits needs no new setup. Pure: the caller reads the flag, the environment
//! and git config and passes the values in.

use std::fmt;
use std::path::{Path, PathBuf};

use super::error::SignError;

/// Where the chosen key was named, for messages that tell the user what to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    Flag,
    Env,
    GitConfig,
    Default,
}

impl fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyOrigin::Flag => "--key",
            KeyOrigin::Env => "TESSERA_SIGNING_KEY",
            KeyOrigin::GitConfig => "git config user.signingkey",
            KeyOrigin::Default => "the default ~/.ssh/id_ed25519",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file. A private key is signed with natively; a public key (a `.pub` file) means the
    /// private half is in ssh-agent, and signing goes through `ssh-keygen -Y sign -U`.
    File(PathBuf),
    /// A public key written out (`key::ssh-ed25519 AAAA…` in git config): only ssh-agent can
    /// hold its private half.
    Literal(String),
}

/// The candidate values, as read by the caller. Empty strings count as unset, as an exported but
/// empty variable usually means "not configured".
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyCandidates<'a> {
    /// `--key`.
    pub flag: Option<&'a str>,
    /// `TESSERA_SIGNING_KEY`.
    pub env: Option<&'a str>,
    /// git config `gpg.format`; `user.signingkey` is only an SSH key when this is `ssh`.
    pub git_gpg_format: Option<&'a str>,
    /// git config `user.signingkey`.
    pub git_signing_key: Option<&'a str>,
    /// The home directory, for `~/` and the default key.
    pub home: Option<&'a Path>,
}

/// `--key`, then `TESSERA_SIGNING_KEY`, then git's `user.signingkey` when `gpg.format=ssh`, then
/// `~/.ssh/id_ed25519`. Whether the file exists is the signer's business, so that a missing file
/// is reported together with where its name came from.
pub fn discover_key(c: &KeyCandidates<'_>) -> Result<(KeySource, KeyOrigin), SignError> {
    fn set(v: Option<&str>) -> Option<&str> {
        v.filter(|s| !s.trim().is_empty())
    }
    if let Some(v) = set(c.flag) {
        return Ok((source_of(v, c.home), KeyOrigin::Flag));
    }
    if let Some(v) = set(c.env) {
        return Ok((source_of(v, c.home), KeyOrigin::Env));
    }
    if c.git_gpg_format.map(str::trim) == Some("ssh")
        && let Some(v) = set(c.git_signing_key)
    {
        return Ok((source_of(v, c.home), KeyOrigin::GitConfig));
    }
    match c.home {
        Some(home) => Ok((
            KeySource::File(home.join(".ssh").join("id_ed25519")),
            KeyOrigin::Default,
        )),
        None => Err(SignError::NoKeyConfigured),
    }
}

fn source_of(value: &str, home: Option<&Path>) -> KeySource {
    let value = value.trim();
    if let Some(literal) = value.strip_prefix("key::") {
        return KeySource::Literal(literal.trim().to_string());
    }
    // git's older spelling of a literal key, without `key::`; a path rarely has a space in it
    // right after an `ssh-` prefix, which is how git tells them apart too.
    if value.starts_with("ssh-") && value.contains(' ') {
        return KeySource::Literal(value.to_string());
    }
    let path = match (value.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if value == "~" => home.map_or_else(|| PathBuf::from(value), Path::to_path_buf),
        _ => PathBuf::from(value),
    };
    KeySource::File(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(c: KeyCandidates<'_>) -> (KeySource, KeyOrigin) {
        discover_key(&c).unwrap()
    }

    #[test]
    fn follows_the_documented_order() {
        let home = Path::new("/home/ana");
        let all = KeyCandidates {
            flag: Some("/k/flag"),
            env: Some("/k/env"),
            git_gpg_format: Some("ssh"),
            git_signing_key: Some("/k/git"),
            home: Some(home),
        };
        assert_eq!(
            pick(all),
            (KeySource::File("/k/flag".into()), KeyOrigin::Flag)
        );
        assert_eq!(
            pick(KeyCandidates { flag: None, ..all }),
            (KeySource::File("/k/env".into()), KeyOrigin::Env)
        );
        let git = KeyCandidates {
            flag: None,
            env: Some(""),
            ..all
        };
        assert_eq!(
            pick(git),
            (KeySource::File("/k/git".into()), KeyOrigin::GitConfig)
        );
        let openpgp = KeyCandidates {
            git_gpg_format: Some("openpgp"),
            ..git
        };
        assert_eq!(
            pick(openpgp),
            (
                KeySource::File("/home/ana/.ssh/id_ed25519".into()),
                KeyOrigin::Default
            )
        );
        let unset = KeyCandidates {
            git_gpg_format: None,
            ..git
        };
        assert_eq!(pick(unset).1, KeyOrigin::Default);
        assert!(matches!(
            discover_key(&KeyCandidates::default()),
            Err(SignError::NoKeyConfigured)
        ));
    }

    #[test]
    fn reads_git_style_values() {
        let home = Path::new("/home/ana");
        let git = |v: &'static str| {
            pick(KeyCandidates {
                git_gpg_format: Some("ssh"),
                git_signing_key: Some(v),
                home: Some(home),
                ..Default::default()
            })
            .0
        };
        assert_eq!(
            git("~/.ssh/id_work.pub"),
            KeySource::File("/home/ana/.ssh/id_work.pub".into())
        );
        assert_eq!(
            git("key::ssh-ed25519 AAAAC3Nz ana"),
            KeySource::Literal("ssh-ed25519 AAAAC3Nz ana".into())
        );
        assert_eq!(
            git("ssh-ed25519 AAAAC3Nz"),
            KeySource::Literal("ssh-ed25519 AAAAC3Nz".into())
        );
        assert_eq!(git("ssh-key"), KeySource::File("ssh-key".into()));
        assert_eq!(git("keys/id"), KeySource::File("keys/id".into()));
        let no_home = pick(KeyCandidates {
            flag: Some("~/k"),
            ..Default::default()
        })
        .0;
        assert_eq!(no_home, KeySource::File("~/k".into()));
    }
}
