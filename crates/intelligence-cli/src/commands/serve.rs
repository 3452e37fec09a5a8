//! `intelligence serve`: the HTTP views on the same database and providers as
//! the other commands.

use intelligence_views::{
    AppState, ViewSettings, ViewsError, check_bind, serve_on, shutdown_signal,
};
use tokio::net::TcpListener;

use crate::cli::{GlobalArgs, ServeArgs};
use crate::database;
use crate::exit::{CliError, CliResult};
use crate::providers;

/// Serves until Ctrl-C or SIGTERM, then lets the store write what it has
/// queued before exiting 0. A non-loopback `--bind` without a token is a usage
/// error (exit 2); the database must open, since the run pages read it.
///
/// The "serving" line is printed only once the socket is bound, with the
/// bound address (so `--bind 127.0.0.1:0` names the port it got, and a
/// refused or busy address prints only its error).
pub async fn run(global: &GlobalArgs, args: ServeArgs) -> CliResult {
    let store = database::open(global)?;
    let settings = ViewSettings::default().with_token(args.token);
    let registry = providers::registry(settings.local.clone(), None);
    let state = AppState::from_store(registry, store, settings);
    check_bind(args.bind, &state).map_err(CliError::usage)?;
    let listener = TcpListener::bind(args.bind).await.map_err(|source| {
        CliError::failed(ViewsError::Bind {
            addr: args.bind,
            source,
        })
    })?;
    let addr = listener.local_addr().map_err(CliError::from)?;
    eprintln!(
        "serving http://{addr}/intelligence/ and http://{addr}/admin/intelligence/analysisrun/"
    );
    serve_on(listener, state, shutdown_signal())
        .await
        .map_err(|err| match err {
            err @ ViewsError::InsecureBind { .. } => CliError::usage(err),
            err => CliError::failed(err),
        })
}
