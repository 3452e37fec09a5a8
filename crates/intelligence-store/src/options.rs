//! [`StoreOptions`]: pool size, timeouts, SQLite durability and how the
//! audit sink commits its steps.

use std::fmt;
use std::time::Duration;

/// How far SQLite syncs a commit to disk (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `NORMAL`, the default: in WAL mode a commit is written to the WAL but
    /// fsynced only at checkpoints. A crash of the process loses nothing; a
    /// power cut or kernel crash can lose the last commits, never corrupt
    /// the file.
    #[default]
    Normal,
    /// `FULL`: every commit is fsynced before it returns. Survives a power
    /// cut, at the cost of one fsync per lifecycle step.
    Full,
}

impl Synchronous {
    /// The pragma's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Full => "FULL",
        }
    }
}

impl fmt::Display for Synchronous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the store, as an audit sink, commits the lifecycle steps of `run()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// The default: a step is queued and the sink call returns at once; one
    /// writer thread per store commits the queued steps of every run
    /// together, one transaction per batch, in the order they were queued.
    /// Each step is still one short statement. A write that fails is
    /// logged by the writer (with the run's span), not returned.
    /// [`crate::Store::flush`] and every read of the store wait for the
    /// queue; dropping the last clone of the store drains it. A process
    /// that dies (a `kill -9`, an abort) loses the steps still queued,
    /// at most a few milliseconds of them.
    #[default]
    Batched,
    /// Every step is committed in its own transaction before the sink call
    /// returns, and a failure is returned to `run()`, which logs it. About
    /// a tenth of the throughput of [`WriteMode::Batched`] on SQLite (see
    /// `docs/performance.md`).
    PerStep,
}

/// How a [`crate::Store`] connects. [`StoreOptions::default`] gives the
/// documented defaults, which [`crate::Store::open`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections in the pool; 8.
    pub max_connections: u32,
    /// How long to wait for a connection from the pool (and so for the
    /// server to answer) before an operation fails; 5 s.
    pub connect_timeout: Duration,
    /// How long a statement waits for a lock another connection holds
    /// before it fails: SQLite's busy timeout, PostgreSQL's `lock_timeout`
    /// (migrations excepted: they wait for another migrator); 5 s.
    pub busy_timeout: Duration,
    /// SQLite commit durability; [`Synchronous::Normal`].
    pub synchronous: Synchronous,
    /// How the audit sink commits; [`WriteMode::Batched`].
    pub write_mode: WriteMode,
    /// Open without connecting: the store is usable at once, migrations run
    /// on the first connection that succeeds, and until then every
    /// operation fails (an audit sink logs a warning and the analysis goes
    /// on). `false` by default: open connects, migrates, and fails when it
    /// cannot.
    pub lazy: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            connect_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            synchronous: Synchronous::Normal,
            write_mode: WriteMode::Batched,
            lazy: false,
        }
    }
}
