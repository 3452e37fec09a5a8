//! The few colours the CLI uses, by meaning.

use anstyle::{AnsiColor, Style};
use intelligence_core::{Priority, RunStatus};

/// Bold, for headings.
pub const HEADING: Style = Style::new().bold();

/// Dimmed, for secondary text.
pub const DIM: Style = Style::new().dimmed();

/// The colour of a priority: critical bold red, high red, medium yellow,
/// low green.
pub fn priority(priority: Priority) -> Style {
    match priority {
        Priority::Critical => AnsiColor::Red.on_default().bold(),
        Priority::High => AnsiColor::Red.on_default(),
        Priority::Medium => AnsiColor::Yellow.on_default(),
        Priority::Low => AnsiColor::Green.on_default(),
    }
}

/// The colour of a run status.
pub fn status(status: RunStatus) -> Style {
    match status {
        RunStatus::Succeeded => AnsiColor::Green.on_default(),
        RunStatus::Failed => AnsiColor::Red.on_default(),
        RunStatus::Pending | RunStatus::Running => AnsiColor::Yellow.on_default(),
    }
}
