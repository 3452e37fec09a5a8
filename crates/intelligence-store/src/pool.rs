//! Connection pools: an r2d2 manager that can throw away a connection a
//! query found broken, and the pragmas every SQLite connection gets.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::SqliteConnection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Error, HandleError, ManageConnection, R2D2Connection};
use diesel::result::ConnectionError;

use crate::options::{StoreOptions, Synchronous};

/// A pooled connection and whether the store found it broken.
pub(crate) struct Pooled<C> {
    /// The diesel connection.
    pub(crate) conn: C,
    /// Set after a query failed in a way that may have broken the
    /// connection; r2d2 then drops it instead of handing it out again.
    pub(crate) broken: bool,
}

/// Opens diesel connections for r2d2; for SQLite, creates the file's
/// directory first.
pub(crate) struct Manager<C> {
    url: String,
    create_dir: Option<PathBuf>,
    _conn: PhantomData<fn() -> C>,
}

impl<C> Manager<C> {
    pub(crate) fn new(url: String, create_dir: Option<PathBuf>) -> Self {
        Self {
            url,
            create_dir,
            _conn: PhantomData,
        }
    }
}

impl<C> ManageConnection for Manager<C>
where
    C: R2D2Connection + Send + 'static,
{
    type Connection = Pooled<C>;
    type Error = Error;

    fn connect(&self) -> Result<Pooled<C>, Error> {
        if let Some(dir) = &self.create_dir {
            std::fs::create_dir_all(dir).map_err(|err| {
                Error::ConnectionError(ConnectionError::BadConnection(format!(
                    "cannot create directory {}: {err}",
                    dir.display()
                )))
            })?;
        }
        let conn = C::establish(&self.url).map_err(|err| {
            // libpq quotes a URL it cannot parse, password and all.
            Error::ConnectionError(match err {
                ConnectionError::BadConnection(message) => {
                    ConnectionError::BadConnection(crate::url::scrub(&message, &self.url))
                }
                ConnectionError::InvalidConnectionUrl(message) => {
                    ConnectionError::InvalidConnectionUrl(crate::url::scrub(&message, &self.url))
                }
                other => other,
            })
        })?;
        Ok(Pooled {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled<C>) -> Result<(), Error> {
        pooled.conn.ping().map_err(Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut Pooled<C>) -> bool {
        pooled.broken || pooled.conn.is_broken()
    }
}

/// Reports through `tracing` each attempt of the pool to set up a
/// connection that failed (it could not connect, or a connection's
/// settings failed, such as a `database is locked` while switching to WAL).
/// r2d2's default handler writes each to the `log` crate as an error, on
/// the pool's own threads, outside any run's span and unseen by a
/// `tracing` subscriber without a `log` bridge. The pool retries such an
/// attempt on its own, so each is a `debug` event here; the operation that
/// gives up for good fails (with the last reason, when r2d2 still has it)
/// and that failure is logged once by whoever handles it.
#[derive(Debug)]
pub(crate) struct PoolErrors {
    /// The database, its password masked.
    url: String,
}

impl PoolErrors {
    pub(crate) fn new(display_url: &str) -> Self {
        Self {
            url: display_url.to_owned(),
        }
    }
}

impl HandleError<Error> for PoolErrors {
    fn handle_error(&self, error: Error) {
        tracing::debug!(
            url = %self.url,
            error = %error,
            "could not set up a pooled database connection; the pool will retry"
        );
    }
}

/// Sets the pragmas of every new SQLite connection: the busy timeout first
/// (so that the others wait for a lock instead of failing), WAL, the
/// synchronous level and foreign keys.
#[derive(Debug)]
pub(crate) struct SqlitePragmas {
    busy_timeout_ms: u128,
    synchronous: Synchronous,
}

impl SqlitePragmas {
    pub(crate) fn new(options: &StoreOptions) -> Self {
        Self {
            busy_timeout_ms: options.busy_timeout.as_millis(),
            synchronous: options.synchronous,
        }
    }
}

impl SqlitePragmas {
    /// Reads the file's schema, waiting out a writer as the pool would:
    /// a file that is not a SQLite database fails here with "file is not a
    /// database". It leaves the journal mode alone: switching a new file to
    /// WAL while other processes open it can fail with "database is locked"
    /// without waiting, which the pool retries but a one-shot check cannot.
    /// A database that is busy is a database, so "locked" passes too: the
    /// pool's own retries deal with it.
    pub(crate) fn check(&self, pooled: &mut Pooled<SqliteConnection>) -> Result<(), Error> {
        match pooled.conn.batch_execute(&format!(
            "PRAGMA busy_timeout = {}; SELECT count(*) FROM sqlite_master;",
            self.busy_timeout_ms
        )) {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") =>
            {
                Ok(())
            }
            other => other.map_err(Error::QueryError),
        }
    }
}

impl SqlitePragmas {
    /// Switches the file to WAL, waiting out other connections as a write
    /// would. The switch of a new file needs its exclusive lock, and a
    /// connection that meets another one's lock on the way fails at once
    /// with "database is locked" instead of calling the busy handler (SQLite
    /// does so where waiting could deadlock); four processes opening one new
    /// file at once met that. Once the file is in WAL, which it then stays,
    /// the pragma changes nothing and takes no such lock.
    fn wal(&self, conn: &mut SqliteConnection) -> Result<(), diesel::result::Error> {
        let deadline = Instant::now() + Duration::from_millis(self.busy_timeout_ms_u64());
        let mut pause = Duration::from_millis(1);
        loop {
            match conn.batch_execute("PRAGMA journal_mode = WAL;") {
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("locked") && Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn busy_timeout_ms_u64(&self) -> u64 {
        u64::try_from(self.busy_timeout_ms).unwrap_or(u64::MAX)
    }
}

impl CustomizeConnection<Pooled<SqliteConnection>, Error> for SqlitePragmas {
    fn on_acquire(&self, pooled: &mut Pooled<SqliteConnection>) -> Result<(), Error> {
        let conn = &mut pooled.conn;
        conn.batch_execute(&format!("PRAGMA busy_timeout = {};", self.busy_timeout_ms))
            .and_then(|()| self.wal(conn))
            .and_then(|()| {
                conn.batch_execute(&format!(
                    "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON;",
                    self.synchronous
                ))
            })
            .map_err(Error::QueryError)
    }
}

/// Sets `lock_timeout` on every new PostgreSQL connection, the counterpart
/// of SQLite's busy timeout: a statement that waits longer than
/// [`StoreOptions::busy_timeout`] for a lock (a table another session
/// locked, say) fails instead of waiting forever, so an audit write
/// gives up with a warning and the analysis goes on. Without it a write
/// blocked by a lock held for hours stalls its caller for hours, and the
/// `create` commits whenever the lock goes, long after the caller gave
/// up, leaving a record `pending`.
#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(crate) struct PostgresSettings {
    lock_timeout_ms: u128,
}

#[cfg(feature = "postgres")]
impl PostgresSettings {
    pub(crate) fn new(options: &StoreOptions) -> Self {
        Self {
            lock_timeout_ms: options.busy_timeout.as_millis().max(1),
        }
    }
}

#[cfg(feature = "postgres")]
impl CustomizeConnection<Pooled<diesel::PgConnection>, Error> for PostgresSettings {
    fn on_acquire(&self, pooled: &mut Pooled<diesel::PgConnection>) -> Result<(), Error> {
        pooled
            .conn
            .batch_execute(&format!("SET lock_timeout = {}", self.lock_timeout_ms))
            .map_err(Error::QueryError)
    }
}
