//! The coordination store: who owns what, who consumes what, which contract versions exist, and
//! the proposals, acknowledgments and events of coordinating a break.
//!
//! [`Store`] is the interface every command uses; [`SqliteStore`] is the embedded backend,
//! [`PostgresStore`] the one several `tessera serve` replicas share, and the HTTP client of
//! `tessera serve` implements the same trait. Nothing in the trait mentions
//! SQL, so commands cannot come to depend on one backend.

mod claims;
#[cfg(test)]
mod conformance;
mod error;
pub mod http;
mod keys;
mod model;
pub mod postgres;
pub mod sqlite;
mod time;
pub mod wire;

pub use claims::{ClaimChange, Repository, Takeover, TeamClaim};
pub use error::{BoxError, Result, StoreError};
pub use http::{HttpStore, RemoteError};
pub use keys::{KEY_CREATED, KEY_REVOKED, KeyStore};
pub use model::*;
pub use postgres::PostgresStore;
pub use sqlite::{Journal, OpenOptions, SqliteStore};
pub use time::{Timestamp, TimestampError};

/// The shared coordination state.
///
/// Writes are atomic: each method either applies completely or not at all, also when the process
/// dies half-way. Methods that change state record their own events in the append-only log, in
/// the same transaction, so callers do not append events for them.
pub trait Store: Send + Sync {
    /// Where the store is, its schema version and how many of everything it holds.
    fn status(&self) -> Result<StoreStatus>;

    /// Replaces everything `declaration.project` declared before with `declaration`, in one
    /// transaction, after checking its claims: the project name must be bound to
    /// `declaration.repository` (the first sync binds it), and its `owner:` team must be
    /// unowned or owned by this project. A conflict is [`StoreError::ProjectClaimed`] or
    /// [`StoreError::TeamClaimed`] and writes nothing, unless `declaration.takeover` is set,
    /// which moves the claim and records who and why. A team the project no longer declares as
    /// `owner:` is released. Running it twice with the same input changes nothing, not even the event
    /// log. What the project no longer declares is retired, never deleted. An asset whose
    /// contract digest changed gets a new [`ContractVersion`], stamped with `now` and `commit`.
    /// Other projects' rows are never touched.
    fn sync_project(
        &self,
        declaration: &Declaration,
        now: Timestamp,
        commit: Option<&str>,
    ) -> Result<SyncOutcome>;

    /// Every project that has synced, by name, with the repository its name is bound to.
    fn projects(&self) -> Result<Vec<ProjectInfo>>;

    /// Which project owns each team, by team name. A team is owned by the project that first
    /// declared it as `owner:`; only that project's members and keys speak for it.
    fn team_claims(&self) -> Result<Vec<TeamClaim>>;

    /// Assets by key.
    fn assets(&self, filter: &AssetFilter) -> Result<Vec<Asset>>;

    /// One asset, retired or not.
    fn asset(&self, key: &str) -> Result<Option<Asset>>;

    /// Every contract version of an asset, oldest first.
    fn contract_versions(&self, asset: &str) -> Result<Vec<ContractVersion>>;

    /// The asset's current contract.
    fn latest_contract(&self, asset: &str) -> Result<Option<ContractVersion>>;

    /// Registrations matching the filter, by asset, then consuming project, team and source.
    fn registrations(&self, filter: &ConsumerFilter) -> Result<Vec<Consumer>>;

    /// The active consumers of an asset key, including those registered before any project
    /// declared the asset.
    fn consumers(&self, asset: &str) -> Result<Vec<Consumer>> {
        self.registrations(&ConsumerFilter {
            asset: Some(asset.to_string()),
            ..ConsumerFilter::default()
        })
    }

    /// Active team declarations, by name then declaring project.
    fn teams(&self) -> Result<Vec<Team>>;

    /// Active user declarations, by email then declaring project.
    fn users(&self) -> Result<Vec<User>>;

    /// Active user declarations that list `team`, from every project; each says which project
    /// declared it, so callers decide whose word counts.
    fn team_members(&self, team: &str) -> Result<Vec<User>> {
        Ok(self
            .users()?
            .into_iter()
            .filter(|u| u.teams.iter().any(|t| t == team))
            .collect())
    }

    /// Creates the proposal, or replaces the one with the same id. Returns `true` when it was
    /// created. Records `proposal.created` or `proposal.updated` when something changed.
    fn put_proposal(&self, proposal: &Proposal) -> Result<bool>;

    fn proposal(&self, id: &str) -> Result<Option<Proposal>>;

    /// Newest first.
    fn proposals(&self, filter: &ProposalFilter) -> Result<Vec<Proposal>>;

    /// Records a `proposal.status` event when the status changes.
    fn set_proposal_status(&self, id: &str, status: ProposalStatus, now: Timestamp) -> Result<()>;

    /// Appends an acknowledgment (acks are never changed or deleted) and returns it with its id.
    fn add_ack(&self, ack: &Ack) -> Result<Ack>;

    /// The proposal's acks in the order they were recorded.
    fn acks(&self, proposal: &str) -> Result<Vec<Ack>>;

    /// Applies `batch` in one transaction, after checking that every proposal in `batch.seen`
    /// still has the breaking set, status and number of acks its author saw; otherwise nothing
    /// is written and the error is [`StoreError::Conflict`]. This is how `impact` and `ack`
    /// serialise their decisions on one proposal.
    fn commit(&self, batch: &Batch) -> Result<Committed>;

    /// Appends an event and returns it with its id.
    fn append_event(&self, event: &Event) -> Result<Event>;

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>>;
}
