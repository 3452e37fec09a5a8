//! [`Store`]: opening a database, its connection pool, and running blocking
//! diesel work off the async executor's threads.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use diesel::SqliteConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};

use crate::backend::{Backend, Writes};
use crate::error::StoreError;
use crate::options::{StoreOptions, WriteMode};
use crate::pool::{Manager, PoolErrors, Pooled, SqlitePragmas};
use crate::url::{self, Target};
use crate::writer::Writer;

/// The audit store: analysis runs and incidents in SQLite or PostgreSQL.
///
/// Cheap to clone: clones share one connection pool and, in
/// [`WriteMode::Batched`], one writer thread, which the last clone to be
/// dropped drains and joins. Every query runs on Tokio's blocking pool (or
/// inline when there is no Tokio runtime), after the steps queued before it
/// are written.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    /// The batched audit writer; `None` in [`WriteMode::PerStep`] and in
    /// the writer thread's own handle.
    writer: Option<Arc<Writer>>,
}

struct Inner {
    pools: Pools,
    display_url: String,
    /// Connects once outside the pool and checks the connection: what
    /// `open` does before anything else, and what `migrate` does on a store
    /// opened lazily that has not connected yet (see [`probe`]).
    probe: Probe,
    migrated: AtomicBool,
    /// Serialises this process's SQLite writes: a writer waiting here is
    /// woken the moment the lock is free, where one waiting in SQLite's busy
    /// handler sleeps 1, 2, 5, 10 ms... between tries. Other processes still
    /// meet the busy timeout.
    sqlite_writes: Mutex<()>,
}

/// See [`Inner::probe`].
type Probe = Box<dyn Fn() -> Result<(), StoreError> + Send + Sync>;

pub(crate) enum Pools {
    Sqlite(Pool<Manager<SqliteConnection>>),
    #[cfg(feature = "postgres")]
    Postgres(Pool<Manager<diesel::PgConnection>>),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .field("url", &self.inner.display_url)
            .finish_non_exhaustive()
    }
}

/// Runs `$body` with `$conn` bound to a pooled connection of whichever
/// backend the store has; the body is compiled once per backend, so diesel
/// queries are written once. Evaluates to `Result<T, StoreError>`.
macro_rules! with_conn {
    ($store:expr, $operation:expr, |$conn:ident| $body:expr) => {{
        let store: &$crate::store::Store = $store;
        let operation: &'static str = $operation;
        match store.pools() {
            $crate::store::Pools::Sqlite(pool) => {
                let mut pooled = store.checkout(pool)?;
                let result = {
                    let $conn: &mut ::diesel::SqliteConnection = &mut pooled.conn;
                    $body
                };
                $crate::store::finish(&mut pooled, operation, false, result)
            }
            #[cfg(feature = "postgres")]
            $crate::store::Pools::Postgres(pool) => {
                let mut pooled = store.checkout(pool)?;
                let mut result = {
                    let $conn: &mut ::diesel::PgConnection = &mut pooled.conn;
                    $body
                };
                if $crate::store::is_closed_connection(&result) {
                    // The server closed this connection (a restart, an
                    // administrator's pg_terminate_backend, an idle
                    // timeout): discard it and try once more on a new one.
                    // The audit writes, reap and prune are safe to repeat.
                    // TODO: a retried add_incident is stored twice if only its reply was lost.
                    ::tracing::warn!(
                        operation,
                        url = %store.url_for_display(),
                        "database connection lost; retrying once on a new connection"
                    );
                    pooled.broken = true;
                    drop(pooled);
                    pooled = store.checkout(pool)?;
                    result = {
                        let $conn: &mut ::diesel::PgConnection = &mut pooled.conn;
                        $body
                    };
                }
                $crate::store::finish(&mut pooled, operation, true, result)
            }
        }
    }};
}
pub(crate) use with_conn;

