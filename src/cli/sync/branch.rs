//! A sync states what is on the default branch, so it refuses to run from anywhere else: another
//! branch, a commit that is not the branch's tip, or a work tree with uncommitted changes to the
//! files Tessera reads. `--allow-branch` is the explicit way around it.

use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::git::Repo;

#[derive(Debug, Error, Diagnostic)]
pub enum BranchError {
    #[error("sync publishes the default branch `{default}`, but this checkout is {actual}")]
    #[diagnostic(
        code(tessera::sync::not_default_branch),
        help(
            "run `tessera sync` on `{default}` after the change is merged (in CI: on pushes to \
             `{default}`), or pass `--allow-branch` to publish this checkout on purpose"
        )
    )]
    NotDefault { default: String, actual: String },

    #[error("cannot tell this repository's default branch")]
    #[diagnostic(
        code(tessera::sync::unknown_default_branch),
        help(
            "there is no `origin/HEAD`, `main` or `master`: run `git remote set-head origin \
             --auto`, set CI_DEFAULT_BRANCH, or pass `--allow-branch`"
        )
    )]
    UnknownDefault,

    #[error("the work tree has uncommitted changes that sync would publish: {}", files.join(", "))]
    #[diagnostic(
        code(tessera::sync::dirty_tree),
        help(
            "commit them and merge them to the default branch first, or stash them (`git \
             stash -u`); `--allow-branch` publishes the work tree as it is"
        )
    )]
    Dirty { files: Vec<String> },
}

/// The branch a CI job runs for when its checkout is detached: GitLab names it (only for
/// branch pipelines); GitHub names a pushed branch in `GITHUB_REF`.
fn ci_branch() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    var("CI_COMMIT_BRANCH").or_else(|| {
        var("GITHUB_REF").and_then(|r| r.strip_prefix("refs/heads/").map(str::to_string))
    })
}

/// The default branch as the CI names it, for clones that know no `origin/HEAD`, `main` or
/// `master`: GitLab's `CI_DEFAULT_BRANCH`, else the repository in GitHub's event payload.
fn ci_default_branch() -> Option<String> {
    let nonempty = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    if let Some(b) = std::env::var("CI_DEFAULT_BRANCH").ok().and_then(nonempty) {
        return Some(b);
    }
    let path = std::env::var_os("GITHUB_EVENT_PATH")?;
    let event: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    event["repository"]["default_branch"]
        .as_str()
        .map(str::to_string)
        .and_then(nonempty)
}

/// Checks that syncing `head` (or the work tree) publishes the default branch.
pub fn check(
    repo: &Repo,
    head: Option<&str>,
    config_file: Option<&Path>,
    dbt_dir: &Path,
) -> Result<(), miette::Report> {
    let default = repo
        .default_branch()
        .or_else(ci_default_branch)
        .ok_or(BranchError::UnknownDefault)?;
    let commit = repo.resolve(head.unwrap_or("HEAD"))?;
    let tips: Vec<String> = repo.branch_tips(&default).collect();
    let at_tip = tips.contains(&commit);
    let short = commit.get(..12).unwrap_or(&commit);
    let refuse = |actual: String| BranchError::NotDefault {
        default: default.clone(),
        actual,
    };
    if let Some(rev) = head {
        if at_tip {
            return Ok(());
        }
        return Err(refuse(format!("`{rev}` ({short}), not the tip of `{default}`")).into());
    }
    let attached = repo.head_branch();
    let branch = attached.clone().or_else(ci_branch);
    if let Some(b) = branch.as_deref().filter(|b| *b != default) {
        return Err(refuse(format!("on branch `{b}`")).into());
    }
    // A detached checkout is the default branch only at its tip: a CI job re-run on an older
    // commit of main would otherwise publish an older state over a newer one. When the clone
    // knows no tip at all (a fetch of one commit), the CI's word for the branch has to do.
    if attached.is_none() && !at_tip && (branch.is_none() || !tips.is_empty()) {
        return Err(refuse(format!("a detached HEAD ({short}) that is not its tip")).into());
    }
    let root = repo.root().to_path_buf();
    let rel = |p: &Path| p.strip_prefix(&root).map(Path::to_path_buf).ok();
    let config = config_file.and_then(rel);
    let dbt = rel(dbt_dir).unwrap_or_default();
    let mut dirs = vec![dbt.as_path()];
    if let Some(c) = &config {
        dirs.push(c.as_path());
    }
    let is_read = |p: &str| {
        let path = Path::new(p);
        config.as_deref() == Some(path)
            || (path.starts_with(&dbt)
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yml" | "yaml" | "sql")
                ))
    };
    let files = repo.changed_files(&dirs, is_read)?;
    if files.is_empty() {
        Ok(())
    } else {
        Err(BranchError::Dirty { files }.into())
    }
}
