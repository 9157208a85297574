//! `tessera ack`: a consumer team's signed decision on a proposal.

use std::io::IsTerminal;

use serde::Serialize;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output::DataFormat as Format;
use crate::report::escape::terminal;
use crate::sign::{self, AckPayload, KeyCandidates, KeyOrigin};
use crate::store::{self, Ack, Decision, Store, Timestamp};

use super::context::Context;
use super::coord;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["approve", "block", "migrating"])))]
pub struct Args {
    /// The proposal id (`P-…`), as `tessera impact` prints it
    #[arg(value_name = "PROPOSAL")]
    pub proposal: String,
    /// Accept the change
    #[arg(long)]
    pub approve: bool,
    /// Refuse the change: the merge stays blocked until this team approves
    #[arg(long)]
    pub block: bool,
    /// Accept the change once this team has migrated, by this date (the merge waits until then)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub migrating: Option<String>,
    /// A note for the producer, signed with the decision
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The team you acknowledge for (default: your team among the impacted ones)
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// SSH key to sign with: a private key, or a `.pub` whose private half is in ssh-agent
    /// (default: TESSERA_SIGNING_KEY, git's user.signingkey when gpg.format=ssh, ~/.ssh/id_ed25519)
    #[arg(long, value_name = "PATH")]
    pub key: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct Record<'a> {
    schema_version: u32,
    id: i64,
    proposal: &'a str,
    asset: &'a str,
    team: &'a str,
    decision: Decision,
    migrating_until: Option<&'a str>,
    signer: &'a str,
    fingerprint: String,
    timestamp: &'a str,
    comment: Option<&'a str>,
    /// The exact signed text.
    payload: &'a str,
    /// The armored SSH signature.
    signature: &'a str,
    counts: bool,
    /// Stable word for why the ack does not count (as in `verify`).
    rejection: Option<&'static str>,
    /// The sentence for people.
    reason: Option<String>,
    proposal_status: store::ProposalStatus,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let coord::Session {
        cfg,
        today,
        now,
        store,
    } = coord::session(ctx)?;
    let proposal = coord::find_proposal(store.as_ref(), &args.proposal)?;
    if !proposal.status.is_open() {
        return Err(Error::Usage {
            message: format!(
                "proposal {} is {}: it no longer takes acknowledgments",
                proposal.id, proposal.status
            ),
            help: "`tessera proposals` lists the open ones; a new push of the change opens a new proposal".into(),
        }
        .into());
    }
    let (decision, until) = decision(args, today)?;

    // The key first: its public half names the signer, before anything is signed.
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let env_key = std::env::var(crate::env::SIGNING_KEY).ok();
    let gpg_format = coord::git_config(&ctx.cwd, "gpg.format");
    let git_key = coord::git_config(&ctx.cwd, "user.signingkey");
    let (source, origin) = sign::discover_key(&KeyCandidates {
        flag: args.key.as_deref(),
        env: env_key.as_deref(),
        git_gpg_format: gpg_format.as_deref(),
        git_signing_key: git_key.as_deref(),
        home: home.as_deref(),
    })?;
    let public = sign::public_key_of(&source, origin)?;
    let members = coord::trusted_members(store.as_ref())?;
    let signer = signer(
        ctx,
        args,
        store.as_ref(),
        &members,
        &proposal.impacted,
        &public,
        origin,
    )?;
    let team = team(args, &cfg.config, &proposal.impacted, &members, &signer)?;

    let timestamp = sign::time::format_rfc3339_utc(now.unix());
    let payload = AckPayload {
        proposal: proposal.id.clone(),
        asset: proposal.asset.clone(),
        breaking_digest: proposal.breaking_digest.clone(),
        base_digest: proposal.base_digest.clone(),
        head_digest: proposal.head_digest.clone(),
        team: team.clone(),
        decision,
        migrating_until: until.map(|d| d.to_string()),
        signer: signer.clone(),
        timestamp: timestamp.clone(),
        comment: args
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    };
    payload.validate()?;
    let text = payload.to_text();
    let signature = sign::sign_with_source(&source, origin, text.as_bytes(), &passphrase)?;
    let stored = store.add_ack(&Ack {
        id: 0,
        proposal: proposal.id.clone(),
        team: team.clone(),
        decision,
        migrating_until: until,
        signer: signer.clone(),
        payload: text.clone(),
        signature: signature.clone(),
        created_at: Timestamp(now.unix()),
    })?;

