//! Which two commits a pull request compares. A PR's "before" is where its branch left the base
//! branch (the merge-base), not the base branch's tip: changes that landed on main since then are
//! not this PR's to answer for.

use crate::error::Error;
use crate::git::Repo;

pub struct Range {
    /// Full commit ids.
    pub base: String,
    pub head: String,
    /// As shown to people: `merge-base of main (1a2b3c4)`.
    pub base_label: String,
    pub head_label: String,
}

fn short(id: &str) -> &str {
    &id[..7.min(id.len())]
}

/// `--base auto`: on GitHub's `pull_request` checkout HEAD is a merge commit of the PR into its
/// base, so its first parent *is* the base and the diff is `HEAD^1..HEAD`; otherwise
/// `GITHUB_BASE_REF` (or GitLab's target branch) names the base branch. An explicit base is
/// used as given; both go through the merge-base.
pub fn resolve(repo: &Repo, base: &str, head: &str) -> crate::error::Result<Range> {
    let head_id = repo.resolve(head)?;
    let head_label = format!("{head} ({})", short(&head_id));
    if base == "auto" {
        let parents = if head == "HEAD" {
            repo.head_parents()?
        } else {
            Vec::new()
        };
        if parents.len() == 2 {
            return Ok(Range {
                base_label: format!("HEAD^1, the pull request's base ({})", short(&parents[0])),
                base: parents[0].clone(),
                head: head_id,
                head_label,
            });
        }
        let Some(branch) = ci_base_branch() else {
            return Err(Error::Usage {
                message: "`--base auto` found no base: HEAD is not a pull-request merge commit and neither GITHUB_BASE_REF nor CI_MERGE_REQUEST_TARGET_BRANCH_NAME is set".into(),
                help: "name the branch the change merges into, e.g. `--base origin/main`".into(),
            }
            .into());
        };
        // CI checkouts usually have the remote-tracking branch, not a local one.
        let rev = [format!("origin/{branch}"), branch.clone()]
            .into_iter()
            .find(|r| repo.resolve(r).is_ok())
            .unwrap_or(branch);
        return merge_base(repo, &rev, head_id, head_label);
    }
    merge_base(repo, base, head_id, head_label)
}

fn merge_base(
    repo: &Repo,
    base: &str,
    head_id: String,
    head_label: String,
) -> crate::error::Result<Range> {
    let id = repo.merge_base(base, &head_id)?;
    Ok(Range {
        base_label: format!("merge-base of {base} ({})", short(&id)),
        base: id,
        head: head_id,
        head_label,
    })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn ci_base_branch() -> Option<String> {
    env("GITHUB_BASE_REF").or_else(|| env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))
}

/// The change's name as CI knows it: the pull request's branch.
pub fn ci_change() -> Option<String> {
    env("GITHUB_HEAD_REF").or_else(|| env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"))
}
