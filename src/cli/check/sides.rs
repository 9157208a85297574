//! The two sides of a change: dbt property files (and hand-declared assets) at a git revision or
//! in the working tree, optionally enriched by manifests; or two manifests on their own.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::compat::Finding;
use crate::config::{self, Config};
use crate::contract::{Project, Relation};
use crate::dbt::{self, DbtError};
use crate::git::{FileTree, GitError, Repo};

use super::super::context::{Context, LoadedConfig};
use super::Args;

pub struct Side {
    pub project: Project,
    pub label: String,
    /// Declaring file → relation keys, for PATHS filtering.
    pub files: BTreeMap<String, Vec<String>>,
    pub adapter: Option<String>,
    pub warnings: Vec<String>,
    /// Where repository-relative files of this side can be read from disk (working tree only).
    pub disk_root: Option<PathBuf>,
    /// Repository-relative directory of the dbt project, to turn `Relation::file` into a path.
    pub project_dir: String,
    /// The dbt project's `name:`.
    pub dbt_name: Option<String>,
    /// Every model's SQL, for column usage.
    pub models: Vec<crate::dbt::ModelSource>,
    /// The commit this side was read from (HEAD for the working tree).
    pub commit: Option<String>,
    /// dbt groups and their owners.
    pub groups: Vec<crate::dbt::Group>,
    /// The dbt profile `dbt_project.yml` names.
    pub profile: Option<String>,
    /// The project's `generate_*_name` overrides.
    pub naming: crate::dbt::identity::Overrides,
    /// The project's macros and vars, to render model SQL (`None` without a dbt project).
    pub macros: Option<crate::dbt::columns::Macros>,
    /// Models' compiled SQL, when this side is a manifest that carries it.
    pub compiled: Option<crate::dbt::manifest::CompiledCode>,
    /// Repository paths that differ from the base (on the new side of a check); `None` when
    /// unknown, or when `dbt_project.yml` changed and so everything may have.
    pub changed: Option<BTreeSet<String>>,
}

impl Side {
    fn empty(label: String) -> Side {
        Side {
            project: Project::default(),
            label,
            files: BTreeMap::new(),
            adapter: None,
            warnings: Vec::new(),
            disk_root: None,
            project_dir: String::new(),
            dbt_name: None,
            models: Vec::new(),
            commit: None,
            groups: Vec::new(),
            profile: None,
            naming: Default::default(),
            macros: None,
            compiled: None,
            changed: None,
        }
    }

    /// Finds the file and line findings point at, reading each property file once.
    pub fn locator(&self) -> Locator<'_> {
        Locator {
            side: self,
            files: RefCell::new(HashMap::new()),
        }
    }
}

/// The file and line a finding points at, for annotations: the column's (or relation's) `name:`
/// line in the property file that declares it. Each file is read and indexed by name once, so
/// locating every finding stays linear in their number (it was a read and a scan per finding).
pub struct Locator<'a> {
    side: &'a Side,
    /// Repository-relative path → the 0-based lines of each `name:` value, ascending; `None`
    /// when the file cannot be read.
    files: RefCell<HashMap<String, Option<Rc<NameLines>>>>,
}

type NameLines = HashMap<String, Vec<usize>>;

impl Locator<'_> {
    pub fn locate(&self, f: &Finding) -> Option<(String, usize)> {
        let file = f.file.as_deref()?;
        let rel_path = join(&self.side.project_dir, file);
        let names = self.names(&rel_path)?;
        let relation_name = f.node.rsplit('.').next().unwrap_or(&f.node);
        let column = f.path.split(['.', '[', '{']).next().unwrap_or("");
        let rel_line = *names.get(relation_name)?.first()?;
        let line = if column.is_empty() {
            rel_line
        } else {
            // The first declaration of the column after its relation's.
            names
                .get(column)
                .and_then(|lines| lines.get(lines.partition_point(|l| *l <= rel_line)))
                .copied()
                .unwrap_or(rel_line)
        };
        Some((rel_path, line + 1))
    }

    fn names(&self, rel_path: &str) -> Option<Rc<NameLines>> {
        if let Some(cached) = self.files.borrow().get(rel_path) {
            return cached.clone();
        }
        let index = self
            .side
            .disk_root
            .as_ref()
            .and_then(|root| std::fs::read_to_string(root.join(rel_path)).ok())
            .map(|text| Rc::new(name_lines(&text)));
        self.files
            .borrow_mut()
            .insert(rel_path.to_string(), index.clone());
        index
    }
}

