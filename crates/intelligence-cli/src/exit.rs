//! Exit codes and the one-line error the binary prints before exiting.
//!
//! 0 success; 1 the analysis failed, or an incident or run was not found;
//! 2 bad usage (clap's own parse errors exit 2 before any of this runs);
//! 130 when Ctrl-C stopped an analysis, 143 SIGTERM, 129 SIGHUP (128 plus
//! the signal's number, as shells report a process the signal killed).

use std::fmt;
use std::process::ExitCode;

use intelligence_core::ProviderError;

/// Why a command failed, and so which code the process exits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// The analysis failed, or something asked for does not exist: 1.
    Failed = 1,
    /// The caller's input was at fault: 2.
    Usage = 2,
    /// SIGHUP stopped an analysis: 129.
    HungUp = 129,
    /// Ctrl-C stopped an analysis: 130, as shells report SIGINT.
    Interrupted = 130,
    /// SIGTERM stopped an analysis: 143.
    Terminated = 143,
}

impl Code {
    /// The code for an analysis a signal stopped.
    pub fn stopped(stop: crate::interrupt::Stop) -> Self {
        match stop {
            crate::interrupt::Stop::Interrupt => Self::Interrupted,
            crate::interrupt::Stop::Terminate => Self::Terminated,
            crate::interrupt::Stop::HangUp => Self::HungUp,
        }
    }

    /// 2 when a provider's error blames the input, 1 otherwise.
    pub fn of(error: &ProviderError) -> Self {
        if error.is_bad_input() {
            Self::Usage
        } else {
            Self::Failed
        }
    }
}

/// A command's failure: what went wrong (with context) and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub code: Code,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl CliError {
    /// A failure that exits 1.
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Failed,
            error: error.into(),
        }
    }

    /// A usage error that exits 2.
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            code: Code::Usage,
            error: error.into(),
        }
    }

    /// A provider's error, 2 when the input was at fault, 1 otherwise.
    pub fn provider(error: ProviderError) -> Self {
        Self {
            code: Code::of(&error),
            error: error.into(),
        }
    }

    /// Adds context in front of the message, keeping the code.
    #[must_use]
    pub fn context(self, context: impl fmt::Display + Send + Sync + 'static) -> Self {
        Self {
            code: self.code,
            error: self.error.context(context),
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code as u8)
    }
}

impl fmt::Display for CliError {
    /// One line: the context chain joined with `: `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_line(self.error.chain().map(ToString::to_string)))
    }
}

/// Joins an error and its causes with `: `, skipping a cause whose text the
/// line already holds (library errors often print their source themselves).
pub fn one_line(chain: impl IntoIterator<Item = String>) -> String {
    let mut line = String::new();
    for cause in chain {
        if line.is_empty() {
            line = cause;
        } else if !line.contains(&cause) {
            line.push_str(": ");
            line.push_str(&cause);
        }
    }
    line
}

/// `message` on one line: a message may span several (libpq's "connection
/// refused" adds a tab-indented hint line; a path may hold a newline), but
/// an error or a warning is printed as one. Each line is trimmed and the
/// lines are joined by a space.
pub fn fold_lines(message: &str) -> String {
    if !message.contains(['\n', '\r']) {
        return message.to_owned();
    }
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ;", ";")
}

impl From<anyhow::Error> for CliError {
    fn from(error: anyhow::Error) -> Self {
        Self::failed(error)
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        Self::failed(anyhow::Error::new(error).context("cannot write the output"))
    }
}

/// The result of a command.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_from_a_provider_is_a_usage_error() {
        let unknown = ProviderError::UnknownProvider {
            name: "nope".into(),
            available: vec!["local".into()],
        };
        assert_eq!(CliError::provider(unknown).code, Code::Usage);
        let io = ProviderError::Other("broke".into());
        assert_eq!(CliError::provider(io).code, Code::Failed);
    }

    #[test]
    fn causes_already_in_the_line_are_not_repeated() {
        let chain = [
            "cannot open x",
            "cannot create dir: os error 17",
            "os error 17",
        ];
        assert_eq!(
            one_line(chain.map(String::from)),
            "cannot open x: cannot create dir: os error 17"
        );
    }

    #[test]
    fn multi_line_messages_fold_into_one() {
        let libpq = "cannot connect: connection refused\n\tIs the server running?\n; the recommendations are not recorded";
        assert_eq!(
            fold_lines(libpq),
            "cannot connect: connection refused Is the server running?; the recommendations are not recorded"
        );
        assert_eq!(fold_lines("one line"), "one line");
    }

    #[test]
    fn context_keeps_the_code_and_reads_as_one_line() {
        let err = CliError::usage(anyhow::anyhow!("inner")).context("outer");
        assert_eq!(err.code, Code::Usage);
        assert_eq!(err.to_string(), "outer: inner");
    }
}
