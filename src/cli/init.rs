//! `tessera init`: writes a first `tessera.yaml` from what the repository already says (the dbt
//! project, its groups and profile, git's user and the SSH key `ack` would sign with), with every
//! key explained, so a team's first check is minutes away rather than an afternoon of reading.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use crate::contract::{Access, ResourceType};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::git::WorkTree;

use super::context::Context;
use super::coord;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  tessera init                  # a producer: publishes its public (or enforced) models as contracts
  tessera init --consumer       # a repository that only reads other teams' tables
  tessera init --dbt-dir transform --owner team-finance")]
pub struct Args {
    /// A repository that only reads other teams' tables: it publishes no contracts, and its dbt
    /// sources become what it consumes
    #[arg(long)]
    pub consumer: bool,
    /// The directory holding dbt_project.yml (default: `.`, else the one directory below that has
    /// it)
    #[arg(long, value_name = "DIR")]
    pub dbt_dir: Option<String>,
    /// The owning team (default: the dbt group that owns most models, else `team-<project>`)
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// SSH public key to register for you (default: the key `tessera ack` would sign with)
    #[arg(long, value_name = "PATH")]
    pub key: Option<String>,
}

/// What `init` learned, before it is written out.
struct Draft {
    project: String,
    owner: String,
    dbt_dir: String,
    warehouse: Option<String>,
    /// Where the warehouse came from, for the comment.
    warehouse_from: String,
    contracts: &'static str,
    contracts_why: String,
    /// dbt groups: (name, owner email).
    teams: Vec<(String, Option<String>)>,
    user: Option<(String, Option<String>)>,
    ssh_key: Result<String, String>,
    /// Source relations a consumer reads, for its comment.
    sources: Vec<String>,
}

pub fn run(args: &Args, ctx: &Context) -> crate::error::Result<ExitStatus> {
    let root = crate::git::Repo::discover(&ctx.cwd)
        .map(|r| r.root().to_path_buf())
        .unwrap_or_else(|_| ctx.cwd.clone());
    let target = root.join("tessera.yaml");
    if target.exists() {
        return Err(Error::Usage {
            message: format!("{} already exists; init never overwrites it", target.display()),
            help: "edit it by hand (every key is described in tessera.yaml.example), or move it away and run `tessera init` again".into(),
        }
        .into());
    }
    let draft = survey(args, ctx, &root)?;
    let text = render(&draft, args.consumer);
    write_new(&target, &text)?;
    let mut next = format!("wrote {}\n\nnext:\n", target.display());
    let _ = writeln!(
        next,
        "  1. tessera sync          # on main: registers {} in the store",
        if args.consumer {
            "what this project reads"
        } else {
            "this project's contracts"
        }
    );
    let _ = writeln!(
        next,
        "  2. tessera check         # before a commit: what your change breaks, and for whom"
    );
    let _ = writeln!(
        next,
        "  3. tessera hook install  # run check on every commit (or add the pre-commit hook from the README)"
    );
    crate::output::print(&next)?;
    Ok(ExitStatus::Success)
}

/// Creates the file; never replaces one that appeared meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::Usage {
            message: format!("could not create {}: {e}", path.display()),
            help: "check that the directory is writable and that no tessera.yaml exists".into(),
        })?;
    f.write_all(text.as_bytes()).map_err(Error::Output)
}

