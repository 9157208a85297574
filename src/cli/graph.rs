//! `tessera graph [ASSET]`: producers, assets and the teams that read them, as Mermaid (GitHub
//! renders it in PRs and READMEs), DOT or JSON.

use std::collections::BTreeMap;

use serde_json::json;

use crate::exit::ExitStatus;
use crate::output;
use crate::report::escape::{self, Ids};
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
        Format::Mermaid => mermaid(&producers, &edges),
        Format::Dot => dot(&producers, &edges),
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

/// Producers owning assets.
type Producers = BTreeMap<String, Vec<(String, String)>>;

/// Ids are numbered per name so that no two names share a node, and every label is escaped:
/// names come from repositories and may hold quotes, brackets or `-->`.
fn mermaid(producers: &Producers, edges: &[Edge]) -> String {
    let mut ids = Ids::default();
    let mut s = String::from("flowchart LR\n");
    for (team, owned) in producers {
        s.push_str(&format!(
            "  subgraph {}[\"{}\"]\n",
            ids.id("producer", team),
            escape::mermaid(team)
        ));
        for (key, _) in owned {
            s.push_str(&format!(
                "    {}[(\"{}\")]\n",
                ids.id("asset", key),
                escape::mermaid(key)
            ));
        }
        s.push_str("  end\n");
    }
    for e in edges {
        s.push_str(&format!(
            "  {} -->|\"{}\"| {}([\"{}\"])\n",
            ids.id("asset", &e.asset),
            escape::mermaid(&e.label),
            ids.id("team", &e.team),
            escape::mermaid(&e.team)
        ));
    }
    s
}

fn dot(producers: &Producers, edges: &[Edge]) -> String {
    let mut ids = Ids::default();
    let mut s = String::from("digraph tessera {\n  rankdir=LR;\n");
    for (team, owned) in producers {
        s.push_str(&format!(
            "  subgraph cluster_{} {{ label=\"{}\";\n",
            ids.id("p", team),
            escape::dot(team)
        ));
        for (key, _) in owned {
            s.push_str(&format!(
                "    {} [shape=cylinder,label=\"{}\"];\n",
                ids.id("asset", key),
                escape::dot(key)
            ));
        }
        s.push_str("  }\n");
    }
    for e in edges {
        let team = ids.id("team", &e.team);
        s.push_str(&format!(
            "  {} -> {team} [label=\"{}\"];\n  {team} [shape=box,label=\"{}\"];\n",
            ids.id("asset", &e.asset),
            escape::dot(&e.label),
            escape::dot(&e.team)
        ));
    }
    s.push_str("}\n");
    s
}
