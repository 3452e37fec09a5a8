//! [`StoreError`]: what failed in the store, and with what input.

use std::path::PathBuf;

/// A store operation that failed. Each variant names the operation or the
/// input at fault; URLs in messages have their password masked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL is the caller's mistake: neither `postgres://...`,
    /// `sqlite:///...` nor a file path; malformed (a bad port, a password
    /// holding a raw `/`, a `?` in a `sqlite://` URL); a directory; or
    /// refused by the client library before it connected (an unknown
    /// parameter, an option value it does not take).
    #[error("invalid database url {url:?}: {reason}")]
    InvalidUrl {
        /// The URL, password masked.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A `postgres://` URL was given to a build without the `postgres`
    /// feature.
    #[error("database url {url:?} needs PostgreSQL support: rebuild with the `postgres` feature")]
    PostgresDisabled {
        /// The URL, password masked.
        url: String,
    },

    /// No platform data directory for the default SQLite file.
    #[error("no data directory for the default database: set a database url")]
    NoDataDir,

    /// The SQLite file's parent directory could not be created.
    #[error("cannot create directory {path:?} for the database: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// Opening the database failed: the file cannot be opened or created,
    /// the server refused the connection.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: diesel::r2d2::Error,
    },

    /// No connection could be had from the pool (the server is down, the
    /// file cannot be opened, every connection is busy).
    #[error("cannot connect to database {url}: {source}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: diesel::r2d2::PoolError,
    },

    /// Applying the migrations failed.
    #[error("cannot migrate database {url}: {source}")]
    Migrate {
        /// The URL, password masked.
        url: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A query failed.
    #[error("{operation} failed: {source}")]
    Query {
        /// What the store was doing, such as `list runs`.
        operation: &'static str,
        /// Why.
        #[source]
        source: diesel::result::Error,
    },

    /// A stored value could not be read back.
    #[error("cannot decode {column} of {table} row {id}: {reason}")]
    Decode {
        /// The table.
        table: &'static str,
        /// The row's id.
        id: String,
        /// The column.
        column: &'static str,
        /// What is wrong with the value.
        reason: String,
    },

    /// A value could not be encoded for storage.
    #[error("cannot encode {what}: {reason}")]
    Encode {
        /// What was being stored.
        what: &'static str,
        /// Why.
        reason: String,
    },

    /// A pagination cursor that this store did not hand out.
    #[error("invalid cursor {cursor:?}: {reason}")]
    InvalidCursor {
        /// The cursor as given.
        cursor: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The thread that writes audit steps in batches could not be started.
    #[error("cannot start the audit writer thread: {source}")]
    Writer {
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The blocking task that ran a query panicked or was cancelled.
    #[error("{operation} did not finish: {source}")]
    Task {
        /// What the store was doing.
        operation: &'static str,
        /// Why.
        #[source]
        source: tokio::task::JoinError,
    },
}
