//! `tessera sync`: write this repository's declarations to the store, declaratively and
//! idempotently; record new contract versions; flag breaks nobody acknowledged.

mod branch;
mod declare;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

pub use declare::{asset_key, is_placed, key_from_name};

use crate::contract::Relation;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::escape::terminal;
use crate::store::{self, ProposalFilter, ProposalStatus, Store, Timestamp, kinds};

use super::check::sides;
use super::context::Context;

use crate::output::DataFormat as Format;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tessera sync                                        # on main, in CI, after every merge
  tessera sync --format json                          # what changed, for tools
  tessera sync --force --reason \"never populated\"     # a deliberate break without acks, on record")]
pub struct Args {
    /// Sync this revision instead of the working tree
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// dbt manifest.json with exposures and cross-project refs (default: `dbt.manifest` when it exists)
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<std::path::PathBuf>,
    /// Record breaking changes that no consumer approved, on purpose (needs --reason)
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Take over the project name or the `owner:` team that another repository or project
    /// claimed first (needs --reason; recorded in the event log and shown by `tessera status`)
    #[arg(long, requires = "reason")]
    pub takeover: bool,
    /// Why: kept in the event log with who forced the break or took the claim over
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Publish from a branch other than the default one, a commit that is not its tip, or a
    /// work tree with uncommitted changes
    #[arg(long)]
    pub allow_branch: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// `--manifest`, else `dbt.manifest` from tessera.yaml when that file exists (target/ is
/// usually absent on a fresh checkout, which is not an error).
fn manifest_path(
    args: &Args,
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
) -> Option<std::path::PathBuf> {
    if let Some(p) = &args.manifest {
        return Some(ctx.cwd.join(p));
    }
    let p = cfg
        .base_dir
        .join(&cfg.config.dbt.project_dir.value)
        .join(&cfg.config.dbt.manifest.as_ref()?.value);
    p.exists().then_some(p)
}

#[derive(Serialize)]
struct Output<'a> {
    schema_version: u32,
    store: String,
    outcome: &'a store::SyncOutcome,
    unacknowledged_breaks: Vec<String>,
    /// Proposals this sync marked published.
    published: Vec<serde_json::Value>,
    /// This project's registrations that match no asset in the store, with the nearest keys.
    unmatched: Vec<super::unmatched::Unmatched>,
    warnings: Vec<String>,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let cfg = ctx.config()?;
    let repo = preflight(args, ctx, &cfg)?;
    let today = ctx.today()?;
    let progress = crate::output::Progress::new("sync");
    progress.step("reading the dbt project");
    let mut side = sides::head_side(ctx, &cfg, args.head.as_deref())?;
    let project = cfg
        .config
        .project()
        .map(str::to_string)
        .or_else(|| side.dbt_name.clone())
        .ok_or_else(|| Error::Usage {
            message: "this repository has no project name".into(),
            help: "set `project: <name>` in tessera.yaml".into(),
        })?;
    let warehouse = super::settings::warehouse(&cfg.config, side.adapter.as_deref());
    let settings = super::settings::compat_settings(&cfg.config, warehouse, today);
    let d = warehouse.dialect;
    // The stored contract is the compared one: columns from the SQL, types from YAML or SQL.
    progress.step(&format!(
        "deriving the output columns of {} models",
        side.models.len()
    ));
    super::check::output_columns::one(&mut side, d);
    if let Some(path) = super::check::output_columns::catalog_path(None, ctx, &cfg) {
        crate::dbt::columns::Catalog::read(&path)?.apply(&mut side.project);
    }
    progress.step("opening the store");
    let loc = super::store::location(ctx, &cfg);
    let store = super::store::open(&loc, true)?;
    // Where each model lands: the manifest's word first, then the files (already applied), then
    // what the store recorded at the last sync.
    let manifest = manifest_path(args, ctx, &cfg)
        .map(|p| crate::dbt::read_manifest_file(&p))
        .transpose()?;
    if let Some(m) = &manifest {
        sides::enrich(&mut side, m);
    }
    super::check::identity::place_from_store(store.as_ref(), &project, &mut [&mut side.project])?;

