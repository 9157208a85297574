//! `tessera graph [ASSET]`: producers, assets and the teams that read them, as Mermaid (GitHub
//! renders it in PRs and READMEs), DOT or JSON.

use std::collections::BTreeMap;

use serde_json::json;

use crate::exit::ExitStatus;
use crate::output;
use crate::store::{AssetFilter, Consumer};

use super::context::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Mermaid,
    Dot,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the lineage around this asset
    pub asset: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Mermaid)]
    pub format: Format,
}

struct Edge {
    asset: String,
    team: String,
    label: String,
}

/// Mermaid and DOT ids must be plain: anything else becomes `_`.
fn id(prefix: &str, s: &str) -> String {
    format!(
        "{prefix}_{}",
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    )
}

fn label(c: &Consumer) -> String {
    match &c.columns {
        Some(cols) if cols.len() <= 4 => cols.join(", "),
        Some(cols) => format!("{} columns", cols.len()),
        None => "all columns".to_string(),
    }
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let store = super::store::open(&super::store::location(ctx, &cfg), false)?;
    let d = super::settings::warehouse(&cfg.config, None).dialect;
    let mut assets = store.assets(&AssetFilter::default())?;
    if let Some(name) = &args.asset {
        let key = super::consumers::resolve(store.as_ref(), name, d)?;
        assets.retain(|a| a.key == key);
    }
    let mut producers: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut edges = Vec::new();
    for a in &assets {
        let owner = a.owner_team.clone().unwrap_or_else(|| a.project.clone());
        producers
            .entry(owner)
            .or_default()
            .push((a.key.clone(), a.node.clone()));
        for c in store.consumers(&a.key)? {
            edges.push(Edge {
                asset: a.key.clone(),
                team: c.team.clone(),
                label: label(&c),
            });
        }
    }
    let text = match args.format {
        Format::Mermaid => {
            let mut s = String::from("flowchart LR\n");
            for (team, owned) in &producers {
                s.push_str(&format!(
                    "  subgraph {}[\"{team}\"]\n",
                    id("producer", team)
                ));
                for (key, _) in owned {
                    s.push_str(&format!("    {}[(\"{key}\")]\n", id("asset", key)));
                }
                s.push_str("  end\n");
            }
            for e in &edges {
                s.push_str(&format!(
                    "  {} -->|\"{}\"| {}([\"{}\"])\n",
                    id("asset", &e.asset),
                    e.label,
                    id("team", &e.team),
                    e.team
                ));
            }
            s
        }
        Format::Dot => {
            let mut s = String::from("digraph tessera {\n  rankdir=LR;\n");
            for (team, owned) in &producers {
                s.push_str(&format!(
                    "  subgraph cluster_{} {{ label=\"{team}\";\n",
                    id("p", team)
                ));
                for (key, _) in owned {
                    s.push_str(&format!(
                        "    {} [shape=cylinder,label=\"{key}\"];\n",
                        id("asset", key)
                    ));
                }
                s.push_str("  }\n");
            }
            for e in &edges {
                s.push_str(&format!(
                    "  {} -> {} [label=\"{}\"];\n  {} [shape=box,label=\"{}\"];\n",
                    id("asset", &e.asset),
                    id("team", &e.team),
                    e.label,
                    id("team", &e.team),
                    e.team
                ));
            }
            s.push_str("}\n");
            s
        }
        Format::Json => {
            let v = json!({
                "schema_version": 1,
                "assets": assets.iter().map(|a| json!({"key": a.key, "node": a.node, "project": a.project, "owner_team": a.owner_team})).collect::<Vec<_>>(),
                "edges": edges.iter().map(|e| json!({"asset": e.asset, "team": e.team, "columns": e.label})).collect::<Vec<_>>(),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
    };
    output::print(&text)?;
    Ok(ExitStatus::Success)
}
