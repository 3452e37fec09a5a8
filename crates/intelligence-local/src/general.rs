//! The general scan, for an automatic analysis without an incident (or
//! with one that names nothing the detector knows): memory when memory use
//! is above 70%, and the disk of the first mounted filesystem above 70%.

use std::path::PathBuf;

use sysinfo::{DiskRefreshKind, Disks};

use crate::disk::filesystem_used_percent;

/// Memory or filesystem use above this makes the general scan look closer.
pub const GENERAL_SCAN_PERCENT: f64 = 70.0;

/// The first mounted filesystem whose use is above
/// [`GENERAL_SCAN_PERCENT`], with that use, in mount order.
pub(crate) fn first_busy_filesystem() -> Option<(PathBuf, f64)> {
    let disks = Disks::new_with_refreshed_list_specifics(DiskRefreshKind::nothing()).ok()?;
    disks.iter().find_map(|disk| {
        let mount = disk.mount_point();
        match filesystem_used_percent(mount) {
            Ok(percent) if percent > GENERAL_SCAN_PERCENT => Some((mount.to_owned(), percent)),
            Ok(_) => None,
            Err(err) => {
                tracing::debug!(error = %err, "filesystem skipped in general scan");
                None
            }
        }
    })
}

/// The most used mounted filesystem, for the health summary.
pub(crate) fn busiest_filesystem() -> Option<(PathBuf, f64)> {
    let disks = Disks::new_with_refreshed_list_specifics(DiskRefreshKind::nothing()).ok()?;
    disks
        .iter()
        .filter_map(|disk| {
            let mount = disk.mount_point();
            filesystem_used_percent(mount)
                .ok()
                .map(|p| (mount.to_owned(), p))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystems_are_listed_with_a_percentage() {
        let (mount, percent) = busiest_filesystem().expect("at least one mounted filesystem");
        assert!(mount.is_absolute());
        assert!((0.0..=100.0).contains(&percent));
        if let Some((_, busy)) = first_busy_filesystem() {
            assert!(busy > GENERAL_SCAN_PERCENT);
        }
    }
}
