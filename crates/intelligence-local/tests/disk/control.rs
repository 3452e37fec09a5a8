//! Refused paths, progress reports, and stopping a walk whose analysis was
//! dropped.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::time::Duration;

use intelligence_core::{AnalysisKind, Provider, ProviderError};

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn bad_paths_are_errors_not_healthy_reports() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    let allowed = root.join("allowed");
    let secret = root.join("secret");
    write_real(&secret.join("big"), 2 * MIB);
    write_real(&allowed.join("file"), 10);
    fs::create_dir(root.join("allowed2")).expect("mkdir");
    symlink(&secret, allowed.join("link")).expect("symlink");
    // Progress is reported from the first directory a walk opens: none may
    // arrive for a refused path.
    let reports = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let recorder = std::sync::Arc::clone(&reports);
    let provider =
        provider_for(&allowed, 1.0).with_progress(std::sync::Arc::new(move |m: &str| {
            recorder.lock().expect("lock").push(m.to_owned());
        }));

    for (path, reason) in [
        (allowed.join("missing"), "does not exist"),
        (allowed.join("file"), "not a directory"),
        (allowed.join("../secret"), "outside the allowed roots"),
        (allowed.join("link"), "outside the allowed roots"),
        (root.join("allowed2"), "outside the allowed roots"),
        (PathBuf::from("/"), "outside the allowed roots"),
    ] {
        let err = provider
            .analyze(None, &AnalysisKind::disk(&path))
            .await
            .expect_err("refused");
        assert!(
            matches!(err, ProviderError::PathNotAllowed { .. }),
            "{path:?}: {err:?}"
        );
        assert!(err.is_bad_input());
        assert!(err.to_string().contains(reason), "{path:?}: {err}");
        let resolved = provider.resolve_disk_path(&path);
        assert!(resolved.is_err(), "{path:?}");
    }
    assert!(reports.lock().expect("lock").is_empty(), "nothing was read");
    assert_eq!(
        provider.resolve_disk_path(&allowed).expect("allowed"),
        allowed
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_reports_the_scanned_path_and_files() {
    use std::sync::{Arc, Mutex};
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    for i in 0..1234 {
        fs::write(root.join(format!("f{i}")), b"x").expect("write");
    }
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    let provider = provider_for(&root, 1.0).with_progress(Arc::new(move |m: &str| {
        sink.lock().expect("lock").push(m.to_owned());
    }));
    scan(&provider, &root).await;
    let seen = seen.lock().expect("lock");
    let expected = format!("Scanning {}... 1,234 files", root.display());
    assert!(seen.contains(&expected), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_analysis_stops_the_walk_early() {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};

    let tmp = tempfile::tempdir().expect("tempdir");
    let root = canonical(tmp.path());
    for i in 0..500 {
        fs::create_dir_all(root.join(format!("d{i:03}/e"))).expect("mkdir");
    }

    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let started_tx = Mutex::new(Some(started_tx));
    let release_rx = Mutex::new(release_rx);
    let messages = Arc::new(Mutex::new(Vec::<String>::new()));
    let marker = Arc::new(());
    let alive = Arc::downgrade(&marker);
    let recorded = Arc::clone(&messages);
    let provider = provider_for(&root, 1.0).with_progress(Arc::new(move |m: &str| {
        let _keep = &marker;
        recorded.lock().expect("lock").push(m.to_owned());
        // The first report waits until the test has dropped the analysis.
        if let Some(tx) = started_tx.lock().expect("lock").take() {
            let _ = tx.send(());
            let _ = release_rx.lock().expect("lock").recv();
        }
    }));

    let kind = AnalysisKind::disk(&root);
    let analysis = provider.analyze(None, &kind);
    let waited = tokio::time::timeout(Duration::from_millis(200), analysis).await;
    assert!(waited.is_err(), "the walk is held at its first report");
    started_rx.recv().expect("the walk started");
    drop(provider);
    release_tx.send(()).expect("release the walk");

    // The blocking task owns the last reference to the callback.
    for _ in 0..1000 {
        if alive.upgrade().is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(alive.upgrade().is_none(), "the walk ended");
    let messages = messages.lock().expect("lock");
    assert_eq!(
        messages.len(),
        1,
        "no further progress, no final count: {messages:?}"
    );
}
