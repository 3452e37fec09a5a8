//! The use of the filesystem a path is on, as `df` reports it.

use std::path::Path;

use crate::error::LocalError;

/// Percent of the filesystem holding `path` that is used, computed as `df`
/// does: used / (used + available to unprivileged users).
pub fn filesystem_used_percent(path: &Path) -> Result<f64, LocalError> {
    let stat = rustix::fs::statvfs(path).map_err(|errno| LocalError::FilesystemUsage {
        path: path.to_owned(),
        source: errno.into(),
    })?;
    let used = stat.f_blocks.saturating_sub(stat.f_bfree);
    let denominator = used + stat.f_bavail;
    if denominator == 0 {
        return Ok(0.0);
    }
    Ok(used as f64 / denominator as f64 * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_filesystem_has_a_percentage() {
        let percent = filesystem_used_percent(Path::new("/")).expect("statvfs /");
        assert!((0.0..=100.0).contains(&percent), "{percent}");
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let err = filesystem_used_percent(Path::new("/no/such/dir")).expect_err("missing");
        assert!(err.to_string().contains("/no/such/dir"), "{err}");
    }
}
