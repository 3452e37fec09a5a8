//! `intelligence recommend`: every analysis goes through
//! [`intelligence_core::run`], so each one leaves an audit record; `--all`
//! runs three.
//!
//! When the database cannot be opened or written, the recommendations are
//! printed all the same, with one warning on stderr, and the exit code stays
//! 0: the audit trail must never break the analysis.

use std::sync::Arc;
use std::time::Instant;

use anyhow::anyhow;
use intelligence_core::{
    AnalysisKind, AuditSink, Incident, IncidentSource, NoopSink, ProviderError, RunId, RunOptions,
};
use intelligence_local::LocalSettings;
use serde_json::{Map, Value, json};

use crate::cli::{GlobalArgs, RecommendArgs};
use crate::commands::{output, warn};
use crate::exit::{CliError, CliResult, Code};
use crate::interrupt::{Raced, Stop, or_interrupt, wait_closed};
use crate::progress::Progress;
use crate::render::{self, Section};
use crate::watched::WatchedSink;
use crate::{database, providers};

mod report;

use report::{AnalysisReport, ErrorReport, Report, fail_with};

/// Runs `recommend`.
pub async fn run(global: &GlobalArgs, args: RecommendArgs) -> CliResult {
    let progress = Progress::on_terminal();
    let result = analyse(global, &args, progress.as_ref()).await;
    if let Some(progress) = &progress {
        progress.finish();
    }
    let (report, failures, audit_warning, stopped) = result?;

    let succeeded = report.analyses.iter().any(|a| a.error.is_none());
    if succeeded {
        if global.json {
            output(|out| render::json(out, &report))?;
        } else {
            output(|out| {
                let printed = report.analyses.iter().filter(|a| a.error.is_none());
                for (i, analysis) in printed.enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    let section = Section {
                        heading: analysis.heading.clone(),
                        run_id: analysis.run_id,
                        duration_ms: analysis.duration_ms,
                        recommendations: &analysis.recommendations,
                        fallback: analysis.fallback.as_ref(),
                    };
                    render::analysis(out, &section)?;
                }
                Ok(())
            })?;
        }
    }
    if let Some(message) = audit_warning {
        warn(message);
    }
    if let Some(stopped) = stopped {
        return Err(stopped);
    }
    fail_with(failures)
}

/// What `analyse` found: the report of the analyses that finished, their
/// failures, why they were not recorded, and the signal that stopped the
/// rest (the analyses done before it are still printed).
type Analysed = (
    Report,
    Vec<(String, ProviderError)>,
    Option<String>,
    Option<CliError>,
);

async fn analyse(
    global: &GlobalArgs,
    args: &RecommendArgs,
    progress: Option<&Progress>,
) -> CliResult<Analysed> {
    let registry = providers::registry(local_settings(args), progress.map(Progress::callback));
    let config = provider_config(args);
    let provider = registry
        .build(&args.provider, &config)
        .map_err(CliError::provider)?;

    let store = database::open_per_step(global);
    // A URL that is none of the accepted forms is a typo to fix before
    // anything runs (a cron job would otherwise go on unaudited with exit
    // 0); a database that cannot be reached or written does not stop the
    // analysis.
    let store = match store {
        Err(err) if err.code == Code::Usage => return Err(err),
        other => other,
    };
    let store_handle = store.as_ref().ok().cloned();
    let incident = match args.incident_id {
        None => None,
        Some(id) => Some(load_incident(store.as_ref(), id).await?),
    };
    let (sink, mut audit_warning): (Arc<dyn AuditSink>, _) = match store {
        Ok(store) => (Arc::new(store), None),
        Err(err) => (
            Arc::new(NoopSink),
            Some(format!("{err}; the recommendations are not recorded")),
        ),
    };
    let sink = Arc::new(WatchedSink::new(sink));

    let trace_id = args
        .trace_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let mut report = Report {
        trace_id: trace_id.clone(),
        provider: args.provider.clone(),
        recorded: audit_warning.is_none(),
        analyses: Vec::new(),
    };
    let mut failures = Vec::new();
    let mut stopped = None;

    for kind in kinds(args) {
        let run_id = RunId::new();
        if let Some(progress) = progress {
            progress.set_message(describe(&kind, incident.as_ref()));
        }
        let options = RunOptions {
            run_id: Some(run_id),
            trace_id: trace_id.clone(),
            config: config.clone(),
            ..RunOptions::default()
        };
        let started = Instant::now();
        let raced = or_interrupt(intelligence_core::run(
            provider.as_ref(),
            Arc::clone(&sink) as Arc<dyn AuditSink>,
            incident.as_ref(),
            &kind,
            options,
        ))
        .await;
        let result = match raced {
            Raced::Done(result) => result,
            Raced::Stopped(stop) => {
                stopped = Some(interrupted(stop, store_handle.as_ref(), run_id).await);
                break;
            }
        };
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

        let path = match &kind {
            AnalysisKind::Disk { path } => path.clone(),
            _ => None,
        };
        let heading = describe(&kind, incident.as_ref());
        let entry = match result {
            Ok(outcome) => AnalysisReport {
                heading,
                run_id,
                kind: kind.as_str(),
                path,
                duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
                model: outcome.analysis.model,
                fallback: outcome.analysis.fallback,
                recommendations: outcome.analysis.recommendations,
                error: None,
            },
            Err(err) => {
                let entry = AnalysisReport {
                    heading: heading.clone(),
                    run_id,
                    kind: kind.as_str(),
                    path,
                    duration_ms: elapsed_ms,
                    model: None,
                    fallback: None,
                    recommendations: Vec::new(),
                    error: Some(ErrorReport {
                        kind: err.error_type().into_owned(),
                        message: err.to_string(),
                    }),
                };
                failures.push((heading, err));
                entry
            }
        };
        report.analyses.push(entry);
    }

    if let Some(err) = sink.first_error() {
        report.recorded = false;
        // Say exactly what landed: a step after `create` failing leaves a
        // record behind (pending or running), not nothing.
        let gaps = sink
            .gaps()
            .unwrap_or_else(|| "the recommendations are not recorded".to_owned());
        audit_warning.get_or_insert_with(|| {
            format!("the audit record could not be written ({err}); {gaps}")
        });
    }
    Ok((report, failures, audit_warning, stopped))
}

