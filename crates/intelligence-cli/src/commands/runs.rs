//! `intelligence runs list|show|reap|prune`: the audit trail.

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Datelike as _, Utc};
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
    // A bad age or window is the caller's fault: check it before touching
    // the database.
    let cutoff = match &command {
        RunsCommand::Reap { older_than } | RunsCommand::Prune { older_than } => {
            Some(cutoff(older_than)?)
        }
        RunsCommand::List(args) => {
            args.check_window()
                .map_err(|err| CliError::usage(anyhow!(err)))?;
            None
        }
        RunsCommand::Show { .. } => None,
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

/// Now minus `age`, refused when it falls before the year 1: PostgreSQL
/// cannot compare with such a date, and SQLite would accept it, so the same
/// command would fail on one backend and succeed on the other.
fn cutoff(age: &humantime::Duration) -> CliResult<DateTime<Utc>> {
    chrono::Duration::from_std(**age)
        .ok()
        .and_then(|age| Utc::now().checked_sub_signed(age))
        .filter(|cutoff| cutoff.year() >= 1)
        .ok_or_else(|| {
            CliError::usage(anyhow!(
                "--older-than {age} reaches before the year 1; no run is that old"
            ))
        })
}

async fn list(global: &GlobalArgs, store: &Store, args: RunsListArgs) -> CliResult {
    let same_page = page_flags(global, &args);
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
        pipeline_run_id: args.pipeline_run_id,
        created_after: args.since,
        created_before: args.until,
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
        anstream::eprintln!("{dim}more: intelligence {same_page}--after {next}{dim:#}");
    }
    Ok(())
}

/// `runs list` with the flags that chose this page's rows (database,
/// filters, limit), so that the hint's command continues the same list.
/// A password in the database URL is masked: the hint never prints one.
fn page_flags(global: &GlobalArgs, args: &RunsListArgs) -> String {
    let mut words = Vec::new();
    if let Some(url) = global.database_url.as_deref() {
        words.push(format!(
            "--database-url {}",
            shell_word(&intelligence_store::mask_url(url))
        ));
    }
    words.push("runs list".to_owned());
    if let Some(status) = args.status {
        words.push(format!("--status {}", status.as_str()));
    }
    if let Some(provider) = &args.provider {
        words.push(format!("--provider {}", shell_word(provider)));
    }
    if let Some(incident) = args.incident_id {
        words.push(format!("--incident-id {incident}"));
    }
    if let Some(trace) = &args.trace_id {
        words.push(format!("--trace-id {}", shell_word(trace)));
    }
    if let Some(pipeline) = &args.pipeline_run_id {
        words.push(format!("--pipeline-run-id {}", shell_word(pipeline)));
    }
    // As times, not ages: the next page is the same window however late
    // it is asked for.
    for (flag, at) in [("--since", args.since), ("--until", args.until)] {
        if let Some(at) = at {
            words.push(format!(
                "{flag} {}",
                at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            ));
        }
    }
    if args.limit != DEFAULT_LIMIT {
        words.push(format!("--limit {}", args.limit));
    }
    let mut line = words.join(" ");
    line.push(' ');
    line
}

/// `runs list --limit`'s default.
pub const DEFAULT_LIMIT: i64 = 20;

/// `value` as one shell word: as is when it is plain, else single-quoted.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+%".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
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
            "{verb} {count} {} created before {} UTC ({what})",
            if count == 1 { "run" } else { "runs" },
            render::time(&cutoff)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_are_quoted_only_when_they_must_be() {
        assert_eq!(shell_word("local"), "local");
        assert_eq!(shell_word("/tmp/a.db"), "/tmp/a.db");
        assert_eq!(shell_word("my db.sqlite"), "'my db.sqlite'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