    let mut owners = declare::Owners::new(&cfg.config);
    let mut assets = Vec::new();
    let mut unacknowledged = Vec::new();
    let contracts: Vec<&Relation> = side
        .project
        .relations
        .values()
        .filter(|r| super::check::select::is_contract(&cfg.config.dbt.contracts.value, r))
        // A dbt source is read, not produced, unless this project's team owns it.
        .filter(|r| super::check::select::publishes(&cfg.config, r))
        .collect();
    let mut own_keys = BTreeSet::new();
    let mut asset_owner = BTreeMap::new();
    for r in contracts {
        let key = asset_key(r, &project, d);
        own_keys.insert(key.clone());
        // meta.owner first; else the owner of the model's dbt group (email, then name).
        let group_owner = r
            .group
            .as_deref()
            .and_then(|g| side.groups.iter().find(|x| x.name == g))
            .and_then(|g| {
                g.owner_email
                    .clone()
                    .filter(|e| owners.team_of(Some(e)).is_some())
                    .or(g.owner_name.clone())
            });
        let (owner_team, owner_user) =
            owners.resolve(r.owner.as_deref().or(group_owner.as_deref()), &key);
        asset_owner.insert(r.key(), (key.clone(), owner_team.clone()));
        let (version, breaking) = declare::next_version(store.as_ref(), &key, r, &settings)?;
        let acknowledged = breaking && approved(store.as_ref(), &key)?;
        if breaking && !acknowledged {
            unacknowledged.push(key.clone());
        }
        let asset = store::Asset {
            key,
            project: String::new(),
            unique_id: r.unique_id.clone(),
            node: r.key(),
            owner_team,
            owner_user,
            mode: settings.mode_for(r).name().to_string(),
            resource_type: r.resource_type.name().to_string(),
            retired: false,
            identity: Some(super::check::identity::source_of(r).name().to_string()),
        };
        assets.push(declare::declared_asset(
            asset,
            r,
            version,
            breaking && !acknowledged,
        ));
    }
    let mut warnings = side.warnings.clone();
    for (value, on) in &owners.unmatched {
        warnings.push(format!(
            "owner `{value}` matches no user email, user name or team in tessera.yaml (on {}); using the default owner",
            on.join(", ")
        ));
    }
    let team = cfg.config.owner().unwrap_or(&project).to_string();
    let usage = source_usage(&side, d);
    let mut consumers = declare::consumes(&cfg.config, d);
    consumers.extend(declare::source_consumers(
        &side.project,
        &own_keys,
        &project,
        &team,
        d,
        &usage,
    ));
    consumers.extend(declare::monorepo_consumers(
        &side.project,
        &side.models,
        &owners,
        &asset_owner,
        d,
    ));
    if let Some(m) = &manifest {
        consumers.extend(declare::manifest_consumers(m, &owners, &team, &project, d));
    }
    let declaration = store::Declaration {
        project: project.clone(),
        owner: cfg.config.owner().map(str::to_string),
        teams: declare::teams(&cfg.config),
        users: declare::users(&cfg.config),
        assets,
        consumers,
        repository: store::Repository {
            root_commit: repo.root_commit(),
            remote_url: repo.origin_url(),
        },
        takeover: match (args.takeover, &args.reason) {
            (true, Some(reason)) => Some(store::Takeover {
                by: super::coord::actor(&ctx.cwd),
                reason: reason.clone(),
            }),
            _ => None,
        },
    };
    let commit = side.commit.clone();
    let now = super::coord::now(today);
    progress.step(&format!(
        "writing {} assets and {} registrations",
        declaration.assets.len(),
        declaration.consumers.len()
    ));
    let outcome = store.sync_project(&declaration, now, commit.as_deref())?;
    drop(progress);
    let took_over = outcome
        .claims
        .iter()
        .any(|c| [kinds::PROJECT_TAKEOVER, kinds::TEAM_TAKEOVER].contains(&c.kind.as_str()));
    if args.takeover && !took_over {
        warnings.push(
            "--takeover took nothing over: no other repository or project held these claims".into(),
        );
    }
    let forced = match (&args.force, &args.reason) {
        (true, Some(reason)) => Some((super::coord::actor(&ctx.cwd), reason.as_str())),
        _ => None,
    };
    let published = publish(
        store.as_ref(),
        &outcome,
        &unacknowledged,
        forced.clone(),
        now,
    )?;
    for w in &warnings {
        ctx.warn(w);
    }
    let unmatched = super::unmatched::find(store.as_ref(), Some(&project))?;
    match args.format {
        Format::Json => {
            let out = Output {
                schema_version: 1,
                store: loc.describe(),
                outcome: &outcome,
                unacknowledged_breaks: unacknowledged,
                published: published
                    .iter()
                    .map(|(id, asset, version)| {
                        serde_json::json!({"proposal": id, "asset": asset, "version": version})
                    })
                    .collect(),
                warnings,
                unmatched,
            };
            let v =
                serde_json::to_value(&out).map_err(|e| Error::Output(std::io::Error::other(e)))?;
            crate::output::print_json(&v)?;
        }
        Format::Human => {
            let mut text = summary(
                &project,
                &loc.describe(),
                &outcome,
                &unacknowledged,
                forced.is_some(),
            );
            for (id, asset, version) in &published {
                text.push_str(&format!(
                    "  proposal {} published: {} v{}\n",
                    terminal(id),
                    terminal(asset),
                    terminal(version)
                ));
            }
            if let Some((by, reason)) = &forced
                && !unacknowledged.is_empty()
            {
                text.push_str(&format!(
                    "  forced by {}: {} (recorded in the event log)\n",
                    terminal(by),
                    terminal(reason)
                ));
            }
            // They protect nobody until a producer syncs that key, so they are always shown.
            let lines: Vec<String> = unmatched.iter().map(super::unmatched::line).collect();
            match lines.len() {
                0 => {}
                n if n <= 8 => text.push_str(&format!(
                    "  registrations matching no asset yet: {}\n",
                    lines.join(", ")
                )),
                n => text.push_str(&format!(
                    "  registrations matching no asset yet: {} … and {} more (`tessera consumers --unmatched`)\n",
                    lines[..8].join(", "),
                    n - 8
                )),
            }
            crate::output::print(&text)?
        }
    }
    Ok(ExitStatus::Success)
}

