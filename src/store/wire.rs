//! What `tessera serve` and the HTTP store exchange besides the model types: request envelopes,
//! query strings and error bodies. Both sides use these definitions, so they cannot drift apart.
//!
//! A store error crosses the wire as its stable diagnostic code plus the fields needed to rebuild
//! it, so a [`StoreError::Conflict`] raised on the server is a `Conflict` again in the client and
//! `commit_retrying` retries it exactly as it does over SQLite.

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::StoreError;
use super::model::{AssetFilter, ConsumerFilter, Declaration, EventFilter, ProposalStatus};
use super::time::Timestamp;

/// The API's version, in every path (`/api/v1/…`) and in `GET /health`.
pub const API_VERSION: &str = "v1";

/// Code of a lookup that found nothing (`GET /api/v1/assets/KEY` of an unknown asset).
pub const NOT_FOUND: &str = "tessera::server::not_found";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub api: String,
    pub version: String,
    /// Where the server keeps its store (`sqlite:/srv/tessera.db`).
    pub store: String,
    pub schema_version: u32,
    /// Whether the server checks API keys (`false` under `--dev`).
    pub auth: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncRequest {
    pub declaration: Declaration,
    pub now: Timestamp,
    pub commit: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusRequest {
    pub status: ProposalStatus,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Created {
    pub created: bool,
}

/// Query strings carry every field optionally; a missing flag is `false`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AssetQuery {
    pub project: Option<String>,
    pub include_retired: bool,
}

impl From<AssetQuery> for AssetFilter {
    fn from(q: AssetQuery) -> AssetFilter {
        AssetFilter {
            project: q.project,
            include_retired: q.include_retired,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerQuery {
    pub asset: Option<String>,
    pub project: Option<String>,
    pub team: Option<String>,
    pub include_retired: bool,
}

impl From<ConsumerQuery> for ConsumerFilter {
    fn from(q: ConsumerQuery) -> ConsumerFilter {
        ConsumerFilter {
            asset: q.asset,
            project: q.project,
            team: q.team,
            include_retired: q.include_retired,
        }
    }
}

/// `status` is a comma-separated list of proposal statuses (a query string has no lists).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProposalQuery {
    pub asset: Option<String>,
    pub status: Option<String>,
    pub breaking_digest: Option<String>,
    pub change_ref: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventQuery {
    pub project: Option<String>,
    pub subject: Option<String>,
    pub kind_prefix: Option<String>,
    pub after_id: Option<i64>,
    pub limit: Option<u32>,
    pub newest_first: bool,
}

impl From<EventQuery> for EventFilter {
    fn from(q: EventQuery) -> EventFilter {
        EventFilter {
            project: q.project,
            subject: q.subject,
            kind_prefix: q.kind_prefix,
            after_id: q.after_id,
            limit: q.limit,
            newest_first: q.newest_first,
        }
    }
}

/// What an API key may do; each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    Read,
    Write,
    Admin,
}

impl KeyScope {
    pub fn name(self) -> &'static str {
        match self {
            KeyScope::Read => "read",
            KeyScope::Write => "write",
            KeyScope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<KeyScope> {
        [KeyScope::Read, KeyScope::Write, KeyScope::Admin]
            .into_iter()
            .find(|k| k.name() == s)
    }
}

/// An API key as lists show it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub id: String,
    pub team: String,
    pub scope: KeyScope,
    pub created_at: Timestamp,
    pub created_by: String,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewKey {
    pub team: String,
    pub scope: KeyScope,
}

/// The answer to creating a key: the only time its token is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key: KeyInfo,
    pub token: String,
}

/// `{"error": {...}}`, the body of every refusal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The stable diagnostic code (`tessera::store::conflict`).
    pub code: String,
    pub message: String,
    pub help: String,
    /// What the client needs to rebuild a typed error.
    #[serde(default)]
    pub fields: Value,
}

/// The HTTP status and body a store error is answered with.
pub fn error_body(e: &StoreError) -> (u16, ErrorBody) {
    let (status, fields) = match e {
        StoreError::Conflict { id, what } => (409, json!({"id": id, "what": what})),
        StoreError::ProjectClaimed {
            project,
            held_by,
            from,
            help,
        } => (
            409,
            json!({"project": project, "held_by": held_by, "from": from, "help": help}),
        ),
        StoreError::TeamClaimed {
            team,
            owner,
            project,
        } => (
            409,
            json!({"team": team, "owner": owner, "project": project}),
        ),
        StoreError::AssetConflict {
            asset,
            owner,
            project,
        } => (
            409,
            json!({"asset": asset, "owner": owner, "project": project}),
        ),
        StoreError::ProposalNotFound { id } => (404, json!({"id": id})),
        StoreError::InvalidDeclaration {
            project,
            message,
            help,
        } => (
            422,
            json!({"project": project, "message": message, "help": help}),
        ),
        // The server's own database is down or full of waiters: try again later, not a bug.
        StoreError::Busy { .. } | StoreError::Unreachable { .. } => (503, Value::Null),
        _ => (500, Value::Null),
    };
    let body = ErrorBody {
        code: e
            .code()
            .map_or_else(|| "tessera::store::backend".into(), |c| c.to_string()),
        message: e.to_string(),
        help: e.help().map(|h| h.to_string()).unwrap_or_default(),
        fields,
    };
    (status, body)
}

/// The typed store error a server's refusal stands for, when it is one the CLI acts on;
/// `None` for everything else (the caller reports it with the server's code and words).
pub fn store_error(body: &ErrorBody) -> Option<StoreError> {
    let f = |name: &str| {
        body.fields
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let e = match body.code.as_str() {
        "tessera::store::conflict" => StoreError::Conflict {
            id: f("id")?,
            what: f("what")?,
        },
        "tessera::store::proposal_not_found" => StoreError::ProposalNotFound { id: f("id")? },
        "tessera::store::project_claimed" => StoreError::ProjectClaimed {
            project: f("project")?,
            held_by: f("held_by")?,
            from: f("from")?,
            help: f("help")?,
        },
        "tessera::store::team_claimed" => StoreError::TeamClaimed {
            team: f("team")?,
            owner: f("owner")?,
            project: f("project")?,
        },
        "tessera::store::asset_conflict" => StoreError::AssetConflict {
            asset: f("asset")?,
            owner: f("owner")?,
            project: f("project")?,
        },
        "tessera::store::invalid_declaration" => StoreError::InvalidDeclaration {
            project: f("project")?,
            message: f("message")?,
            help: f("help")?,
        },
        _ => return None,
    };
    Some(e)
}

/// Parses `ProposalQuery::status`.
pub fn parse_statuses(list: Option<&str>) -> Result<Vec<ProposalStatus>, String> {
    list.into_iter()
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_unavailable_not_an_internal_error() {
        let e = StoreError::Unreachable {
            location: "postgres://tessera@db:5432/tessera".into(),
            detail: "error connecting to server: Connection refused".into(),
        };
        let (status, body) = error_body(&e);
        assert_eq!(status, 503);
        assert_eq!(body.code, "tessera::store::unreachable");
    }

    #[test]
    fn a_conflict_survives_the_wire() {
        let e = StoreError::Conflict {
            id: "P-1".into(),
            what: "2 acks, not 1".into(),
        };
        let (status, body) = error_body(&e);
        assert_eq!(status, 409);
        assert_eq!(body.code, "tessera::store::conflict");
        let text = serde_json::to_string(&body).unwrap();
        let back: ErrorBody = serde_json::from_str(&text).unwrap();
        assert!(matches!(
            store_error(&back),
            Some(StoreError::Conflict { id, .. }) if id == "P-1"
        ));
    }

    #[test]
    fn statuses_parse_from_a_list() {
        assert_eq!(
            parse_statuses(Some("pending, approved")).unwrap(),
            [ProposalStatus::Pending, ProposalStatus::Approved]
        );
        assert!(parse_statuses(Some("done")).is_err());
        assert!(parse_statuses(None).unwrap().is_empty());
    }
}
