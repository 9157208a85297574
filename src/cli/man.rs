//! `tessera man [COMMAND]`: the roff man pages, from the clap types: `tessera(1)` and one
//! `tessera-COMMAND(1)` per subcommand, which the main page's SEE ALSO points at.

use clap::CommandFactory;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tessera man | man -l -          # read tessera(1)
  tessera man check | man -l -    # read tessera-check(1)")]
pub struct Args {
    /// The subcommand whose page to print (`check` prints tessera-check(1))
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

pub fn run(args: &Args) -> crate::error::Result<ExitStatus> {
    let text = match &args.command {
        None => page()?,
        Some(name) => subcommand_page(name)?,
    };
    output::print(&text)?;
    Ok(ExitStatus::Success)
}

/// The man page (section 1) in roff, as `tessera man` prints it.
pub fn page() -> Result<String, Error> {
    render(super::Cli::command())
}

/// The names of the subcommands that have a page of their own.
pub fn subcommands() -> Vec<String> {
    super::Cli::command()
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect()
}

/// `tessera-NAME(1)`.
pub fn subcommand_page(name: &str) -> Result<String, Error> {
    let root = super::Cli::command();
    let Some(sub) = root.find_subcommand(name) else {
        return Err(Error::Usage {
            message: format!("tessera has no `{name}` command"),
            help: format!("pages exist for: {}", subcommands().join(", ")),
        });
    };
    let version = root.get_version().unwrap_or_default().to_string();
    render(sub.clone().name(format!("tessera-{name}")).version(version))
}

fn render(cmd: clap::Command) -> Result<String, Error> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(Error::Output)?;
    String::from_utf8(out).map_err(|e| Error::Output(std::io::Error::other(e)))
}
