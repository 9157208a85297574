//! What the coordination store holds, as plain data. No SQL here: the SQLite store and the HTTP
//! client of `tessera serve` exchange exactly these types, so every one of them is
//! `Serialize + Deserialize` and stable in its field names.
//!
//! Fields marked "set by the store" are ignored when a value is handed to the store (inside a
//! [`Declaration`], say) and filled in when it is read back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use super::claims::{ClaimChange, Repository, Takeover, TeamClaim};
use super::time::{Timestamp, opt_date};
use crate::contract::{Date, Relation, relation_digest};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub name: String,
    pub slack_channel: Option<String>,
    pub email: Option<String>,
    /// The project whose `tessera.yaml` declared it (set by the store). Two projects may declare
    /// the same team; each declaration is kept, so trust decisions can ask who said what.
    #[serde(default)]
    pub project: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub email: String,
    pub name: Option<String>,
    pub teams: Vec<String>,
    pub github: Option<String>,
    pub gitlab: Option<String>,
    pub slack_member_id: Option<String>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`).
    pub ssh_keys: Vec<String>,
    /// The project that declared this user (set by the store).
    #[serde(default)]
    pub project: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// The relation key `database.schema.identifier`, already case-folded the way its warehouse
    /// folds identifiers: the store compares keys byte for byte.
    pub key: String,
    /// The producing project (set by the store from the declaration).
    #[serde(default)]
    pub project: String,
    /// dbt `unique_id`, for dbt assets.
    pub unique_id: Option<String>,
    /// The dbt name (`orders`, `raw.orders`), or the key for hand-declared tables.
    pub node: String,
    pub owner_team: Option<String>,
    pub owner_user: Option<String>,
    /// Compatibility mode name (`FORWARD`, `FULL_TRANSITIVE`, …).
    pub mode: String,
    /// `model`, `source`, `seed`, `snapshot`, `table`.
    pub resource_type: String,
    /// What placed it in the warehouse: `manifest`, `profile`, `config`, `store` or `unknown`
    /// (see [`crate::contract::IdentitySource`]); `None` in stores written before it was kept.
    #[serde(default)]
    pub identity: Option<String>,
    /// No longer declared by its project (set by the store). History is kept.
    #[serde(default)]
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractVersion {
    pub asset: String,
    /// Semver, e.g. `2.0.0`.
    pub version: String,
    /// `sha256:<hex>` of the canonical contract ([`relation_digest`]).
    pub digest: String,
    /// The full contract (a serialised [`Relation`]).
    pub contract_json: String,
    /// The git commit the sync ran on.
    pub commit: Option<String>,
    pub recorded_at: Timestamp,
    /// Recorded although it broke consumers without an approved proposal: history stays true,
    /// and the flag keeps the debt visible.
    pub unacknowledged_break: bool,
}

macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name() == s)
                    .ok_or_else(|| format!("`{s}` is not a {}", $what))
            }
        }
    };
}

keyword_enum!(
    /// Where a consumer registration came from.
    RegistrationSource, "registration source" {
        /// A `consumes:` entry in `tessera.yaml`.
        Consumes = "consumes",
        /// A dbt `sources:` entry whose relation is another project's asset.
        DbtSource = "dbt_source",
        /// A cross-project `ref` found in a manifest.
        ManifestRef = "manifest_ref",
        /// A dbt exposure.
        Exposure = "exposure",
        /// A model of another team in the same monorepo that `ref()`s the asset.
        MonorepoRef = "monorepo_ref",
    }
);

/// A consumer registration. It names the asset by key, not by a stored row, so a consumer that
/// syncs before its producer is kept and applies as soon as the producer's asset arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    /// The consumed asset's relation key, case-folded by the caller like [`Asset::key`].
    pub asset: String,
    /// The consuming team.
    pub team: String,
    /// The consuming project (set by the store from the declaration).
    #[serde(default)]
    pub project: String,
    /// The columns read; `None` means every column (any change may impact this consumer).
    pub columns: Option<Vec<String>>,
    /// Why every column counts when `columns` is `None`: `select *`, `SQL did not parse`, …
    pub all_columns_reason: Option<String>,
    pub purpose: Option<String>,
    pub contact: Option<String>,
    pub source: RegistrationSource,
    /// No longer declared by its project (set by the store).
    #[serde(default)]
    pub retired: bool,
}

keyword_enum!(
    /// A proposal's life: pending until every impacted consumer approved (approved) or one
    /// blocked (blocked); published once the change is synced on main; withdrawn by its author;
    /// expired after the configured days; superseded when a re-push changes the breaking set.
    ProposalStatus, "proposal status" {
        Pending = "pending",
        Approved = "approved",
        Blocked = "blocked",
        Published = "published",
        Withdrawn = "withdrawn",
        Expired = "expired",
        Superseded = "superseded",
    }
);

keyword_enum!(
    /// A consumer team's decision on a proposal.
    Decision, "decision" {
        Approve = "approve",
        Block = "block",
        Migrating = "migrating",
    }
);

impl ProposalStatus {
    /// The statuses of proposals that still gather acks.
    pub const OPEN: &[ProposalStatus] = &[
        ProposalStatus::Pending,
        ProposalStatus::Approved,
        ProposalStatus::Blocked,
    ];

    /// Whether the proposal can still change: open proposals gather acks.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ProposalStatus::Pending | ProposalStatus::Approved | ProposalStatus::Blocked
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// Chosen by the caller (the store does not invent ids, so the HTTP store can agree).
    pub id: String,
    pub asset: String,
    /// Contract digest before the change (the merge-base side).
    pub base_digest: String,
    /// Contract digest after the change (the PR head).
    pub head_digest: String,
    /// The breaking-set digest acks are bound to.
    pub breaking_digest: String,
    /// The breaking findings, serialised by the caller.
    pub findings_json: String,
    /// Impacted consumer teams.
    pub impacted: Vec<String>,
    pub status: ProposalStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: String,
    /// Set when a break was pushed through on purpose (`--force --reason`).
    pub force_reason: Option<String>,
    /// The change it came from: a branch or merge-request name, as `impact --change` saw it.
    #[serde(default)]
    pub change_ref: Option<String>,
    /// The contract version that shipped it (set when `sync` marks it published).
    #[serde(default)]
    pub published_version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// Assigned by the store; ignored by [`super::Store::add_ack`].
    #[serde(default)]
    pub id: i64,
    pub proposal: String,
    pub team: String,
    pub decision: Decision,
    #[serde(default, with = "opt_date")]
    pub migrating_until: Option<Date>,
    /// Email of the signing user.
    pub signer: String,
    /// The exact signed bytes (a line-based text).
    pub payload: String,
    /// The armored SSH signature.
    pub signature: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Assigned by the store, increasing; ignored by [`super::Store::append_event`].
    #[serde(default)]
    pub id: i64,
    pub at: Timestamp,
    /// One of [`kinds`], or a caller's own dotted name.
    pub kind: String,
    pub project: Option<String>,
    /// What the event is about: an asset key, a proposal id, a team or user.
    pub subject: Option<String>,
    /// A JSON object with the details.
    pub detail_json: String,
}

/// Event kinds the store writes itself.
pub mod kinds {
    pub const PROJECT_SYNCED: &str = "project.synced";
    pub const ASSET_CREATED: &str = "asset.created";
    pub const ASSET_UPDATED: &str = "asset.updated";
    pub const ASSET_RETIRED: &str = "asset.retired";
    pub const ASSET_RESTORED: &str = "asset.restored";
    pub const CONTRACT_VERSION: &str = "contract.version";
    /// A new contract version that broke consumers without an approved proposal.
    pub const CONTRACT_UNACKNOWLEDGED_BREAK: &str = "contract.unacknowledged_break";
    pub const CONSUMER_REGISTERED: &str = "consumer.registered";
    pub const CONSUMER_UPDATED: &str = "consumer.updated";
    pub const CONSUMER_RETIRED: &str = "consumer.retired";
    pub const TEAM_CHANGED: &str = "team.changed";
    pub const USER_CHANGED: &str = "user.changed";
    pub const PROPOSAL_CREATED: &str = "proposal.created";
    pub const PROPOSAL_UPDATED: &str = "proposal.updated";
    pub const PROPOSAL_STATUS: &str = "proposal.status";
    pub const ACK_RECORDED: &str = "ack.recorded";
    /// A project name bound to a repository (first sync, or the first one that knew it).
    pub const PROJECT_CLAIMED: &str = "project.claimed";
    /// A project name moved to another repository with `sync --takeover --reason`.
    pub const PROJECT_TAKEOVER: &str = "project.takeover";
    /// A team owned by the project that first declared it as `owner:`.
    pub const TEAM_CLAIMED: &str = "team.claimed";
    /// A team's owning project gave it up by no longer declaring it as `owner:`.
    pub const TEAM_RELEASED: &str = "team.released";
    /// A team taken from its owning project with `sync --takeover --reason`.
    pub const TEAM_TAKEOVER: &str = "team.takeover";
}

/// What a writer saw of one proposal when it decided what to write. [`super::Store::commit`]
/// applies a batch only while every proposal it saw still looks the same, so two writers that
/// read the same state (an `impact` re-push and an `ack`) can never both act on it: the second
/// one is refused with [`super::StoreError::Conflict`] and reads again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub proposal: String,
    /// `None`: the proposal did not exist.
    pub state: Option<SeenState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenState {
    pub breaking_digest: String,
    pub status: ProposalStatus,
    /// How many acks it had.
    pub acks: u64,
}

impl Seen {
    pub fn of(id: &str, proposal: Option<&Proposal>, acks: usize) -> Seen {
        Seen {
            proposal: id.to_string(),
            state: proposal.map(|p| SeenState {
                breaking_digest: p.breaking_digest.clone(),
                status: p.status,
                acks: acks as u64,
            }),
        }
    }
}

/// One write of a [`Batch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum Write {
    /// Create or replace a proposal, as [`super::Store::put_proposal`].
    Proposal(Proposal),
    /// As [`super::Store::set_proposal_status`].
    Status { id: String, status: ProposalStatus },
    /// As [`super::Store::add_ack`].
    Ack(Ack),
}

