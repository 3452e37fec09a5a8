//! `intelligence runs list|show|reap|prune`: the audit trail.

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use intelligence_core::{AnalysisRun, RunId};
use intelligence_store::{Cursor, PageRequest, RunFilter, Store};
use serde::Serialize;
use serde_json::json;

use crate::cli::{GlobalArgs, RunsCommand, RunsListArgs};
use crate::commands::output;
use crate::database;
use crate::exit::{CliError, CliResult};
use crate::render::{self, Table, cut, style};

/// What `runs list --json` prints.
#[derive(Debug, Serialize)]
struct RunList<'a> {
    /// Newest first.
    runs: &'a [AnalysisRun],
    /// The cursor for `--after` when there are more runs.
    next: Option<&'a str>,
}

/// Runs a `runs` subcommand.
pub async fn run(global: &GlobalArgs, command: RunsCommand) -> CliResult {
    // A bad age is the caller's fault: check it before touching the database.
    let cutoff = match &command {
        RunsCommand::Reap { older_than } | RunsCommand::Prune { older_than } => {
            Some(cutoff(older_than)?)
        }
        RunsCommand::List(_) | RunsCommand::Show { .. } => None,
    };
    let store = database::open(global)?;
    match command {
        RunsCommand::List(args) => list(global, &store, args).await,
        RunsCommand::Show { id } => show(global, &store, id).await,
        RunsCommand::Reap { .. } => {
            let cutoff = cutoff.ok_or_else(|| anyhow!("no cutoff"))?;
            let count = store.reap(cutoff).await.context("cannot reap stale runs")?;
            report(
                global,
                "reaped",
                count,
                cutoff,
                "left pending or running, marked failed",
            )
        }
        RunsCommand::Prune { .. } => {
            let cutoff = cutoff.ok_or_else(|| anyhow!("no cutoff"))?;
            let count = store.prune(cutoff).await.context("cannot prune old runs")?;
            report(global, "pruned", count, cutoff, "finished, deleted")
        }
    }
}

/// Now minus `age`.
fn cutoff(age: &humantime::Duration) -> CliResult<DateTime<Utc>> {
    chrono::Duration::from_std(**age)
        .ok()
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .ok_or_else(|| CliError::usage(anyhow!("--older-than {age} reaches before any date")))
}

async fn list(global: &GlobalArgs, store: &Store, args: RunsListArgs) -> CliResult {
    let after = args
        .after
        .as_deref()
        .map(str::parse::<Cursor>)
        .transpose()
        .map_err(|err| CliError::usage(anyhow!(err).context("bad --after cursor")))?;
    let filter = RunFilter {
        status: args.status,
        provider: args.provider,
        incident_id: args.incident_id,
        trace_id: args.trace_id,
        ..RunFilter::default()
    };
    let page = store
        .list_runs(
            &filter,
            PageRequest {
                limit: args.limit,
                after,
            },
        )
        .await
        .context("cannot list runs")?;
    let next = page.next.as_ref().map(ToString::to_string);

    if global.json {
        let list = RunList {
            runs: &page.runs,
            next: next.as_deref(),
        };
        return output(|out| render::json(out, &list));
    }
    output(|out| {
        if page.runs.is_empty() {
            return writeln!(out, "no runs");
        }
        runs_table(&page.runs).write(out)
    })?;
    // The hint is for a person; stdout stays the table alone.
    if let Some(next) = &next {
        let dim = style::DIM;
        anstream::eprintln!("{dim}more: intelligence runs list --after {next}{dim:#}");
    }
    Ok(())
}

fn runs_table(runs: &[AnalysisRun]) -> Table {
    let mut table = Table::new(vec![
        "ID", "CREATED", "STATUS", "PROVIDER", "KIND", "RECS", "DURATION", "INCIDENT", "SUMMARY",
    ]);
    for run in runs {
        let summary = match (&run.error_message, run.summary.is_empty()) {
            (Some(error), true) => error.clone(),
            _ => run.summary.clone(),
        };
        table.styled_row(vec![
            (run.id.to_string(), anstyle::Style::new()),
            (render::time(&run.created_at), anstyle::Style::new()),
            (run.status.as_str().to_owned(), style::status(run.status)),
            (run.provider.clone(), anstyle::Style::new()),
            (run.analysis_kind.clone(), anstyle::Style::new()),
            (run.recommendations_count.to_string(), anstyle::Style::new()),
            (
                run.duration_ms
                    .map_or_else(|| "-".to_owned(), |ms| format!("{ms} ms")),
                anstyle::Style::new(),
            ),
            (
                run.incident_id
                    .map_or_else(|| "-".to_owned(), |id| id.to_string()),
                anstyle::Style::new(),
            ),
            (cut(&summary, 60), anstyle::Style::new()),
        ]);
    }
    table
}

async fn show(global: &GlobalArgs, store: &Store, id: RunId) -> CliResult {
    let run = store
        .get_run(id)
        .await
        .with_context(|| format!("cannot load run {id}"))?
        .ok_or_else(|| CliError::failed(anyhow!("run {id} not found")))?;
    if global.json {
        return output(|out| render::json(out, &run));
    }
    output(|out| render::run(out, &run))
}

fn report(
    global: &GlobalArgs,
    verb: &str,
    count: u64,
    cutoff: DateTime<Utc>,
    what: &str,
) -> CliResult {
    if global.json {
        return output(|out| render::json(out, &json!({ verb: count, "cutoff": cutoff })));
    }
    output(|out| {
        writeln!(
            out,
            "{verb} {count} runs created before {} UTC ({what})",
            render::time(&cutoff)
        )
    })
}
