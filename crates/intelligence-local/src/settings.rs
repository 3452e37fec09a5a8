//! [`LocalSettings`]: the server-side configuration of the local provider,
//! its documented defaults, validation, and the per-request overrides.

use std::path::PathBuf;

use intelligence_core::ProviderError;
use serde_json::Value;

use crate::error::LocalError;

/// How the local provider analyses the machine.
///
/// These are server-side settings. A request may override only `top_n`,
/// `threshold_mb` and `old_days` (see [`LocalSettings::with_overrides`]);
/// paths and roots are never taken from a request.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalSettings {
    /// How many processes to list in memory and CPU analyses; at least 1.
    pub top_n: usize,
    /// A file or directory whose allocated size is over this many MiB is
    /// "large"; fractions are honoured exactly.
    pub threshold_mb: f64,
    /// A file last modified more than this many days ago is "old".
    pub old_days: f64,
    /// Where a scan of `/` looks for old files. `~` at the start stands for
    /// `$HOME`; a path that does not exist is skipped.
    pub scan_paths: Vec<PathBuf>,
    /// Disk paths from outside must resolve inside one of these. `/` here
    /// permits the whole-machine scan of `/` itself, not every path.
    pub allowed_roots: Vec<PathBuf>,
    /// The path a disk analysis scans when it is given none.
    pub default_disk_path: PathBuf,
    /// Whether a scan may descend into other filesystems mounted below the
    /// scanned path.
    pub cross_filesystems: bool,
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self {
            top_n: 10,
            threshold_mb: 100.0,
            old_days: 30.0,
            scan_paths: ["/var/log", "/tmp", "/var/tmp", "~/.cache", "/var/cache"]
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            allowed_roots: ["/var", "/tmp", "/home", "/opt", "/srv", "/usr", "/"]
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            default_disk_path: PathBuf::from("/"),
            cross_filesystems: false,
        }
    }
}

impl LocalSettings {
    /// Checks that the numbers are usable: `top_n` at least 1,
    /// `threshold_mb` and `old_days` finite and not negative.
    pub fn validate(&self) -> Result<(), ProviderError> {
        if self.top_n == 0 {
            return Err(invalid("top_n", "must be at least 1, got 0".into()));
        }
        check_non_negative("threshold_mb", self.threshold_mb)?;
        check_non_negative("old_days", self.old_days)?;
        Ok(())
    }

    /// These settings with `top_n`, `threshold_mb` and `old_days` taken from
    /// `config` where it has them, validated.
    ///
    /// `config` is `null` or a JSON object; other keys are ignored, so a
    /// request can never set a path or a root. A value of the wrong type, a
    /// negative or non-finite number is [`ProviderError::Config`] naming the
    /// field.
    pub fn with_overrides(&self, config: &Value) -> Result<LocalSettings, ProviderError> {
        let mut settings = self.clone();
        let object = match config {
            Value::Null => None,
            Value::Object(object) => Some(object),
            other => {
                return Err(invalid(
                    "provider_config",
                    format!("must be a JSON object, got {other}"),
                ));
            }
        };
        if let Some(object) = object {
            if let Some(value) = present(object.get("top_n")) {
                settings.top_n = parse_count("top_n", value)?;
            }
            if let Some(value) = present(object.get("threshold_mb")) {
                settings.threshold_mb = parse_number("threshold_mb", value)?;
            }
            if let Some(value) = present(object.get("old_days")) {
                settings.old_days = parse_number("old_days", value)?;
            }
        }
        settings.validate()?;
        Ok(settings)
    }

    /// The large-item threshold in bytes.
    pub(crate) fn threshold_bytes(&self) -> f64 {
        self.threshold_mb * MIB
    }

    /// The old-file age in seconds.
    pub(crate) fn old_seconds(&self) -> f64 {
        self.old_days * SECONDS_PER_DAY
    }
}

/// Bytes in a MiB, the unit every `_mb` field uses.
pub(crate) const MIB: f64 = 1024.0 * 1024.0;

const SECONDS_PER_DAY: f64 = 86_400.0;

fn present(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| !v.is_null())
}

fn parse_count(field: &'static str, value: &Value) -> Result<usize, ProviderError> {
    match value.as_u64() {
        Some(n) => usize::try_from(n).map_err(|_| invalid(field, format!("{n} is too large"))),
        None => Err(invalid(
            field,
            format!("must be a non-negative integer, got {value}"),
        )),
    }
}

fn parse_number(field: &'static str, value: &Value) -> Result<f64, ProviderError> {
    value
        .as_f64()
        .ok_or_else(|| invalid(field, format!("must be a number, got {value}")))
}

fn check_non_negative(field: &'static str, value: f64) -> Result<(), ProviderError> {
    if !value.is_finite() {
        return Err(invalid(field, format!("must be finite, got {value}")));
    }
    if value < 0.0 {
        return Err(invalid(field, format!("must not be negative, got {value}")));
    }
    Ok(())
}

fn invalid(field: &'static str, reason: String) -> ProviderError {
    LocalError::InvalidSetting { field, reason }.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = LocalSettings::default();
        assert_eq!(s.top_n, 10);
        assert_eq!(s.threshold_mb, 100.0);
        assert_eq!(s.old_days, 30.0);
        assert_eq!(s.default_disk_path, PathBuf::from("/"));
        assert!(!s.cross_filesystems);
        assert_eq!(s.scan_paths.len(), 5);
        assert!(s.allowed_roots.contains(&PathBuf::from("/usr")));
        s.validate().expect("defaults are valid");
    }

    #[test]
    fn overrides_apply_only_the_three_numbers() {
        let base = LocalSettings::default();
        let config = json!({
            "top_n": 3,
            "threshold_mb": 0.5,
            "old_days": 7,
            "scan_paths": ["/etc"],
            "allowed_roots": ["/"],
            "default_disk_path": "/etc",
        });
        let s = base.with_overrides(&config).expect("valid");
        assert_eq!((s.top_n, s.threshold_mb, s.old_days), (3, 0.5, 7.0));
        assert_eq!(s.scan_paths, base.scan_paths);
        assert_eq!(s.allowed_roots, base.allowed_roots);
        assert_eq!(s.default_disk_path, base.default_disk_path);

        assert_eq!(base.with_overrides(&Value::Null).expect("null"), base);
        assert_eq!(
            base.with_overrides(&json!({"top_n": null}))
                .expect("null key"),
            base
        );
    }

    #[test]
    fn bad_values_are_config_errors_naming_the_field() {
        let base = LocalSettings::default();
        for (config, field) in [
            (json!({"threshold_mb": -1}), "threshold_mb"),
            (json!({"old_days": -0.5}), "old_days"),
            (json!({"threshold_mb": "100"}), "threshold_mb"),
            (json!({"top_n": -3}), "top_n"),
            (json!({"top_n": 0}), "top_n"),
            (json!({"top_n": 2.5}), "top_n"),
            (json!({"top_n": "ten"}), "top_n"),
            (json!([1, 2]), "provider_config"),
        ] {
            let err = base.with_overrides(&config).expect_err("invalid");
            assert!(matches!(err, ProviderError::Config(_)), "{config}: {err:?}");
            assert!(err.to_string().contains(field), "{config}: {err}");
        }
    }

    #[test]
    fn non_finite_numbers_are_refused() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let s = LocalSettings {
                old_days: value,
                ..LocalSettings::default()
            };
            let err = s.validate().expect_err("non-finite");
            assert!(err.to_string().contains("old_days"), "{err}");
        }
    }
}
