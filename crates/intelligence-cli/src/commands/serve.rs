//! `intelligence serve`: the HTTP views on the same database and providers as
//! the other commands.

use intelligence_views::{AppState, ServeSettings, ViewSettings, ViewsError};

use crate::cli::{GlobalArgs, ServeArgs};
use crate::database;
use crate::exit::{CliError, CliResult};
use crate::providers;

/// Serves until Ctrl-C. A non-loopback `--bind` without a token is a usage
/// error (exit 2); the database must open, since the run pages read it.
pub async fn run(global: &GlobalArgs, args: ServeArgs) -> CliResult {
    let store = database::open(global)?;
    let settings = ViewSettings::default().with_token(args.token);
    let registry = providers::registry(settings.local.clone(), None);
    let state = AppState::from_store(registry, store, settings);
    eprintln!(
        "serving http://{}/intelligence/ and http://{}/admin/intelligence/analysisrun/",
        args.bind, args.bind
    );
    intelligence_views::serve(ServeSettings { bind: args.bind }, state)
        .await
        .map_err(|err| match err {
            err @ ViewsError::InsecureBind { .. } => CliError::usage(err),
            err => CliError::failed(err),
        })
}
