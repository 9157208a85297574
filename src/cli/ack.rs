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
#[command(after_help = "Examples:
  tessera ack P-1a2b --approve                             # a unique prefix of the id is enough
  tessera ack P-1a2b --block --comment \"we still read status\"
  tessera ack P-1a2b --migrating 2026-12-15                # accepted once that day comes
  tessera ack P-1a2b --approve --key ~/.ssh/work_ed25519   # another key than the default")]
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
    let (source, origin) = signing_key(ctx, args.key.as_deref())?;
    let public = sign::public_key_of(&source, origin)?;
    let members = coord::trusted_members(store.as_ref())?;
    let impacted = coord::impacted_now(store.as_ref(), &proposal)?;
    let signer = signer(
        ctx,
        args,
        store.as_ref(),
        &members,
        &impacted,
        &public,
        origin,
    )?;
    let team = team(args, &cfg.config, &impacted, &members, &signer)?;

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
    let ack = Ack {
        id: 0,
        proposal: proposal.id.clone(),
        team: team.clone(),
        decision,
        migrating_until: until,
        signer: signer.clone(),
        payload: text.clone(),
        signature: signature.clone(),
        created_at: Timestamp(now.unix()),
    };
    // Judged before anything is written, and again inside the write against what the store
    // holds then: an ack that would not count is never stored, so it can't sit in the
    // append-only log failing `verify` forever.
    let (committed, outcome) = coord::commit_retrying(store.as_ref(), || {
        record(store.as_ref(), &ack, &members, today, now)
    })?;
    let assessed = match outcome {
        // The batch wrote the status the acks give it.
        Ok(mut a) => {
            a.proposal.status = a.status();
            a
        }
        Err(refusal) => return refuse(ctx, args.format, &refusal),
    };
    let Some(stored) = committed.acks.into_iter().next() else {
        return Err(Error::Usage {
            message: "the acknowledgment was not recorded".into(),
            help: "run `tessera ack` again".into(),
        }
        .into());
    };
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
                counts: true,
                rejection: None,
                reason: None,
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
    Ok(ExitStatus::Success)
}

/// Why an ack was not recorded.
struct Refusal {
    message: String,
    code: &'static str,
    help: String,
}

/// Says why on stderr (and in JSON on stdout), exit 1: the decision was not recorded.
fn refuse(ctx: &Context, format: Format, r: &Refusal) -> crate::error::Result<ExitStatus> {
    if format == Format::Json {
        crate::output::print_json(&serde_json::json!({
            "schema_version": 1,
            "recorded": false,
            "counts": false,
            "rejection": r.code,
            "reason": r.message,
            "help": r.help,
        }))?;
    }
    ctx.error(&format!("{}\n  help: {}", r.message, r.help));
    Ok(ExitStatus::Findings)
}

/// The batch that appends `ack` and settles the proposal's status, from the store as it is now;
/// an empty batch and the reason when the ack would not count.
fn record(
    store: &dyn Store,
    ack: &Ack,
    members: &[sign::Member],
    today: crate::contract::Date,
    now: Timestamp,
) -> crate::error::Result<(store::Batch, Result<coord::Assessed, Refusal>)> {
    let proposal = coord::find_proposal(store, &ack.proposal)?;
    if !proposal.status.is_open() {
        let refusal = Refusal {
            message: format!(
                "proposal {} became {} while you were signing, so the ack was not recorded",
                proposal.id, proposal.status
            ),
            code: "proposal_closed",
            help: "`tessera proposals` lists the open ones".into(),
        };
        return Ok((store::Batch::default(), Err(refusal)));
    }
    let mut acks = store.acks(&proposal.id)?;
    let seen = store::Seen::of(&proposal.id, Some(&proposal), acks.len());
    let impacted = coord::impacted_now(store, &proposal)?;
    acks.push(ack.clone());
    let assessed = coord::assess_with(proposal, acks, impacted, members, today);
    if let Some(Err(reason)) = assessed.checked.last().map(|c| &c.verdict) {
        let refusal = Refusal {
            message: format!("the ack would not count, so it was not recorded: {reason}"),
            code: reason.code(),
            help: refusal_help(reason),
        };
        return Ok((store::Batch::default(), Err(refusal)));
    }
    let mut writes = vec![store::Write::Ack(ack.clone())];
    writes.extend(assessed.settle());
    Ok((
        store::Batch {
            seen: vec![seen],
            writes,
            now,
        },
        Ok(assessed),
    ))
}

/// What to do about a refused ack, by why it was refused.
fn refusal_help(reason: &sign::Rejection) -> String {
    match reason.code() {
        "unknown_key" | "signer_mismatch" => "register this public key under your entry in `users:` of your team's own tessera.yaml (the project that owns the team) and run `tessera sync` there, or sign with --key using a registered key".into(),
        "signer_not_in_team" => "only members declared by the project that owns the team may sign for it: ask that project to list you under the team in its tessera.yaml and sync".into(),
        "stale_digest" => "the proposal was revised while you were signing: run `tessera ack` again to sign the current breaking set".into(),
        "team_not_impacted" => "your team no longer reads what this proposal changes: there is nothing to acknowledge".into(),
        _ => "check the key you sign with (`--key`) and run `tessera ack` again".into(),
    }
}

/// The key `ack` signs with: `--key`, `TESSERA_SIGNING_KEY`, git's `user.signingkey` when
/// `gpg.format=ssh`, then `~/.ssh/id_ed25519`. `init` registers the same one.
pub fn signing_key(
    ctx: &Context,
    flag: Option<&str>,
) -> crate::error::Result<(sign::KeySource, KeyOrigin)> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let env_key = std::env::var(crate::env::SIGNING_KEY).ok();
    let gpg_format = coord::git_config(&ctx.cwd, "gpg.format");
    let git_key = coord::git_config(&ctx.cwd, "user.signingkey");
    Ok(sign::discover_key(&KeyCandidates {
        flag,
        env: env_key.as_deref(),
        git_gpg_format: gpg_format.as_deref(),
        git_signing_key: git_key.as_deref(),
        home: home.as_deref(),
    })?)
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
/// tie. A key nobody registered signs as git's `user.email`; such an ack is then refused before
/// it is stored, with the fix. Trusted members come first so that another project
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
        // The ack is judged before it is stored, and refused there with the fix.
        Some(email) => Ok(email),
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
