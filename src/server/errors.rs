//! Every refusal of the API is a JSON body with a stable diagnostic code, the message and what to
//! do next, under the HTTP status that says whose fault it is: 401/403 for keys, 404 for an
//! unknown thing, 409 for a conflict or a claim, 413 for a body too large, 422 for bad input.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::store::StoreError;
use crate::store::wire::{self, ErrorBody, ErrorEnvelope};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>, help: &str) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_string(),
                message: message.into(),
                help: help.to_string(),
                fields: serde_json::Value::Null,
            },
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "tessera::server::unauthorized",
            message,
            "send an API key as `Authorization: Bearer KEY` (the CLI reads it from \
             TESSERA_TOKEN); an admin creates keys with `tessera keys create`",
        )
    }

    pub fn forbidden(message: impl Into<String>, help: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "tessera::server::forbidden",
            message,
            help,
        )
    }

    pub fn invalid(message: impl Into<String>, help: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "tessera::server::invalid_input",
            message,
            help,
        )
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            wire::NOT_FOUND,
            message,
            "check the identifier; the list endpoints show what exists",
        )
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "tessera::server::internal",
            message,
            "this is unexpected; the server's log has the request id",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let (status, body) = wire::error_body(&e);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(code = %body.code, error = %body.message, "store failed");
        }
        ApiError { status, body }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorEnvelope { error: self.body })).into_response()
    }
}

/// A JSON request body whose rejections are API errors: 413 past the size limit, 415 without a
/// JSON content type, 422 for anything that does not parse into `T` (with serde's JSON path).
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(body_rejection(rejection)),
        }
    }
}

fn body_rejection(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "tessera::server::too_large",
            format!("the request body is larger than the server accepts ({text})"),
            "split the project, or raise the server's --max-body",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "tessera::server::content_type",
            text,
            "send `Content-Type: application/json`",
        ),
        _ => ApiError::invalid(
            format!("the request body is not valid: {text}"),
            "send the JSON the API documents; the tessera CLI does",
        ),
    }
}

/// Identifiers come from repositories and from URLs: bounded, printable, and no path syntax in
/// the names that are not relation keys.
pub fn check_ident(what: &str, value: &str, slashes: bool) -> Result<(), ApiError> {
    let bad = if value.trim().is_empty() {
        Some("is empty")
    } else if value.len() > 512 {
        Some("is longer than 512 bytes")
    } else if value.chars().any(char::is_control) {
        Some("contains control characters")
    } else if !slashes && (value.contains('/') || value.contains('\\') || value == "..") {
        Some("contains a path separator")
    } else {
        None
    };
    match bad {
        Some(why) => Err(ApiError::invalid(
            format!("the {what} `{}` {why}", value.escape_debug()),
            "use the names tessera.yaml declares",
        )),
        None => Ok(()),
    }
}
