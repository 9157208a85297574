//! `tessera check`: compare the working tree (or `--head`) with `--base`, or two manifests, and
//! classify every contract change. The command producers run in a terminal and as a pre-commit hook.

pub(crate) mod select;
pub(crate) mod sides;

use std::path::PathBuf;

use crate::compat::{self, Level, Report};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::{self, Format, RenderInput};

use super::context::Context;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    #[value(name = "ERR", alias = "err")]
    Err,
    #[value(name = "WARN", alias = "warn")]
    Warn,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only check the relations declared in these files (what pre-commit passes)
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// The revision to compare against
    #[arg(long, default_value = "HEAD", value_name = "REV")]
    pub base: String,
    /// Compare this revision instead of the working tree
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub head: Option<String>,
    /// Compare what is staged (the index) instead of the working tree, as a git hook needs
    #[arg(long)]
    pub staged: bool,
    /// dbt manifest.json of the new side (enriches the YAML, or with --base-manifest replaces git)
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// dbt manifest.json of the old side (e.g. production's); with --manifest, no git is needed
    #[arg(long, value_name = "PATH")]
    pub base_manifest: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, env = "TESSERA_FORMAT")]
    pub format: Format,
    /// The lowest severity that fails the run (default: compatibility.fail_on, else ERR)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let today = ctx.today()?;
    let (before, after) = sides::load(args, ctx, &cfg)?;
    let warehouse = super::settings::warehouse(
        &cfg.config,
        after.adapter.as_deref().or(before.adapter.as_deref()),
    );
    let settings = super::settings::compat_settings(&cfg.config, warehouse, today);

    let keys = select::relevant_keys(args, ctx, &cfg, &before, &after)?;
    let (b, a) = select::restrict(&before.project, &after.project, &keys);
    let report = compat::diff(&b, &a, &settings);
    // Asset keys must be spelt as `sync` spells them: the configured project, else the dbt name.
    let project = cfg
        .config
        .project()
        .or(after.dbt_name.as_deref())
        .or(before.dbt_name.as_deref())
        .unwrap_or("");
    let (report, consumers_known) = impact(report, ctx, &cfg, project, &b, &a, &settings)?;

    // The same problem usually exists on both sides: say it once.
    let warnings: std::collections::BTreeSet<&String> =
        before.warnings.iter().chain(&after.warnings).collect();
    for w in warnings {
        ctx.warn(w);
    }
    let fail_on = match args.fail_on {
        Some(FailOn::Err) => Level::Err,
        Some(FailOn::Warn) => Level::Warn,
        None => super::settings::fail_on(&cfg.config),
    };
    render(
        args.format,
        &report,
        &before.label,
        &after.label,
        fail_on,
        consumers_known,
        &after,
    )?;
    Ok(status(&report, fail_on))
}

/// 1 when a finding that counts reaches `fail_on`.
pub fn status(report: &Report, fail_on: Level) -> ExitStatus {
    if report
        .findings
        .iter()
        .any(|f| f.counts() && f.severity >= fail_on)
    {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    }
}

/// Names who each finding hurts, from the store's consumer registrations. Without a store (none
/// synced yet, or a remote one this build cannot reach) the consumer list is unknown and the
/// severities stay as the engine gave them.
fn impact(
    report: Report,
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
    project: &str,
    before: &crate::contract::Project,
    after: &crate::contract::Project,
    settings: &compat::Settings,
) -> crate::error::Result<(Report, bool)> {
    let loc = super::store::location(ctx, cfg);
    let store = match &loc {
        super::store::Location::Sqlite(p) if p.exists() => super::store::open(&loc, false)?,
        _ => {
            ctx.warn(&format!("no coordination store at {}: the consumer list is unknown (run `tessera sync` on main to create it)", loc.describe()));
            return Ok((report, false));
        }
    };
    let d = settings.warehouse.dialect;
    let mut uses = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in before.relations.values().chain(after.relations.values()) {
        let key = super::sync::asset_key(r, project, d);
        if !seen.insert((key.clone(), r.key())) {
            continue;
        }
        for c in store.consumers(&key)? {
            uses.push(crate::impact::ConsumerUse {
                team: c.team,
                // Findings name relations by their dbt key; the store by asset key.
                asset: r.key(),
                columns: c.columns,
                ..Default::default()
            });
        }
    }
    let impact_settings = crate::impact::ImpactSettings {
        authoritative: cfg.config.compatibility.consumer_registry.authoritative,
        warehouse: settings.warehouse,
    };
    Ok((
        crate::impact::apply(report, &uses, &impact_settings, after),
        true,
    ))
}

fn render(
    format: Format,
    report: &Report,
    base: &str,
    head: &str,
    fail_on: Level,
    consumers_known: bool,
    head_side: &sides::Side,
) -> Result<(), Error> {
    let mut modes: Vec<(String, compat::Mode)> = Vec::new();
    for f in &report.findings {
        if !modes.iter().any(|(a, _)| *a == f.asset) {
            modes.push((f.asset.clone(), f.mode));
        }
    }
    let locate = |f: &compat::Finding| head_side.locate(f);
    let input = RenderInput {
        report,
        command: "check",
        base: Some(base),
        head: Some(head),
        fail_on,
        consumers_known,
        modes,
        color: super::context::stdout_color(),
        locate: &locate,
    };
    crate::output::print(&report::render(format, &input))?;
    if format == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(Error::Output)?;
        f.write_all(report::step_summary(&input).as_bytes())
            .map_err(Error::Output)?;
    }
    Ok(())
}
