//! Filters, keyset pagination, counts, reap, prune and import.

use std::collections::HashSet;

use chrono::{Duration, SubsecRound, Utc};
use intelligence_core::{AnalysisRun, RunId, RunStatus};
use intelligence_store::{
    ABANDONED_ERROR_TYPE, ABANDONED_MESSAGE, Cursor, PRUNE_BATCH, PageRequest, RunCount, RunFilter,
    Store,
};

use super::support::{capture_at, databases, record};

fn ids(runs: &[AnalysisRun]) -> Vec<RunId> {
    runs.iter().map(|r| r.id).collect()
}

async fn all(store: &Store, filter: &RunFilter) -> Vec<RunId> {
    let mut out = Vec::new();
    let mut page = PageRequest::first(1000);
    loop {
        let got = store.list_runs(filter, page.clone()).await.expect("list");
        out.extend(ids(&got.runs));
        match got.next {
            Some(next) => page = PageRequest::after(1000, next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn each_filter_selects_exactly_the_matching_runs() {
    for db in databases("each_filter_selects_exactly_the_matching_runs") {
        let store = db.open();
        let now = Utc::now();
        let mut a = record("local", RunStatus::Succeeded, now - Duration::minutes(30));
        a.incident_id = Some(1);
        a.trace_id = "t-1".into();
        let mut b = record("openai", RunStatus::Failed, now - Duration::minutes(20));
        b.incident_id = Some(2);
        b.pipeline_run_id = "p-1".into();
        let mut c = record("local", RunStatus::Running, now - Duration::minutes(10));
        c.trace_id = "t-1".into();
        c.pipeline_run_id = "p-1".into();
        let d = record("openai", RunStatus::Succeeded, now - Duration::minutes(5));
        let seeded = [a.clone(), b.clone(), c.clone(), d.clone()];
        assert_eq!(store.import_runs(&seeded).await.expect("import"), 4);

        let cases: Vec<(RunFilter, Vec<RunId>)> = vec![
            (RunFilter::default(), vec![d.id, c.id, b.id, a.id]),
            (
                RunFilter {
                    status: Some(RunStatus::Succeeded),
                    ..Default::default()
                },
                vec![d.id, a.id],
            ),
            (
                RunFilter {
                    provider: Some("local".into()),
                    ..Default::default()
                },
                vec![c.id, a.id],
            ),
            (
                RunFilter {
                    incident_id: Some(2),
                    ..Default::default()
                },
                vec![b.id],
            ),
            (
                RunFilter {
                    trace_id: Some("t-1".into()),
                    ..Default::default()
                },
                vec![c.id, a.id],
            ),
            (
                RunFilter {
                    pipeline_run_id: Some("p-1".into()),
                    ..Default::default()
                },
                vec![c.id, b.id],
            ),
            (
                RunFilter {
                    created_after: Some(b.created_at),
                    created_before: Some(d.created_at),
                    ..Default::default()
                },
                vec![c.id, b.id],
            ),
            (
                RunFilter {
                    provider: Some("openai".into()),
                    status: Some(RunStatus::Failed),
                    ..Default::default()
                },
                vec![b.id],
            ),
            (
                RunFilter {
                    provider: Some("nope".into()),
                    ..Default::default()
                },
                vec![],
            ),
        ];
        for (filter, expected) in cases {
            assert_eq!(
                all(&store, &filter).await,
                expected,
                "{}: {filter:?}",
                db.label
            );
        }

        assert_eq!(
            store.get_run(c.id).await.expect("get"),
            Some(c),
            "{}",
            db.label
        );
        assert_eq!(store.get_run(RunId::new()).await.expect("get"), None);
    }
}

#[tokio::test]
async fn pagination_never_skips_or_repeats_while_rows_arrive() {
    for db in databases("pagination_never_skips_or_repeats_while_rows_arrive") {
        let store = db.open();
        let base = Utc::now() - Duration::hours(1);
        // 30 runs, in groups of three sharing one created_at, so that ties
        // are broken by id.
        let seeded: Vec<AnalysisRun> = (0..30)
            .map(|i| {
                record(
                    "local",
                    RunStatus::Succeeded,
                    base + Duration::seconds(i / 3),
                )
            })
            .collect();
        store.import_runs(&seeded).await.expect("import");
        let mut expected: Vec<&AnalysisRun> = seeded.iter().collect();
        expected.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        let expected: Vec<RunId> = expected.into_iter().map(|r| r.id).collect();

        let filter = RunFilter::default();
        let mut seen = Vec::new();
        let mut page = PageRequest::first(7);
        let mut pages = 0;
        loop {
            let got = store.list_runs(&filter, page.clone()).await.expect("list");
            assert!(got.runs.len() <= 7);
            if pages == 0 {
                // The first page is the newest: new arrivals come later.
                assert_eq!(ids(&got.runs), expected[..7].to_vec(), "{}", db.label);
            }
            seen.extend(ids(&got.runs));
            pages += 1;
            // New rows arrive between every two pages.
            let newer = record("local", RunStatus::Pending, Utc::now());
            store.import_runs(&[newer]).await.expect("arrival");
            match got.next {
                Some(next) => {
                    let reparsed: Cursor = next.to_string().parse().expect("cursor string");
                    page = PageRequest::after(7, reparsed);
                }
                None => break,
            }
        }
        assert_eq!(
            seen, expected,
            "{}: every seeded run once, in order",
            db.label
        );
        assert_eq!(pages, 5, "{}", db.label);
    }
}

#[tokio::test]
async fn counts_group_by_provider_and_status() {
    for db in databases("counts_group_by_provider_and_status") {
        let store = db.open();
        let now = Utc::now();
        let runs = [
            record("local", RunStatus::Succeeded, now),
            record("local", RunStatus::Succeeded, now),
            record("local", RunStatus::Failed, now),
            record("openai", RunStatus::Pending, now),
        ];
        store.import_runs(&runs).await.expect("import");
        let count = |provider: &str, status, count| RunCount {
            provider: provider.into(),
            status,
            count,
        };
        let mut counts = store.counts().await.expect("counts");
        counts.sort_by_key(|c| (c.provider.clone(), c.status.as_str()));
        assert_eq!(
            counts,
            vec![
                count("local", RunStatus::Failed, 1),
                count("local", RunStatus::Succeeded, 2),
                count("openai", RunStatus::Pending, 1),
            ],
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn reap_closes_only_open_runs_older_than_the_cutoff() {
    for db in databases("reap_closes_only_open_runs_older_than_the_cutoff") {
        let store = db.open();
        let now = Utc::now();
        let old = now - Duration::hours(2);
        let old_pending = record("local", RunStatus::Pending, old);
        let old_running = record("local", RunStatus::Running, old);
        let new_running = record("local", RunStatus::Running, now);
        let old_succeeded = record("local", RunStatus::Succeeded, old);
        let old_failed = record("local", RunStatus::Failed, old);
        // Created at the cutoff itself: not older than it, so kept open.
        let cutoff = (now - Duration::hours(1)).trunc_subsecs(6);
        let at_cutoff = record("local", RunStatus::Running, cutoff);
        let all_runs = [
            old_pending.clone(),
            old_running.clone(),
            new_running.clone(),
            old_succeeded.clone(),
            old_failed.clone(),
            at_cutoff.clone(),
        ];
        store.import_runs(&all_runs).await.expect("import");

        assert_eq!(store.reap(cutoff).await.expect("reap"), 2, "{}", db.label);
        for reaped in [&old_pending, &old_running] {
            let got = store.get_run(reaped.id).await.expect("get").expect("kept");
            assert_eq!(got.status, RunStatus::Failed);
            assert_eq!(got.error_type.as_deref(), Some(ABANDONED_ERROR_TYPE));
            assert_eq!(got.error_message.as_deref(), Some(ABANDONED_MESSAGE));
            assert!(got.completed_at.is_some());
        }
        for untouched in [&new_running, &old_succeeded, &old_failed, &at_cutoff] {
            let got = store
                .get_run(untouched.id)
                .await
                .expect("get")
                .expect("kept");
            assert_eq!(&got, untouched, "{}: reap left it alone", db.label);
        }
        assert_eq!(store.reap(cutoff).await.expect("reap again"), 0);
    }
}

#[tokio::test]
async fn prune_deletes_only_finished_runs_older_than_the_cutoff() {
    for db in databases("prune_deletes_only_finished_runs_older_than_the_cutoff") {
        let store = db.open();
        let now = Utc::now();
        let old = now - Duration::days(40);
        // More than two batches' worth of old finished runs.
        let old_finished = usize::try_from(PRUNE_BATCH * 2 + 17).expect("small");
        let mut seeded: Vec<AnalysisRun> = (0..old_finished)
            .map(|i| {
                let status = if i % 2 == 0 {
                    RunStatus::Succeeded
                } else {
                    RunStatus::Failed
                };
                record("local", status, old)
            })
            .collect();
        let cutoff = (now - Duration::days(30)).trunc_subsecs(6);
        let kept = [
            record("local", RunStatus::Pending, old),
            record("local", RunStatus::Running, old),
            record("local", RunStatus::Succeeded, now),
            record("local", RunStatus::Failed, now),
            // Created at the cutoff itself: not older than it.
            record("local", RunStatus::Succeeded, cutoff),
        ];
        seeded.extend(kept.iter().cloned());
        store.import_runs(&seeded).await.expect("import");

        let (logs, guard) = capture_at(tracing::Level::DEBUG);
        let pruned = store.prune(cutoff).await.expect("prune");
        drop(guard);
        // Bounded batches, one transaction each: never one long delete.
        let batches: Vec<String> = logs
            .text()
            .lines()
            .filter(|line| line.contains("pruned one batch"))
            .map(|line| {
                line.rsplit("deleted=")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(batches, ["500", "500", "17"], "{}", db.label);
        assert_eq!(
            pruned,
            u64::try_from(old_finished).expect("fits"),
            "{}",
            db.label
        );
        let left: HashSet<RunId> = all(&store, &RunFilter::default())
            .await
            .into_iter()
            .collect();
        assert_eq!(left, kept.iter().map(|r| r.id).collect(), "{}", db.label);
        assert_eq!(store.prune(cutoff).await.expect("again"), 0);
    }
}

#[tokio::test]
async fn import_keeps_records_whole_and_skips_known_ids() {
    for db in databases("import_keeps_records_whole_and_skips_known_ids") {
        let store = db.open();
        let mut full = record("openai", RunStatus::Succeeded, Utc::now());
        full.model_name = Some("gpt".into());
        full.recommendations = serde_json::json!([{"title": "x", "details": {"n": 1.5}}]);
        full.recommendations_count = 1;
        full.prompt_tokens = Some(3);
        full.started_at = Some(full.created_at);
        full.fallback_used = true;
        full.error_type = Some("http_500".into());
        assert_eq!(
            store
                .import_runs(std::slice::from_ref(&full))
                .await
                .expect("import"),
            1
        );
        assert_eq!(
            store
                .import_runs(std::slice::from_ref(&full))
                .await
                .expect("again"),
            0
        );
        assert_eq!(
            store.get_run(full.id).await.expect("get"),
            Some(full),
            "{}",
            db.label
        );
    }
}
