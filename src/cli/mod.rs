//! The command line: clap types, and one module per subcommand that turns flags, environment and
//! `tessera.yaml` into the core's inputs.

pub mod ack;
pub mod assets;
pub mod check;
pub mod completions;
pub mod consumers;
pub mod context;
pub mod coord;
pub mod demo;
pub mod graph;
pub mod hook;
pub mod impact;
pub mod init;
pub mod keys;
pub mod man;
pub mod proposals;
pub mod replay;
pub mod rules;
pub mod serve;
pub mod settings;
pub mod signers;
pub mod status;
pub mod store;
pub mod sync;
pub mod unmatched;
pub mod verify;

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
    /// The coordination store: sqlite:PATH or https://… (default: `store:` in tessera.yaml)
    #[arg(long, global = true, env = "TESSERA_STORE", value_name = "STORE")]
    pub store: Option<String>,
    /// Where dbt's profiles.yml is (default: the dbt project's directory, then ~/.dbt)
    #[arg(long, global = true, env = "DBT_PROFILES_DIR", value_name = "DIR")]
    pub profiles_dir: Option<std::path::PathBuf>,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "TESSERA_COLOR")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the whole loop on the shipped examples: sync, break, check, impact, signed ack, merge, publish
    Demo(demo::Args),
    /// Compare the working tree (or --head) with --base and classify every contract change
    Check(check::Args),
    /// Diff a pull request from its merge-base, open proposals for breaking changes, and gate the merge on acks
    Impact(impact::Args),
    /// Replay first-parent history commit by commit through `check --base C^ --head C`, and sum up what would have been blocked
    Replay(replay::Args),
    /// Sign and record your team's decision on a proposal (approve, block, or migrating until a date)
    Ack(ack::Args),
    /// Re-check every acknowledgment's signature and binding, and say why each bad one is rejected
    Verify(verify::Args),
    /// List, show and withdraw proposals
    Proposals(proposals::Args),
    /// Export the registered signing keys as an OpenSSH allowed_signers file
    Signers(signers::Args),
    /// Write a first tessera.yaml from this repository's dbt project, git user and SSH key
    Init(init::Args),
    /// Install a plain git pre-commit hook that runs `tessera check`
    Hook(hook::Args),
    /// Write this repository's declarations (assets, owners, consumers) to the store
    Sync(sync::Args),
    /// List the assets in the store
    Assets(assets::Args),
    /// Who reads an asset, and which columns
    Consumers(consumers::Args),
    /// The lineage around an asset: producers, assets and consumer teams (Mermaid, DOT, JSON)
    Graph(graph::Args),
    /// Where the store is, its schema version and what it holds
    Status(status::Args),
    /// Run the coordination store as an HTTP server for many repositories and CI runners
    Serve(serve::Args),
    /// Create, list and revoke the API keys of a `tessera serve` (needs an admin key)
    Keys(keys::Args),
    /// List every compatibility rule with its forward/backward defaults and meaning
    Rules(rules::Args),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish)
    Completions(completions::Args),
    /// Print the man page (roff) to stdout
    Man(man::Args),
}

/// Runs one command. Errors are returned for `main` to render once.
pub fn run(cli: Cli) -> crate::error::Result<ExitStatus> {
    context::set_color(cli.global.color);
    let ctx = context::Context::new(cli.global)?;
    if let Some(day) = crate::env::pinned_today() {
        ctx.note(&format!(
            "TESSERA_TODAY={day} pins today's date: waivers, deprecations, proposal expiry and migration dates are judged as of {day}, not by the clock"
        ));
    }
    match cli.command {
        Command::Check(args) => check::run(&args, &ctx),
        Command::Demo(args) => demo::run(&args, &ctx),
        Command::Hook(args) => hook::run(&args, &ctx),
        Command::Init(args) => init::run(&args, &ctx),
        Command::Impact(args) => impact::run(&args, &ctx),
        Command::Replay(args) => replay::run(&args, &ctx),
        Command::Ack(args) => ack::run(&args, &ctx),
        Command::Verify(args) => verify::run(&args, &ctx),
        Command::Proposals(args) => proposals::run(&args, &ctx),
        Command::Signers(args) => signers::run(&args, &ctx),
        Command::Rules(args) => rules::run(&args),
        Command::Assets(args) => assets::run(&args, &ctx),
        Command::Consumers(args) => consumers::run(&args, &ctx),
        Command::Graph(args) => graph::run(&args, &ctx),
        Command::Status(args) => status::run(&args, &ctx),
        Command::Serve(args) => serve::run(&args, &ctx),
        Command::Keys(args) => keys::run(&args, &ctx),
        Command::Sync(args) => sync::run(&args, &ctx),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    }
}