/// Writes that land together or not at all, guarded by what their author saw.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Batch {
    pub seen: Vec<Seen>,
    pub writes: Vec<Write>,
    /// Stamps status changes.
    pub now: Timestamp,
}

/// What a [`Batch`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Committed {
    /// The acks it appended, with the ids the store gave them, in batch order.
    pub acks: Vec<Ack>,
    /// Ids of the proposals it created.
    pub created: Vec<String>,
}

/// One asset as its project declares it, with the contract it promises now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredAsset {
    pub asset: Asset,
    /// [`relation_digest`] of the contract.
    pub digest: String,
    /// The contract as JSON (a serialised [`Relation`]).
    pub contract_json: String,
    /// The semver to record if the digest differs from the latest version. `None`: `1.0.0` for
    /// a first version, else the next major (without a diff, assume the worst).
    pub version: Option<String>,
    /// Whether this change breaks consumers without an approved proposal.
    #[serde(default)]
    pub unacknowledged_break: bool,
}

impl DeclaredAsset {
    pub fn new(asset: Asset, contract: &Relation, version: Option<String>) -> DeclaredAsset {
        DeclaredAsset {
            asset,
            digest: relation_digest(contract),
            // Serialising plain data cannot fail; an empty object would only lose detail.
            contract_json: serde_json::to_string(contract).unwrap_or_else(|_| "{}".into()),
            version,
            unacknowledged_break: false,
        }
    }
}

