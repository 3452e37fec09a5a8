//! [`StoreOptions`]: pool size, timeouts and SQLite durability.

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

/// How a [`crate::Store`] connects. [`StoreOptions::default`] gives the
/// documented defaults, which [`crate::Store::open`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections in the pool; 8.
    pub max_connections: u32,
    /// How long to wait for a connection from the pool (and so for the
    /// server to answer) before an operation fails; 5 s.
    pub connect_timeout: Duration,
    /// How long a SQLite write waits for another writer's lock; 5 s.
    pub busy_timeout: Duration,
    /// SQLite commit durability; [`Synchronous::Normal`].
    pub synchronous: Synchronous,
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
            lazy: false,
        }
    }
}