/// What must hold before anything is read or written: valid flags, valid parties in
/// tessera.yaml, and a checkout of the default branch (unless `--allow-branch`).
fn preflight(
    args: &Args,
    ctx: &Context,
    cfg: &super::context::LoadedConfig,
) -> crate::error::Result<crate::git::Repo> {
    if args.reason.is_some() && !args.force && !args.takeover {
        return Err(Error::Usage {
            message: "--reason says why a break is forced or a claim taken over".into(),
            help: "add --force or --takeover, or drop --reason".into(),
        }
        .into());
    }
    if let Some(path) = &cfg.path {
        // Read again with its source text, so a bad entry is shown at its line. Checked before
        // the store is opened: nothing is written for a file that declares a bad party.
        crate::config::validate_parties(&crate::config::load(path)?)?;
    }
    let repo = crate::git::Repo::discover(&ctx.cwd)?;
    if !args.allow_branch {
        let dbt_dir = cfg.base_dir.join(&cfg.config.dbt.project_dir.value);
        branch::check(&repo, args.head.as_deref(), cfg.path.as_deref(), &dbt_dir)?;
    }
    Ok(repo)
}

/// Whether a proposal for this asset was approved by its consumers.
fn approved(store: &dyn Store, key: &str) -> crate::error::Result<bool> {
    let found = store.proposals(&ProposalFilter {
        asset: Some(key.to_string()),
        statuses: vec![ProposalStatus::Approved],
        ..ProposalFilter::default()
    })?;
    Ok(!found.is_empty())
}

/// Marks the proposal behind each new contract version published with that version: only the
/// one whose proposed contract is exactly what shipped. An unrelated commit that bumps the
/// version publishes nothing, so a pending proposal is never closed by a change it did not make
/// (its acks would be orphaned when the change gets a new proposal). A forced break also records who forced it and why, on the proposal and in the event log.
/// Returns (proposal, asset, version) for each proposal published.
fn publish(
    store: &dyn Store,
    outcome: &store::SyncOutcome,
    unacknowledged: &[String],
    forced: Option<(String, &str)>,
    now: Timestamp,
) -> crate::error::Result<Vec<(String, String, String)>> {
    let mut published = Vec::new();
    for v in outcome.versions.iter().filter(|v| v.previous.is_some()) {
        let open = store.proposals(&ProposalFilter {
            asset: Some(v.asset.clone()),
            statuses: ProposalStatus::OPEN.to_vec(),
            ..ProposalFilter::default()
        })?;
        let chosen = open.iter().find(|p| p.head_digest == v.digest);
        let unacked = unacknowledged.contains(&v.asset);
        let force = forced.as_ref().filter(|_| unacked);
        if let Some((by, reason)) = force {
            let detail = serde_json::json!({
                "asset": v.asset,
                "version": v.version,
                "by": by,
                "reason": reason,
                "proposal": chosen.map(|p| p.id.clone()),
            });
            store.append_event(&store::Event {
                id: 0,
                at: now,
                kind: FORCED.into(),
                project: Some(outcome.project.clone()),
                subject: Some(chosen.map_or_else(|| v.asset.clone(), |p| p.id.clone())),
                detail_json: detail.to_string(),
            })?;
        }
        if let Some(p) = chosen {
            let mut p = p.clone();
            p.status = ProposalStatus::Published;
            p.published_version = Some(v.version.clone());
            p.updated_at = now;
            if let Some((by, reason)) = force {
                p.force_reason = Some(format!("{reason} (forced by {by})"));
            }
            store.put_proposal(&p)?;
            published.push((p.id, v.asset.clone(), v.version.clone()));
        }
    }
    Ok(published)
}