/// Everything one project declares. A sync replaces the project's previous declaration with
/// this one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Declaration {
    pub project: String,
    /// The project's default team (`owner:` in `tessera.yaml`).
    pub owner: Option<String>,
    pub teams: Vec<Team>,
    pub users: Vec<User>,
    pub assets: Vec<DeclaredAsset>,
    /// What this project reads. Several entries for the same asset, team and source are merged
    /// (columns united; "every column" wins).
    pub consumers: Vec<Consumer>,
    /// The repository the declaration comes from. The first sync binds the project name to it;
    /// a sync from another repository is refused unless `takeover` is set.
    #[serde(default)]
    pub repository: Repository,
    /// Take over the project name and the `owner:` team when another repository or project
    /// holds them. Not part of what the project declares: an unchanged declaration synced
    /// with a takeover that finds no conflict changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeover: Option<Takeover>,
}

/// A project as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub name: String,
    pub owner: Option<String>,
    pub first_synced_at: Timestamp,
    /// The last sync that changed anything.
    pub last_changed_at: Timestamp,
    pub last_commit: Option<String>,
    /// The repository the project name is bound to.
    #[serde(default)]
    pub repository: Repository,
}

/// Names created, updated and retired by one sync.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Changes {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub retired: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.retired.is_empty()
    }
}

