//! Ctrl-C, SIGTERM or SIGHUP during an analysis (what a terminal, `kill`,
//! `timeout`, systemd and container runtimes send). Dropping the run future makes
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

/// The signal that stopped an analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: `kill`, `timeout`, a service manager.
    Terminate,
    /// SIGHUP: the terminal went away.
    HangUp,
}

impl Stop {
    /// What happened, for the one-line error.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Interrupt => "interrupted",
            Self::Terminate => "terminated",
            Self::HangUp => "hung up",
        }
    }
}

/// A future's output, or the signal that came first.
#[derive(Debug)]
pub enum Raced<T> {
    /// The future finished.
    Done(T),
    /// A signal came first; the future has been dropped.
    Stopped(Stop),
}

/// Runs `future` until it finishes or a stopping signal arrives.
// TODO: once installed, Tokio's handlers swallow a signal that arrives after
// the last analysis (while printing); harmless as printing is quick.
pub async fn or_interrupt<F: Future>(future: F) -> Raced<F::Output> {
    tokio::select! {
        output = future => Raced::Done(output),
        stop = stop_signal() => Raced::Stopped(stop),
    }
}

/// The first of SIGINT, SIGTERM and SIGHUP. A handler that cannot be
/// installed never fires, and the analysis simply runs to its end.
async fn stop_signal() -> Stop {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Stop::Interrupt,
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let on = |kind: SignalKind, stop: Stop| async move {
            match signal(kind) {
                Ok(mut stream) => {
                    stream.recv().await;
                    stop
                }
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            stop = interrupt => stop,
            stop = on(SignalKind::terminate(), Stop::Terminate) => stop,
            stop = on(SignalKind::hangup(), Stop::HangUp) => stop,
        }
    }
    #[cfg(not(unix))]
    interrupt.await
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
