//! Where a checkout comes from and whether it is what the default branch holds: the repository's
//! identity (root commit, `origin` URL) that binds a project name, the default branch, and the
//! uncommitted changes that would make a sync publish something that is not on it.

use std::path::Path;

use git2::{BranchType, Sort, Status, StatusOptions};

use super::{GitError, Repo};

impl Repo {
    /// The first commit of HEAD's history along first parents: the same in every full clone.
    /// `None` in a shallow clone (its oldest commit is a cut, not the root) or before any commit.
    pub fn root_commit(&self) -> Option<String> {
        if self.is_shallow() {
            return None;
        }
        let mut walk = self.repo.revwalk().ok()?;
        walk.push_head().ok()?;
        walk.simplify_first_parent().ok()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).ok()?;
        walk.next()?.ok().map(|oid| oid.to_string())
    }

    /// `origin`'s URL in the normalised form of [`normalize_remote`], without credentials.
    pub fn origin_url(&self) -> Option<String> {
        let remote = self.repo.find_remote("origin").ok()?;
        remote
            .url()
            .ok()
            .map(normalize_remote)
            .filter(|u| !u.is_empty())
    }

    /// The default branch as the clone knows it: `origin/HEAD`'s target, else `main` or
    /// `master` when a local or remote-tracking branch of that name exists.
    pub fn default_branch(&self) -> Option<String> {
        if let Ok(r) = self.repo.find_reference("refs/remotes/origin/HEAD")
            && let Ok(Some(target)) = r.symbolic_target()
            && let Some(name) = target.strip_prefix("refs/remotes/origin/")
        {
            return Some(name.to_string());
        }
        ["main", "master"]
            .into_iter()
            .find(|b| self.branch_tips(b).next().is_some())
            .map(str::to_string)
    }

    /// The commits `branch` points at, locally and on `origin`.
    pub fn branch_tips(&self, branch: &str) -> impl Iterator<Item = String> + '_ {
        [
            (branch.to_string(), BranchType::Local),
            (format!("origin/{branch}"), BranchType::Remote),
        ]
        .into_iter()
        .filter_map(|(name, kind)| {
            let b = self.repo.find_branch(&name, kind).ok()?;
            b.get().peel_to_commit().ok().map(|c| c.id().to_string())
        })
    }

    /// Files under `dirs` (relative to the work tree's top) that differ from HEAD, staged or
    /// not, including new files git does not ignore, as paths from the top. `keep` picks
    /// the files that matter (those Tessera reads).
    pub fn changed_files(
        &self,
        dirs: &[&Path],
        keep: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, GitError> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let specs: Vec<String> = dirs
            .iter()
            .map(|d| d.to_string_lossy().into_owned())
            .collect();
        // The top itself among them means the whole tree: no pathspec narrows it.
        if !specs.iter().any(|s| s.is_empty() || s == ".") {
            for s in &specs {
                opts.pathspec(s);
            }
        }
        let changed = Status::all() - Status::IGNORED - Status::CURRENT;
        let statuses = self.repo.statuses(Some(&mut opts))?;
        let mut out: Vec<String> = statuses
            .iter()
            .filter(|e| e.status().intersects(changed))
            .filter_map(|e| e.path().ok().map(str::to_string))
            .filter(|p| keep(p))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// A remote URL as a comparable name: scheme, credentials, a trailing `.git` and `/` removed and
/// the host lower-cased, so `git@github.com:Org/repo.git`, `ssh://git@github.com/Org/repo` and
/// `https://token@github.com/Org/repo` are all `github.com/Org/repo`. A local path stays a path.
pub fn normalize_remote(url: &str) -> String {
    let url = url.trim();
    let (host, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.eq_ignore_ascii_case("file") {
            return trim_repo_suffix(rest).to_string();
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        (host, path)
    } else if let Some((authority, path)) = url.split_once(':')
        && !authority.contains('/')
        && authority.len() > 1
    {
        // scp-like `user@host:path`; a one-letter "host" would be a Windows drive.
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        (host, path)
    } else {
        return trim_repo_suffix(url).to_string();
    };
    let path = trim_repo_suffix(path.trim_start_matches('/'));
    format!("{}/{path}", host.to_ascii_lowercase())
}

fn trim_repo_suffix(path: &str) -> &str {
    let path = path.trim_end_matches('/');
    path.strip_suffix(".git").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::test_repo::TestRepo;

    #[test]
    fn remotes_compare_by_host_and_path() {
        for url in [
            "git@github.com:Org/repo.git",
            "ssh://git@GitHub.com/Org/repo",
            "https://x-access-token:secret@github.com/Org/repo.git/",
            "https://github.com/Org/repo",
        ] {
            assert_eq!(normalize_remote(url), "github.com/Org/repo", "{url}");
        }
        assert_eq!(normalize_remote("/srv/git/bi.git"), "/srv/git/bi");
        assert_eq!(normalize_remote("file:///srv/git/bi.git"), "/srv/git/bi");
        assert_eq!(normalize_remote("C:/git/bi"), "C:/git/bi");
    }

    #[test]
    fn the_root_commit_is_the_first_one_and_the_default_branch_is_found() {
        let repo = TestRepo::new();
        repo.write("a", "1");
        let first = repo.commit("first");
        repo.write("a", "2");
        repo.commit("second");
        let r = Repo::discover(repo.path()).unwrap();
        assert_eq!(r.root_commit().as_deref(), Some(first.as_str()));
        assert_eq!(r.default_branch().as_deref(), Some("main"));
        assert_eq!(r.origin_url(), None);
        repo.write("a", "3").write("b.sql", "select 1");
        let changed = r.changed_files(&[], |p| p != "b.sql").unwrap();
        assert_eq!(changed, ["a"]);
    }
}
