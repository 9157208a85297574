//! Who is asking: an API key sent as `Authorization: Bearer tsk_<id>_<secret>`.
//!
//! Keys belong to a team and carry one scope: `read` reads, `write` also writes what the team
//! owns (see [`super::policy`]), `admin` does anything and manages keys. The store keeps only a
//! key's sha256; the secret is shown once, at creation. `TESSERA_BOOTSTRAP_KEY` is accepted only
//! to create keys, so a fresh server can be given its first admin key and nothing else.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::App;
use super::errors::ApiError;
use crate::store::wire::KeyScope;

/// The caller of one request, once its key is checked.
#[derive(Debug, Clone)]
pub enum Caller {
    /// `--dev`: no keys, everything allowed (loopback only).
    Anyone,
    /// The bootstrap secret: may create keys, nothing else.
    Bootstrap,
    Key {
        id: String,
        team: String,
        scope: KeyScope,
    },
}

impl Caller {
    pub fn read(&self) -> Result<(), ApiError> {
        match self {
            Caller::Bootstrap => Err(bootstrap_only()),
            _ => Ok(()),
        }
    }

    pub fn write(&self) -> Result<(), ApiError> {
        match self {
            Caller::Anyone => Ok(()),
            Caller::Bootstrap => Err(bootstrap_only()),
            Caller::Key { scope, .. } if *scope >= KeyScope::Write => Ok(()),
            Caller::Key { id, team, .. } => Err(ApiError::forbidden(
                format!("key {id} of team `{team}` may only read"),
                "writes need a key with scope `write` (or `admin`): `tessera keys create --team \
                 TEAM --scope write`",
            )),
        }
    }

    pub fn admin(&self) -> Result<(), ApiError> {
        match self {
            Caller::Anyone | Caller::Bootstrap => Ok(()),
            Caller::Key {
                scope: KeyScope::Admin,
                ..
            } => Ok(()),
            Caller::Key { id, .. } => Err(ApiError::forbidden(
                format!("key {id} is not an admin key"),
                "managing keys needs a key with scope `admin`",
            )),
        }
    }

    /// The team whose property this caller may write; `None` may write everything.
    pub fn team(&self) -> Option<&str> {
        match self {
            Caller::Key {
                team,
                scope: KeyScope::Write | KeyScope::Read,
                ..
            } => Some(team),
            _ => None,
        }
    }

    /// For the event log: who did it.
    pub fn describe(&self) -> String {
        match self {
            Caller::Anyone => "dev".into(),
            Caller::Bootstrap => "bootstrap".into(),
            Caller::Key { id, team, .. } => format!("key {id} ({team})"),
        }
    }
}

fn bootstrap_only() -> ApiError {
    ApiError::forbidden(
        "the bootstrap key can only create keys",
        "create an admin key with it (`tessera keys create --team TEAM --scope admin`), then use \
         that key",
    )
}

/// `sha256:<hex>` of a whole token.
pub fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new key id and its token. The id is public (lists, logs); the token is the secret.
pub fn new_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 28];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::internal(format!("no randomness for a key: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let (id, secret) = hex.split_at(12);
    Ok((format!("k{id}"), format!("tsk_k{id}_{secret}")))
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        if app.dev {
            return Ok(Caller::Anyone);
        }
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("no API key was sent"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header is not `Bearer KEY`"))?
            .to_string();
        if let Some(boot) = &app.bootstrap
            && same(&token, boot)
        {
            tracing::Span::current().record("caller", tracing::field::display("bootstrap"));
            return Ok(Caller::Bootstrap);
        }
        let id = token
            .strip_prefix("tsk_")
            .and_then(|rest| rest.split_once('_'))
            .map(|(id, _)| id.to_string())
            .ok_or_else(|| ApiError::unauthorized("the API key is not one this server issued"))?;
        let app = app.clone();
        let caller = tokio::task::spawn_blocking(move || {
            let record = app.store.api_key(&id).map_err(ApiError::from)?;
            match record {
                Some((key, stored)) if same(&hash(&token), &stored) => {
                    if key.revoked_at.is_some() {
                        return Err(ApiError::unauthorized(format!("key {id} was revoked")));
                    }
                    Ok(Caller::Key {
                        id: key.id,
                        team: key.team,
                        scope: key.scope,
                    })
                }
                _ => Err(ApiError::unauthorized(
                    "the API key is not one this server issued",
                )),
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("checking the key failed: {e}")))??;
        tracing::Span::current().record("caller", tracing::field::display(caller.describe()));
        Ok(caller)
    }
}