impl Store {
    /// Opens the database at `url` with the default [`StoreOptions`]:
    /// `postgres://...`, `sqlite:///absolute/path.db` or a plain file path.
    /// A value with a `:` before its first `/` is a URL, never a path: a
    /// mistyped one (`postgres:/u:pw@host`) is [`StoreError::InvalidUrl`],
    /// and a file whose name holds a `:` is reached as `./a:b.db`.
    /// A SQLite file and its parent directories are created; pending
    /// migrations are applied.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, &StoreOptions::default())
    }

    /// Opens the database at `url` with these options.
    pub fn open_with(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        let target = url::parse(url)?;
        let (pools, display_url, probe) = match target {
            Target::Sqlite(path) => {
                // An absolute path as the URL that names it; a relative one
                // as given, since `sqlite://` takes absolute paths only and
                // the display should be something `open` accepts back.
                let display = if path.is_absolute() {
                    format!("sqlite://{}", path.display())
                } else {
                    path.display().to_string()
                };
                let create_dir = path
                    .parent()
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .map(PathBuf::from);
                if !options.lazy
                    && let Some(dir) = &create_dir
                {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                        path: dir.clone(),
                        source,
                    })?;
                }
                let path_str = path.to_str().ok_or_else(|| StoreError::InvalidUrl {
                    url: path.display().to_string(),
                    reason: "the path is not valid UTF-8".into(),
                })?;
                let manager =
                    Manager::<SqliteConnection>::new(path_str.to_owned(), create_dir.clone());
                let probe: Probe = {
                    // It creates the directory too, for a lazy store.
                    let manager = Manager::new(path_str.to_owned(), create_dir);
                    let pragmas = SqlitePragmas::new(options);
                    let display = display.clone();
                    Box::new(move || {
                        if path.is_dir() {
                            return Err(StoreError::InvalidUrl {
                                url: display.clone(),
                                reason: "it is a directory; name a database file, such as \
                                         intelligence.db inside it"
                                    .into(),
                            });
                        }
                        probe(&manager, |conn| pragmas.check(conn))
                            .map_err(|source| open_error(&display, source))
                    })
                };
                if !options.lazy {
                    probe()?;
                }
                let pool = builder(options, &display)
                    .connection_customizer(Box::new(SqlitePragmas::new(options)))
                    .build_unchecked(manager);
                (Pools::Sqlite(pool), display, probe)
            }
            Target::Postgres(pg_url) => postgres_pool(&pg_url, options)?,
        };
        let mut store = Self {
            inner: Arc::new(Inner {
                pools,
                display_url,
                probe,
                migrated: AtomicBool::new(false),
                sqlite_writes: Mutex::new(()),
            }),
            writer: None,
        };
        if !options.lazy {
            store.migrate_pooled()?;
        }
        if options.write_mode == WriteMode::Batched {
            store.writer = Some(Arc::new(Writer::start(store.clone())?));
        }
        Ok(store)
    }

    /// The default SQLite file: `intelligence.db` in the platform's data
    /// directory, such as `~/.local/share/intelligence/intelligence.db`.
    pub fn default_sqlite_path() -> Result<PathBuf, StoreError> {
        directories::ProjectDirs::from("", "", "intelligence")
            .map(|dirs| dirs.data_dir().join("intelligence.db"))
            .ok_or(StoreError::NoDataDir)
    }

    /// Applies the pending migrations; returns how many ran (0 when the
    /// database is up to date). Safe to call from several processes at once.
    ///
    /// On a store opened with [`StoreOptions::lazy`] that has not connected
    /// yet, it first connects once outside the pool, as `open` does, so that
    /// a database that cannot be opened fails at once with the reason
    /// ([`StoreError::Open`], or [`StoreError::InvalidUrl`] for a URL the
    /// client library refuses), not after the pool's connect timeout with
    /// only "timed out".
    pub fn migrate(&self) -> Result<usize, StoreError> {
        if !self.inner.migrated.load(Ordering::Acquire) {
            (self.inner.probe)()?;
        }
        self.migrate_pooled()
    }

    /// [`Store::migrate`] on a pooled connection, without connecting first.
    fn migrate_pooled(&self) -> Result<usize, StoreError> {
        let applied = match &self.inner.pools {
            Pools::Sqlite(pool) => self.migrate_on(&mut self.raw_checkout(pool)?.conn)?,
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => self.migrate_on(&mut self.raw_checkout(pool)?.conn)?,
        };
        self.inner.migrated.store(true, Ordering::Release);
        Ok(applied)
    }

    /// Which backend this store writes to.
    pub fn backend(&self) -> Backend {
        match &self.inner.pools {
            Pools::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// Waits until every audit step queued so far is committed, or has
    /// failed and been logged. Returns at once in [`WriteMode::PerStep`],
    /// and when nothing is queued. Reads call it themselves; call it before
    /// another process must see this one's runs while the store stays open
    /// (dropping the last clone of the store flushes too).
    pub async fn flush(&self) {
        if let Some(writer) = &self.writer {
            writer.flush().await;
        }
    }

    /// The batched audit writer, if this store has one.
    pub(crate) fn writer(&self) -> Option<&Writer> {
        self.writer.as_deref()
    }

    /// The database URL with any password masked.
    pub fn url_for_display(&self) -> String {
        self.inner.display_url.clone()
    }

    /// Held around each write transaction: on SQLite, the process-wide
    /// write lock; on PostgreSQL, nothing (the server orders writers).
    pub(crate) fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match self.inner.pools {
            // Nothing inside the lock can leave the unit value inconsistent.
            Pools::Sqlite(_) => Some(
                self.inner
                    .sqlite_writes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            ),
            #[cfg(feature = "postgres")]
            Pools::Postgres(_) => None,
        }
    }

    pub(crate) fn pools(&self) -> &Pools {
        &self.inner.pools
    }

    fn migrate_on<C: Writes>(&self, conn: &mut C) -> Result<usize, StoreError> {
        conn.migrate_locked().map_err(|source| StoreError::Migrate {
            url: self.inner.display_url.clone(),
            source,
        })
    }

    fn raw_checkout<M: ManageConnection>(
        &self,
        pool: &Pool<M>,
    ) -> Result<PooledConnection<M>, StoreError> {
        pool.get().map_err(|source| StoreError::Connect {
            url: self.inner.display_url.clone(),
            source,
        })
    }

    /// A connection from the pool; a lazily opened store migrates on the
    /// first one.
    pub(crate) fn checkout<C>(
        &self,
        pool: &Pool<Manager<C>>,
    ) -> Result<PooledConnection<Manager<C>>, StoreError>
    where
        C: Writes + diesel::r2d2::R2D2Connection + Send + 'static,
    {
        let mut pooled = self.raw_checkout(pool)?;
        if !self.inner.migrated.load(Ordering::Acquire) {
            self.migrate_on(&mut pooled.conn)?;
            self.inner.migrated.store(true, Ordering::Release);
        }
        Ok(pooled)
    }

    /// Runs blocking diesel work on Tokio's blocking pool, or inline when
    /// there is no runtime.
    pub(crate) async fn blocking<T, F>(
        &self,
        operation: &'static str,
        f: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        // Read your own writes: what was queued before this call is in the
        // database before the query runs.
        self.flush().await;
        let store = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                // Logs from the blocking thread go to the caller's
                // subscriber, inside the caller's span (the run's).
                let span = tracing::Span::current();
                let dispatch = tracing::dispatcher::get_default(Clone::clone);
                handle
                    .spawn_blocking(move || {
                        tracing::dispatcher::with_default(&dispatch, || span.in_scope(|| f(&store)))
                    })
                    .await
                    .map_err(|source| StoreError::Task { operation, source })?
            }
            Err(_) => f(&store),
        }
    }
}

