//! The HTTP API, one handler per [`Store`] method under `/api/v1/…`, and `GET /health`.
//!
//! Handlers check who is asking ([`Caller`]) and what they send, then run the store call on the
//! blocking pool: the store is synchronous, and a SQLite write may wait for the file lock.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::routing::{get, post, put};

use super::App;
use super::auth::Caller;
use super::errors::{ApiError, Body, check_ident};
use super::policy;
use crate::store::wire::{self, Health};
use crate::store::*;

type Answer<T> = Result<Json<T>, ApiError>;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/v1/status", get(status))
        .route("/api/v1/projects", get(projects))
        .route("/api/v1/projects/{project}/sync", post(sync))
        .route("/api/v1/team-claims", get(team_claims))
        .route("/api/v1/assets", get(assets))
        .route("/api/v1/assets/{key}", get(asset))
        .route("/api/v1/assets/{key}/versions", get(contract_versions))
        .route("/api/v1/assets/{key}/latest", get(latest_contract))
        .route("/api/v1/consumers", get(registrations))
        .route("/api/v1/teams", get(teams))
        .route("/api/v1/users", get(users))
        .route("/api/v1/proposals", get(proposals))
        .route("/api/v1/proposals/{id}", get(proposal).put(put_proposal))
        .route("/api/v1/proposals/{id}/status", put(set_status))
        .route("/api/v1/proposals/{id}/acks", get(acks).post(add_ack))
        .route("/api/v1/commit", post(commit))
        .route("/api/v1/events", get(events).post(append_event))
        .merge(super::keys::routes())
        .with_state(app)
}

/// Runs `f` with the store on the blocking pool.
pub async fn blocking<T, F>(app: &Arc<App>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&App) -> Result<T, ApiError> + Send + 'static,
{
    let app = app.clone();
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| ApiError::internal(format!("the request's worker failed: {e}")))?
}

/// A path parameter, percent-decoded and checked like every identifier.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(v) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ApiError::invalid(e.body_text(), "check the URL"))?;
        // Relation keys may hold any character a warehouse allows, except path syntax tricks
        // are harmless for them: they are only ever compared, never used as paths.
        check_ident("identifier", &v, true)?;
        Ok(Id(v))
    }
}

/// A query string whose rejection is an API error.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(v) =
            Query::<T>::from_request_parts(parts, state)
                .await
                .map_err(|e: QueryRejection| {
                    ApiError::invalid(e.body_text(), "check the query string")
                })?;
        Ok(Q(v))
    }
}

async fn health(State(app): State<Arc<App>>) -> Answer<Health> {
    let status = blocking(&app, |a| Ok(a.store.status()?)).await?;
    Ok(Json(Health {
        status: "ok".into(),
        api: wire::API_VERSION.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        // Without keys anyone may ask; the file's path is for authenticated `GET status`.
        store: if app.dev {
            status.location
        } else {
            status.location.split(':').next().unwrap_or("").to_string()
        },
        schema_version: status.schema_version,
        auth: app.auth_required(),
    }))
}

async fn status(State(app): State<Arc<App>>, c: Caller) -> Answer<StoreStatus> {
    c.read()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.status()?)).await?))
}

async fn projects(State(app): State<Arc<App>>, c: Caller) -> Answer<Vec<ProjectInfo>> {
    c.read()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.projects()?)).await?))
}

async fn sync(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(project): Id,
    Body(req): Body<wire::SyncRequest>,
) -> Answer<SyncOutcome> {
    c.write()?;
    check_ident("project", &project, false)?;
    if req.declaration.project != project {
        return Err(ApiError::invalid(
            format!(
                "the URL names project `{project}` but the declaration is project `{}`",
                req.declaration.project
            ),
            "sync one project at its own URL",
        ));
    }
    let out = blocking(&app, move |a| {
        policy::may_sync(&c, a.store.as_ref(), &req.declaration)?;
        Ok(a.store
            .sync_project(&req.declaration, req.now, req.commit.as_deref())?)
    })
    .await?;
    Ok(Json(out))
}

async fn team_claims(State(app): State<Arc<App>>, c: Caller) -> Answer<Vec<TeamClaim>> {
    c.read()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.team_claims()?)).await?))
}

async fn assets(
    State(app): State<Arc<App>>,
    c: Caller,
    Q(q): Q<wire::AssetQuery>,
) -> Answer<Vec<Asset>> {
    c.read()?;
    let filter = AssetFilter::from(q);
    Ok(Json(
        blocking(&app, move |a| Ok(a.store.assets(&filter)?)).await?,
    ))
}

async fn asset(State(app): State<Arc<App>>, c: Caller, Id(key): Id) -> Answer<Asset> {
    c.read()?;
    blocking(&app, move |a| match a.store.asset(&key)? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::not_found(format!("no asset `{key}`"))),
    })
    .await
}

async fn contract_versions(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(key): Id,
) -> Answer<Vec<ContractVersion>> {
    c.read()?;
    Ok(Json(
        blocking(&app, move |a| Ok(a.store.contract_versions(&key)?)).await?,
    ))
}