    let mut assessed = coord::assess(store.as_ref(), proposal, &members, today)?;
    coord::settle(store.as_ref(), &mut assessed, now)?;
    let rejection = assessed
        .checked
        .iter()
        .find(|c| c.ack.id == stored.id)
        .and_then(|c| c.verdict.as_ref().err().cloned());
    let fingerprint = public.fingerprint(ssh_key::HashAlg::Sha256).to_string();
    match args.format {
        Format::Json => {
            let record = Record {
                schema_version: 1,
                id: stored.id,
                proposal: &stored.proposal,
                asset: &assessed.proposal.asset,
                team: &team,
                decision,
                migrating_until: payload.migrating_until.as_deref(),
                signer: &signer,
                fingerprint,
                timestamp: &timestamp,
                comment: payload.comment.as_deref(),
                payload: &text,
                signature: &signature,
                counts: rejection.is_none(),
                rejection: rejection.as_ref().map(|r| r.code()),
                reason: rejection.as_ref().map(ToString::to_string),
                proposal_status: assessed.proposal.status,
            };
            let v = serde_json::to_value(&record)
                .map_err(|e| Error::Output(std::io::Error::other(e)))?;
            crate::output::print_json(&v)?;
        }
        Format::Human => {
            let what = match (decision, until) {
                (_, Some(d)) => format!("accepted, once migrated by {d},"),
                (Decision::Block, None) => "blocked".to_string(),
                _ => "approved".to_string(),
            };
            let mut s = format!(
                "{} {what} {} ({}), signed by {} with {fingerprint}\n",
                terminal(&team),
                terminal(&stored.proposal),
                terminal(&assessed.proposal.asset),
                terminal(&signer)
            );
            s.push_str(&format!(
                "proposal {} is now {}\n",
                terminal(&stored.proposal),
                assessed.proposal.status
            ));
            crate::output::print(&s)?;
        }
    }
    if let Some(reason) = &rejection {
        ctx.warn(&format!(
            "the ack was recorded but does not count: {reason}"
        ));
        return Ok(ExitStatus::Findings);
    }
    Ok(ExitStatus::Success)
}

fn decision(
    args: &Args,
    today: crate::contract::Date,
) -> crate::error::Result<(Decision, Option<crate::contract::Date>)> {
    if args.approve {
        return Ok((Decision::Approve, None));
    }
    if args.block {
        return Ok((Decision::Block, None));
    }
    let raw = args.migrating.as_deref().unwrap_or_default();
    let date = sign::time::parse_date(raw).ok_or_else(|| Error::Usage {
        message: format!("--migrating `{raw}` is not a date"),
        help: "give the day the migration ends as YYYY-MM-DD, e.g. --migrating 2026-12-15".into(),
    })?;
    if date < today {
        return Err(Error::Usage {
            message: format!("--migrating {date} is in the past"),
            help: "give the day your migration will be finished; to accept now, use --approve"
                .into(),
        }
        .into());
    }
    Ok((Decision::Migrating, Some(date)))
}