fn name_lines(text: &str) -> NameLines {
    let mut out: NameLines = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start().trim_start_matches("- ").trim_start();
        if let Some(v) = t.strip_prefix("name:") {
            let name = v.trim().trim_matches(['"', '\'']);
            out.entry(name.to_string()).or_default().push(i);
        }
    }
    out
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() || dir == "." || file.starts_with(&format!("{dir}/")) {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

pub fn load(args: &Args, ctx: &Context, cfg: &LoadedConfig) -> crate::error::Result<(Side, Side)> {
    if let (Some(bm), Some(hm)) = (&args.base_manifest, &args.manifest) {
        let (bp, hp) = (ctx.cwd.join(bm), ctx.cwd.join(hm));
        let (base, head) = dbt::read_manifest_pair(&bp, &hp);
        return Ok((manifest_side(&bp, base?), manifest_side(&hp, head?)));
    }
    let repo = Repo::discover(&ctx.cwd)?;
    // The first commit of a repository has no HEAD to compare with: everything is new, so a
    // pre-commit hook does not block it.
    let base_tree = match repo.tree_at(&args.base) {
        Err(GitError::UnknownRevision { .. }) if args.base == "HEAD" && head_unborn(&ctx.cwd) => {
            None
        }
        tree => Some(tree?),
    };
    let staged = if args.staged {
        Some(index_tree(&ctx.cwd)?)
    } else {
        None
    };
    let head_rev = args.head.as_ref().or(staged.as_ref());
    // Only what changed needs reading; with no base there is nothing to narrow against.
    let narrow = base_tree
        .as_ref()
        .and_then(|_| scope(args, ctx, &repo, cfg, head_rev.map(String::as_str)));
    // A model's output reaches every model that selects `*` from it, and a macro every model
    // that calls it: a changed SQL (or Python model) file needs the whole project read. If some
    // file the change did not touch cannot be read, the change is still checked, within the
    // files it touched. A seed's CSV is its output as a model's SQL is, and reaches as far.
    let sql_changed = narrow.as_ref().is_some_and(|files| {
        files
            .iter()
            .any(|f| f.ends_with(".sql") || f.ends_with(".py") || f.ends_with(".csv"))
    });
    // What the diff touched, PATHS or not: a changed file outside PATHS is still compared
    // when PATHS hold a SQL file, so its models must be read and derived.
    let changed = match (&base_tree, args.paths.is_empty()) {
        (None, _) => None,
        (Some(_), true) => narrow.clone(),
        (Some(_), false) => changed_paths(repo.root(), &args.base, head_rev.map(String::as_str))
            .ok()
            .filter(|files| !files.iter().any(|f| f.ends_with("dbt_project.yml"))),
    };
    // A SQL change is read as far as it reaches (see `dbt::sql_change_scope`), when that can
    // be told; else the whole project is read.
    let reach = match (&changed, &narrow, sql_changed) {
        (Some(changed), Some(narrow), true) => {
            sql_reach(&repo, base_tree.as_ref(), head_rev, cfg, changed)
                .map(|r| r.union(narrow).cloned().collect::<BTreeSet<String>>())
        }
        _ => None,
    };
    let mut used = reach
        .as_ref()
        .or_else(|| narrow.as_ref().filter(|_| !sql_changed));
    let (mut before, mut after) = match read_sides(&repo, base_tree.as_ref(), head_rev, cfg, used) {
        Err(e) if sql_changed => {
            ctx.warn(&format!(
                "{e}; the SQL change is followed only into the models of the changed files"
            ));
            used = narrow.as_ref();
            read_sides(&repo, base_tree.as_ref(), head_rev, cfg, used)?
        }
        sides => sides?,
    };
    if let Some(wider) = used.and_then(|s| widened(s, &before, &after)) {
        (before, after) = read_sides(&repo, base_tree.as_ref(), head_rev, cfg, Some(&wider))?;
    }
    after.changed = changed;
    let mut warnings = Vec::new();
    let profile = after.profile.clone().or_else(|| before.profile.clone());
    let target = super::identity::target(ctx, cfg, profile.as_deref(), &mut warnings);
    super::identity::place(&mut before, target.as_ref());
    super::identity::place(&mut after, target.as_ref());
    after.warnings.extend(warnings);
    let head_manifest = args
        .manifest
        .as_ref()
        .map(|m| dbt::read_manifest_file(&ctx.cwd.join(m)))
        .transpose()?;
    let base_manifest = args
        .base_manifest
        .as_ref()
        .map(|m| dbt::read_manifest_file(&ctx.cwd.join(m)))
        .transpose()?;
    // Without a base manifest the head's one still fills relation names on both sides, so a
    // name the YAML never states does not look like a move.
    if let Some(m) = base_manifest.as_ref().or(head_manifest.as_ref()) {
        enrich(&mut before, m);
    }
    if let Some(m) = &head_manifest {
        enrich(&mut after, m);
    }
    Ok((before, after))
}

/// The files a SQL change reaches on either side, or `None` when either side needs the
/// whole project read (or cannot say).
fn sql_reach(
    repo: &Repo,
    base_tree: Option<&crate::git::GitTree<'_>>,
    head_rev: Option<&String>,
    cfg: &LoadedConfig,
    changed: &BTreeSet<String>,
) -> Option<BTreeSet<String>> {
    let project_dir = repo_relative(
        repo.root(),
        &cfg.base_dir.join(&cfg.config.dbt.project_dir.value),
    );
    let head: Box<dyn FileTree + '_> = match head_rev {
        Some(rev) => Box::new(repo.tree_at(rev).ok()?),
        None => Box::new(repo.worktree()),
    };
    let base: &dyn FileTree = base_tree?;
    let mut scope = BTreeSet::new();
    for tree in [base, head.as_ref()] {
        scope.extend(dbt::sql_change_scope(tree, &project_dir, changed).ok()??);
    }
    Some(scope)
}

