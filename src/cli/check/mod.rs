//! `tessera check`: compare the working tree (or `--head`) with `--base`, or two manifests, and
//! classify every contract change. The command producers run in a terminal and as a pre-commit hook.

mod cast_types;
mod ephemeral;
pub(crate) mod identity;
pub(crate) mod output_columns;
mod reads;
pub(crate) mod select;
pub(crate) mod sides;
mod transitive;

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
#[command(after_help = "Examples:
  tessera check                          # the working tree against HEAD
  tessera check --staged                 # what is being committed (the pre-commit hook)
  tessera check models/marts/_marts.yml  # only the contracts that file declares
  tessera check --base origin/main       # a whole branch
  tessera check --format json            # for tools; also markdown, github, sarif, junit")]
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
    /// dbt catalog.json (`dbt docs generate`): column types for both sides (default: `dbt.catalog`)
    #[arg(long, value_name = "PATH")]
    pub catalog: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human, env = "TESSERA_FORMAT")]
    pub format: Format,
    /// The lowest severity that fails the run (default: compatibility.fail_on, else ERR)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
}

/// A classified change, with who it hurts.
pub struct Analysis {
    pub before: sides::Side,
    pub after: sides::Side,
    pub report: Report,
    /// The store the consumers came from; `None` when there was none to ask.
    pub store: Option<Box<dyn crate::store::Store>>,
    /// The project name asset keys are spelt with.
    pub project: String,
    /// Relation key (`orders`, `orders.v2`) → store asset key.
    pub asset_keys: std::collections::BTreeMap<String, String>,
    pub settings: compat::Settings,
    /// Relation keys whose readers could not be looked up (see [`crate::impact::ImpactSettings`]).
    pub unplaced: std::collections::BTreeSet<String>,
}

/// The relation key of the relation a finding is about (`orders`, `orders.v2`).
pub fn relation_key(f: &compat::Finding) -> String {
    match &f.version {
        Some(v) => format!("{}.v{v}", f.node),
        None => f.node.clone(),
    }
}

impl Analysis {
    /// Breaking findings on relations whose readers could not be looked up: nobody can ack
    /// them, and nobody can be shown not to read them.
    pub fn unplaced_breaks(&self) -> usize {
        self.report
            .findings
            .iter()
            .filter(|f| f.is_breaking() && f.impacted.is_empty())
            .filter(|f| self.unplaced.contains(&relation_key(f)))
            .count()
    }

    /// Whether the store was consulted for consumers.
    pub fn consumers_known(&self) -> bool {
        self.store.is_some()
    }

    /// The store's key of the asset a finding is about, as `sync` spells it.
    pub fn store_key(&self, f: &compat::Finding) -> String {
        let key = relation_key(f);
        self.asset_keys.get(&key).cloned().unwrap_or(key)
    }
}