fn survey(args: &Args, ctx: &Context, root: &Path) -> crate::error::Result<Draft> {
    let dbt_dir = match &args.dbt_dir {
        Some(d) => d.trim_end_matches('/').to_string(),
        None => find_dbt_dir(root).ok_or_else(|| Error::Usage {
            message: format!("no dbt_project.yml in {} or the directories below it", root.display()),
            help: "run `tessera init` at the root of a dbt project's repository, or pass --dbt-dir DIR".into(),
        })?,
    };
    let tree = WorkTree::new(root.to_path_buf());
    let dbt = crate::dbt::read_project(&tree, &dbt_dir)?;

    // Who owns the models: dbt groups first, then `meta.owner` values that name a team.
    let mut owned: BTreeMap<String, usize> = BTreeMap::new();
    let mut meta_owners: BTreeMap<String, usize> = BTreeMap::new();
    let (mut public, mut enforced) = (0, 0);
    let mut sources = Vec::new();
    for r in dbt.relations.relations.values() {
        if r.resource_type == ResourceType::Source {
            sources.push(r.name.clone());
            continue;
        }
        if let Some(g) = &r.group {
            *owned.entry(g.clone()).or_default() += 1;
        }
        if let Some(o) = r.owner.as_ref().filter(|o| !o.contains('@')) {
            *meta_owners.entry(o.clone()).or_default() += 1;
        }
        public += usize::from(r.access == Some(Access::Public));
        enforced += usize::from(r.contract_enforced);
    }
    let owner = args
        .owner
        .clone()
        .or_else(|| {
            owned
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(g, _)| g.clone())
        })
        .or_else(|| dbt.groups.first().map(|g| g.name.clone()))
        .or_else(|| {
            meta_owners
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(o, _)| o.clone())
        })
        .unwrap_or_else(|| format!("team-{}", dbt.name.replace('_', "-")));
    let (contracts, contracts_why) = match (public, enforced) {
        (0, 0) => (
            "all",
            "no model is `access: public` or contract-enforced yet, so every model is one".into(),
        ),
        (p, _) if p > 0 => ("public", format!("{p} model(s) are `access: public`")),
        (_, e) => ("enforced", format!("{e} model(s) enforce a dbt contract")),
    };
    let (warehouse, warehouse_from) = adapter(root, &dbt_dir, dbt.profile.as_deref());
    let user = coord::git_config(&ctx.cwd, "user.email")
        .map(|email| (email, coord::git_config(&ctx.cwd, "user.name")));
    let ssh_key = super::ack::signing_key(ctx, args.key.as_deref())
        .map_err(|e| e.to_string())
        .and_then(|(source, origin)| {
            crate::sign::public_key_of(&source, origin)
                .map_err(|e| e.to_string())
                .and_then(|k| k.to_openssh().map_err(|e| e.to_string()))
        });
    sources.sort();
    Ok(Draft {
        project: dbt.name.clone(),
        owner,
        dbt_dir,
        warehouse,
        warehouse_from,
        contracts,
        contracts_why,
        teams: dbt
            .groups
            .iter()
            .map(|g| (g.name.clone(), g.owner_email.clone()))
            .collect(),
        user,
        ssh_key,
        sources,
    })
}