async fn latest_contract(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(key): Id,
) -> Answer<ContractVersion> {
    c.read()?;
    blocking(&app, move |a| match a.store.latest_contract(&key)? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::not_found(format!("no contract for `{key}`"))),
    })
    .await
}

async fn registrations(
    State(app): State<Arc<App>>,
    c: Caller,
    Q(q): Q<wire::ConsumerQuery>,
) -> Answer<Vec<Consumer>> {
    c.read()?;
    let filter = ConsumerFilter::from(q);
    Ok(Json(
        blocking(&app, move |a| Ok(a.store.registrations(&filter)?)).await?,
    ))
}

async fn teams(State(app): State<Arc<App>>, c: Caller) -> Answer<Vec<Team>> {
    c.read()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.teams()?)).await?))
}

async fn users(State(app): State<Arc<App>>, c: Caller) -> Answer<Vec<User>> {
    c.read()?;
    Ok(Json(blocking(&app, |a| Ok(a.store.users()?)).await?))
}

async fn proposals(
    State(app): State<Arc<App>>,
    c: Caller,
    Q(q): Q<wire::ProposalQuery>,
) -> Answer<Vec<Proposal>> {
    c.read()?;
    let statuses = wire::parse_statuses(q.status.as_deref()).map_err(|e| {
        ApiError::invalid(e, "`status` is a comma-separated list of proposal statuses")
    })?;
    let filter = ProposalFilter {
        asset: q.asset,
        statuses,
        breaking_digest: q.breaking_digest,
        change_ref: q.change_ref,
    };
    Ok(Json(
        blocking(&app, move |a| Ok(a.store.proposals(&filter)?)).await?,
    ))
}

async fn proposal(State(app): State<Arc<App>>, c: Caller, Id(id): Id) -> Answer<Proposal> {
    c.read()?;
    blocking(&app, move |a| match a.store.proposal(&id)? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::not_found(format!("no proposal `{id}`"))),
    })
    .await
}

async fn put_proposal(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(id): Id,
    Body(p): Body<Proposal>,
) -> Answer<wire::Created> {
    c.write()?;
    check_ident("proposal id", &id, false)?;
    if p.id != id {
        return Err(ApiError::invalid(
            format!("the URL names proposal `{id}` but the body is `{}`", p.id),
            "put a proposal at its own URL",
        ));
    }
    let created = blocking(&app, move |a| {
        policy::may_write_proposal(&c, a.store.as_ref(), &p.asset)?;
        Ok(a.store.put_proposal(&p)?)
    })
    .await?;
    Ok(Json(wire::Created { created }))
}

async fn set_status(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(id): Id,
    Body(req): Body<wire::StatusRequest>,
) -> Answer<serde_json::Value> {
    c.write()?;
    blocking(&app, move |a| {
        let Some(p) = a.store.proposal(&id)? else {
            return Err(StoreError::ProposalNotFound { id }.into());
        };
        policy::may_write_proposal(&c, a.store.as_ref(), &p.asset)?;
        a.store.set_proposal_status(&id, req.status, req.now)?;
        Ok(Json(serde_json::json!({"id": id, "status": req.status})))
    })
    .await
}

async fn acks(State(app): State<Arc<App>>, c: Caller, Id(id): Id) -> Answer<Vec<Ack>> {
    c.read()?;
    Ok(Json(blocking(&app, move |a| Ok(a.store.acks(&id)?)).await?))
}

async fn add_ack(
    State(app): State<Arc<App>>,
    c: Caller,
    Id(id): Id,
    Body(ack): Body<Ack>,
) -> Answer<Ack> {
    c.write()?;
    if ack.proposal != id {
        return Err(ApiError::invalid(
            format!(
                "the URL names proposal `{id}` but the ack is for `{}`",
                ack.proposal
            ),
            "post an ack under its own proposal",
        ));
    }
    let batch = Batch {
        seen: Vec::new(),
        writes: vec![Write::Ack(ack.clone())],
        now: ack.created_at,
    };
    blocking(&app, move |a| {
        policy::may_commit(&c, a.store.as_ref(), &batch)?;
        Ok(Json(a.store.add_ack(&ack)?))
    })
    .await
}

async fn commit(
    State(app): State<Arc<App>>,
    c: Caller,
    Body(batch): Body<Batch>,
) -> Answer<Committed> {
    c.write()?;
    blocking(&app, move |a| {
        policy::may_commit(&c, a.store.as_ref(), &batch)?;
        Ok(Json(a.store.commit(&batch)?))
    })
    .await
}

async fn events(
    State(app): State<Arc<App>>,
    c: Caller,
    Q(q): Q<wire::EventQuery>,
) -> Answer<Vec<Event>> {
    c.read()?;
    let filter = EventFilter::from(q);
    Ok(Json(
        blocking(&app, move |a| Ok(a.store.events(&filter)?)).await?,
    ))
}

async fn append_event(
    State(app): State<Arc<App>>,
    c: Caller,
    Body(e): Body<Event>,
) -> Answer<Event> {
    c.write()?;
    check_ident("event kind", &e.kind, false)?;
    blocking(&app, move |a| {
        policy::may_append_event(&c, a.store.as_ref(), &e)?;
        Ok(Json(a.store.append_event(&e)?))
    })
    .await
}
