//! The writer thread of [`WriteMode::Batched`]: the sink queues each
//! lifecycle step and returns; one thread per store takes whatever steps
//! are waiting, from every run, and commits them in one transaction, in the
//! order they were queued. One task running one run after another costs
//! one queue push per step instead of one commit per step.
//!
//! A failed step is logged here, in the span of the `run()` that queued it,
//! once per run: after a run's record could not be created its later steps
//! are dropped, as `run()` itself does when `create` fails.
//!
//! [`WriteMode::Batched`]: crate::WriteMode::Batched

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use intelligence_core::{RunId, SinkError};
use tokio::sync::{mpsc, oneshot};
use tracing::{Dispatch, Span};

use crate::backend::Writes;
use crate::error::StoreError;
use crate::sink::{Op, execute_step, no_row};
use crate::store::{Store, with_conn};

/// Steps the queue holds; a sink call past that waits for room, so a
/// stalled database slows callers down instead of growing memory.
const QUEUE: usize = 4096;

/// The most steps one transaction commits: bounds how long the writer holds
/// SQLite's write lock (a few milliseconds) while other processes wait.
const BATCH: usize = 512;

/// Runs remembered before the memory is let go; a run always ends with a
/// terminal step, which forgets it, so this is only reached when terminal
/// steps are lost too.
const FORGET_LIMIT: usize = 65_536;

/// A queued step, with what its warning needs to name its run.
struct Step {
    id: RunId,
    op: Op,
    /// The span of the `run()` that queued it (provider, run and trace id).
    span: Span,
    /// The subscriber of the task that queued it.
    dispatch: Dispatch,
}

enum Msg {
    Step(Step),
    /// Answered once every step queued before it is committed or logged.
    Flush(oneshot::Sender<()>),
}

/// The queue into the writer thread; dropping it drains the queue and joins
/// the thread.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Msg>>,
    /// Steps handed to the queue (counted before they are sent).
    queued: AtomicU64,
    /// Steps the writer has committed or logged.
    done: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread over `store`, which must not have a writer
    /// of its own (it writes each batch directly).
    pub(crate) fn start(store: Store) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let done = Arc::new(AtomicU64::new(0));
        let thread = std::thread::Builder::new()
            .name("intelligence-audit-writer".into())
            .spawn({
                let done = done.clone();
                move || Batcher::new(store).run(rx, &done)
            })
            .map_err(|source| StoreError::Writer { source })?;
        Ok(Self {
            tx: Some(tx),
            queued: AtomicU64::new(0),
            done,
            thread: Some(thread),
        })
    }

    /// Queues one step; waits only while the queue is full.
    pub(crate) async fn send(&self, id: RunId, op: Op) -> Result<(), SinkError> {
        let step = Step {
            id,
            op,
            span: Span::current(),
            dispatch: tracing::dispatcher::get_default(Dispatch::clone),
        };
        let Some(tx) = &self.tx else {
            return Err(stopped());
        };
        self.queued.fetch_add(1, Ordering::AcqRel);
        tx.send(Msg::Step(step)).await.map_err(|_| stopped())
    }

    /// Waits until every step queued before this call is committed, or has
    /// failed and been logged. Returns at once when nothing is queued.
    pub(crate) async fn flush(&self) {
        let queued = self.queued.load(Ordering::Acquire);
        if self.done.load(Ordering::Acquire) >= queued {
            return;
        }
        let Some(tx) = &self.tx else { return };
        let (ack, acked) = oneshot::channel();
        if tx.send(Msg::Flush(ack)).await.is_ok() {
            // An error here means the thread is gone; nothing more will be written.
            let _ = acked.await;
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue ends the thread's loop once it has written
        // everything still queued.
        drop(self.tx.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the audit writer thread panicked; queued audit steps may be lost");
        }
    }
}

fn stopped() -> SinkError {
    SinkError::msg("the store's audit writer has stopped")
}

/// What the writer knows of a run in flight, until its terminal step.
#[derive(Default)]
struct Known {
    /// Provider and trace id, for the warnings of steps queued outside a
    /// `run()` span.
    provider: String,
    trace_id: String,
    /// Its record could not be created: later steps are dropped without
    /// another warning.
    uncreated: bool,
    /// It was warned about: one warning per run.
    warned: bool,
}

/// The writer thread's state.
struct Batcher {
    /// Writes each batch directly (it has no writer).
    store: Store,
    /// The runs in flight that a step named.
    runs: HashMap<RunId, Known>,
    /// Why the last batch could not get a connection, while that lasts.
    unreachable: Option<String>,
}

impl Batcher {
    fn new(store: Store) -> Self {
        Self {
            store,
            runs: HashMap::new(),
            unreachable: None,
        }
    }

    /// The run's entry, made on first sight.
    fn known(&mut self, id: RunId) -> &mut Known {
        if self.runs.len() >= FORGET_LIMIT && !self.runs.contains_key(&id) {
            self.runs.clear();
        }
        self.runs.entry(id).or_default()
    }