/// The error for a stopping signal, once the cancelled record had its
/// moment to land.
async fn interrupted(
    stop: Stop,
    store: Option<&intelligence_store::Store>,
    run_id: RunId,
) -> CliError {
    let what = match store {
        None => "not recorded (no database)",
        Some(store) if wait_closed(store, run_id).await => "recorded as cancelled",
        Some(_) => "not yet recorded as cancelled; `intelligence runs reap` closes it later",
    };
    CliError {
        code: Code::stopped(stop),
        error: anyhow!("{}; run {run_id} {what}", stop.verb()),
    }
}

async fn load_incident(
    store: Result<&intelligence_store::Store, &CliError>,
    id: i64,
) -> CliResult<Incident> {
    let store = store.map_err(|err| {
        CliError::failed(anyhow!("{err}")).context(format!("cannot load incident {id}"))
    })?;
    match IncidentSource::get(store, id).await {
        Ok(Some(incident)) => Ok(incident),
        Ok(None) => Err(CliError::failed(anyhow!("incident {id} not found"))),
        Err(err) => Err(CliError::failed(
            anyhow!(err).context(format!("cannot load incident {id}")),
        )),
    }
}

/// The local provider's settings: the documented defaults, with the flags
/// that were given.
fn local_settings(args: &RecommendArgs) -> LocalSettings {
    let mut settings = LocalSettings::default();
    if let Some(top_n) = args.top_n {
        settings.top_n = top_n;
    }
    if let Some(threshold_mb) = args.threshold_mb {
        settings.threshold_mb = threshold_mb;
    }
    if let Some(old_days) = args.old_days {
        settings.old_days = old_days;
    }
    settings
}

/// The configuration handed to the provider and kept (redacted) in the
/// audit record: only the flags that were given.
fn provider_config(args: &RecommendArgs) -> Value {
    let mut config = Map::new();
    if let Some(top_n) = args.top_n {
        config.insert("top_n".into(), json!(top_n));
    }
    if let Some(threshold_mb) = args.threshold_mb {
        config.insert("threshold_mb".into(), json!(threshold_mb));
    }
    if let Some(old_days) = args.old_days {
        config.insert("old_days".into(), json!(old_days));
    }
    Value::Object(config)
}

/// The analyses the flags ask for, in the order they run.
fn kinds(args: &RecommendArgs) -> Vec<AnalysisKind> {
    let disk = AnalysisKind::Disk {
        path: args.path.clone(),
    };
    if args.all {
        vec![AnalysisKind::Memory, AnalysisKind::Cpu, disk]
    } else if args.memory {
        vec![AnalysisKind::Memory]
    } else if args.cpu {
        vec![AnalysisKind::Cpu]
    } else if args.disk {
        vec![disk]
    } else {
        vec![AnalysisKind::Automatic]
    }
}

/// `memory analysis`, `disk analysis of /var`, `general scan`, ...
fn describe(kind: &AnalysisKind, incident: Option<&Incident>) -> String {
    let base = match kind {
        AnalysisKind::Automatic => match incident {
            Some(incident) => return format!("analysis of {}", incident.summary()),
            None => return "general scan".to_owned(),
        },
        AnalysisKind::Disk { path: Some(path) } => {
            format!("disk analysis of {}", path.display())
        }
        other => format!("{} analysis", other.as_str()),
    };
    match incident {
        Some(incident) => format!("{base} for incident {}", incident.id),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn args(line: &[&str]) -> RecommendArgs {
        let mut argv = vec!["intelligence", "recommend"];
        argv.extend_from_slice(line);
        match Cli::parse_from(argv).command {
            Command::Recommend(args) => args,
            other => panic!("not recommend: {other:?}"),
        }
    }

    #[test]
    fn all_runs_memory_cpu_and_disk_at_the_path() {
        let kinds = kinds(&args(&["--all", "--path", "/tmp"]));
        assert_eq!(
            kinds,
            [
                AnalysisKind::Memory,
                AnalysisKind::Cpu,
                AnalysisKind::disk("/tmp")
            ]
        );
        assert_eq!(kinds_of(&[]), [AnalysisKind::Automatic]);
    }

    fn kinds_of(line: &[&str]) -> Vec<AnalysisKind> {
        kinds(&args(line))
    }

    #[test]
    fn only_given_flags_reach_the_config() {
        let config = provider_config(&args(&["--top-n", "3", "--old-days", "0.5"]));
        assert_eq!(config, json!({"top_n": 3, "old_days": 0.5}));
        let settings = local_settings(&args(&["--threshold-mb", "7"]));
        assert!((settings.threshold_mb - 7.0).abs() < f64::EPSILON);
        assert_eq!(settings.top_n, LocalSettings::default().top_n);
    }

    #[test]
    fn descriptions_name_the_kind_path_and_incident() {
        let incident = Incident::new(4, "x");
        assert_eq!(describe(&AnalysisKind::Automatic, None), "general scan");
        assert_eq!(
            describe(&AnalysisKind::Automatic, Some(&incident)),
            "analysis of incident 4: x"
        );
        assert_eq!(
            describe(&AnalysisKind::disk("/var"), Some(&incident)),
            "disk analysis of /var for incident 4"
        );
    }
}
