//! [`serve`]: binding the router to a socket, with the loopback rule: a
//! server that listens beyond this machine must have a bearer token.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::net::TcpListener;

use crate::error::ViewsError;
use crate::router;
use crate::state::AppState;

/// The address `serve` binds when none is given.
pub const DEFAULT_BIND: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8000);

/// The environment variable the CLI reads the bearer token from.
pub const TOKEN_ENV: &str = "INTELLIGENCE_TOKEN";

/// Where and how to listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeSettings {
    /// The address to bind; 127.0.0.1:8000 by default.
    pub bind: SocketAddr,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self { bind: DEFAULT_BIND }
    }
}

/// Refuses a non-loopback address when `state` has no bearer token.
pub fn check_bind(addr: SocketAddr, state: &AppState) -> Result<(), ViewsError> {
    if addr.ip().is_loopback() || state.settings.token.is_some() {
        Ok(())
    } else {
        Err(ViewsError::InsecureBind { addr })
    }
}

/// Binds `settings.bind` and serves the views until Ctrl-C or SIGTERM
/// ([`shutdown_signal`]).
pub async fn serve(settings: ServeSettings, state: AppState) -> Result<(), ViewsError> {
    check_bind(settings.bind, &state)?;
    let listener = TcpListener::bind(settings.bind)
        .await
        .map_err(|source| ViewsError::Bind {
            addr: settings.bind,
            source,
        })?;
    serve_on(listener, state, shutdown_signal()).await
}

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM: what a terminal, an
/// init system and a container runtime send to stop a server. Serving then
/// stops gracefully and the audit store, dropped last, writes what it still
/// has queued. A signal that cannot be listened for is logged and ignored.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted; shutting down"),
        () = terminate => tracing::info!("terminated; shutting down"),
    }
}

/// Serves the views on an already bound listener until `shutdown`
/// completes, then finishes the requests in flight. The loopback rule is
/// checked against the listener's address.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ViewsError> {
    let addr = listener.local_addr().map_err(ViewsError::Serve)?;
    check_bind(addr, &state)?;
    tracing::info!(%addr, token = state.settings.token.is_some(), "serving intelligence views");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ViewsError::Serve)
}