/// A break recorded on purpose with `sync --force --reason`.
pub const FORCED: &str = "contract.forced";

/// Source name (`shop.orders`) → columns its models read (None = all of them).
pub(crate) fn source_usage(
    side: &sides::Side,
    d: crate::contract::Dialect,
) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let mut out: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    for m in &side.models {
        for u in crate::dbt::usage::column_usage(&m.sql, d) {
            let crate::dbt::usage::Upstream::Source { source, table } = &u.upstream else {
                continue;
            };
            let entry = out
                .entry(format!("{source}.{table}"))
                .or_insert_with(|| Some(BTreeSet::new()));
            match (&u.columns, entry.as_mut()) {
                (crate::dbt::usage::ColumnSet::Columns(cols), Some(set)) => {
                    set.extend(cols.iter().cloned())
                }
                (crate::dbt::usage::ColumnSet::All { .. }, _) => *entry = None,
                (_, None) => {}
            }
        }
    }
    out
}

fn summary(
    project: &str,
    store: &str,
    o: &store::SyncOutcome,
    unacknowledged: &[String],
    forced: bool,
) -> String {
    let mut s = String::new();
    let (project, store) = (terminal(project), terminal(store));
    if !o.changed {
        return format!("{project}: already in sync with {store}; nothing changed\n");
    }
    s.push_str(&format!("{project} → {store}\n"));
    // A first sync can register thousands of things: name a few, count the rest. Each item is
    // one line of names from repositories, so it is escaped for the terminal as a whole.
    let list = |label: &str, items: &[String]| {
        let shown = |items: &[String]| {
            items
                .iter()
                .map(|i| terminal(i))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match items.len() {
            0 => String::new(),
            n if n <= 8 => format!("  {label}: {}\n", shown(items)),
            n => format!(
                "  {label}: {} … and {} more (--format json lists them all)\n",
                shown(&items[..8]),
                n - 8
            ),
        }
    };
    s.push_str(&list("assets added", &o.assets.created));
    s.push_str(&list("assets updated", &o.assets.updated));
    s.push_str(&list("assets retired", &o.assets.retired));
    let versions: Vec<String> = o
        .versions
        .iter()
        .map(|v| format!("{} v{}", v.asset, v.version))
        .collect();
    s.push_str(&list("new contract versions", &versions));
    let regs: Vec<String> = o
        .consumers
        .registered
        .iter()
        .map(|c| format!("{} reads {}", c.team, c.asset))
        .collect();
    s.push_str(&list("consumers registered", &regs));
    let retired: Vec<String> = o
        .consumers
        .retired
        .iter()
        .map(|c| format!("{} no longer reads {}", c.team, c.asset))
        .collect();
    s.push_str(&list("consumers retired", &retired));
    let linked: Vec<String> = o
        .linked
        .iter()
        .map(|c| format!("{} ({})", c.asset, c.team))
        .collect();
    s.push_str(&list("consumers linked to new assets", &linked));
    // A first claim is routine (`status` lists them); moving one is worth a line of its own.
    for c in o.claims.iter().filter(|c| {
        [
            kinds::PROJECT_TAKEOVER,
            kinds::TEAM_TAKEOVER,
            kinds::TEAM_RELEASED,
        ]
        .contains(&c.kind.as_str())
    }) {
        s.push_str(&format!("  {}\n", c.summary));
    }
    if !unacknowledged.is_empty() {
        let how = if forced {
            "recorded on purpose (--force)"
        } else {
            "recorded and flagged in the event log"
        };
        s.push_str(&format!(
            "\n{} breaking change(s) without an approved proposal were {how}: {}\n",
            unacknowledged.len(),
            terminal(&unacknowledged.join(", "))
        ));
    }
    s
}
