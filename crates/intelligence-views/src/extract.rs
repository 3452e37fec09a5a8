//! Extractors whose rejections are [`ViewsError`]s, so that a malformed
//! query string or JSON body is answered with the same JSON `{"error"}`
//! shape and a 4xx status as every other error, and [`TraceId`], the
//! request's `X-Request-Id` or a fresh id.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::BODY_LIMIT;
use crate::error::ViewsError;

/// The header a caller's trace id travels in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The longest `X-Request-Id` used as a trace id; a longer one is replaced.
pub const MAX_REQUEST_ID_LEN: usize = 200;

/// A JSON body; a rejection becomes a JSON error (400 malformed, 415 not
/// JSON, 422 wrong shape, 413 too large).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ViewsError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ViewsError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ViewsError::BodyTooLarge { limit: BODY_LIMIT };
    }
    ViewsError::Rejected {
        status: rejection.status(),
        message: lowercase_first(&rejection.body_text()),
    }
}

/// A query string; a rejection becomes a 400 JSON error.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ViewsError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_rejection(&rejection)),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> ViewsError {
    ViewsError::Rejected {
        status: StatusCode::BAD_REQUEST,
        message: lowercase_first(&rejection.body_text()),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The trace id of a request: its `X-Request-Id` when that is 1 to
/// [`MAX_REQUEST_ID_LEN`] visible ASCII characters, else a fresh UUIDv7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceId(pub String);

impl TraceId {
    /// The trace id for a request with these parts.
    pub fn from_parts(parts: &Parts) -> Self {
        if let Some(existing) = parts.extensions.get::<TraceId>() {
            return existing.clone();
        }
        let given = parts
            .headers
            .get(REQUEST_ID_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|id| usable(id));
        match given {
            Some(id) => Self(id.to_owned()),
            None => Self(Uuid::now_v7().to_string()),
        }
    }
}

fn usable(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN && id.bytes().all(|b| b.is_ascii_graphic())
}

impl<S: Send + Sync> FromRequestParts<S> for TraceId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request as HttpRequest;

    fn parts(id: Option<&str>) -> Parts {
        let mut builder = HttpRequest::builder().uri("/");
        if let Some(id) = id {
            builder = builder.header(REQUEST_ID_HEADER, id);
        }
        builder.body(()).expect("request").into_parts().0
    }

    #[test]
    fn a_usable_request_id_is_kept_and_others_replaced() {
        assert_eq!(TraceId::from_parts(&parts(Some("abc-1"))).0, "abc-1");
        for bad in [None, Some(""), Some("has space"), Some(&*"x".repeat(201))] {
            let id = TraceId::from_parts(&parts(bad)).0;
            assert!(Uuid::parse_str(&id).is_ok(), "{bad:?} gave {id}");
        }
    }

    #[test]
    fn rejection_messages_start_lowercase() {
        assert_eq!(lowercase_first("Failed to parse"), "failed to parse");
        assert_eq!(lowercase_first(""), "");
    }
}
