//! The command line: clap types, and one module per subcommand that turns flags, environment and
//! `tessera.yaml` into the core's inputs.

pub mod check;
pub mod context;
pub mod hook;
pub mod rules;
pub mod settings;

use clap::{Parser, Subcommand};

use crate::exit::{EXIT_CODES_HELP, ExitStatus};
use crate::output::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Coordinate breaking schema changes between the teams that produce warehouse tables and the teams that consume them",
    after_long_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Path to tessera.yaml (default: found by walking up to the git top level)
    #[arg(long, global = true, env = "TESSERA_CONFIG", value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "TESSERA_COLOR")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare the working tree (or --head) with --base and classify every contract change
    Check(check::Args),
    /// Install a plain git pre-commit hook that runs `tessera check`
    Hook(hook::Args),
    /// List every compatibility rule with its forward/backward defaults and meaning
    Rules(rules::Args),
}

/// Runs one command. Errors are returned for `main` to render once.
pub fn run(cli: Cli) -> crate::error::Result<ExitStatus> {
    let ctx = context::Context::new(cli.global)?;
    match cli.command {
        Command::Check(args) => check::run(&args, &ctx),
        Command::Hook(args) => hook::run(&args, &ctx),
        Command::Rules(args) => rules::run(&args),
    }
}
