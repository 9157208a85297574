//! Reading files from one side of a change: a git revision or the working tree. Readers above
//! this module see only [`FileTree`], so the dbt reader works the same on both sides.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use git2::{ErrorCode, ObjectType, Oid, Repository, Tree};

/// One side of a change. Paths are repository-relative with `/` separators.
pub trait FileTree {
    /// The file's bytes; `Ok(None)` when there is no file at `path`.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError>;
    /// Every file below `dir` (recursive), repository-relative and sorted. `""` is the top.
    fn list(&self, dir: &str) -> Result<Vec<String>, GitError>;
    /// For messages: `HEAD (abc1234)`, `working tree`.
    fn label(&self) -> String;
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GitError {
    #[error("`{path}` is not inside a git repository")]
    #[diagnostic(
        code(tessera::git::not_a_repository),
        help("run tessera from inside a git checkout (or create one with `git init`)")
    )]
    NotARepository { path: String },

    #[error("git refuses to open `{path}`: the repository is owned by another user")]
    #[diagnostic(
        code(tessera::git::unsafe_directory),
        help(
            "if you trust this checkout (typical in CI containers), run `git config --global --add safe.directory {path}`"
        )
    )]
    UnsafeDirectory { path: String },

    #[error("no merge base between `{base}` and `{head}`: this is a shallow clone")]
    #[diagnostic(
        code(tessera::git::shallow_clone),
        help(
            "fetch the history the comparison needs: set `fetch-depth: 0` on actions/checkout, or run `git fetch --unshallow`"
        )
    )]
    ShallowClone { base: String, head: String },

    #[error("`{base}` and `{head}` have no common ancestor")]
    #[diagnostic(
        code(tessera::git::no_merge_base),
        help("compare two revisions of the same history, or pass the base commit itself")
    )]
    NoMergeBase { base: String, head: String },

    #[error("unknown revision `{rev}`")]
    #[diagnostic(
        code(tessera::git::unknown_revision),
        help(
            "check the name with `git rev-parse --verify {rev}`; a branch or tag that exists only on the remote needs a `git fetch` first"
        )
    )]
    UnknownRevision { rev: String },

    #[error("cannot read `{path}`")]
    #[diagnostic(
        code(tessera::git::io),
        help("check that the file exists and is readable")
    )]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },

    #[error("git: {message}")]
    #[diagnostic(
        code(tessera::git::error),
        help("this came from libgit2; `git status` and `git fsck` may say more")
    )]
    Git {
        message: String,
        #[source]
        source: git2::Error,
    },
}

impl From<git2::Error> for GitError {
    fn from(source: git2::Error) -> GitError {
        GitError::Git {
            message: source.message().to_string(),
            source,
        }
    }
}

pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

impl Repo {
    pub fn discover(start: &Path) -> Result<Repo, GitError> {
        // libgit2 re-hashes every object it reads (SHA-1 with collision detection), which was a
        // tenth of the time to read a large project. git itself only verifies hashes in fsck
        // and transfers; Tessera only reads, so it does the same.
        static NO_REHASH: std::sync::Once = std::sync::Once::new();
        NO_REHASH.call_once(|| git2::opts::strict_hash_verification(false));
        let repo = Repository::discover(start).map_err(|e| match e.code() {
            ErrorCode::Owner => GitError::UnsafeDirectory {
                path: owner_path(&e).unwrap_or_else(|| start.display().to_string()),
            },
            ErrorCode::NotFound => GitError::NotARepository {
                path: start.display().to_string(),
            },
            _ => e.into(),
        })?;
        // A bare repository has no work tree; its git dir is the only root there is.
        let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        Ok(Repo { repo, root })
    }