/// Identifies one registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConsumerRef {
    pub asset: String,
    pub team: String,
    pub project: String,
    pub source: RegistrationSource,
}

impl From<&Consumer> for ConsumerRef {
    fn from(c: &Consumer) -> ConsumerRef {
        ConsumerRef {
            asset: c.asset.clone(),
            team: c.team.clone(),
            project: c.project.clone(),
            source: c.source,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsumerChanges {
    pub registered: Vec<ConsumerRef>,
    pub updated: Vec<ConsumerRef>,
    pub retired: Vec<ConsumerRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVersion {
    pub asset: String,
    pub version: String,
    pub digest: String,
    /// The version it follows; `None` for an asset's first contract.
    pub previous: Option<String>,
    pub unacknowledged_break: bool,
}

/// What one sync changed. An unchanged sync has `changed == false` and every list empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncOutcome {
    pub project: String,
    pub changed: bool,
    /// Asset keys; a retired asset declared again counts as updated.
    pub assets: Changes,
    pub versions: Vec<NewVersion>,
    pub consumers: ConsumerChanges,
    /// Other projects' registrations that waited for an asset this sync created.
    pub linked: Vec<ConsumerRef>,
    /// Team names.
    pub teams: Changes,
    /// User emails.
    pub users: Changes,
    /// Claims bound, released or taken over, in the order they happened.
    #[serde(default)]
    pub claims: Vec<ClaimChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub projects: u64,
    pub teams: u64,
    pub users: u64,
    pub assets: u64,
    pub retired_assets: u64,
    pub contract_versions: u64,
    pub consumers: u64,
    pub retired_consumers: u64,
    pub proposals: u64,
    pub acks: u64,
    pub events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStatus {
    /// `sqlite:/abs/path.db` or the server URL.
    pub location: String,
    pub schema_version: u32,
    /// How the backend journals writes (`wal`, `delete`); for people debugging a shared file.
    pub journal_mode: String,
    /// Active rows, except the `retired_*` counts.
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AssetFilter {
    pub project: Option<String>,
    pub include_retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConsumerFilter {
    pub asset: Option<String>,
    /// The consuming project.
    pub project: Option<String>,
    pub team: Option<String>,
    pub include_retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProposalFilter {
    pub asset: Option<String>,
    /// Any of these; empty means every status.
    pub statuses: Vec<ProposalStatus>,
    pub breaking_digest: Option<String>,
    pub change_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventFilter {
    pub project: Option<String>,
    pub subject: Option<String>,
    /// `proposal.` matches every proposal event; a full kind matches itself.
    pub kind_prefix: Option<String>,
    /// Only events with a larger id: to follow the log.
    pub after_id: Option<i64>,
    pub limit: Option<u32>,
    /// Newest first (the default is the order they happened in).
    pub newest_first: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for s in ProposalStatus::ALL {
            assert_eq!(s.name().parse::<ProposalStatus>().unwrap(), *s);
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.name())
            );
        }
        for d in Decision::ALL {
            assert_eq!(d.name().parse::<Decision>().unwrap(), *d);
        }
        for s in RegistrationSource::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.name())
            );
        }
        assert!("done".parse::<ProposalStatus>().is_err());
    }

    #[test]
    fn ack_round_trips_through_json() {
        let ack = Ack {
            id: 3,
            proposal: "p1".into(),
            team: "team-bi".into(),
            decision: Decision::Migrating,
            migrating_until: Date::new(2026, 7, 1),
            signer: "ana@example.com".into(),
            payload: "tessera-ack v1\n".into(),
            signature: "-----BEGIN SSH SIGNATURE-----".into(),
            created_at: Timestamp(1_780_000_000),
        };
        let json = serde_json::to_string(&ack).unwrap();
        assert!(
            json.contains("\"migrating_until\":\"2026-07-01\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Ack>(&json).unwrap(), ack);
    }
}
