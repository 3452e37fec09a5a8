//! The command line: every command, flag and value parser (clap derive).
//!
//! Parsing errors (an unknown flag, a non-number `--threshold-mb`, a negative
//! `--top-n`) are clap's own and exit with code 2. Every flag that takes a
//! number, an age or a time accepts a value starting with `-` as its value
//! (`allow_negative_numbers`, `allow_hyphen_values`), so that `--limit -1`
//! is refused naming `--limit`, not as an unexpected argument `-1`.

mod parse;

use std::path::PathBuf;

use clap::{ArgAction, ArgGroup, Args, Parser, Subcommand};
use intelligence_core::{IncidentId, RunId, RunStatus};

pub use parse::{
    KeyValue, age, alert, id_filter, incident_id, non_negative_f64, one_line_text,
    one_line_usage_error, trace_id, when,
};

/// `intelligence`: actionable recommendations from this machine's state and
/// incidents, with an audit record of every analysis.
#[derive(Debug, Parser)]
#[command(name = "intelligence", version, propagate_version = true)]
#[command(
    about = "Actionable recommendations from system state and incidents, with an audit trail",
    after_help = "Exit codes: 0 success, 1 the analysis failed or an incident or run was not found, 2 bad usage."
)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The audit database: postgres://..., sqlite:///absolute/path.db or a file path
    /// [default: a SQLite file in the platform's data directory]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

    /// Print JSON only on stdout
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// Log more on stderr: -v warnings, -vv info, -vvv debug, -vvvv trace (RUST_LOG wins)
    #[arg(short, long, global = true, action = ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse this machine (or an incident) and print recommendations; every analysis is recorded
    Recommend(RecommendArgs),

    /// List the registered providers
    Providers,

    /// Inspect and maintain the audit records of analysis runs
    #[command(subcommand)]
    Runs(RunsCommand),

    /// Add and inspect incidents in the local incidents table
    #[command(subcommand)]
    Incidents(IncidentsCommand),

    /// Apply pending database migrations
    Migrate,

    /// Serve the HTTP views: the JSON endpoints and the audit-run pages
    Serve(ServeArgs),
}

/// `intelligence serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; a non-loopback address needs a token
    #[arg(long, value_name = "ADDR", default_value_t = intelligence_views::DEFAULT_BIND)]
    pub bind: std::net::SocketAddr,

    /// A bearer token every request must carry (prefer the environment variable: flags show in `ps`)
    #[arg(long, env = intelligence_views::TOKEN_ENV, hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// `intelligence recommend`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("mode").args(["memory", "cpu", "disk", "all"])))]
#[command(group(ArgGroup::new("disk_modes").args(["disk", "all"]).multiple(true)))]
pub struct RecommendArgs {
    /// Analyse this incident from the incidents table
    #[arg(long, value_name = "ID", allow_negative_numbers = true, value_parser = incident_id)]
    pub incident_id: Option<IncidentId>,

    /// Memory use and the processes holding it
    #[arg(long)]
    pub memory: bool,

    /// CPU load and the busiest processes
    #[arg(long)]
    pub cpu: bool,

    /// Large and old files below --path
    #[arg(long)]
    pub disk: bool,

    /// Memory, CPU and disk: three analyses, three audit records
    #[arg(long)]
    pub all: bool,

    /// The directory a disk analysis looks at [default: /]
    #[arg(long, value_name = "PATH", requires = "disk_modes")]
    pub path: Option<PathBuf>,

    /// The provider to run
    #[arg(long, value_name = "NAME", default_value = "local")]
    pub provider: String,

    /// How many processes to list, 1 to 1000 [default: 10]
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse::top_n)]
    pub top_n: Option<usize>,

    /// Size in MB above which a file or directory is large [default: 100]
    #[arg(long, value_name = "MB", allow_negative_numbers = true, value_parser = non_negative_f64)]
    pub threshold_mb: Option<f64>,

    /// Age in days above which a log, cache or temp file is old [default: 30]
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = non_negative_f64)]
    pub old_days: Option<f64>,

    /// Correlates the audit records with other systems: 1 to 200 visible ASCII characters
    /// [default: a fresh UUID]
    #[arg(long, value_name = "ID", value_parser = trace_id)]
    pub trace_id: Option<String>,
}