/// Who signs: among the users this key is registered for, one that may speak for an impacted
/// team (`--team` if given), then any trusted one, then any at all; git's `user.email` breaks a
/// tie. A key nobody registered signs as git's `user.email`, with a warning, because the ack will
/// only count once the key is registered. Trusted members come first so that another project
/// listing someone else's public key under a made-up user cannot hijack their acks.
fn signer(
    ctx: &Context,
    args: &Args,
    store: &dyn Store,
    members: &[sign::Member],
    impacted: &[String],
    public: &ssh_key::PublicKey,
    origin: KeyOrigin,
) -> crate::error::Result<String> {
    let holds = |k: &String| {
        ssh_key::PublicKey::from_openssh(k.trim()).is_ok_and(|k| k.key_data() == public.key_data())
    };
    let git_email = coord::git_config(&ctx.cwd, "user.email");
    let pick = |mut emails: Vec<String>| -> Option<String> {
        emails.sort();
        emails.dedup();
        match &git_email {
            Some(g) if emails.contains(g) => Some(g.clone()),
            _ => emails.into_iter().next(),
        }
    };
    let speaks = |m: &sign::Member| {
        m.teams.iter().any(|t| match &args.team {
            Some(team) => t == team,
            None => impacted.contains(t),
        })
    };
    let keyed: Vec<&sign::Member> = members
        .iter()
        .filter(|m| m.public_keys.iter().any(holds))
        .collect();
    let found = pick(
        keyed
            .iter()
            .filter(|m| speaks(m))
            .map(|m| m.email.clone())
            .collect(),
    )
    .or_else(|| {
        pick(
            keyed
                .iter()
                .filter(|m| !m.teams.is_empty())
                .map(|m| m.email.clone())
                .collect(),
        )
    })
    .or_else(|| {
        let users = store.users().ok()?;
        pick(
            users
                .into_iter()
                .filter(|u| u.ssh_keys.iter().any(holds))
                .map(|u| u.email)
                .collect(),
        )
    });
    if let Some(email) = found {
        return Ok(email);
    }
    let fingerprint = public.fingerprint(ssh_key::HashAlg::Sha256);
    match git_email {
        Some(email) => {
            ctx.warn(&format!(
                "the key {fingerprint} (from {origin}) is not registered for any user; signing as {email}, but the ack counts only once the key is in `users[].ssh_keys` of your team's tessera.yaml and synced"
            ));
            Ok(email)
        }
        None => Err(Error::Usage {
            message: format!("the key {fingerprint} (from {origin}) is not registered for any user, and git has no user.email to sign as"),
            help: "add the public key to your entry under `users:` in your team's tessera.yaml and run `tessera sync`, or pass --key with a registered key".into(),
        }
        .into()),
    }
}

/// `--team`, else the one impacted team the signer may speak for, else the repository's owner.
fn team(
    args: &Args,
    cfg: &crate::config::Config,
    impacted: &[String],
    members: &[sign::Member],
    signer: &str,
) -> crate::error::Result<String> {
    let listed = impacted.join(", ");
    if let Some(team) = &args.team {
        if !impacted.contains(team) {
            return Err(Error::Usage {
                message: format!("team {team} is not impacted by proposal {}", args.proposal),
                help: format!("the impacted teams are: {listed}"),
            }
            .into());
        }
        return Ok(team.clone());
    }
    let mut mine: Vec<&String> = members
        .iter()
        .filter(|m| m.email == signer)
        .flat_map(|m| m.teams.iter())
        .filter(|t| impacted.contains(t))
        .collect();
    mine.sort();
    mine.dedup();
    match mine[..] {
        [one] => return Ok(one.clone()),
        [] => {}
        _ => {
            return Err(Error::Usage {
                message: format!("{signer} is a member of several impacted teams"),
                help: format!("say which one with --team ({listed})"),
            }
            .into());
        }
    }
    match cfg.owner() {
        Some(owner) if impacted.iter().any(|t| t == owner) => Ok(owner.to_string()),
        _ => Err(Error::Usage {
            message: format!("cannot tell which team {signer} acknowledges for"),
            help: format!("pass --team (impacted: {listed})"),
        }
        .into()),
    }
}

/// `TESSERA_SSH_PASSPHRASE`, else a prompt on the terminal without echo.
fn passphrase() -> Option<String> {
    if let Ok(p) = std::env::var(crate::env::SSH_PASSPHRASE) {
        return Some(p);
    }
    if !std::io::stdin().is_terminal() {
        return None;
    }
    read_hidden("Enter passphrase for the SSH key: ")
}

#[cfg(unix)]
fn read_hidden(prompt: &str) -> Option<String> {
    use std::io::{BufRead, Write};
    use std::os::fd::AsRawFd;
    let stdin = std::io::stdin();
    let fd = stdin.as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a valid fd or fails.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        return None;
    }
    let saved = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    let _ = std::io::stderr().write_all(prompt.as_bytes());
    let _ = std::io::stderr().flush();
    // SAFETY: restoring attributes obtained from the same fd.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) };
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    read.ok()?;
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}

#[cfg(not(unix))]
fn read_hidden(_: &str) -> Option<String> {
    None
}