    /// The work tree's top level.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn tree_at(&self, rev: &str) -> Result<GitTree<'_>, GitError> {
        let object = self.revparse(rev)?;
        let (tree, commit) = match object.peel_to_commit() {
            Ok(commit) => (commit.tree()?, Some(commit.id())),
            // A tree-ish that is not a commit (`HEAD^{tree}`, a tree id) is still a side.
            Err(_) => (object.peel_to_tree().map_err(|_| unknown(rev))?, None),
        };
        let id = commit.unwrap_or_else(|| tree.id()).to_string();
        Ok(GitTree {
            repo: &self.repo,
            tree,
            dirs: RefCell::default(),
            label: format!("{rev} ({})", &id[..7.min(id.len())]),
        })
    }

    pub fn worktree(&self) -> WorkTree {
        WorkTree::new(self.root.clone())
    }

    /// The merge base of two revisions, as a full commit id.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, GitError> {
        let (oa, ob) = (self.commit_id(a)?, self.commit_id(b)?);
        match self.repo.merge_base(oa, ob) {
            Ok(oid) => Ok(oid.to_string()),
            Err(e) if e.code() == ErrorCode::NotFound => {
                let (base, head) = (a.to_string(), b.to_string());
                // In a shallow clone a missing base usually means it was never fetched.
                Err(if self.is_shallow() {
                    GitError::ShallowClone { base, head }
                } else {
                    GitError::NoMergeBase { base, head }
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// The full commit id `rev` names.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        Ok(self.commit_id(rev)?.to_string())
    }

    /// Parents of HEAD: two of them on the merge commit CI checks out for a pull request.
    /// Read from the commit's own header, because libgit2 shows the boundary commits of a
    /// shallow clone as parentless, and `fetch-depth: 1` makes HEAD such a commit.
    pub fn head_parents(&self) -> Result<Vec<String>, GitError> {
        let head = self.revparse("HEAD")?.peel_to_commit()?;
        let header = head.raw_header().unwrap_or("");
        Ok(header
            .lines()
            .filter_map(|line| line.strip_prefix("parent "))
            .map(|id| id.trim().to_string())
            .collect())
    }

    /// The branch HEAD is on (`feature/x`), or `None` on a detached HEAD.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        head.shorthand().ok().map(str::to_string)
    }

    fn revparse(&self, rev: &str) -> Result<git2::Object<'_>, GitError> {
        self.repo.revparse_single(rev).map_err(|e| match e.code() {
            ErrorCode::NotFound | ErrorCode::InvalidSpec | ErrorCode::Ambiguous => unknown(rev),
            ErrorCode::UnbornBranch => unknown(rev),
            _ => e.into(),
        })
    }

    fn commit_id(&self, rev: &str) -> Result<Oid, GitError> {
        let object = self.revparse(rev)?;
        Ok(object.peel_to_commit().map_err(|_| unknown(rev))?.id())
    }
}

fn unknown(rev: &str) -> GitError {
    GitError::UnknownRevision {
        rev: rev.to_string(),
    }
}

/// libgit2 names the offending directory in the message: "repository path '…' is not owned…".
fn owner_path(e: &git2::Error) -> Option<String> {
    let msg = e.message();
    let start = msg.find('\'')? + 1;
    let len = msg[start..].find('\'')?;
    Some(msg[start..start + len].to_string())
}

/// The files of one commit (or tree). Folders are looked up once and kept: libgit2 parses a
/// tree again on every path lookup, which made reading a few thousand files take 30 µs each.
pub struct GitTree<'r> {
    repo: &'r Repository,
    tree: Tree<'r>,
    /// Folder path → its tree, or `None` when there is no such folder.
    dirs: RefCell<HashMap<String, Option<Tree<'r>>>>,
    label: String,
}

