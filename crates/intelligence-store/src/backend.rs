//! What differs between SQLite and PostgreSQL: how a write transaction
//! begins and how migrations are serialised between processes.

use std::fmt;

#[cfg(feature = "postgres")]
use diesel::RunQueryDsl;
use diesel::SqliteConnection;
use diesel::connection::Connection;
use diesel::result::Error as DieselError;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The SQLite migrations, embedded at build time.
pub(crate) const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The PostgreSQL migrations, embedded at build time.
#[cfg(feature = "postgres")]
pub(crate) const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a store writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// An error from a migration run.
pub(crate) type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Backend-specific writes, so that the queries themselves are written once.
pub(crate) trait Writes: Connection + Sized {
    /// Runs `f` as a write transaction. On SQLite it begins `IMMEDIATE`: it
    /// takes the write lock up front (waiting up to the busy timeout), so a
    /// transaction never fails with "database is locked" when it upgrades
    /// from reading to writing.
    fn write<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>;

    /// Runs `f`, which writes several statements, as one transaction
    /// (`IMMEDIATE` on SQLite).
    fn write_batch<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>;

    /// Applies the pending migrations while holding a lock that keeps other
    /// processes from migrating at the same time; returns how many ran.
    fn migrate_locked(&mut self) -> Result<usize, MigrationError>;
}

impl Writes for SqliteConnection {
    fn write<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>,
    {
        self.immediate_transaction(f)
    }

    fn write_batch<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>,
    {
        self.immediate_transaction(f)
    }

    fn migrate_locked(&mut self) -> Result<usize, MigrationError> {
        // Reading first: a migrated database (the usual case) needs no write
        // lock, so opening it never waits for another connection's write,
        // nor fails when that write outlasts the busy timeout. Only pending
        // migrations take the lock, and are checked again under it.
        if !self.has_pending_migration(SQLITE_MIGRATIONS)? {
            return Ok(0);
        }
        self.immediate_transaction(|conn| {
            conn.run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|applied| applied.len())
        })
    }
}

#[cfg(feature = "postgres")]
impl Writes for diesel::PgConnection {
    fn write<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>,
    {
        // A single statement needs no explicit transaction on PostgreSQL;
        // callers that write several wrap them in `transaction` themselves.
        f(self)
    }

    fn write_batch<T, F>(&mut self, f: F) -> Result<T, DieselError>
    where
        F: FnOnce(&mut Self) -> Result<T, DieselError>,
    {
        self.transaction(f)
    }

    fn migrate_locked(&mut self) -> Result<usize, MigrationError> {
        /// An arbitrary key for the advisory lock that serialises migrations.
        const MIGRATION_LOCK: i64 = 0x696e_7465_6c6c;
        self.transaction(|conn| {
            // Another process may be migrating: wait for it however long it
            // takes, not the store's lock timeout meant for short writes.
            diesel::connection::SimpleConnection::batch_execute(
                conn,
                "SET LOCAL lock_timeout = 0",
            )?;
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .execute(conn)?;
            conn.run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|applied| applied.len())
        })
    }
}