/// Maps a query's result; on PostgreSQL a failed query marks the connection
/// broken so that the pool replaces it (a server restart or a killed
/// backend then costs one failed write, not every later one).
pub(crate) fn finish<C, T>(
    pooled: &mut Pooled<C>,
    operation: &'static str,
    discard_on_error: bool,
    result: Result<T, diesel::result::Error>,
) -> Result<T, StoreError> {
    result.map_err(|source| {
        if discard_on_error {
            pooled.broken = true;
        }
        StoreError::Query { operation, source }
    })
}

/// Whether a query failed because the server closed the connection, or
/// because the connection was already broken and the query never left.
#[cfg(feature = "postgres")]
pub(crate) fn is_closed_connection<T>(result: &Result<T, diesel::result::Error>) -> bool {
    use diesel::result::DatabaseErrorKind::{ClosedConnection, UnableToSendCommand};
    matches!(
        result,
        Err(diesel::result::Error::DatabaseError(
            ClosedConnection | UnableToSendCommand,
            _
        ))
    )
}

/// Connects once, outside the pool, and runs `check` on the connection, so
/// that a database that cannot be opened (a directory where the file should
/// be, a closed port, a file that is not a SQLite database) fails `open` at
/// once with the reason, instead of after the pool has retried for the
/// whole connect timeout and kept only "timed out".
fn probe<C>(
    manager: &Manager<C>,
    check: impl FnOnce(&mut Pooled<C>) -> Result<(), diesel::r2d2::Error>,
) -> Result<(), diesel::r2d2::Error>
where
    C: diesel::r2d2::R2D2Connection + Send + 'static,
{
    let mut conn = manager.connect()?;
    check(&mut conn)
}

