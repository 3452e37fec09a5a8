//! The crate's error type, [`LocalError`], and how it maps into
//! [`intelligence_core::ProviderError`].

use std::path::PathBuf;

use intelligence_core::ProviderError;

/// Why a local analysis could not be done. Every variant names what failed
/// and with what input; [`From<LocalError> for ProviderError`] decides which
/// ones are the caller's fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// A setting is negative, not finite, or of the wrong type.
    #[error("setting {field} is invalid: {reason}")]
    InvalidSetting {
        /// The setting's name (`threshold_mb`, `old_days`, `top_n`).
        field: &'static str,
        /// What is wrong with the value given.
        reason: String,
    },

    /// A disk path resolves outside every allowed root.
    #[error("path {} is outside the allowed roots ({})", path.display(), roots)]
    OutsideAllowedRoots {
        /// The path as given.
        path: PathBuf,
        /// The allowed roots, comma separated.
        roots: String,
    },

    /// A disk path does not exist or cannot be resolved.
    #[error("path {} does not exist or cannot be resolved: {source}", path.display())]
    PathUnresolvable {
        /// The path as given.
        path: PathBuf,
        /// Why resolving it failed.
        #[source]
        source: std::io::Error,
    },

    /// A disk path exists but is not a directory.
    #[error("path {} is not a directory", path.display())]
    NotADirectory {
        /// The path as given.
        path: PathBuf,
    },

    /// The disk path of an incident's metadata is not a string.
    #[error("incident {incident_id} metadata.path is not a string: {value}")]
    BadIncidentPath {
        /// The incident.
        incident_id: i64,
        /// The value found, as JSON.
        value: String,
    },

    /// Reading system information (memory, processes, CPU) failed.
    #[error("cannot read system information for {what}: {message}")]
    System {
        /// What was being read (`memory`, `cpu`).
        what: &'static str,
        /// What sysinfo said.
        message: String,
    },

    /// Reading a filesystem's usage failed.
    #[error("cannot read filesystem usage of {}: {source}", path.display())]
    FilesystemUsage {
        /// The path whose filesystem was asked about.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Reading the root of a disk scan failed.
    #[error("cannot scan {}: {source}", path.display())]
    ScanRoot {
        /// The scan root.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The analysis was dropped before it finished and stopped early.
    #[error("scan of {} cancelled", path.display())]
    Cancelled {
        /// The path being scanned.
        path: PathBuf,
    },

    /// A blocking task panicked or could not be joined.
    #[error("{what} task failed: {message}")]
    Task {
        /// Which analysis ran in the task.
        what: &'static str,
        /// What the join error said.
        message: String,
    },
}

impl From<LocalError> for ProviderError {
    fn from(err: LocalError) -> Self {
        let message = err.to_string();
        match err {
            LocalError::InvalidSetting { .. } => ProviderError::Config(message),
            LocalError::OutsideAllowedRoots { path, .. } => ProviderError::PathNotAllowed {
                path,
                reason: "outside the allowed roots".into(),
            },
            LocalError::PathUnresolvable { path, source } => ProviderError::PathNotAllowed {
                path,
                reason: format!("does not exist or cannot be resolved: {source}"),
            },
            LocalError::NotADirectory { path } => ProviderError::PathNotAllowed {
                path,
                reason: "not a directory".into(),
            },
            LocalError::BadIncidentPath { .. } => ProviderError::InvalidInput(message),
            LocalError::FilesystemUsage { source, .. } | LocalError::ScanRoot { source, .. } => {
                let context = match message.rsplit_once(": ") {
                    Some((context, _)) => context.to_owned(),
                    None => message,
                };
                ProviderError::io(context, source)
            }
            LocalError::Cancelled { .. } => ProviderError::Cancelled(message),
            LocalError::System { .. } | LocalError::Task { .. } => ProviderError::Other(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_mistakes_map_to_bad_input() {
        let outside: ProviderError = LocalError::OutsideAllowedRoots {
            path: "/etc".into(),
            roots: "/var".into(),
        }
        .into();
        assert!(outside.is_bad_input());
        assert_eq!(outside.error_type(), "path_not_allowed");

        let setting: ProviderError = LocalError::InvalidSetting {
            field: "threshold_mb",
            reason: "must be finite, got NaN".into(),
        }
        .into();
        assert_eq!(setting.error_type(), "config");
        assert!(setting.to_string().contains("threshold_mb"), "{setting}");
    }

    #[test]
    fn io_failures_keep_their_context_and_are_not_bad_input() {
        let err: ProviderError = LocalError::ScanRoot {
            path: "/var/log".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        }
        .into();
        assert!(!err.is_bad_input());
        assert!(
            err.to_string().starts_with("cannot scan /var/log: "),
            "{err}"
        );
    }
}
