//! The tracing subscriber, installed by the binary only: stderr, level from
//! `-v` or `RUST_LOG`.
//!
//! By default only errors are logged: what a user must act on (an audit
//! record that was not written, say) is printed as one warning line by the
//! command itself, not logged.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter for `-v` repeated `verbose` times.
///
/// The store's connection pool reports each failed connection attempt it
/// retries as a `debug` event, so they show from `-vvv` on; below that the
/// command says, in one line, that the database could not be opened.
fn level(verbose: u8) -> &'static str {
    match verbose {
        0 => "error",
        1 => "warn",
        2 => "info",
        3 => "debug",
        _ => "trace",
    }
}

/// Installs the subscriber; `RUST_LOG`, when set and valid, wins over `-v`.
pub fn init(verbose: u8) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .and_then(|value| EnvFilter::try_new(value).ok())
        .unwrap_or_else(|| EnvFilter::new(level(verbose)));
    // A second install (never done here) would fail; nothing to report then.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_v_raises_the_level() {
        assert_eq!(level(0), "error");
        assert_eq!(level(1), "warn");
        assert_eq!(level(3), "debug");
        assert_eq!(level(9), "trace");
    }
}