/// [`StoreError::Open`] for the database shown as `url`.
fn open_error(url: &str, source: diesel::r2d2::Error) -> StoreError {
    StoreError::Open {
        url: url.to_owned(),
        source,
    }
}

/// Why libpq refused `url` before connecting (a malformed URL, an unknown
/// parameter, a bad option value: see [`url::is_refused_option`]), as
/// [`StoreError::InvalidUrl`]; any other failure as [`StoreError::Open`].
/// The message was scrubbed of the password when the connection failed.
#[cfg(feature = "postgres")]
fn postgres_open_error(url: &str, source: diesel::r2d2::Error) -> StoreError {
    use diesel::result::ConnectionError;
    let reason = match &source {
        diesel::r2d2::Error::ConnectionError(ConnectionError::BadConnection(message))
            if url::is_refused_option(message) =>
        {
            message.trim().to_owned()
        }
        diesel::r2d2::Error::ConnectionError(ConnectionError::InvalidConnectionUrl(message)) => {
            message.trim().to_owned()
        }
        diesel::r2d2::Error::ConnectionError(ConnectionError::InvalidCString(_)) => {
            "it holds a NUL byte".to_owned()
        }
        _ => return open_error(url, source),
    };
    StoreError::InvalidUrl {
        url: url.to_owned(),
        reason,
    }
}

fn builder<M>(options: &StoreOptions, display_url: &str) -> diesel::r2d2::Builder<M>
where
    M: ManageConnection<Error = diesel::r2d2::Error>,
{
    Pool::builder()
        .error_handler(Box::new(PoolErrors::new(display_url)))
        .max_size(options.max_connections.max(1))
        .min_idle(Some(0))
        .connection_timeout(options.connect_timeout)
        .test_on_check_out(false)
}

#[cfg(feature = "postgres")]
fn postgres_pool(url: &str, options: &StoreOptions) -> Result<(Pools, String, Probe), StoreError> {
    let manager = Manager::<diesel::PgConnection>::new(url.to_owned(), None);
    let display = url::mask(url);
    let probe: Probe = {
        let manager = Manager::new(url.to_owned(), None);
        let settings = crate::pool::PostgresSettings::new(options);
        let display = display.clone();
        Box::new(move || {
            probe(&manager, |conn| {
                diesel::r2d2::CustomizeConnection::on_acquire(&settings, conn)
            })
            .map_err(|source| postgres_open_error(&display, source))
        })
    };
    if !options.lazy {
        probe()?;
    }
    let pool = builder(options, &display)
        .connection_customizer(Box::new(crate::pool::PostgresSettings::new(options)))
        .build_unchecked(manager);
    Ok((Pools::Postgres(pool), display, probe))
}

#[cfg(not(feature = "postgres"))]
fn postgres_pool(url: &str, _options: &StoreOptions) -> Result<(Pools, String, Probe), StoreError> {
    Err(StoreError::PostgresDisabled {
        url: url::mask(url),
    })
}