/// Both sides, read within `scope` (everything when `None`).
fn read_sides(
    repo: &Repo,
    base_tree: Option<&crate::git::GitTree<'_>>,
    head_rev: Option<&String>,
    cfg: &LoadedConfig,
    scope: Option<&BTreeSet<String>>,
) -> crate::error::Result<(Side, Side)> {
    let before = match base_tree {
        Some(tree) => git_side(repo, tree, cfg, true, scope)?,
        None => Side::empty("HEAD (no commits yet)".into()),
    };
    let after = match head_rev {
        Some(rev) => git_side(repo, &repo.tree_at(rev)?, cfg, false, scope)?,
        None => {
            let mut after = git_side(repo, &repo.worktree(), cfg, false, scope)?;
            after.disk_root = Some(repo.root().to_path_buf());
            after
        }
    };
    Ok((before, after))
}

/// The index as a tree id (what `git write-tree` prints), so the staged side reads like a revision.
///
/// Honours `GIT_INDEX_FILE` as git does: `git commit -a` and `git commit <paths>` stage into a
/// temporary index and name it there for the pre-commit hook, while `.git/index` still holds the
/// previous state until the commit is made.
fn index_tree(cwd: &Path) -> Result<String, GitError> {
    let repo = git2::Repository::discover(cwd)?;
    let mut index = match std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()) {
        // Relative to the current directory, like every git path variable.
        Some(file) => {
            git2::Index::open(&std::path::absolute(&file).unwrap_or(PathBuf::from(file)))?
        }
        None => repo.index()?,
    };
    Ok(index.write_tree_to(&repo)?.to_string())
}

/// Whether HEAD names a branch that has no commit yet (a repository's first commit).
fn head_unborn(cwd: &Path) -> bool {
    git2::Repository::discover(cwd)
        .and_then(|r| r.head().map(|_| ()))
        .is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch)
}

/// The new side alone (working tree, or `rev`), as `sync` and `impact` read it.
pub fn head_side(
    ctx: &Context,
    cfg: &LoadedConfig,
    rev: Option<&str>,
) -> crate::error::Result<Side> {
    let repo = Repo::discover(&ctx.cwd)?;
    let mut side = match rev {
        Some(rev) => {
            let tree = repo.tree_at(rev)?;
            git_side(&repo, &tree, cfg, false, None)?
        }
        None => {
            let mut side = git_side(&repo, &repo.worktree(), cfg, false, None)?;
            side.disk_root = Some(repo.root().to_path_buf());
            side
        }
    };
    side.commit = repo.resolve(rev.unwrap_or("HEAD")).ok();
    let mut warnings = Vec::new();
    let target = super::identity::target(ctx, cfg, side.profile.as_deref(), &mut warnings);
    super::identity::place(&mut side, target.as_ref());
    side.warnings.extend(warnings);
    Ok(side)
}

