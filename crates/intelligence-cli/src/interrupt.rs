//! Ctrl-C during an analysis. Dropping the run future makes
//! [`intelligence_core::run`] record the run as failed (cancelled) on a
//! detached task; [`wait_closed`] gives that write a bounded moment to land
//! before the process exits, so no record is left `running`.

use std::future::Future;
use std::time::Duration;

use intelligence_core::RunId;
use intelligence_store::Store;

/// How often, and how many times, [`wait_closed`] looks at the record.
const POLL: Duration = Duration::from_millis(25);
const POLLS: u32 = 80;

/// A future's output, or the news that Ctrl-C was pressed first.
#[derive(Debug)]
pub enum Raced<T> {
    /// The future finished.
    Done(T),
    /// Ctrl-C came first; the future has been dropped.
    Interrupted,
}

/// Runs `future` until it finishes or Ctrl-C is pressed.
// TODO: once installed, Tokio's handler swallows a Ctrl-C that arrives after
// the last analysis (while printing); harmless as printing is quick.
pub async fn or_interrupt<F: Future>(future: F) -> Raced<F::Output> {
    tokio::select! {
        output = future => Raced::Done(output),
        // When the handler cannot be installed this branch is disabled and
        // the future simply runs to its end.
        Ok(()) = tokio::signal::ctrl_c() => Raced::Interrupted,
    }
}

/// Waits (at most two seconds) until the record of `id` is terminal;
/// returns whether it is.
pub async fn wait_closed(store: &Store, id: RunId) -> bool {
    for _ in 0..POLLS {
        match store.get_run(id).await {
            Ok(Some(run)) if run.status.is_terminal() => return true,
            Ok(_) => tokio::time::sleep(POLL).await,
            Err(err) => {
                tracing::debug!(run_id = %id, error = %err, "cannot check the cancelled run");
                return false;
            }
        }
    }
    false
}
