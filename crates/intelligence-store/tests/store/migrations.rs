//! Migrations: they apply to an empty database, are idempotent, and revert.

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use intelligence_store::{Backend, Store, StoreOptions};

use super::support::databases;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Reverts every migration with its `down.sql`.
fn revert_all(url: &str, backend: Backend) -> usize {
    use diesel::Connection;
    use diesel_migrations::MigrationHarness;
    match backend {
        Backend::Sqlite => diesel::SqliteConnection::establish(url)
            .expect("connect")
            .revert_all_migrations(SQLITE)
            .expect("revert")
            .len(),
        #[cfg(feature = "postgres")]
        Backend::Postgres => diesel::PgConnection::establish(url)
            .expect("connect")
            .revert_all_migrations(POSTGRES)
            .expect("revert")
            .len(),
        #[cfg(not(feature = "postgres"))]
        Backend::Postgres => unreachable!("no PostgreSQL store without the feature"),
    }
}

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    for db in databases("migrations_apply_to_an_empty_database_and_are_idempotent") {
        let lazy = StoreOptions {
            lazy: true,
            ..StoreOptions::default()
        };
        let store = db.open_with(&lazy);
        assert_eq!(
            store.migrate().expect("first"),
            2,
            "{}: both migrations",
            db.label
        );
        assert_eq!(
            store.migrate().expect("second"),
            0,
            "{}: idempotent",
            db.label
        );
        drop(store);

        let reopened = db.open();
        assert_eq!(reopened.migrate().expect("reopened"), 0);
        let backend = reopened.backend();
        drop(reopened);

        assert_eq!(
            revert_all(&db.url, backend),
            2,
            "{}: down.sql works",
            db.label
        );
        let again = Store::open_with(&db.url, &lazy).expect("open");
        assert_eq!(again.migrate().expect("after revert"), 2, "{}", db.label);
        let page = again
            .list_runs(&Default::default(), Default::default())
            .await
            .expect("usable");
        assert!(page.runs.is_empty());
    }
}

#[test]
fn open_creates_the_file_and_its_directories_and_reports_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a/b/c/intelligence.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).expect("open");
    assert!(path.is_file(), "the file exists after open");
    assert_eq!(store.backend(), Backend::Sqlite);
    assert_eq!(store.backend().to_string(), "sqlite");
    assert_eq!(store.url_for_display(), url);
}

#[test]
fn the_default_path_is_in_the_data_directory() {
    let path = Store::default_sqlite_path().expect("a data dir on this machine");
    assert!(
        path.ends_with("intelligence/intelligence.db"),
        "{}",
        path.display()
    );
}

#[test]
fn a_postgres_url_names_the_server_without_its_password() {
    let lazy = StoreOptions {
        lazy: true,
        ..StoreOptions::default()
    };
    match Store::open_with("postgres://app:s3cret@127.0.0.1:1/x", &lazy) {
        Ok(store) => {
            assert_eq!(store.backend(), Backend::Postgres);
            assert_eq!(store.url_for_display(), "postgres://app:***@127.0.0.1:1/x");
        }
        Err(err) => {
            let text = err.to_string();
            assert!(text.contains("postgres` feature"), "{text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
    }
}

/// libpq quotes a URL it cannot parse, and splits a password holding a raw
/// `@` into a host name it then reports: neither reaches the error.
#[cfg(feature = "postgres")]
#[test]
fn a_client_library_error_never_carries_the_password() {
    for url in [
        "postgres://postgres:Pw9SECRETx@[::1:1/x",
        "postgres://postgres:Pw5@SECRETx@127.0.0.1:1/x",
        "postgres://postgres@[::1:1/x?password=QpSECRETx",
    ] {
        let err = Store::open(url).expect_err(url);
        let mut chain = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            chain.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        assert!(!chain.contains("SECRET"), "{url}: {chain}");
    }
}

/// One index: its name and its columns in order, comma-separated.
#[derive(diesel::QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IndexColumns {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    cols: String,
}

/// The secondary indexes of `analysis_runs`, as the database reports them.
fn analysis_run_indexes(url: &str, backend: Backend) -> Vec<IndexColumns> {
    use diesel::{Connection, RunQueryDsl};
    let mut found: Vec<IndexColumns> = match backend {
        Backend::Sqlite => diesel::sql_query(
            "SELECT m.name AS name, group_concat(i.name, ',') AS cols \
             FROM sqlite_master m, pragma_index_info(m.name) i \
             WHERE m.type = 'index' AND m.tbl_name = 'analysis_runs' \
             AND m.name NOT LIKE 'sqlite_autoindex%' GROUP BY m.name",
        )
        .load(&mut diesel::SqliteConnection::establish(url).expect("connect"))
        .expect("list indexes"),
        #[cfg(feature = "postgres")]
        Backend::Postgres => diesel::sql_query(
            "SELECT i.relname::text AS name, \
             string_agg(a.attname::text, ',' ORDER BY k.ord) AS cols \
             FROM pg_index x \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) ON true \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE t.relname = 'analysis_runs' \
             AND t.relnamespace = current_schema()::regnamespace \
             AND NOT x.indisprimary GROUP BY i.relname",
        )
        .load(&mut diesel::PgConnection::establish(url).expect("connect"))
        .expect("list indexes"),
        #[cfg(not(feature = "postgres"))]
        Backend::Postgres => unreachable!("no PostgreSQL store without the feature"),
    };
    found.sort();
    found
}

#[test]
fn the_migrated_table_has_every_index_the_design_lists() {
    for db in databases("the_migrated_table_has_every_index_the_design_lists") {
        let backend = db.open().backend();
        let mut cols: Vec<String> = analysis_run_indexes(&db.url, backend)
            .into_iter()
            .map(|index| index.cols)
            .collect();
        cols.sort_unstable();
        let mut expected = vec![
            "provider,status",
            "status,created_at",
            "incident_id,created_at",
            "trace_id",
            "pipeline_run_id",
            // The run list's keyset pagination.
            "created_at,id",
        ];
        expected.sort_unstable();
        assert_eq!(cols, expected, "{}", db.label);
    }
}

#[test]
fn a_sqlite_file_is_left_in_wal_mode() {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl};

    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let db = super::support::sqlite();
    drop(db.open());
    // The journal mode is kept in the file: a plain connection sees it.
    let mut conn = diesel::SqliteConnection::establish(&db.url).expect("connect");
    conn.batch_execute("PRAGMA busy_timeout = 1000")
        .expect("pragma");
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .expect("journal mode");
    assert_eq!(mode.journal_mode, "wal");
}
