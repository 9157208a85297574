//! `/api/v1/keys`: create (the token is in that answer only), list, revoke. Admin keys only;
//! the bootstrap secret may create.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{delete, get};
use axum::{Json, Router};

use super::App;
use super::auth::{self, Caller};
use super::errors::{ApiError, Body, check_ident};
use super::routes::{Id, blocking};
use crate::store::Timestamp;
use crate::store::wire::{CreatedKey, KeyInfo, NewKey};

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/keys", get(list).post(create))
        .route("/api/v1/keys/{id}", delete(revoke))
}

async fn list(State(app): State<Arc<App>>, c: Caller) -> Result<Json<Vec<KeyInfo>>, ApiError> {
    if matches!(c, Caller::Bootstrap) {
        return Err(ApiError::forbidden(
            "the bootstrap key can only create keys",
            "list keys with an admin key",
        ));
    }
    c.admin()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.api_keys()?)).await?))
}

async fn create(
    State(app): State<Arc<App>>,
    c: Caller,
    Body(new): Body<NewKey>,
) -> Result<Json<CreatedKey>, ApiError> {
    c.admin()?;
    check_ident("team", &new.team, false)?;
    let (id, token) = auth::new_token()?;
    let key = KeyInfo {
        id,
        team: new.team,
        scope: new.scope,
        created_at: Timestamp::now(),
        created_by: c.describe(),
        revoked_at: None,
    };
    let hash = auth::hash(&token);
    let stored = key.clone();
    blocking(&app, move |a| Ok(a.store.add_api_key(&stored, &hash)?)).await?;
    tracing::info!(key = %key.id, team = %key.team, scope = key.scope.name(), by = %key.created_by, "key created");
    Ok(Json(CreatedKey { key, token }))
}

async fn revoke(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(id): Id,
) -> Result<Json<KeyInfo>, ApiError> {
    if matches!(c, Caller::Bootstrap) {
        return Err(ApiError::forbidden(
            "the bootstrap key can only create keys",
            "revoke keys with an admin key",
        ));
    }
    c.admin()?;
    let by = c.describe();
    let key = blocking(&app, move |a| {
        a.store
            .revoke_api_key(&id, Timestamp::now(), &by)?
            .ok_or_else(|| ApiError::not_found(format!("no key `{id}`")))
    })
    .await?;
    tracing::info!(key = %key.id, "key revoked");
    Ok(Json(key))
}
