//! `tessera status`: where the store is, its schema version and what it holds.

use crate::exit::ExitStatus;
use crate::output;
use crate::report::escape::terminal;

use super::context::Context;
use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let store = super::store::open(&super::store::location(ctx, &cfg), false)?;
    let s = store.status()?;
    match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&s)
                .map_err(|e| crate::error::Error::Output(std::io::Error::other(e)))?;
            v["schema_version_output"] = 1.into();
            output::print_json(&v)?;
        }
        Format::Human => {
            let c = &s.counts;
            output::print(&format!(
                "store:          {}\nschema version: {}\njournal:        {}\nprojects {} · teams {} · users {} · assets {} ({} retired) · contract versions {} · consumers {} ({} retired) · proposals {} · acks {} · events {}\n",
                terminal(&s.location),
                s.schema_version,
                terminal(&s.journal_mode),
                c.projects,
                c.teams,
                c.users,
                c.assets,
                c.retired_assets,
                c.contract_versions,
                c.consumers,
                c.retired_consumers,
                c.proposals,
                c.acks,
                c.events
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}