fn manifest_side(path: &Path, mut m: dbt::Manifest) -> Side {
    let mut side = Side::empty(path.display().to_string());
    side.adapter = m.adapter_type.clone();
    side.compiled = dbt::manifest::CompiledCode::take_from(&mut m);
    for r in m.relations.relations.values() {
        if let Some(file) = &r.file {
            side.files.entry(file.clone()).or_default().push(r.key());
        }
    }
    side.project = m.relations;
    side
}

/// Fills what the YAML cannot know (unique ids, adapter) from a manifest, and takes where each
/// relation lands from it: what dbt compiled beats what Tessera worked out from the files.
pub fn enrich(side: &mut Side, m: &dbt::Manifest) {
    side.adapter = side.adapter.take().or_else(|| m.adapter_type.clone());
    for (key, r) in side.project.relations.iter_mut() {
        let Some(mr) = m
            .relations
            .get(key)
            .filter(|mr| mr.resource_type == r.resource_type)
        else {
            continue;
        };
        fill(&mut r.unique_id, &mr.unique_id);
        fill(&mut r.package, &mr.package);
        if mr.schema.is_some() && mr.identifier.is_some() {
            r.database.clone_from(&mr.database);
            r.schema.clone_from(&mr.schema);
            r.identifier.clone_from(&mr.identifier);
            r.placed_by = Some(crate::contract::IdentitySource::Manifest);
        }
    }
}

fn fill(slot: &mut Option<String>, from: &Option<String>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

/// One side read from a file tree: the dbt project (when there is one) plus the assets declared
/// in `tessera.yaml` as it was on that side.
/// The files a check needs to read: the PATHS given, else what changed between the sides.
/// `None` (read everything) when `dbt_project.yml` is among them or the diff is unavailable.
fn scope(
    args: &Args,
    ctx: &Context,
    repo: &Repo,
    cfg: &LoadedConfig,
    head: Option<&str>,
) -> Option<BTreeSet<String>> {
    let root = repo.root();
    let files: BTreeSet<String> = if args.paths.is_empty() {
        changed_paths(root, &args.base, head).ok()?
    } else {
        args.paths
            .iter()
            .map(|p| repo_relative(root, &ctx.cwd.join(p)))
            .collect()
    };
    let project_dir = repo_relative(root, &cfg.base_dir.join(&cfg.config.dbt.project_dir.value));
    let project_file = if project_dir.is_empty() {
        "dbt_project.yml".to_string()
    } else {
        format!("{project_dir}/dbt_project.yml")
    };
    (!files.contains(&project_file)).then_some(files)
}

/// A scoped read takes the code files that the scoped property files mention. When a file
/// mentioned a model on one side only (a test's `ref()` that was removed), that model was read
/// on one side and looks removed or added. The scope plus the files that declared such
/// relations on the side that has them, or `None` when nothing is missing.
fn widened(scope: &BTreeSet<String>, before: &Side, after: &Side) -> Option<BTreeSet<String>> {
    let only_in = |a: &Side, b: &Side| -> Vec<String> {
        a.project
            .relations
            .keys()
            .filter(|k| !b.project.relations.contains_key(*k))
            .cloned()
            .collect()
    };
    let mut wider = scope.clone();
    for (side, missing) in [
        (before, only_in(before, after)),
        (after, only_in(after, before)),
    ] {
        for (path, keys) in &side.files {
            // dbt_project.yml configures every relation; widening by it would read them all.
            let project_file = path.rsplit('/').next() == Some("dbt_project.yml");
            if !project_file && keys.iter().any(|k| missing.contains(k)) {
                wider.insert(path.clone());
            }
        }
    }
    (wider.len() > scope.len()).then_some(wider)
}

/// Paths that differ between `base` and `head` (a revision or tree id, else the working tree
/// with untracked files). The working-tree diff uses the index's stat cache: milliseconds.
fn changed_paths(
    root: &Path,
    base: &str,
    head: Option<&str>,
) -> Result<BTreeSet<String>, git2::Error> {
    let repo = git2::Repository::open(root)?;
    let base_tree = repo.revparse_single(base)?.peel_to_tree()?;
    let mut opts = git2::DiffOptions::new();
    let diff = match head {
        Some(rev) => {
            let head_tree = repo.revparse_single(rev)?.peel_to_tree()?;
            repo.diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut opts))?
        }
        None => {
            opts.include_untracked(true).recurse_untracked_dirs(true);
            repo.diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut opts))?
        }
    };
    let mut out = BTreeSet::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path().and_then(|p| p.to_str()) {
                out.insert(p.to_string());
            }
        }
    }
    Ok(out)
}

