//! Faults: a database that cannot be opened or reached never breaks
//! `run()`; a warning is logged and later runs write normally.

use std::sync::Arc;
use std::time::Duration;

use intelligence_core::{AnalysisKind, AuditSink, RunId, RunOptions, RunStatus, run};
use intelligence_store::{Store, StoreOptions};

use super::support::{Three, capture_warnings, later_run_is_recorded, wait_usable};

fn lazy() -> StoreOptions {
    StoreOptions {
        lazy: true,
        connect_timeout: Duration::from_secs(1),
        ..StoreOptions::default()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_unopenable_sqlite_path_logs_a_warning_and_then_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A regular file where the database's directory should be: no user,
    // root included, can create the database below it.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, b"not a directory").expect("write blocker");
    let url = blocker.join("intelligence.db");
    let url = url.to_str().expect("utf-8");

    let err = Store::open(url).expect_err("cannot create a directory over a file");
    assert!(err.to_string().contains("blocker"), "{err}");

    let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
    let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
    let (logs, _guard) = capture_warnings();
    let outcome = run(
        &Three,
        sink.clone(),
        None,
        &AnalysisKind::Automatic,
        RunOptions::traced("t-down"),
    )
    .await
    .expect("the analysis does not depend on the store");
    assert_eq!(outcome.analysis.recommendations.len(), 3);
    // The writer thread logs the failed steps; flush waits for it.
    sink.flush().await.expect("flush");
    let text = logs.text();
    assert!(text.contains("WARN") && text.contains("audit"), "{text}");
    assert_eq!(
        text.matches("audit sink failed").count(),
        1,
        "one warning per run, not one per step: {text}"
    );
    assert!(
        text.contains("t-down"),
        "the warning names the trace: {text}"
    );

    // The database comes back: the directory can be created now.
    std::fs::remove_file(&blocker).expect("remove blocker");
    wait_usable(&store).await;
    later_run_is_recorded(&store, sink, AnalysisKind::Automatic, RunOptions::default()).await;
    assert_eq!(
        store.get_run(outcome.run_id).await.expect("get"),
        None,
        "the first run went unrecorded"
    );
}

#[test]
fn a_directory_as_the_database_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = dir.path().to_str().expect("utf-8");
    let err = Store::open(url).expect_err("a directory is not a database");
    let text = err.to_string();
    assert!(
        text.contains(url) && text.contains("is a directory"),
        "{text}"
    );
}

#[test]
fn a_file_sqlite_cannot_open_fails_open_with_the_reason_not_a_pool_timeout() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    // A file that is not a database, and that nobody may read.
    let path = dir.path().join("intelligence.db");
    std::fs::write(&path, b"").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let url = path.to_str().expect("utf-8");
    if rustix::process::geteuid().is_root() {
        // Root reads it anyway; a dangling symlink into a missing directory
        // is what root cannot open.
        std::fs::remove_file(&path).expect("remove");
        std::os::unix::fs::symlink(dir.path().join("missing/x.db"), &path).expect("symlink");
    }
    let err = Store::open(url).expect_err("cannot be opened");
    assert!(
        matches!(err, intelligence_store::StoreError::Open { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("unable to open database file") && text.contains(url),
        "{text}"
    );
    assert!(!text.contains("timed out"), "{text}");
}

#[test]
fn a_file_that_is_not_a_database_fails_open_with_the_reason_not_a_pool_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    // SQLite opens any file lazily; the first statement, a pragma the pool
    // runs on every connection, is what finds it is not a database.
    let path = dir.path().join("notes.db");
    let text = "these are someone's notes, not a database\n".repeat(200);
    std::fs::write(&path, &text).expect("write");
    let url = path.to_str().expect("utf-8");
    let err = Store::open(url).expect_err("not a database");
    assert!(
        matches!(err, intelligence_store::StoreError::Open { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("file is not a database") && message.contains(url),
        "{message}"
    );
    assert!(!message.contains("timed out"), "{message}");
    // Nothing lost: the file is as it was.
    assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
}

/// Set in the child process that runs the read-only scenario as `nobody`.
const READ_ONLY_CHILD: &str = "INTELLIGENCE_STORE_TEST_READ_ONLY_CHILD";
const READ_ONLY_PASSED: &str = "read-only scenario passed";

/// A database in a directory the process may not write: open fails and
/// names the file, a lazy store logs a warning per run while `run()` goes
/// on, and once the directory is writable again runs are recorded.
async fn read_only_scenario() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("intelligence.db");
    let url = path.to_str().expect("utf-8");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).expect("chmod");

    let err = Store::open(url).expect_err("a read-only directory refuses the file");
    assert!(err.to_string().contains("intelligence.db"), "{err}");

    let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
    let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
    let (logs, _guard) = capture_warnings();
    let outcome = run(
        &Three,
        sink.clone(),
        None,
        &AnalysisKind::Memory,
        RunOptions::traced("t-ro"),
    )
    .await
    .expect("the analysis goes on");
    assert_eq!(outcome.analysis.recommendations.len(), 3);
    sink.flush().await.expect("flush");
    let text = logs.text();
    assert!(text.contains("WARN") && text.contains("t-ro"), "{text}");
    assert!(text.contains("unable to open database file"), "{text}");

    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    wait_usable(&store).await;
    let later =
        later_run_is_recorded(&store, sink, AnalysisKind::Memory, RunOptions::default()).await;
    drop(store);

    read_only_existing_database(dir.path(), url, later.id).await;
}