/// Reads both sides, diffs them and names the impacted consumers. `require_store` turns a missing
/// store from a warning into an error, for commands that cannot work without one.
pub fn analyze(
    args: &Args,
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
    require_store: bool,
) -> crate::error::Result<Analysis> {
    let today = ctx.today()?;
    let (mut before, mut after) = sides::load(args, ctx, cfg)?;
    let warehouse = super::settings::warehouse(
        &cfg.config,
        after.adapter.as_deref().or(before.adapter.as_deref()),
    );
    let settings = super::settings::compat_settings(&cfg.config, warehouse, today);
    // Asset keys must be spelt as `sync` spells them: the configured project, else the dbt name.
    let project = cfg
        .config
        .project()
        .or(after.dbt_name.as_deref())
        .or(before.dbt_name.as_deref())
        .unwrap_or("")
        .to_string();
    let store = open_store(ctx, cfg, require_store)?;
    if let Some(store) = &store {
        identity::place_from_store(
            store.as_ref(),
            &project,
            &mut [&mut before.project, &mut after.project],
        )?;
    }

    let keys = select::relevant_keys(args, ctx, cfg, &before, &after)?;
    output_columns::pair(&mut before, &mut after, &keys, warehouse.dialect);
    sides::derive_compiled(&mut before, &mut after, warehouse.dialect);
    output_columns::catalog(args, ctx, cfg, &mut before, &mut after)?;
    ephemeral::mark(&before, &mut after);
    let b_aside = select::set_aside(&mut before.project, &keys);
    let a_aside = select::set_aside(&mut after.project, &keys);
    let (b, a) = (&before.project, &after.project);
    let report = compat::diff(b, a, &settings);
    let d = settings.warehouse.dialect;
    let asset_keys = b
        .relations
        .values()
        .chain(a.relations.values())
        .map(|r| (r.key(), super::sync::asset_key(r, &project, d)))
        .collect();
    let (report, unplaced) = match &store {
        Some(store) => impact(report, ctx, cfg, store.as_ref(), &project, b, a, &settings)?,
        None => (report, Default::default()),
    };
    select::rejoin(&mut before.project, b_aside);
    select::rejoin(&mut after.project, a_aside);
    Ok(Analysis {
        unplaced,
        before,
        after,
        report,
        store,
        project,
        asset_keys,
        settings,
    })
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let analysis = analyze(args, ctx, &cfg, false)?;
    let consumers_known = analysis.consumers_known();
    let Analysis {
        before,
        after,
        report,
        ..
    } = &analysis;
    warn_once(ctx, before, after);
    reads::warn_missing(ctx, &cfg, &analysis)?;
    output_columns::notes(
        ctx,
        report,
        &after.project,
        analysis.settings.warehouse.dialect,
    );
    cast_types::notes(ctx, report, &after.project, &analysis.settings.warehouse);
    let fail_on = match args.fail_on {
        Some(FailOn::Err) => Level::Err,
        Some(FailOn::Warn) => Level::Warn,
        None => super::settings::fail_on(&cfg.config),
    };
    render(
        args.format,
        report,
        fail_on,
        consumers_known,
        (before, after),
    )?;
    let verdict = status(report, fail_on);
    if verdict == ExitStatus::Findings && args.format == Format::Human {
        ctx.note(WHAT_NEXT);
    }
    // The process ends with this command. Freeing both sides' relations one allocation at a
    // time (a 58 MB manifest makes about a million) was 8% of a manifest comparison; the OS
    // takes the memory back at once. The store is still closed properly.
    std::mem::forget((analysis.before, analysis.after));
    Ok(verdict)
}

/// After a blocked check (a pre-commit hook, most often): how to let a break through on purpose.
const WHAT_NEXT: &str = "this change breaks a contract. If the break is meant to happen:
  - a rename: put `meta: {tessera: {renamed_from: old_name}}` on the new column, so readers are told;
  - a removal: deprecate first with `meta: {tessera: {deprecation_date: YYYY-MM-DD}}` and remove it after that date;
  - or commit anyway (`git commit --no-verify`) and open the pull request: `tessera impact --propose` in CI asks each impacted team to acknowledge, and the merge waits for them.";