    /// Whether the run's record could not be created.
    fn uncreated(&self, id: RunId) -> bool {
        self.runs.get(&id).is_some_and(|known| known.uncreated)
    }

    fn run(mut self, mut rx: mpsc::Receiver<Msg>, done: &AtomicU64) {
        let mut steps = Vec::with_capacity(BATCH);
        let mut acks = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            let mut next = Some(first);
            while let Some(msg) = next {
                match msg {
                    Msg::Step(step) => steps.push(step),
                    Msg::Flush(ack) => acks.push(ack),
                }
                next = if steps.len() < BATCH {
                    rx.try_recv().ok()
                } else {
                    None
                };
            }
            let count = steps.len() as u64;
            // Every sender is gone: the store is being dropped and this is
            // the last of the queue.
            let closing = rx.is_closed();
            self.commit(std::mem::take(&mut steps), closing);
            done.fetch_add(count, Ordering::AcqRel);
            for ack in acks.drain(..) {
                // A flush whose caller went away needs no answer.
                let _ = ack.send(());
            }
        }
    }

    /// Commits `steps` in one transaction. When that fails on a statement
    /// (not on the connection), each step is retried in a transaction of
    /// its own, so that one bad row costs only itself. While the store is
    /// being dropped, a database that could not be reached for one batch
    /// is not waited for again: the rest of the queue is logged at once.
    fn commit(&mut self, steps: Vec<Step>, closing: bool) {
        let mut finished = Vec::new();
        for step in &steps {
            if let Op::Create(row) = &step.op {
                let known = self.known(step.id);
                known.provider.clone_from(&row.provider);
                known.trace_id.clone_from(&row.trace_id);
            }
            if step.op.is_terminal() {
                finished.push(step.id);
            }
        }
        let steps: Vec<Step> = steps
            .into_iter()
            .filter(|step| !self.uncreated(step.id))
            .collect();
        self.write(&steps, closing);
        for id in finished {
            self.runs.remove(&id);
        }
    }

    /// [`Batcher::commit`]'s writes, for the steps of runs that have a
    /// record.
    fn write(&mut self, steps: &[Step], closing: bool) {
        let Some(first) = steps.first() else { return };
        // Store logs (a retried PostgreSQL connection) go to the subscriber
        // of whoever queued the batch's first step.
        let dispatch = first.dispatch.clone();
        tracing::dispatcher::with_default(&dispatch, || {
            if let (true, Some(why)) = (closing, self.unreachable.as_ref()) {
                let why = format!("{why} (not tried again: the store is closing)");
                for step in steps {
                    self.failed(step, &why, false);
                }
                return;
            }
            match commit_batch(&self.store, steps) {
                Ok(rows) => {
                    self.unreachable = None;
                    for (step, written) in steps.iter().zip(rows) {
                        if written == 0 {
                            self.failed(step, &no_row(step.id, step.op.status_word()), false);
                        }
                    }
                }
                Err(err @ StoreError::Connect { .. }) => {
                    self.unreachable = Some(err.to_string());
                    for step in steps {
                        self.failed(step, &err, false);
                    }
                }
                Err(_) => {
                    for step in steps {
                        if self.uncreated(step.id) {
                            continue;
                        }
                        match self.store.commit_step(step.id, &step.op) {
                            Ok(0) => {
                                self.failed(step, &no_row(step.id, step.op.status_word()), false);
                            }
                            Ok(_) => {}
                            Err(err) => {
                                let taken = is_unique_violation(&err);
                                self.failed(step, &err, taken);
                            }
                        }
                    }
                }
            }
        });
    }

    /// Logs a failed step, once per run, in the span that queued it.
    /// `id_taken`: a create failed because another run holds its id, whose
    /// record the run's later steps then update (a caller's mistake, named
    /// in the warning), rather than being dropped with the other run's.
    fn failed(&mut self, step: &Step, error: &dyn Display, id_taken: bool) {
        let known = self.known(step.id);
        if matches!(step.op, Op::Create(_)) && !id_taken {
            known.uncreated = true;
        }
        if std::mem::replace(&mut known.warned, true) {
            return;
        }
        let known: &Known = known;
        tracing::dispatcher::with_default(&step.dispatch, || {
            step.span.in_scope(|| {
                tracing::warn!(
                    provider = %known.provider,
                    run_id = %step.id,
                    trace_id = %known.trace_id,
                    step = step.op.name(),
                    error = %error,
                    "audit sink failed"
                );
            });
        });
    }
}

/// Whether a step failed because its run id is another run's.
fn is_unique_violation(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Query {
            source: diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ),
            ..
        }
    )
}

/// Commits every step in one write transaction; the rows each wrote.
fn commit_batch(store: &Store, steps: &[Step]) -> Result<Vec<usize>, StoreError> {
    with_conn!(store, "write audit steps", |conn| {
        let _turn = store.write_turn();
        conn.write_batch(|c| {
            steps
                .iter()
                .map(|step| execute_step!(&mut *c, step.id, &step.op))
                .collect::<Result<Vec<_>, _>>()
        })
    })
}
