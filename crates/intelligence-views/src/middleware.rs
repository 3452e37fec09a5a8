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
/// does not reach the logs. Names are matched as the query extractor reads
/// them, decoded ([`decode_name`]: `p%61ssword` is `password`), and a name
/// that does not decode cleanly counts as sensitive. The logged name is the
/// one sent, undecoded.
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

/// Whether the value of the parameter named `raw` (as sent, still
/// encoded) is masked in the logs: when its decoded name looks sensitive, or
/// when it cannot be decoded at all (fail closed).
fn sensitive_parameter(raw: &str) -> bool {
    let Some(name) = decode_name(raw) else {
        return true;
    };
    let lower = name.to_lowercase();
    intelligence_core::redact::is_sensitive_key(&lower)
        || ["pass", "pwd"].iter().any(|part| lower.contains(part))
}

/// A query parameter name as `application/x-www-form-urlencoded` (and so
/// axum's `Query`) reads it: `+` is a space and `%XX` the byte `XX`.
/// `None` when it does not decode cleanly: a `%` not followed by two hex
/// digits, or bytes that are not UTF-8 (which the extractor would read
/// lossily, and a log filter must not guess at).
fn decode_name(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hex = |at: usize| {
                    bytes
                        .get(at)
                        .and_then(|&b| char::from(b).to_digit(16))
                        .and_then(|d| u8::try_from(d).ok())
                };
                out.push(hex(i + 1)? << 4 | hex(i + 2)?);
                i += 3;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
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
    fn percent_encoded_sensitive_names_are_masked_too() {
        let uri: axum::http::Uri =
            "/intelligence/health/?api_key=QS-1&p%61ssword=QS-2&%74oken=QS-3\
             &%41PI%5FKEY=QS-4&top%5Fn=3&pa%73s+phrase=QS-5"
                .parse()
                .expect("uri");
        assert_eq!(
            loggable_uri(&uri),
            "/intelligence/health/?api_key=***&p%61ssword=***&%74oken=***\
             &%41PI%5FKEY=***&top%5Fn=3&pa%73s+phrase=***"
        );
    }

    #[test]
    fn names_that_do_not_decode_cleanly_are_masked() {
        // A bad escape, a truncated one, a lone `%`, bytes that are not UTF-8.
        let uri: axum::http::Uri = "/x/?%zzoken=QS-1&name%4=QS-2&%=QS-3&%FF%FE=QS-4&top_n=3"
            .parse()
            .expect("uri");
        assert_eq!(
            loggable_uri(&uri),
            "/x/?%zzoken=***&name%4=***&%=***&%FF%FE=***&top_n=3"
        );
    }

    #[test]
    fn names_decode_as_forms_do() {
        assert_eq!(decode_name("a+b%20c%2Bd").as_deref(), Some("a b c+d"));
        assert_eq!(decode_name("%C3%A9t%C3%A9").as_deref(), Some("été"));
        assert_eq!(decode_name("%3d%3D").as_deref(), Some("=="));
        assert_eq!(decode_name("plain_name").as_deref(), Some("plain_name"));
        assert_eq!(decode_name(""), Some(String::new()));
        for bad in ["%", "%4", "%g1", "%+1", "a%", "%C3"] {
            assert_eq!(decode_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_compare_by_content() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