fn git_side(
    repo: &Repo,
    tree: &dyn FileTree,
    cfg: &LoadedConfig,
    is_base: bool,
    scope: Option<&BTreeSet<String>>,
) -> crate::error::Result<Side> {
    let mut side = Side::empty(tree.label());
    let root = repo.root();
    let project_dir = repo_relative(root, &cfg.base_dir.join(&cfg.config.dbt.project_dir.value));
    side.project_dir = project_dir.clone();
    // A repository that only declares assets, or only consumes others', needs no dbt project.
    let dbt_required = config::is_explicit(&cfg.config.dbt.project_dir)
        || (cfg.config.assets.is_empty() && cfg.config.consumes.is_empty());
    match dbt::read_project_scoped(tree, &project_dir, scope) {
        Ok(p) => {
            side.dbt_name = Some(p.name);
            side.profile = p.profile;
            side.naming = p.naming;
            side.groups = p.groups;
            side.models = p.models;
            side.files = p.files;
            side.warnings = p.warnings;
            side.project = p.relations;
            side.macros = Some(dbt::columns::read_macros(tree, &project_dir)?);
        }
        // A project that does not exist yet on the base side: everything in it is new.
        Err(DbtError::MissingProjectFile { .. }) if is_base || !dbt_required => {}
        Err(e) => return Err(e.into()),
    }
    // Hand-declared assets, from tessera.yaml as it was on this side.
    let assets_cfg: Option<Config> = match &cfg.path {
        Some(path) if is_base => {
            let rel = repo_relative(root, path);
            match tree.read(&rel)? {
                Some(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    Some(config::parse(&text, &format!("{rel} at {}", tree.label()))?)
                }
                None => None,
            }
        }
        Some(_) => Some(cfg.config.clone()),
        None => None,
    };
    if let Some(c) = assets_cfg {
        let owner = c.owner().map(str::to_string);
        let cfg_file = cfg.path.as_ref().map(|p| repo_relative(root, p));
        for a in &c.assets {
            let mut r: Relation = a.to_relation(owner.as_deref());
            r.file = cfg_file.clone();
            if let Some(f) = &cfg_file {
                side.files.entry(f.clone()).or_default().push(r.key());
            }
            side.project.insert(r);
        }
    }
    Ok(side)
}

/// `root/a/b` → `a/b`; `root` → ``. Paths outside the repository stay as given.
pub fn repo_relative(root: &Path, p: &Path) -> String {
    let clean = normalize(p);
    let root = normalize(root);
    let rel = clean.strip_prefix(&root).unwrap_or(&clean);
    rel.to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string()
}

/// Resolves `.` and `..` without touching the filesystem (symlinks are not a concern here:
/// both sides come from the same checkout).
fn normalize(p: &Path) -> PathBuf {
    let canon = std::fs::canonicalize(p).ok();
    if let Some(c) = canon {
        return c;
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Two manifests that carry compiled SQL: the output of each model that can differ between them
/// comes from that SQL, joined with its properties as the project files' path does.
pub fn derive_compiled(before: &mut Side, after: &mut Side, dialect: crate::contract::Dialect) {
    let (Some(b), Some(a)) = (before.compiled.take(), after.compiled.take()) else {
        return;
    };
    let (bd, ad) =
        dbt::manifest::derive_changed((&b, &before.project), (&a, &after.project), dialect);
    crate::dbt::columns::apply_pair(&mut before.project, &bd, &mut after.project, &ad, dialect);
}
