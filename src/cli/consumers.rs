//! `tessera consumers ASSET`: who reads an asset, and which columns.

use serde_json::json;

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::output;
use crate::report::escape::terminal;
use crate::store::{AssetFilter, Store};

use super::context::Context;
use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The asset: its key (`marts.orders`), relation name (`analytics.marts.orders`) or dbt name (`orders`)
    #[arg(required_unless_present = "unmatched")]
    pub asset: Option<String>,
    /// Instead: every registration in the store that matches no asset, with the nearest asset keys
    #[arg(long, conflicts_with = "asset")]
    pub unmatched: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `consumers --unmatched`: registrations that protect nobody yet.
fn unmatched(store: &dyn Store, format: Format) -> crate::error::Result<ExitStatus> {
    let found = super::unmatched::find(store, None)?;
    match format {
        Format::Json => output::print_json(&json!({
            "schema_version": 1,
            "unmatched": found,
        }))?,
        Format::Human => {
            let mut t = output::table(&["team", "project", "reads", "via", "nearest assets"]);
            output::keep_whole(&mut t, &[0, 1, 3]);
            for u in &found {
                t.add_row(vec![
                    u.team.clone(),
                    u.project.clone(),
                    u.asset.clone(),
                    u.source.to_string(),
                    u.nearest.join(", "),
                ]);
            }
            let n = found.len();
            output::print(&format!(
                "{t}\n{n} {} no asset\n",
                if n == 1 {
                    "registration matches"
                } else {
                    "registrations match"
                }
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// An asset named the way a person would: key, relation name, or dbt node name.
pub fn resolve(
    store: &dyn Store,
    name: &str,
    d: crate::contract::Dialect,
) -> crate::error::Result<String> {
    if store.asset(name)?.is_some() {
        return Ok(name.to_string());
    }
    let key = super::sync::key_from_name(name, d);
    if store.asset(&key)?.is_some() || !store.consumers(&key)?.is_empty() {
        return Ok(key);
    }
    let by_node: Vec<String> = store
        .assets(&AssetFilter::default())?
        .into_iter()
        .filter(|a| a.node == name || a.unique_id.as_deref() == Some(name))
        .map(|a| a.key)
        .collect();
    match by_node.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::Usage {
            message: format!("no asset `{name}` in the store"),
            help: "`tessera assets` lists every asset key; run `tessera sync` in the producing repository first".into(),
        }
        .into()),
        many => Err(Error::Usage {
            message: format!("`{name}` names several assets: {}", many.join(", ")),
            help: "pass the asset key instead".into(),
        }
        .into()),
    }
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let store = super::store::open(&super::store::location(ctx, &cfg), false)?;
    let d = super::settings::warehouse(&cfg.config, None).dialect;
    let Some(name) = args.asset.as_deref().filter(|_| !args.unmatched) else {
        return unmatched(store.as_ref(), args.format);
    };
    let key = resolve(store.as_ref(), name, d)?;
    let asset = store.asset(&key)?;
    let consumers = store.consumers(&key)?;
    match args.format {
        Format::Json => output::print_json(&json!({
            "schema_version": 1,
            "asset": key,
            "producer": asset.as_ref().map(|a| json!({"project": a.project, "owner_team": a.owner_team, "node": a.node})),
            "consumers": consumers.iter().map(|c| json!({
                "team": c.team, "project": c.project, "columns": c.columns,
                "all_columns_reason": c.all_columns_reason, "source": c.source.name(),
                "purpose": c.purpose, "contact": c.contact,
            })).collect::<Vec<_>>(),
        }))?,
        Format::Human => {
            let producer = asset
                .as_ref()
                .map(|a| {
                    format!(
                        "{} (project {}, owner {})",
                        terminal(&key),
                        terminal(&a.project),
                        terminal(a.owner_team.as_deref().unwrap_or("unknown"))
                    )
                })
                .unwrap_or_else(|| format!("{} (no project declares it yet)", terminal(&key)));
            let mut t = output::table(&["team", "project", "columns", "via", "purpose"]);
            output::keep_whole(&mut t, &[0, 1, 3]);
            for c in &consumers {
                let cols = match &c.columns {
                    Some(cols) => terminal(&cols.join(", ")).into_owned(),
                    None => format!(
                        "all ({})",
                        terminal(c.all_columns_reason.as_deref().unwrap_or("not narrowed"))
                    ),
                };
                t.add_row(vec![
                    terminal(&c.team).into_owned(),
                    terminal(&c.project).into_owned(),
                    cols,
                    c.source.name().to_string(),
                    terminal(c.purpose.as_deref().unwrap_or_default()).into_owned(),
                ]);
            }
            let n = consumers.len();
            output::print(&format!(
                "{producer}\n{t}\n{n} consumer{}\n",
                if n == 1 { "" } else { "s" }
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}