/// The same fault met by a database that exists: its directory turns
/// read-only after its last connection closed (which removed the WAL), so
/// SQLite cannot create the WAL it needs to read or write. The runs it
/// held are kept, and once the directory is writable again a new run is
/// recorded beside them.
async fn read_only_existing_database(dir: &std::path::Path, url: &str, kept: RunId) {
    use std::os::unix::fs::PermissionsExt;

    // The last connection to close removes the WAL; a pool thread may
    // still be finishing with one for a moment.
    let wal = dir.join("intelligence.db-wal");
    for _ in 0..100 {
        if !wal.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(!wal.exists(), "the last close removed the WAL");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let err = Store::open(url).expect_err("no WAL can be created beside the file");
    let text = err.to_string();
    assert!(
        text.contains("intelligence.db") && text.contains("readonly"),
        "{text}"
    );

    let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
    let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
    let (logs, _guard) = capture_warnings();
    let outcome = run(
        &Three,
        sink.clone(),
        None,
        &AnalysisKind::Memory,
        RunOptions::traced("t-ro-existing"),
    )
    .await
    .expect("the analysis goes on");
    assert_eq!(outcome.analysis.recommendations.len(), 3);
    sink.flush().await.expect("flush");
    let text = logs.text();
    assert!(
        text.contains("WARN") && text.contains("t-ro-existing"),
        "{text}"
    );

    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    wait_usable(&store).await;
    later_run_is_recorded(&store, sink, AnalysisKind::Memory, RunOptions::default()).await;
    let stored = store.get_run(kept).await.expect("get").expect("recorded");
    assert_eq!(stored.status, RunStatus::Succeeded);
    assert_eq!(
        store.get_run(outcome.run_id).await.expect("get"),
        None,
        "the run during the fault went unrecorded"
    );
}

#[test]
fn a_read_only_directory_logs_a_warning_and_then_recovers() {
    if !rustix::process::geteuid().is_root() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(read_only_scenario());
        return;
    }
    // Root ignores directory permissions: run the scenario in a child
    // process as `nobody`, from a copy of this binary that `nobody` can
    // execute wherever the build directory is.
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().expect("test binary");
    let copy_dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(copy_dir.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    let copy = copy_dir.path().join("store-tests");
    std::fs::copy(&exe, &copy).expect("copy test binary");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = std::process::Command::new(&copy)
        .args(["--exact", "store::faults::read_only_child", "--nocapture"])
        .env(READ_ONLY_CHILD, "1")
        .env("TMPDIR", "/tmp")
        .uid(65534)
        .gid(65534)
        .output()
        .expect("run the child as nobody");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(READ_ONLY_PASSED), "{text}");
}

