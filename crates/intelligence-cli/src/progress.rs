//! A spinner on stderr during long analyses, only when stderr is a
//! terminal.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use intelligence_local::ProgressFn;

/// A spinner whose message the provider's progress callback updates.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A running spinner, or `None` when stderr is not a terminal.
    pub fn on_terminal() -> Option<Self> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        Some(Self { bar })
    }

    /// The callback handed to the local provider.
    pub fn callback(&self) -> ProgressFn {
        let bar = self.bar.clone();
        Arc::new(move |message: &str| bar.set_message(message.to_owned()))
    }

    /// Shows `message` next to the spinner.
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Removes the spinner from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
