//! `tessera status`: where the store is, its schema version, what it holds, and who claims
//! which project name and team (with every takeover on record).

use serde_json::json;

use crate::exit::ExitStatus;
use crate::output;
use crate::report::escape::terminal;
use crate::store::{Event, EventFilter, ProjectInfo, Store, TeamClaim, kinds};

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
    let projects = store.projects()?;
    let teams = store.team_claims()?;
    let takeovers = takeovers(store.as_ref())?;
    match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&s)
                .map_err(|e| crate::error::Error::Output(std::io::Error::other(e)))?;
            v["schema_version_output"] = 1.into();
            v["claims"] = json!({
                "projects": projects
                    .iter()
                    .map(|p| json!({"project": p.name, "repository": p.repository}))
                    .collect::<Vec<_>>(),
                "teams": teams,
                "takeovers": takeovers
                    .iter()
                    .map(|e| json!({
                        "at": e.at.to_string(),
                        "kind": e.kind,
                        "subject": e.subject,
                        "detail": serde_json::from_str::<serde_json::Value>(&e.detail_json)
                            .unwrap_or_default(),
                    }))
                    .collect::<Vec<_>>(),
            });
            output::print_json(&v)?;
        }
        Format::Human => {
            let c = &s.counts;
            let mut text = format!(
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
            );
            text.push_str(&claims_text(&projects, &teams, &takeovers));
            output::print(&text)?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Every takeover of a project name or a team, oldest first.
fn takeovers(store: &dyn Store) -> crate::error::Result<Vec<Event>> {
    let mut all = Vec::new();
    for kind in [kinds::PROJECT_TAKEOVER, kinds::TEAM_TAKEOVER] {
        all.extend(store.events(&EventFilter {
            kind_prefix: Some(kind.to_string()),
            ..EventFilter::default()
        })?);
    }
    all.sort_by_key(|e| e.id);
    Ok(all)
}

fn claims_text(projects: &[ProjectInfo], teams: &[TeamClaim], takeovers: &[Event]) -> String {
    let mut s = String::new();
    if !projects.is_empty() {
        s.push_str("\nclaims:\n");
    }
    for p in projects {
        let owns: Vec<&str> = teams
            .iter()
            .filter(|t| t.project == p.name)
            .map(|t| t.team.as_str())
            .collect();
        let owns = match owns.as_slice() {
            [] => String::new(),
            list => format!(" · owns team {}", list.join(", ")),
        };
        s.push_str(&format!("  project {}: {}{owns}\n", p.name, p.repository));
    }
    if !takeovers.is_empty() {
        s.push_str("\ntakeovers:\n");
    }
    for e in takeovers {
        let d: serde_json::Value = serde_json::from_str(&e.detail_json).unwrap_or_default();
        let text = |k: &str| d[k].as_str().unwrap_or("?").to_string();
        let repo = |k: &str| {
            serde_json::from_value::<crate::store::Repository>(d[k].clone())
                .map(|r| r.to_string())
                .unwrap_or_else(|_| "?".into())
        };
        let subject = e.subject.as_deref().unwrap_or("?");
        let what = if e.kind == kinds::PROJECT_TAKEOVER {
            format!(
                "project {subject} moved from {} to {}",
                repo("old"),
                repo("new")
            )
        } else {
            format!(
                "team {subject} moved from project {} to {}",
                text("from"),
                text("to")
            )
        };
        s.push_str(&format!(
            "  {} {what}, by {}: {}\n",
            e.at,
            text("by"),
            text("reason")
        ));
    }
    s
}