/// `.` when dbt_project.yml is at the top, else the first directory one level down that has it.
fn find_dbt_dir(root: &Path) -> Option<String> {
    if root.join("dbt_project.yml").is_file() {
        return Some(".".into());
    }
    let mut dirs: Vec<String> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("dbt_project.yml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    dirs.sort();
    dirs.into_iter().next()
}

/// The adapter type of the profile's default target, from the first profiles.yml where dbt would
/// look: `DBT_PROFILES_DIR`, the project directory, then `~/.dbt`.
fn adapter(root: &Path, dbt_dir: &str, profile: Option<&str>) -> (Option<String>, String) {
    let Some(profile) = profile else {
        return (None, "dbt_project.yml names no profile".into());
    };
    let mut places: Vec<std::path::PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("DBT_PROFILES_DIR") {
        places.push(d.into());
    }
    places.push(root.join(dbt_dir));
    if let Some(home) = std::env::var_os("HOME") {
        places.push(Path::new(&home).join(".dbt"));
    }
    for dir in places {
        let path = dir.join("profiles.yml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = serde_saphyr::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let p = &doc[profile];
        let target = std::env::var("DBT_TARGET")
            .ok()
            .or_else(|| p["target"].as_str().map(str::to_string))
            .unwrap_or_else(|| "dev".into());
        if let Some(kind) = p["outputs"][&target]["type"].as_str() {
            return (
                Some(kind.to_lowercase()),
                format!(
                    "profile `{profile}`, target `{target}` in {}",
                    path.display()
                ),
            );
        }
    }
    (
        None,
        format!("no profiles.yml with profile `{profile}` was found"),
    )
}

/// The file, each key with a line on what it does.
fn render(d: &Draft, consumer: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# tessera.yaml, written by `tessera init`. Every key: see tessera.yaml.example.\n"
    );
    let _ = writeln!(
        s,
        "# This repository's name in the coordination store (from dbt_project.yml). Keep it stable."
    );
    let _ = writeln!(s, "project: {}\n", yaml_scalar(&d.project));
    let _ = writeln!(
        s,
        "# The team that owns what this repository declares, and reads what it consumes."
    );
    let _ = writeln!(s, "owner: {}\n", yaml_scalar(&d.owner));
    let _ = writeln!(
        s,
        "# Shared state: who reads what, proposals and signed acks. Never commit the file."
    );
    let _ = writeln!(s, "store: sqlite:.tessera/tessera.db\n");
    match &d.warehouse {
        Some(w) => {
            let _ = writeln!(
                s,
                "# Dialect for type rules and identifier case ({}).",
                d.warehouse_from
            );
            let _ = writeln!(s, "warehouse: {}\n", yaml_scalar(w));
        }
        None => {
            let _ = writeln!(
                s,
                "# Dialect for type rules and identifier case: {}. Set it, e.g.:",
                d.warehouse_from
            );
            let _ = writeln!(s, "# warehouse: snowflake\n");
        }
    }
    let _ = writeln!(s, "dbt:");
    let _ = writeln!(s, "  # The directory holding dbt_project.yml.");
    let _ = writeln!(s, "  project_dir: {}", yaml_scalar(&d.dbt_dir));
    if consumer {
        let _ = writeln!(
            s,
            "  # Contracts this repository publishes: none, it only reads other teams' tables."
        );
        let _ = writeln!(s, "  contracts: []");
        if !d.sources.is_empty() {
            let _ = writeln!(
                s,
                "  # `tessera sync` registers this team as a reader of its dbt sources, with the"
            );
            let _ = writeln!(s, "  # columns its SQL selects: {}", d.sources.join(", "));
        }
    } else {
        let _ = writeln!(
            s,
            "  # Contracts other teams may rely on (all | public | enforced | [dbt selectors]): {}.",
            d.contracts_why
        );
        let _ = writeln!(s, "  contracts: {}", d.contracts);
    }
    s.push('\n');
    let _ = writeln!(s, "# Teams, and who may sign acknowledgments for them.");
    let _ = writeln!(s, "teams:");
    let mut listed = false;
    for (name, email) in &d.teams {
        listed |= *name == d.owner;
        match email {
            Some(e) => {
                let _ = writeln!(
                    s,
                    "  - {{name: {}, email: {}}}",
                    yaml_scalar(name),
                    yaml_scalar(e)
                );
            }
            None => {
                let _ = writeln!(s, "  - {{name: {}}}", yaml_scalar(name));
            }
        }
    }
    if !listed {
        let _ = writeln!(s, "  - {{name: {}}}", yaml_scalar(&d.owner));
    }
    let _ = writeln!(
        s,
        "# Members sign acks with SSH keys (`ssh-keygen -t ed25519`); add each teammate's public key."
    );
    let _ = writeln!(s, "users:");
    match &d.user {
        Some((email, name)) => {
            let _ = writeln!(s, "  - email: {}", yaml_scalar(email));
            if let Some(n) = name {
                let _ = writeln!(s, "    name: {}", yaml_scalar(n));
            }
            let _ = writeln!(s, "    teams: [{}]", yaml_scalar(&d.owner));
            match &d.ssh_key {
                Ok(k) => {
                    let _ = writeln!(s, "    ssh_keys: [{}]", yaml_quoted(k));
                }
                Err(why) => {
                    let _ = writeln!(
                        s,
                        "    # no SSH key found ({}); `ssh-keygen -t ed25519`, then:",
                        one_line(why)
                    );
                    let _ = writeln!(s, "    # ssh_keys: [\"ssh-ed25519 AAAA… you@laptop\"]");
                }
            }
        }
        None => {
            let _ = writeln!(
                s,
                "  # git has no user.email here; add yourself:\n  # - {{email: you@example.com, teams: [{}], ssh_keys: [\"ssh-ed25519 AAAA…\"]}}",
                d.owner
            );
        }
    }
    s
}

fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

/// A plain YAML scalar when it is one, else a double-quoted string.
fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '/'))
        && (v == "." || !v.starts_with(['-', '.', '@']));
    if plain { v.to_string() } else { yaml_quoted(v) }
}

fn yaml_quoted(v: &str) -> String {
    serde_json::Value::String(v.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_only_when_yaml_needs_it() {
        assert_eq!(yaml_scalar("team-bi"), "team-bi");
        assert_eq!(yaml_scalar("ana@example.com"), "ana@example.com");
        assert_eq!(yaml_scalar("Ana Lima"), "\"Ana Lima\"");
        assert_eq!(yaml_scalar("yes: no"), "\"yes: no\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}