/// `intelligence runs ...`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// List runs, newest first
    List(RunsListArgs),

    /// Show one run in full
    Show {
        /// The run's id (a UUID)
        id: RunId,
    },

    /// Close runs a crash left pending or running as failed ("abandoned")
    Reap {
        /// Only runs created longer ago than this (30m, 2d; 0s for all)
        #[arg(long, value_name = "AGE", default_value = "1h", allow_hyphen_values = true,
              value_parser = age)]
        older_than: humantime::Duration,
    },

    /// Delete finished runs created longer ago than the given age
    Prune {
        /// Only runs created longer ago than this (30d, 12h; 0s for all)
        #[arg(long, value_name = "AGE", allow_hyphen_values = true, value_parser = age)]
        older_than: humantime::Duration,
    },
}

/// `intelligence runs list`.
#[derive(Debug, Args)]
pub struct RunsListArgs {
    /// Only runs with this status (pending, running, succeeded, failed)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<RunStatus>,

    /// Only runs of this provider
    #[arg(long, value_name = "NAME", value_parser = one_line_text)]
    pub provider: Option<String>,

    /// Only runs about this incident
    #[arg(long, value_name = "ID", allow_negative_numbers = true, value_parser = incident_id)]
    pub incident_id: Option<IncidentId>,

    /// Only runs with this trace id
    #[arg(long, value_name = "ID", value_parser = id_filter)]
    pub trace_id: Option<String>,

    /// Only runs of this pipeline run
    #[arg(long, value_name = "ID", value_parser = id_filter)]
    pub pipeline_run_id: Option<String>,

    /// Only runs created at or after WHEN (an RFC 3339 time, or an age: 7d)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_parser = when)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only runs created before WHEN (an RFC 3339 time, or an age: 2h)
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true, value_parser = when)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,

    /// How many runs to show (1 to 1000)
    #[arg(long, value_name = "N", default_value_t = crate::commands::runs::DEFAULT_LIMIT,
          allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=1000))]
    pub limit: i64,

    /// Continue after this cursor (printed when there are more runs)
    #[arg(long, value_name = "CURSOR", allow_hyphen_values = true)]
    pub after: Option<String>,
}

impl RunsListArgs {
    /// Refuses a window that cannot hold a run: `--since` at or after
    /// `--until` (`--since 1h --until 2h`), which would list nothing
    /// without a word.
    pub fn check_window(&self) -> Result<(), String> {
        match (self.since, self.until) {
            (Some(since), Some(until)) if since >= until => Err(format!(
                "--since {} is not earlier than --until {}: the window holds no run",
                since.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                until.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            )),
            _ => Ok(()),
        }
    }
}

/// `intelligence incidents ...`.
#[derive(Debug, Subcommand)]
pub enum IncidentsCommand {
    /// Add an incident
    Add(IncidentAddArgs),

    /// List incidents, newest first
    List {
        /// How many incidents to show
        #[arg(long, value_name = "N", default_value_t = 20, allow_negative_numbers = true,
              value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
    },

    /// Show one incident in full
    Show {
        /// The incident's id
        id: IncidentId,
    },
}

/// `intelligence incidents add`.
#[derive(Debug, Args)]
pub struct IncidentAddArgs {
    /// A one-line title
    #[arg(long, value_parser = one_line_text)]
    pub title: String,

    /// A longer description
    #[arg(long, default_value = "")]
    pub description: String,

    /// Severity (critical, warning, info, ...)
    #[arg(long, default_value = "warning", value_parser = one_line_text)]
    pub severity: String,

    /// Status (open, resolved, ...)
    #[arg(long, default_value = "open", value_parser = one_line_text)]
    pub status: String,

    /// Metadata, repeatable; values are strings (a disk incident names its path=...)
    #[arg(long = "metadata", value_name = "KEY=VALUE")]
    pub metadata: Vec<KeyValue>,

    /// An alert attached to the incident, repeatable: NAME or NAME=DESCRIPTION
    #[arg(long = "alert", value_name = "NAME[=DESCRIPTION]", value_parser = alert)]
    pub alerts: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn modes_exclude_each_other() {
        let err = Cli::try_parse_from(["intelligence", "recommend", "--memory", "--cpu"])
            .expect_err("two modes");
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn path_needs_a_disk_mode() {
        let err = Cli::try_parse_from(["intelligence", "recommend", "--path", "/tmp"])
            .expect_err("path alone");
        assert_eq!(err.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        Cli::try_parse_from(["intelligence", "recommend", "--all", "--path", "/tmp"])
            .expect("--all takes a path");
    }

    #[test]
    fn a_negative_top_n_is_refused_with_its_value() {
        let err = Cli::try_parse_from(["intelligence", "recommend", "--top-n", "-1"])
            .expect_err("negative");
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err.to_string().contains("'-1'"), "{err}");
    }

    /// The parse error of `args`, rendered.
    fn refused(args: &[&str]) -> String {
        let mut all = vec!["intelligence"];
        all.extend_from_slice(args);
        let err = Cli::try_parse_from(all).expect_err("refused");
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::ValueValidation,
            "{args:?}: {err}"
        );
        err.to_string()
    }

