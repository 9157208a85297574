//! `tessera man`: the roff man page, from the clap types.

use clap::CommandFactory;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> crate::error::Result<ExitStatus> {
    output::print(&page()?)?;
    Ok(ExitStatus::Success)
}

/// The man page (section 1) in roff, as `tessera man` prints it.
pub fn page() -> Result<String, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(super::Cli::command())
        .render(&mut out)
        .map_err(Error::Output)?;
    String::from_utf8(out).map_err(|e| Error::Output(std::io::Error::other(e)))
}
