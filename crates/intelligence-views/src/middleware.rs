//! Layers every route goes through: the bearer token check, the body size
//! check on `Content-Length`, the `X-Request-Id` echo, and the request's
//! URI as it may appear in logs.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::BODY_LIMIT;
use crate::error::ViewsError;
use crate::extract::{REQUEST_ID_HEADER, TraceId};
use crate::state::AppState;

/// Refuses a request without the configured bearer token (when one is set).
pub(crate) async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(expected) = state.settings.token.as_deref() {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer);
        let ok = given.is_some_and(|given| same(given.as_bytes(), expected.as_bytes()));
        if !ok {
            return ViewsError::Unauthorized.into_response();
        }
    }
    next.run(request).await
}

/// The credentials of a `Bearer` authorization value; the scheme name is
/// case-insensitive (RFC 9110 section 11.1), so `bearer x` counts too.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}

/// The request's path and query as logged: the value of every query
/// parameter whose name looks sensitive (the core's key parts, and `pass`,
/// `pwd`) is masked, so that `?api_key=...` sent by a client by mistake
/// does not reach the logs.
pub(crate) fn loggable_uri(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if sensitive_parameter(name) => {
                format!("{name}={}", intelligence_core::redact::MASK)
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

fn sensitive_parameter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    intelligence_core::redact::is_sensitive_key(&lower)
        || ["pass", "pwd"].iter().any(|part| lower.contains(part))
}

/// Compares in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses a request whose declared `Content-Length` is over
/// [`BODY_LIMIT`], before any handler reads it. Bodies without a length are
/// limited while they are read (`DefaultBodyLimit`).
pub(crate) async fn limit_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
        return ViewsError::BodyTooLarge { limit: BODY_LIMIT }.into_response();
    }
    next.run(request).await
}

/// Settles the request's trace id, makes it available to the handlers, and
/// echoes it in the response's `X-Request-Id`.
pub(crate) async fn request_id(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let trace = TraceId::from_parts(&parts);
    parts.extensions.insert(trace.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Ok(value) = HeaderValue::from_str(&trace.0) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer("Bearer t0k"), Some("t0k"));
        assert_eq!(bearer("bearer t0k"), Some("t0k"));
        assert_eq!(bearer("BEARER  t0k "), Some("t0k"));
        assert_eq!(bearer("Basic dXNlcg=="), None);
        assert_eq!(bearer("t0k"), None);
    }

    #[test]
    fn sensitive_query_values_are_masked_for_the_logs() {
        let uri: axum::http::Uri =
            "/intelligence/disk/?path=/tmp&api_key=sk-1&top_n=3&PASSWD=x&token"
                .parse()
                .expect("uri");
        assert_eq!(
            loggable_uri(&uri),
            "/intelligence/disk/?path=/tmp&api_key=***&top_n=3&PASSWD=***&token"
        );
        let bare: axum::http::Uri = "/intelligence/health/".parse().expect("uri");
        assert_eq!(loggable_uri(&bare), "/intelligence/health/");
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
