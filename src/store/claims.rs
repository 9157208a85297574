//! Claims as plain data: which repository a project name is bound to, which project owns a
//! team, and the takeovers that moved either. Every backend exchanges exactly these types.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// Which repository a project's declarations come from. Both parts are public facts, so a
/// claim guards against mistakes and makes a takeover visible; it is not a secret.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Repository {
    /// The first commit of the repository's history (following first parents): the same in
    /// every clone. `None` in a shallow clone, whose oldest commit is not the real root.
    pub root_commit: Option<String>,
    /// The `origin` remote's URL, normalised (`github.com/org/repo`) and without credentials.
    pub remote_url: Option<String>,
}

impl Repository {
    pub fn is_known(&self) -> bool {
        self.root_commit.is_some() || self.remote_url.is_some()
    }

    /// Whether `other` is this repository: no part that both know differs, and at least one
    /// part that both know agrees. A fork shares the root commit but not the remote URL.
    pub fn same_as(&self, other: &Repository) -> bool {
        let both = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => Some(a == b),
            _ => None,
        };
        let parts = [
            both(&self.root_commit, &other.root_commit),
            both(&self.remote_url, &other.remote_url),
        ];
        !parts.contains(&Some(false)) && parts.contains(&Some(true))
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let root = self
            .root_commit
            .as_deref()
            .map(|c| c.get(..12).unwrap_or(c));
        match (&self.remote_url, root) {
            (Some(url), Some(root)) => write!(f, "{url} (root commit {root})"),
            (Some(url), None) => write!(f, "{url}"),
            (None, Some(root)) => write!(f, "the repository with root commit {root}"),
            (None, None) => write!(f, "an unidentified repository"),
        }
    }
}

/// Who takes a claim over, and why; kept in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Takeover {
    pub by: String,
    pub reason: String,
}

/// A team and the project that owns it: the only project whose members and keys count for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamClaim {
    pub team: String,
    pub project: String,
    pub claimed_at: Timestamp,
}

/// One change of a claim, as the event log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimChange {
    /// One of the `project.*` / `team.*` claim [`super::kinds`].
    pub kind: String,
    /// The project or team name.
    pub subject: String,
    /// For people: what happened, and by whom and why for a takeover.
    pub summary: String,
}
