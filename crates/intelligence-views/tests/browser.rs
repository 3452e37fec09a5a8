//! The admin list page in a real browser: headless Chromium loads the page
//! from a server on loopback, over a SQLite store with recorded runs, and
//! the rows must be in its DOM; the status filter must narrow them.
//!
//! Without `chromium` on the PATH (or in `$CHROMIUM`) the test fails when
//! `CI=true` and prints a skip message otherwise.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Fixture, sample_runs};
use intelligence_views::serve_on;
use tokio::net::TcpListener;

/// How long one page load may take before the browser is killed.
const BROWSER_DEADLINE: Duration = Duration::from_secs(90);

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The DOM of `url` after Chromium has loaded it.
fn dump_dom(browser: &PathBuf, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", browser.display()));

    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(_) => break,
            None if started.elapsed() > BROWSER_DEADLINE => {
                let _ = child.kill();
                panic!("chromium did not finish loading {url}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    let output = child.wait_with_output().expect("chromium output");
    assert!(output.status.success(), "chromium failed on {url}");
    String::from_utf8(output.stdout).expect("utf-8 DOM")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_list_renders_in_chromium_and_the_status_filter_narrows_it() {
    let Some(browser) = chromium() else {
        let message = "chromium is not installed: `apt-get install -y chromium` (.ci/run does)";
        if std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!("{message}");
        }
        eprintln!("skipping the browser test: {message}");
        return;
    };

    let fixture = Fixture::new();
    let runs = sample_runs(6);
    fixture.store.import_runs(&runs).await.expect("seed");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = fixture.state.clone();
    tokio::spawn(serve_on(listener, state, std::future::pending()));

    let base = format!("http://{addr}/admin/intelligence/analysisrun/");
    let all = {
        let browser = browser.clone();
        let url = base.clone();
        tokio::task::spawn_blocking(move || dump_dom(&browser, &url))
            .await
            .expect("browser task")
    };
    assert!(all.contains("<h1>Analysis runs</h1>"), "{all}");
    assert_eq!(all.matches("<tr class=\"run\"").count(), 6, "{all}");
    for run in &runs {
        assert!(all.contains(&run.id.to_string()), "run {} missing", run.id);
    }

    let failed = {
        let url = format!("{base}?status=failed");
        tokio::task::spawn_blocking(move || dump_dom(&browser, &url))
            .await
            .expect("browser task")
    };
    assert_eq!(failed.matches("<tr class=\"run\"").count(), 2, "{failed}");
    for run in &runs {
        let shown = failed.contains(&run.id.to_string());
        assert_eq!(
            shown,
            run.status == intelligence_core::RunStatus::Failed,
            "run {} ({})",
            run.id,
            run.status
        );
    }
}
