//! Checks on who a repository declares (teams, users, their keys), made before `sync` stores
//! them. A bad entry here would otherwise reach every reader of the store: one malformed key
//! made `signers export` fail for every team, and a team name with a newline or an escape
//! sequence travels into terminals, markdown and shell commands.

use serde_saphyr::Spanned;

use super::{ConfigError, ErrorKind, LoadedConfig};

/// The longest team name accepted; longer ones are typos or payloads, not team names.
pub const TEAM_NAME_MAX: usize = 64;

/// Team names: `[A-Za-z0-9][A-Za-z0-9._-]*`, at most [`TEAM_NAME_MAX`] characters. Plain enough
/// to print anywhere unquoted and to use as a graph node id.
pub fn is_team_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    name.len() <= TEAM_NAME_MAX
        && bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// `local@domain`: one `@`, a local part of printable ASCII without spaces or the characters
/// mail syntax reserves, and a domain of dot-separated letters, digits and hyphens.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"<>()[]\\,;:\"@".contains(&b));
    let domain_ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    local_ok && domain_ok
}

/// Every team name, user email and SSH key the file declares, checked; the first bad one is a
/// diagnostic at its line.
pub fn validate_parties(cfg: &LoadedConfig) -> Result<(), ConfigError> {
    let c = &cfg.config;
    let team_help = || {
        Some(format!(
            "team names use letters, digits, `.`, `_` and `-`, start with a letter or digit and \
             have at most {TEAM_NAME_MAX} characters, e.g. `team-bi`"
        ))
    };
    let team = |at: &Spanned<String>, what: &str| -> Result<(), ConfigError> {
        if is_team_name(&at.value) {
            return Ok(());
        }
        Err(cfg.error_at(
            ErrorKind::InvalidValue,
            at,
            format!("{what} {:?} is not a valid team name", at.value),
            "not a team name",
            team_help(),
        ))
    };
    // Without `owner:`, the project name is the team its consumers are registered under.
    if let Some(project) = c.project.as_ref().filter(|_| c.owner.is_none()) {
        team(project, "project")?;
    }
    if let Some(owner) = &c.owner {
        team(owner, "owner")?;
    }
    for t in &c.teams {
        team(&t.name, "team")?;
    }
    for consume in &c.consumes {
        if let Some(t) = &consume.team {
            team(t, "consuming team")?;
        }
    }
    for u in &c.users {
        if !is_email(&u.email.value) {
            return Err(cfg.error_at(
                ErrorKind::InvalidValue,
                &u.email,
                format!("user email {:?} is not an email address", u.email.value),
                "not an email address",
                Some("write the address the user signs with, e.g. `bo@example.com`".into()),
            ));
        }
        for t in &u.teams {
            team(t, "team")?;
        }
        for key in &u.ssh_keys {
            if let Err(e) = ssh_key::PublicKey::from_openssh(key.value.trim()) {
                return Err(cfg.error_at(
                    ErrorKind::InvalidValue,
                    key,
                    format!(
                        "ssh key of {} is not an OpenSSH public key ({e})",
                        u.email.value
                    ),
                    "not a public key",
                    Some(
                        "paste one line of the user's `.pub` file: `ssh-ed25519 AAAA… comment`"
                            .into(),
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn team_names_are_plain() {
        for ok in ["team-bi", "bi", "Team_2.eu", "9lives"] {
            assert!(is_team_name(ok), "{ok}");
        }
        let long = "a".repeat(TEAM_NAME_MAX + 1);
        for bad in [
            "",
            "-x",
            ".x",
            "team bi",
            "a\nb",
            "x\u{1b}[2J",
            "a;b",
            "é",
            &long,
        ] {
            assert!(!is_team_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn emails_have_a_local_part_and_a_domain() {
        for ok in ["bo@example.com", "a.b+c@x-y.io", "ops@localhost"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "*",
            "@x.com",
            "a@",
            "a@b@c",
            "a b@x.com",
            "a@x..com",
            "a@-x.com",
            "a@x.com\n",
        ] {
            assert!(!is_email(bad), "{bad:?}");
        }
    }
}
