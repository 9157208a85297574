//! `tessera assets`: every asset in the store, with its owner, mode and current version.

use serde_json::json;

use crate::exit::ExitStatus;
use crate::output;
use crate::report::escape::terminal;
use crate::store::AssetFilter;

use super::context::Context;
use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this project's assets
    #[arg(long)]
    pub project: Option<String>,
    /// Include assets their project no longer declares
    #[arg(long)]
    pub retired: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let store = super::store::open(&super::store::location(ctx, &cfg), false)?;
    let assets = store.assets(&AssetFilter {
        project: args.project.clone(),
        include_retired: args.retired,
    })?;
    let mut rows = Vec::new();
    for a in &assets {
        let version = store.latest_contract(&a.key)?.map(|v| v.version);
        let consumers = store.consumers(&a.key)?.len();
        rows.push((a, version, consumers));
    }
    match args.format {
        Format::Json => output::print_json(&json!({
            "schema_version": 1,
            "assets": rows.iter().map(|(a, v, n)| json!({
                "key": a.key, "project": a.project, "node": a.node, "unique_id": a.unique_id,
                "owner_team": a.owner_team, "owner_user": a.owner_user, "mode": a.mode,
                "resource_type": a.resource_type, "retired": a.retired, "version": v, "consumers": n,
                "identity": a.identity.as_deref().unwrap_or("unknown"),
            })).collect::<Vec<_>>(),
        }))?,
        Format::Human => {
            let mut t = output::table(&[
                "asset",
                "project",
                "node",
                "owner",
                "placed by",
                "mode",
                "version",
                "consumers",
            ]);
            output::keep_whole(&mut t, &[0, 1, 2, 3]);
            for (a, v, n) in &rows {
                let key = if a.retired {
                    format!("{} (retired)", terminal(&a.key))
                } else {
                    terminal(&a.key).into_owned()
                };
                t.add_row(vec![
                    key,
                    terminal(&a.project).into_owned(),
                    terminal(&a.node).into_owned(),
                    terminal(a.owner_team.as_deref().unwrap_or_default()).into_owned(),
                    terminal(a.identity.as_deref().unwrap_or("unknown")).into_owned(),
                    terminal(&a.mode).into_owned(),
                    terminal(v.as_deref().unwrap_or_default()).into_owned(),
                    n.to_string(),
                ]);
            }
            output::print(&format!("{t}\n{} assets\n", rows.len()))?;
        }
    }
    Ok(ExitStatus::Success)
}
