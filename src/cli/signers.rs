//! `tessera signers export`: the keys that may sign acks, as an OpenSSH allowed_signers file, so
//! `ssh-keygen -Y verify` can check an ack with no Tessera at all.

use std::path::PathBuf;

use crate::error::Error;
use crate::exit::ExitStatus;

use super::context::Context;
use super::coord;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: SignersCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum SignersCommand {
    /// Write an allowed_signers file of every registered key (namespace tessera-ack)
    Export {
        /// Write to this file instead of stdout (`-` is stdout)
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
    },
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let SignersCommand::Export { output } = &args.command;
    let cfg = ctx.config()?;
    let loc = super::store::location(ctx, &cfg);
    let store = super::store::open(&loc, false)?;
    // Only keys whose owner may speak for some team: the same people `verify` trusts.
    let members: Vec<(String, Vec<String>)> = coord::trusted_members(store.as_ref())?
        .into_iter()
        .filter(|m| !m.teams.is_empty())
        .map(|m| (m.email, m.public_keys))
        .collect();
    let text = crate::sign::export(&members)?;
    // `-o -` is stdout, as for every Unix tool that takes an output path.
    match output
        .as_deref()
        .filter(|p| *p != std::path::Path::new("-"))
    {
        Some(path) => {
            let path = ctx.cwd.join(path);
            write_atomically(&path, &text)?;
            crate::output::message(&format!(
                "wrote {} key(s) to {}",
                members.len(),
                path.display()
            ));
        }
        None => crate::output::print(&text)?,
    }
    Ok(ExitStatus::Success)
}

/// A reader never sees half a file: write beside it, then rename over it.
fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(Error::Output)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(Error::Output)?;
    tmp.persist(path).map_err(|e| Error::Output(e.error))?;
    Ok(())
}
