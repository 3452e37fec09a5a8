//! [`ViewsError`]: every way a request or the server can fail, and the one
//! place where a failure becomes an HTTP response, always JSON
//! `{"error": "..."}`.

use std::net::SocketAddr;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use intelligence_core::{IncidentId, ProviderError, RunId, SourceError};
use intelligence_store::StoreError;
use serde_json::json;

/// What failed while serving a request, or while starting the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewsError {
    /// A query parameter or body field could not be used.
    #[error("invalid {field}: {reason}")]
    InvalidParameter {
        /// The parameter or field name.
        field: &'static str,
        /// Why it was refused, naming the value given.
        reason: String,
    },

    /// The query string or JSON body could not be read at all.
    #[error("{message}")]
    Rejected {
        /// The HTTP status axum's extractor chose (always 4xx).
        status: StatusCode,
        /// What was wrong with the request.
        message: String,
    },

    /// The request body is larger than [`crate::BODY_LIMIT`].
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// The bearer token is missing or wrong.
    #[error("missing or invalid bearer token")]
    Unauthorized,

    /// The incident asked for does not exist.
    #[error("incident {0} not found")]
    IncidentNotFound(IncidentId),

    /// The run asked for does not exist.
    #[error("run {0} not found")]
    RunNotFound(String),

    /// The provider refused the input or failed.
    #[error(transparent)]
    Provider(#[from] ProviderError),

    /// The provider refused the input or failed inside an audited run,
    /// whose failed record has this id; the response carries it.
    #[error("{source}")]
    Analysis {
        /// The run's audit record.
        run_id: RunId,
        /// What the provider said.
        #[source]
        source: ProviderError,
    },

    /// The incident source failed.
    #[error("cannot read incident {id}: {source}")]
    IncidentSource {
        /// The incident being read.
        id: IncidentId,
        /// The source's error.
        #[source]
        source: SourceError,
    },

    /// A run query failed.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// `serve` was asked to listen on a non-loopback address without a token.
    #[error(
        "refusing to bind {addr} without a bearer token: set a token or bind to a loopback address"
    )]
    InsecureBind {
        /// The address asked for.
        addr: SocketAddr,
    },

    /// The listening socket could not be opened.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The server stopped with an I/O error.
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
}

impl ViewsError {
    /// A parameter error for `field`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            field,
            reason: reason.into(),
        }
    }

    /// The HTTP status this error is answered with: 4xx for anything the
    /// request got wrong, 5xx only for failures of the server or upstream.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            Self::Rejected { status, .. } => *status,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::IncidentNotFound(_) | Self::RunNotFound(_) => StatusCode::NOT_FOUND,
            Self::Provider(err) | Self::Analysis { source: err, .. } => provider_status(err),
            Self::Store(StoreError::InvalidCursor { .. }) => StatusCode::BAD_REQUEST,
            Self::IncidentSource { .. }
            | Self::Store(_)
            | Self::InsecureBind { .. }
            | Self::Bind { .. }
            | Self::Serve(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

fn provider_status(err: &ProviderError) -> StatusCode {
    if err.is_bad_input() {
        return StatusCode::BAD_REQUEST;
    }
    match err {
        ProviderError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        ProviderError::Http { .. } | ProviderError::Upstream(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ViewsError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, status = status.as_u16(), "request failed");
        } else {
            tracing::debug!(error = %self, status = status.as_u16(), "request refused");
        }
        let body = match &self {
            Self::Analysis { run_id, .. } => {
                json!({ "error": self.to_string(), "run_id": run_id })
            }
            _ => json!({ "error": self.to_string() }),
        };
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Self::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_is_never_a_server_error() {
        let bad = [
            ViewsError::invalid("top_n", "x"),
            ViewsError::Provider(ProviderError::Config("x".into())),
            ViewsError::Provider(ProviderError::UnknownProvider {
                name: "x".into(),
                available: vec![],
            }),
            ViewsError::IncidentNotFound(4),
            ViewsError::BodyTooLarge { limit: 1 },
            ViewsError::Store(StoreError::InvalidCursor {
                cursor: "x".into(),
                reason: "y".into(),
            }),
        ];
        for err in bad {
            assert!(err.status().is_client_error(), "{err}: {}", err.status());
        }
        let upstream = ViewsError::Provider(ProviderError::Upstream("down".into()));
        assert_eq!(upstream.status(), StatusCode::BAD_GATEWAY);
    }
}