    #[test]
    fn a_negative_number_or_age_names_its_flag() {
        for (args, flag) in [
            (&["runs", "list", "--limit", "-1"][..], "--limit <N>"),
            (&["runs", "list", "--since", "-1h"], "--since <WHEN>"),
            (&["runs", "list", "--until", "-1h"], "--until <WHEN>"),
            (
                &["runs", "list", "--incident-id", "-1"],
                "--incident-id <ID>",
            ),
            (
                &["runs", "prune", "--older-than", "-1h"],
                "--older-than <AGE>",
            ),
            (
                &["runs", "reap", "--older-than", "-1"],
                "--older-than <AGE>",
            ),
            (&["recommend", "--incident-id", "-1"], "--incident-id <ID>"),
            (&["incidents", "list", "--limit", "-5"], "--limit <N>"),
        ] {
            let err = refused(args);
            let value = args[args.len() - 1];
            assert!(
                err.contains(&format!("invalid value '{value}' for '{flag}'")),
                "{args:?}: {err}"
            );
        }
    }

    #[test]
    fn a_cursor_starting_with_a_hyphen_is_the_cursor() {
        let cli = Cli::try_parse_from(["intelligence", "runs", "list", "--after", "-5_abc"])
            .expect("a value");
        let Command::Runs(RunsCommand::List(args)) = cli.command else {
            panic!("runs list");
        };
        assert_eq!(args.after.as_deref(), Some("-5_abc"));
    }

    #[test]
    fn blank_names_are_refused_naming_the_flag() {
        for (args, flag) in [
            (&["runs", "list", "--provider", ""][..], "--provider <NAME>"),
            (&["runs", "list", "--provider", "  "], "--provider <NAME>"),
            (
                &["incidents", "add", "--title", "t", "--severity", ""],
                "--severity <SEVERITY>",
            ),
            (
                &["incidents", "add", "--title", "t", "--status", " "],
                "--status <STATUS>",
            ),
        ] {
            let err = refused(args);
            assert!(err.contains(&format!("for '{flag}'")), "{args:?}: {err}");
        }
    }

    #[test]
    fn a_bare_zero_age_needs_its_unit() {
        let err = refused(&["runs", "prune", "--older-than", "0"]);
        assert!(err.contains("time unit needed"), "{err}");
        Cli::try_parse_from(["intelligence", "runs", "prune", "--older-than", "0s"])
            .expect("0s is an age");
    }

    /// The `runs list` arguments of a window `--since SINCE --until UNTIL`.
    fn window(since: &str, until: &str) -> RunsListArgs {
        let cli = Cli::try_parse_from([
            "intelligence",
            "runs",
            "list",
            "--since",
            since,
            "--until",
            until,
        ])
        .expect("each value parses");
        let Command::Runs(RunsCommand::List(args)) = cli.command else {
            panic!("runs list");
        };
        args
    }

    #[test]
    fn an_inverted_window_is_refused_naming_both_flags() {
        let err = window("1h", "2h")
            .check_window()
            .expect_err("since is later than until");
        assert!(err.contains("--since") && err.contains("--until"), "{err}");
        for (since, until) in [("1h", "1h"), ("0s", "0s")] {
            let err = window(since, until)
                .check_window()
                .expect_err("one age on both ends is an empty window");
            assert!(err.contains("not earlier"), "{err}");
        }
        assert_eq!(window("2h", "1h").check_window(), Ok(()));
    }

    #[test]
    fn top_n_is_capped_as_the_views_cap_it() {
        for bad in ["0", "1001", "1000000000", "99999999999999999999999", "abc"] {
            let err =
                Cli::try_parse_from(["intelligence", "recommend", "--top-n", bad]).expect_err(bad);
            assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation, "{bad}");
        }
        let cli = Cli::try_parse_from(["intelligence", "recommend", "--top-n", "1000"])
            .expect("the maximum is allowed");
        let Command::Recommend(args) = cli.command else {
            panic!("recommend");
        };
        assert_eq!(args.top_n, Some(1000));
    }
}