/// The body of the child process of the test above; a no-op when the test
/// binary runs normally (the variable is unset).
#[test]
fn read_only_child() {
    if std::env::var_os(READ_ONLY_CHILD).is_none() {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(read_only_scenario());
    println!("{READ_ONLY_PASSED}");
}

#[cfg(feature = "postgres")]
mod postgres {
    //! PostgreSQL faults: a closed port, and the server killing the
    //! store's connection between two lifecycle steps.

    use std::sync::Arc;

    use async_trait::async_trait;
    use diesel::{Connection, PgConnection, RunQueryDsl};
    use intelligence_core::{
        Analysis, AnalysisKind, AuditSink, Incident, Provider, ProviderError, RunOptions,
        RunStatus, run,
    };
    use intelligence_store::{Store, StoreOptions, WriteMode};

    use super::super::support::{PG_ENV, Three, capture_warnings, later_run_is_recorded, postgres};
    use super::lazy;

    #[tokio::test(flavor = "current_thread")]
    async fn a_closed_port_logs_a_warning_and_the_analysis_goes_on() {
        // Needs no server: nothing listens on port 1.
        let url = "postgres://postgres:pw@127.0.0.1:1/test";
        let err = Store::open_with(
            url,
            &StoreOptions {
                lazy: false,
                ..lazy()
            },
        )
        .expect_err("nothing listens on port 1");
        let text = err.to_string();
        assert!(
            text.contains("127.0.0.1:1") && !text.contains(":pw@"),
            "{text}"
        );
        assert!(
            text.contains("refused") && !text.contains("timed out"),
            "the server's reason, not the pool's timeout: {text}"
        );

        let store = Store::open_with(url, &lazy()).expect("a lazy store opens");
        let sink: Arc<dyn AuditSink> = Arc::new(store);
        let (logs, _guard) = capture_warnings();
        let outcome = run(
            &Three,
            sink.clone(),
            None,
            &AnalysisKind::Cpu,
            RunOptions::traced("t-port"),
        )
        .await
        .expect("the analysis goes on");
        assert_eq!(outcome.analysis.recommendations.len(), 3);
        sink.flush().await.expect("flush");
        let text = logs.text();
        assert!(text.contains("WARN") && text.contains("t-port"), "{text}");
        assert!(text.contains("cannot connect"), "{text}");
    }

    /// A port that was free a moment ago: nothing listens on it until a
    /// test starts a forwarder there.
    async fn free_port() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        listener.local_addr().expect("addr").port()
    }

    /// `url` with its `host:port` replaced by `127.0.0.1:port`; and the
    /// `host:port` it had.
    fn via_port(url: &str, port: u16) -> (String, String) {
        let start = url
            .find('@')
            .or_else(|| url.find("://").map(|i| i + 2))
            .expect("authority")
            + 1;
        let end = start + url[start..].find('/').expect("a database after the host");
        let upstream = url[start..end].to_owned();
        (
            format!("{}127.0.0.1:{port}{}", &url[..start], &url[end..]),
            upstream,
        )
    }

    /// Forwards every connection to `port` on to `upstream`, until dropped.
    async fn forward(port: u16, upstream: String) -> tokio::task::JoinHandle<()> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the port again");
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        })
    }

    /// The server is unreachable when the store opens and while a run
    /// goes on; then it answers on that port, and the next run is written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_that_comes_back_on_its_port_records_the_next_run() {
        let Some(db) = postgres("a_server_that_comes_back_on_its_port_records_the_next_run") else {
            return;
        };
        let port = free_port().await;
        let (url, upstream) = via_port(&db.url, port);
        let store = Store::open_with(&url, &lazy()).expect("a lazy store opens");
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let (logs, _guard) = capture_warnings();
        let down = run(
            &Three,
            sink.clone(),
            None,
            &AnalysisKind::Cpu,
            RunOptions::traced("t-down"),
        )
        .await
        .expect("the analysis goes on");
        assert_eq!(down.analysis.recommendations.len(), 3);
        sink.flush().await.expect("flush");
        let text = logs.text();
        assert!(text.contains("WARN") && text.contains("t-down"), "{text}");

        let forwarder = forward(port, upstream).await;
        super::super::support::wait_usable(&store).await;
        let stored =
            later_run_is_recorded(&store, sink, AnalysisKind::Cpu, RunOptions::traced("t-up"))
                .await;
        assert_eq!(stored.trace_id, "t-up");
        assert_eq!(store.get_run(down.run_id).await.expect("get"), None);
        drop(store);
        forwarder.abort();
    }

    /// Kills the store's connection (found by its application name) while
    /// the analysis runs, so between `mark_started` and `mark_succeeded`.
    struct Killer {
        admin_url: String,
        victim: String,
        /// A batched store whose queued steps are written before the kill,
        /// so that the kill lands between two of the writer's transactions.
        drain: Option<Store>,
    }

    #[async_trait]
    impl Provider for Killer {
        fn name(&self) -> &str {
            "killer"
        }

        fn description(&self) -> &str {
            "terminates the store's backend"
        }

        async fn analyze(
            &self,
            incident: Option<&Incident>,
            kind: &AnalysisKind,
        ) -> Result<Analysis, ProviderError> {
            if let Some(store) = &self.drain {
                store.flush().await;
            }
            let mut admin = PgConnection::establish(&self.admin_url).expect("admin connection");
            let killed = diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
                 WHERE application_name = '{}'",
                self.victim
            ))
            .execute(&mut admin)
            .expect("terminate");
            assert_eq!(killed, 1, "exactly the store's one connection");
            Three.analyze(incident, kind).await
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_killed_connection_between_steps_is_replaced_and_logged() {
        let Some(db) = postgres("a_killed_connection_between_steps_is_replaced_and_logged") else {
            return;
        };
        let victim = format!("victim_{}", uuid::Uuid::now_v7().simple());
        let url = format!("{}&application_name={victim}", db.url);
        let one = StoreOptions {
            max_connections: 1,
            write_mode: WriteMode::PerStep,
            ..StoreOptions::default()
        };
        let store = Store::open_with(&url, &one).expect("open");
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let killer = Killer {
            admin_url: std::env::var(PG_ENV).expect("set"),
            victim,
            drain: None,
        };

        let (logs, _guard) = capture_warnings();
        let outcome = run(
            &killer,
            sink.clone(),
            None,
            &AnalysisKind::Automatic,
            RunOptions::traced("t-kill"),
        )
        .await
        .expect("the analysis goes on");
        assert_eq!(outcome.analysis.recommendations.len(), 3);
        let text = logs.text();
        assert!(
            text.contains("WARN") && text.contains("connection lost"),
            "{text}"
        );
        assert!(text.contains("mark run succeeded"), "{text}");
        let warning = text
            .lines()
            .find(|l| l.contains("connection lost"))
            .expect("warned");
        assert!(
            warning.contains(&outcome.run_id.to_string()) && warning.contains("t-kill"),
            "the store's warning sits in the run's span: {warning}"
        );
        let stored = store
            .get_run(outcome.run_id)
            .await
            .expect("get")
            .expect("recorded");
        assert_eq!(
            stored.status,
            RunStatus::Succeeded,
            "the step was retried on a new connection"
        );

        later_run_is_recorded(&store, sink, AnalysisKind::Automatic, RunOptions::default()).await;
        drop(db);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_killed_connection_under_the_batched_writer_is_replaced_and_logged() {
        let Some(db) =
            postgres("a_killed_connection_under_the_batched_writer_is_replaced_and_logged")
        else {
            return;
        };
        let victim = format!("victim_{}", uuid::Uuid::now_v7().simple());
        let url = format!("{}&application_name={victim}", db.url);
        let one = StoreOptions {
            max_connections: 1,
            ..StoreOptions::default()
        };
        let store = Store::open_with(&url, &one).expect("open");
        assert_eq!(one.write_mode, WriteMode::Batched, "the default");
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());
        let killer = Killer {
            admin_url: std::env::var(PG_ENV).expect("set"),
            victim,
            drain: Some(store.clone()),
        };

        let (logs, _guard) = capture_warnings();
        let outcome = run(
            &killer,
            sink.clone(),
            None,
            &AnalysisKind::Automatic,
            RunOptions::traced("t-kill-batched"),
        )
        .await
        .expect("the analysis goes on");
        sink.flush().await.expect("flush");
        let text = logs.text();
        assert!(
            text.contains("WARN") && text.contains("connection lost"),
            "{text}"
        );
        assert!(text.contains("write audit steps"), "{text}");
        assert!(
            !text.contains("audit sink failed"),
            "the retry saved the step: {text}"
        );
        let stored = store
            .get_run(outcome.run_id)
            .await
            .expect("get")
            .expect("recorded");
        assert_eq!(stored.status, RunStatus::Succeeded);
        drop(db);
    }

    /// Another session holds the table locked: each write gives up after
    /// the lock timeout instead of stalling `run()` until the lock goes,
    /// and no `create` commits later behind the caller's back.
    #[tokio::test(flavor = "current_thread")]
    async fn a_table_locked_by_another_session_delays_the_analysis_only_by_the_lock_timeout() {
        let Some(db) = postgres(
            "a_table_locked_by_another_session_delays_the_analysis_only_by_the_lock_timeout",
        ) else {
            return;
        };
        let options = StoreOptions {
            busy_timeout: std::time::Duration::from_millis(200),
            write_mode: WriteMode::PerStep,
            ..StoreOptions::default()
        };
        let store = Store::open_with(&db.url, &options).expect("open");
        let sink: Arc<dyn AuditSink> = Arc::new(store.clone());

        let mut locker = PgConnection::establish(&db.url).expect("second session");
        diesel::connection::SimpleConnection::batch_execute(
            &mut locker,
            "BEGIN; LOCK TABLE analysis_runs IN ACCESS EXCLUSIVE MODE;",
        )
        .expect("lock");

        let (logs, _guard) = capture_warnings();
        let outcome = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            run(
                &Three,
                sink.clone(),
                None,
                &AnalysisKind::Memory,
                RunOptions::traced("t-locked"),
            ),
        )
        .await
        .expect("the lock timeout ends the wait, not the lock")
        .expect("the analysis goes on");
        assert_eq!(outcome.analysis.recommendations.len(), 3);
        let text = logs.text();
        assert!(
            text.contains("WARN") && text.contains("t-locked") && text.contains("lock timeout"),
            "{text}"
        );

        diesel::connection::SimpleConnection::batch_execute(&mut locker, "ROLLBACK")
            .expect("unlock");
        assert_eq!(
            store.get_run(outcome.run_id).await.expect("get"),
            None,
            "the refused create never commits later"
        );
        later_run_is_recorded(&store, sink, AnalysisKind::Memory, RunOptions::default()).await;
    }
}