/// The same problem usually exists on both sides: say it once.
pub fn warn_once(ctx: &Context, before: &sides::Side, after: &sides::Side) {
    let warnings: std::collections::BTreeSet<&String> =
        before.warnings.iter().chain(&after.warnings).collect();
    for w in warnings {
        ctx.warn(w);
    }
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
/// The store to ask for consumers, when there is one. Without it (none synced yet, or a remote
/// one this build cannot reach) the consumer list is unknown and the severities stay as the
/// engine gave them; `require_store` makes that an error instead.
fn open_store(
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
    require_store: bool,
) -> crate::error::Result<Option<Box<dyn crate::store::Store>>> {
    let loc = super::store::location(ctx, cfg);
    match &loc {
        super::store::Location::Sqlite(p) if p.exists() => {
            Ok(Some(super::store::open(&loc, false)?))
        }
        // An unknown scheme is a mistake to report, not a store to go without.
        super::store::Location::Unsupported { .. } => Ok(Some(super::store::open(&loc, false)?)),
        // The store's own error says where it looked and how to create one.
        _ if require_store => Ok(Some(super::store::open(&loc, false)?)),
        // A server that cannot be reached leaves the consumers unknown, as a missing file does.
        super::store::Location::Remote(_) => match super::store::open(&loc, false) {
            Ok(store) => Ok(Some(store)),
            Err(e) => {
                ctx.warn(&format!("{e}: the consumer list is unknown"));
                Ok(None)
            }
        },
        _ => {
            ctx.warn(&format!("no coordination store at {}: the consumer list is unknown (run `tessera sync` on main to create it)", loc.describe()));
            Ok(None)
        }
    }
}

/// Names who each finding hurts, from the store's consumer registrations.
#[allow(clippy::too_many_arguments)]
fn impact(
    report: Report,
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
    store: &dyn crate::store::Store,
    project: &str,
    before: &crate::contract::Project,
    after: &crate::contract::Project,
    settings: &compat::Settings,
) -> crate::error::Result<(Report, std::collections::BTreeSet<String>)> {
    let loc = super::store::location(ctx, cfg);
    let d = settings.warehouse.dialect;
    let synced = store.projects()?.iter().any(|p| p.name == project);
    let report = transitive::against_history(report, store, ctx, project, after, settings)?;
    let mut uses = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut unplaced = std::collections::BTreeSet::new();
    for r in before.relations.values().chain(after.relations.values()) {
        let key = super::sync::asset_key(r, project, d);
        if !seen.insert((key.clone(), r.key())) {
            continue;
        }
        if !synced || !super::sync::is_placed(&key) {
            unplaced.insert(r.key());
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
    warn_unplaced(ctx, &report, &unplaced, synced, project, &loc.describe());
    let impact_settings = crate::impact::ImpactSettings {
        authoritative: cfg.config.compatibility.consumer_registry.authoritative,
        warehouse: settings.warehouse,
        unplaced,
    };
    let report = crate::impact::apply(report, &uses, &impact_settings, after);
    Ok((report, impact_settings.unplaced))
}

/// One warning per run for the relations whose breaks could not be judged against their
/// readers, naming those that have findings, with the one-line fix.
fn warn_unplaced(
    ctx: &Context,
    report: &Report,
    unplaced: &std::collections::BTreeSet<String>,
    synced: bool,
    project: &str,
    store: &str,
) {
    let mut names: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.counts() && f.severity == Level::Err)
        .map(relation_key)
        .filter(|k| unplaced.contains(k))
        .collect();
    names.dedup();
    if names.is_empty() {
        return;
    }
    let shown = match names.len() {
        n if n <= 8 => names.join(", "),
        n => format!("{} and {} more", names[..8].join(", "), n - 8),
    };
    if !synced {
        ctx.warn(&format!(
            "project `{project}` has never synced to {store}, so nobody can be ruled out as a \
             reader of {shown}: their breaks keep their severity. Fix: run `tessera sync` on main"
        ));
    } else {
        ctx.warn(&format!(
            "could not tell where {shown} land in the warehouse, so their readers are unknown \
             and their breaks keep their severity. Fix: set `dbt.target: {{database: …, schema: \
             …}}` in tessera.yaml, put the dbt profiles.yml where dbt finds it, or pass \
             --manifest target/manifest.json"
        ));
    }
}

/// What placed the relation a finding is about (`manifest`, `profile`, …), from the head side,
/// else the base side for a relation the change removes.
pub fn placed_by(f: &compat::Finding, sides: (&sides::Side, &sides::Side)) -> Option<&'static str> {
    let key = relation_key(f);
    let r = sides.1.project.get(&key).or(sides.0.project.get(&key))?;
    Some(identity::source_of(r).name())
}

pub(crate) fn render(
    format: Format,
    report: &Report,
    fail_on: Level,
    consumers_known: bool,
    (base_side, head_side): (&sides::Side, &sides::Side),
) -> Result<(), Error> {
    let (base, head) = (base_side.label.as_str(), head_side.label.as_str());
    let mut modes: Vec<(String, compat::Mode)> = Vec::new();
    for f in &report.findings {
        if !modes.iter().any(|(a, _)| *a == f.asset) {
            modes.push((f.asset.clone(), f.mode));
        }
    }
    let locator = head_side.locator();
    let locate = |f: &compat::Finding| locator.locate(f);
    let pinned = crate::env::pinned_today();
    let placed = |f: &compat::Finding| placed_by(f, (base_side, head_side));
    let input = RenderInput {
        placed_by: &placed,
        report,
        command: "check",
        base: Some(base),
        head: Some(head),
        fail_on,
        consumers_known,
        modes,
        color: super::context::stdout_color(),
        locate: &locate,
        today_pinned: pinned.as_deref(),
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
