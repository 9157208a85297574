//! `tessera completions SHELL`: the static completion script for a shell, from the clap types.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to write the completion script for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args) -> crate::error::Result<ExitStatus> {
    output::print(&script(args.shell)?)?;
    Ok(ExitStatus::Success)
}

/// The completion script for `shell`, as `tessera completions SHELL` prints it.
pub fn script(shell: Shell) -> Result<String, Error> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut super::Cli::command(), "tessera", &mut out);
    String::from_utf8(out).map_err(|e| Error::Output(std::io::Error::other(e)))
}