impl<'r> GitTree<'r> {
    fn dir(&self, dir: &str) -> Result<Option<Tree<'r>>, GitError> {
        if dir.is_empty() {
            return Ok(Some(self.tree.clone()));
        }
        if let Some(known) = self.dirs.borrow().get(dir) {
            return Ok(known.clone());
        }
        let (parent, name) = dir.rsplit_once('/').unwrap_or(("", dir));
        let tree = match self.dir(parent)? {
            Some(parent) => match parent.get_name(name) {
                Some(e) if e.kind() == Some(ObjectType::Tree) => Some(self.repo.find_tree(e.id())?),
                _ => None,
            },
            None => None,
        };
        self.dirs.borrow_mut().insert(dir.to_string(), tree.clone());
        Ok(tree)
    }

    fn walk(&self, tree: &Tree<'r>, prefix: &str, out: &mut Vec<String>) -> Result<(), GitError> {
        let has_project_file = tree.get_name(PROJECT_FILE).is_some();
        for entry in tree.iter() {
            let Ok(name) = entry.name() else { continue };
            match entry.kind() {
                Some(ObjectType::Tree) if !is_noise_dir(name, has_project_file) => {
                    let path = join(prefix, name);
                    let sub = self.repo.find_tree(entry.id())?;
                    self.dirs
                        .borrow_mut()
                        .insert(path.clone(), Some(sub.clone()));
                    self.walk(&sub, &path, out)?;
                }
                // Regular files only: symlinks (0o120000) and submodules are not dbt sources.
                Some(ObjectType::Blob) if entry.filemode() & 0o170000 == 0o100000 => {
                    out.push(join(prefix, name));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl FileTree for GitTree<'_> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let Some(path) = clean(path) else {
            return Ok(None);
        };
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", &path));
        let Some(dir) = self.dir(parent)? else {
            return Ok(None);
        };
        let id = match dir.get_name(name) {
            Some(e) if e.kind() == Some(ObjectType::Blob) => e.id(),
            _ => return Ok(None),
        };
        Ok(Some(self.repo.find_blob(id)?.content().to_vec()))
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, GitError> {
        let Some(dir) = clean(dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        if let Some(tree) = self.dir(&dir)? {
            self.walk(&tree, &dir, &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    fn label(&self) -> String {
        self.label.clone()
    }
}

/// The files on disk under the repository root, as `tessera check` sees uncommitted edits.
pub struct WorkTree {
    root: PathBuf,
}

impl WorkTree {
    pub fn new(root: PathBuf) -> WorkTree {
        WorkTree { root }
    }

    fn walk(&self, dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), GitError> {
        let io_err = |source| GitError::Io {
            path: dir.display().to_string(),
            source,
        };
        let has_project_file = dir.join(PROJECT_FILE).is_file();
        for entry in fs::read_dir(dir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            // `file_type` does not follow symlinks, matching the git side which skips them.
            let kind = entry.file_type().map_err(io_err)?;
            if kind.is_dir() && name != ".git" && !is_noise_dir(&name, has_project_file) {
                self.walk(&entry.path(), &join(prefix, &name), out)?;
            } else if kind.is_file() {
                out.push(join(prefix, &name));
            }
        }
        Ok(())
    }
}

impl FileTree for WorkTree {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let Some(path) = clean(path) else {
            return Ok(None);
        };
        let full = self.root.join(&path);
        match fs::read(&full) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(_) if full.is_dir() => Ok(None),
            Err(source) => Err(GitError::Io { path, source }),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, GitError> {
        let Some(dir) = clean(dir) else {
            return Ok(Vec::new());
        };
        let full = self.root.join(&dir);
        if !full.is_dir() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        self.walk(&full, &dir, &mut out)?;
        out.sort();
        Ok(out)
    }

    fn label(&self) -> String {
        "working tree".to_string()
    }
}

const PROJECT_FILE: &str = "dbt_project.yml";

/// dbt's own output and install folders sit next to `dbt_project.yml`; elsewhere a folder called
/// `logs` or `target` may well hold models, so only skip them there.
fn is_noise_dir(name: &str, beside_project_file: bool) -> bool {
    name == "node_modules"
        || (beside_project_file && matches!(name, "target" | "dbt_packages" | "logs"))
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Normalises a repository-relative path: drops `.` and empty parts, resolves `..`. `None` when
/// the path is absolute or climbs out of the repository.
pub fn clean(path: &str) -> Option<String> {
    if path.starts_with('/') || Path::new(path).is_absolute() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Lists several directories at once, without duplicates when they nest.
pub fn list_all(tree: &dyn FileTree, dirs: &[String]) -> Result<Vec<String>, GitError> {
    let mut files = BTreeSet::new();
    for dir in dirs {
        files.extend(tree.list(dir)?);
    }
    Ok(files.into_iter().collect())
}

mod provenance;
#[cfg(test)]
pub(crate) mod test_repo;

pub use provenance::normalize_remote;

#[cfg(test)]
mod tests {
    use super::test_repo::{TestRepo, git_in};
    use super::*;
    use miette::Diagnostic;

    fn code(e: &dyn Diagnostic) -> String {
        e.code().map(|c| c.to_string()).unwrap_or_default()
    }

    #[test]
    fn head_and_working_tree_are_the_two_sides_of_an_edit() {
        let t = TestRepo::new();
        t.write("models/a.yml", "one")
            .write("models/sub/b.sql", "select 1");
        let head = t.commit("first");
        t.write("models/a.yml", "two")
            .write("models/new.yml", "new");
        t.remove("models/sub/b.sql");

        let repo = Repo::discover(&t.path().join("models")).unwrap();
        assert_eq!(
            repo.root().canonicalize().unwrap(),
            t.path().canonicalize().unwrap()
        );
        let before = repo.tree_at("HEAD").unwrap();
        let after = repo.worktree();
        assert_eq!(
            before.read("models/a.yml").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(
            after.read("./models//a.yml").unwrap().as_deref(),
            Some(&b"two"[..])
        );
        assert_eq!(before.read("models/missing.yml").unwrap(), None);
        assert_eq!(
            before.read("models").unwrap(),
            None,
            "a folder is not a file"
        );
        assert_eq!(after.read("../outside").unwrap(), None);
        assert_eq!(
            before.list("models").unwrap(),
            ["models/a.yml", "models/sub/b.sql"]
        );
        assert_eq!(
            after.list("models/").unwrap(),
            ["models/a.yml", "models/new.yml"]
        );
        assert_eq!(before.list("nope").unwrap(), Vec::<String>::new());
        assert_eq!(before.label(), format!("HEAD ({})", &head[..7]));
        assert_eq!(after.label(), "working tree");
        assert_eq!(repo.resolve("HEAD").unwrap(), head);
    }

    #[test]
    fn listing_skips_dbt_noise_only_beside_the_project_file() {
        let t = TestRepo::new();
        t.write("dbt/dbt_project.yml", "name: x")
            .write("dbt/target/manifest.json", "{}")
            .write("dbt/dbt_packages/p/x.sql", "")
            .write("dbt/logs/dbt.log", "")
            .write("dbt/models/logs/events.sql", "select 1")
            .write("dbt/node_modules/m.js", "");
        t.commit("c");
        std::os::unix::fs::symlink("events.sql", t.path().join("dbt/models/logs/link.sql"))
            .unwrap();
        let repo = Repo::discover(t.path()).unwrap();
        let expected = ["dbt/dbt_project.yml", "dbt/models/logs/events.sql"];
        assert_eq!(repo.worktree().list("dbt").unwrap(), expected);
        assert_eq!(repo.tree_at("HEAD").unwrap().list("").unwrap(), expected);
    }

    #[test]
    fn unknown_revisions_and_missing_repositories() {
        let t = TestRepo::new();
        t.write("a", "a");
        t.commit("c");
        let repo = Repo::discover(t.path()).unwrap();
        let err = repo.tree_at("no-such-branch").err().unwrap();
        assert!(matches!(&err, GitError::UnknownRevision { rev } if rev == "no-such-branch"));
        assert_eq!(code(&err), "tessera::git::unknown_revision");
        assert!(err.help().unwrap().to_string().contains("git fetch"));
        assert!(matches!(
            repo.resolve("HEAD~5"),
            Err(GitError::UnknownRevision { .. })
        ));

        let empty = tempfile::tempdir().unwrap();
        let err = Repo::discover(empty.path()).err().unwrap();
        assert_eq!(code(&err), "tessera::git::not_a_repository");
    }

    #[test]
    fn merge_base_in_a_shallow_clone_says_how_to_fetch() {
        let t = TestRepo::new();
        t.write("f", "0");
        let base = t.commit("base");
        t.git(&["checkout", "-q", "-b", "feature"]);
        t.write("f", "feature");
        t.commit("feature 1");
        t.write("g", "feature");
        t.commit("feature 2");
        t.git(&["checkout", "-q", "main"]);
        t.write("h", "main");
        t.commit("main 1");
        t.git(&["merge", "-q", "--no-ff", "-m", "merge", "feature"]);

        let full = Repo::discover(t.path()).unwrap();
        assert!(!full.is_shallow());
        assert_eq!(full.merge_base("main~1", "feature").unwrap().len(), 40);
        assert_eq!(full.merge_base("main~1", "feature~1").unwrap(), base);
        assert_eq!(full.head_parents().unwrap().len(), 2);

        let clone = tempfile::tempdir().unwrap();
        let url = format!("file://{}", t.path().display());
        git_in(
            clone.path(),
            &[
                "clone",
                "-q",
                "--depth",
                "1",
                "--no-single-branch",
                &url,
                "c",
            ],
        );
        let shallow = Repo::discover(&clone.path().join("c")).unwrap();
        assert!(shallow.is_shallow());
        let err = shallow
            .merge_base("origin/main", "origin/feature")
            .err()
            .unwrap();
        assert_eq!(code(&err), "tessera::git::shallow_clone");
        let help = err.help().unwrap().to_string();
        assert!(
            help.contains("fetch-depth: 0") && help.contains("git fetch --unshallow"),
            "{help}"
        );
        // Parent ids come from the commit object, so they are known even when not fetched.
        assert_eq!(shallow.head_parents().unwrap().len(), 2);
    }

    #[test]
    fn unsafe_directory_help_names_the_fix() {
        let err = GitError::UnsafeDirectory {
            path: "/builds/x".into(),
        };
        let help = err.help().unwrap().to_string();
        assert!(help.contains("git config --global --add safe.directory /builds/x"));
        let git_err = git2::Error::new(
            ErrorCode::Owner,
            git2::ErrorClass::Config,
            "repository path '/builds/x/' is not owned by current user",
        );
        assert_eq!(owner_path(&git_err).as_deref(), Some("/builds/x/"));
    }

    #[test]
    fn cleans_paths() {
        assert_eq!(clean("./a//b/../c/").as_deref(), Some("a/c"));
        assert_eq!(clean(".").as_deref(), Some(""));
        assert_eq!(clean("a/../../b"), None);
        assert_eq!(clean("/etc/passwd"), None);
    }
}
