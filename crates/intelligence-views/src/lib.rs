//! `intelligence-views`: the HTTP face of `intelligence`, an axum
//! [`Router`] built from injected state.
//!
//! JSON routes under `/intelligence/` run analyses (every one through the
//! audited [`intelligence_core::run()`], with the request's `X-Request-Id` as
//! trace id) and read the recorded runs; HTML pages under
//! `/admin/intelligence/analysisrun/` list and show the runs. Every error is
//! JSON `{"error": "..."}`, with a 4xx status for anything the request got
//! wrong. `docs/http-api.md` lists every route.
//!
//! - Request-supplied provider config can never set a URL, host, path or
//!   credential ([`config::sanitize`]).
//! - Disk paths resolve inside the server's allowed roots.
//! - Bodies over [`BODY_LIMIT`] are refused with 413.
//! - An optional bearer token guards every route; [`serve()`] refuses a
//!   non-loopback address without one.
//! - A client that disconnects cancels its analysis; the run is recorded
//!   failed with error type `cancelled`.
//!
//! # Example
//!
//! ```
//! use intelligence_core::ProviderRegistry;
//! use intelligence_store::Store;
//! use intelligence_views::{AppState, ViewSettings, router};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path().join("runs.db").to_str().unwrap()).unwrap();
//! let mut registry = ProviderRegistry::new();
//! let settings = ViewSettings::default();
//! intelligence_local::register(&mut registry, settings.local.clone());
//!
//! let app: axum::Router = router(AppState::from_store(registry, store, settings));
//! # let _ = app;
//! ```

pub mod admin;
pub mod config;
pub mod error;
pub mod extract;
mod handlers;
mod middleware;
pub mod params;
pub mod queries;
pub mod serve;
pub mod state;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::trace::TraceLayer;

pub use error::ViewsError;
pub use extract::TraceId;
pub use handlers::runs::DEFAULT_LIMIT;
pub use queries::RunQueries;
pub use serve::{
    DEFAULT_BIND, ServeSettings, TOKEN_ENV, check_bind, serve, serve_on, shutdown_signal,
};
pub use state::{AppState, DEFAULT_PROVIDER, ViewSettings};

/// The largest request body accepted: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The views' routes over `state`.
pub fn router(state: AppState) -> Router {
    use handlers::{local, meta, recommendations, runs};

    let json = Router::new()
        .route("/intelligence/health/", get(meta::health))
        .route("/intelligence/providers/", get(meta::providers))
        .route(
            "/intelligence/recommendations/",
            get(recommendations::get).post(recommendations::post),
        )
        .route("/intelligence/memory/", get(local::memory))
        .route("/intelligence/disk/", get(local::disk))
        .route("/intelligence/runs/", get(runs::list))
        .route("/intelligence/runs/{id}/", get(runs::detail));
    let html = Router::new()
        .route(admin::LIST_PATH, get(admin::list::list))
        .route(
            "/admin/intelligence/analysisrun/{id}/",
            get(admin::detail::detail),
        );

    json.merge(html)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::limit_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::require_token,
        ))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .layer(TraceLayer::new_for_http().make_span_with(
            |request: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    uri = %middleware::loggable_uri(request.uri()),
                    version = ?request.version(),
                )
            },
        ))
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ViewsError {
    ViewsError::Rejected {
        status: axum::http::StatusCode::NOT_FOUND,
        message: format!("no route for {}", uri.path()),
    }
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ViewsError {
    ViewsError::Rejected {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        message: format!("method {method} is not allowed for {}", uri.path()),
    }
}
