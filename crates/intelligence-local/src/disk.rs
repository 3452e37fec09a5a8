//! Disk analysis of one directory: a single walk for large items and old
//! files, the filesystem's use for the priority, and the recommendations.
//!
//! A scan of `/` looks for old files only in the configured scan paths; a
//! scan path on another filesystem than `/` gets a walk of its own (old
//! files only), so no directory is walked twice.

pub(crate) mod classify;
mod top;
mod usage;
pub(crate) mod walk;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{SystemTime, UNIX_EPOCH};

use intelligence_core::{IncidentId, Priority, Recommendation, RecommendationType};
use serde_json::{Value, json};

pub use classify::FileKind;
pub use usage::filesystem_used_percent;

use crate::error::LocalError;
use crate::paths::expand_home;
use crate::process::round2;
use crate::settings::{LocalSettings, MIB};
use walk::{DirReader, WalkOutcome, WalkSpec, walk};

/// How many large items a recommendation lists.
pub const LARGE_ITEMS_KEPT: usize = 50;
/// How many old files a recommendation lists.
pub const OLD_FILES_KEPT: usize = 100;

/// What one disk analysis found.
#[derive(Debug, Clone)]
pub(crate) struct DiskReport {
    pub path: PathBuf,
    pub used_percent: Option<f64>,
    /// The main walk.
    pub scan: WalkOutcome,
    /// Scan paths walked on their own for old files (a scan of `/`).
    pub extra_old: Vec<WalkOutcome>,
    /// Where old files were looked for, when not everywhere below `path`.
    pub old_scope: Option<Vec<PathBuf>>,
    pub now_secs: i64,
}

/// Scans `root` (a canonical directory) as `settings` ask.
pub(crate) fn analyze<R: DirReader>(
    reader: &R,
    root: &Path,
    settings: &LocalSettings,
    progress: &dyn Fn(&str),
    cancel: &AtomicBool,
) -> Result<DiskReport, LocalError> {
    let now_secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let whole_machine = root == Path::new("/");
    let scan_paths = if whole_machine {
        Some(existing_scan_paths(&settings.scan_paths))
    } else {
        None
    };
    let spec = WalkSpec {
        large_over_bytes: Some(settings.threshold_bytes()),
        large_keep: LARGE_ITEMS_KEPT,
        old_over_secs: Some(settings.old_seconds()),
        old_keep: OLD_FILES_KEPT,
        old_only_under: scan_paths.clone(),
        cross_filesystems: settings.cross_filesystems,
        now_secs,
        threads: walk_threads(),
    };
    let started = std::time::Instant::now();
    let scan = walk(reader, root, &spec, progress, cancel)?;
    tracing::debug!(
        path = %root.display(),
        files = scan.files,
        dirs = scan.dirs,
        unreadable = scan.unreadable,
        vanished = scan.vanished,
        other_filesystem = scan.other_filesystem,
        duration_ms = started.elapsed().as_millis(),
        "disk walk finished"
    );

    let mut extra_old = Vec::new();
    if let Some(paths) = &scan_paths
        && !settings.cross_filesystems
    {
        let root_dev = std::fs::symlink_metadata(root).map(|m| m.dev()).ok();
        let separate: Vec<&PathBuf> = paths
            .iter()
            .filter(|p| std::fs::symlink_metadata(p).map(|m| m.dev()).ok() != root_dev)
            .collect();
        for path in &separate {
            // A scan path inside another one that is walked anyway is not
            // walked twice.
            if separate
                .iter()
                .any(|other| other != path && path.starts_with(other))
            {
                continue;
            }
            let spec = WalkSpec {
                large_over_bytes: None,
                old_only_under: None,
                ..spec.clone()
            };
            match walk(reader, path, &spec, progress, cancel) {
                Ok(outcome) => extra_old.push(outcome),
                Err(err @ LocalError::Cancelled { .. }) => return Err(err),
                Err(err) => {
                    tracing::debug!(path = %path.display(), error = %err, "scan path skipped")
                }
            }
        }
    }

    let used_percent = match filesystem_used_percent(root) {
        Ok(p) => Some(p),
        Err(err) => {
            tracing::debug!(error = %err, "filesystem use unknown");
            None
        }
    };
    Ok(DiskReport {
        path: root.to_owned(),
        used_percent,
        scan,
        extra_old,
        old_scope: scan_paths,
        now_secs,
    })
}

/// The configured scan paths that exist, canonical, `~` expanded.
fn existing_scan_paths(configured: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = configured
        .iter()
        .filter_map(|p| expand_home(p))
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Priority from the filesystem's use: above 95% critical, above 90% high,
/// above 80% medium, else low.
pub fn disk_priority(used_percent: f64) -> Priority {
    if used_percent > 95.0 {
        Priority::Critical
    } else if used_percent > 90.0 {
        Priority::High
    } else if used_percent > 80.0 {
        Priority::Medium
    } else {
        Priority::Low
    }
}

/// The recommendations for a report: large items, old files, or one
/// low-priority disk health check naming the path when there is neither.
pub(crate) fn recommend(
    report: &DiskReport,
    settings: &LocalSettings,
    incident_id: Option<IncidentId>,
) -> Vec<Recommendation> {
    let path = report.path.display().to_string();
    // Unknown filesystem use is not a reason to alarm anyone.
    let priority = report.used_percent.map_or(Priority::Medium, disk_priority);
    let used = report.used_percent.map(round2);
    let mut recs = Vec::new();
    let scan = &report.scan;
    let counters = json!({
        "scanned_files": scan.files + report.extra_old.iter().map(|o| o.files).sum::<u64>(),
        "unreadable_entries": scan.unreadable
            + report.extra_old.iter().map(|o| o.unreadable).sum::<u64>(),
    });

    if let Some((largest_bytes, largest)) = scan.large.first() {
        let total_mb = scan.large_total as f64 / MIB;
        let items: Vec<Value> = scan
            .large
            .iter()
            .map(|(bytes, item)| {
                json!({
                    "path": item.path.display().to_string(),
                    "size_mb": round2(*bytes as f64 / MIB),
                    "modified_days_ago": days_since(report.now_secs, item.mtime_secs),
                    "is_directory": item.is_dir,
                })
            })
            .collect();
        recs.push(
            Recommendation::new(
                RecommendationType::Disk,
                priority,
                "Large Files and Directories Found",
                format!(
                    "Found {} (over {} MB) totaling {:.2} MB on {path}",
                    counted(scan.large_count, "large item", "large items"),
                    settings.threshold_mb,
                    round2(total_mb)
                ),
            )
            .with_details(json!({
                "large_items": items,
                "total_items": scan.large_count,
                "total_size_mb": round2(total_mb),
                "scanned_path": path,
                "filesystem_used_percent": used,
            }))
            .with_actions([
                format!(
                    "Review largest item: {} ({:.2} MB)",
                    largest.path.display(),
                    round2(*largest_bytes as f64 / MIB)
                ),
                "Run 'ncdu -x' for interactive disk usage analysis".to_owned(),
                "Consider archiving or compressing old data".to_owned(),
                "Set up log rotation if not already configured".to_owned(),
            ])
            .with_incident(incident_id),
        );
    }

    let mut old: Vec<&(u64, walk::OldFile)> = scan.old.iter().collect();
    let mut old_count = scan.old_count;
    let mut old_total = scan.old_total;
    for extra in &report.extra_old {
        old.extend(extra.old.iter());
        old_count += extra.old_count;
        old_total += extra.old_total;
    }
    old.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    old.truncate(OLD_FILES_KEPT);
    if !old.is_empty() {
        let total_mb = old_total as f64 / MIB;
        let files: Vec<Value> = old
            .iter()
            .map(|(bytes, file)| {
                json!({
                    "path": file.path.display().to_string(),
                    "size_mb": round2(*bytes as f64 / MIB),
                    "days_old": days_since(report.now_secs, file.mtime_secs),
                    "file_type": file.kind.as_str(),
                })
            })
            .collect();
        let mut details = json!({
            "old_files": files,
            "total_files": old_count,
            "total_size_mb": round2(total_mb),
            "scanned_path": path,
            "filesystem_used_percent": used,
        });
        if let Some(scope) = &report.old_scope {
            details["old_files_scanned_paths"] = json!(
                scope
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
            );
        }
        recs.push(
            Recommendation::new(
                RecommendationType::Disk,
                priority,
                "Old Logs and Temporary Files Found",
                format!(
                    "Found {} (over {} days, over 1 MB) totaling {:.2} MB that can potentially be cleaned up",
                    counted(old_count, "old file", "old files"),
                    settings.old_days,
                    round2(total_mb)
                ),
            )
            .with_details(details)
            .with_actions([
                "Review and remove old log files".to_owned(),
                "Clear old cache directories".to_owned(),
                "Configure logrotate for automatic log management".to_owned(),
                format!(
                    "Run: find {path} -xdev -type f -mtime +{} -size +1M -ls",
                    settings.old_days.floor()
                ),
            ])
            .with_incident(incident_id),
        );
    }

    for rec in &mut recs {
        add_counters(&mut rec.details, &counters);
    }
    if recs.is_empty() {
        recs.push(
            Recommendation::new(
                RecommendationType::Disk,
                Priority::Low,
                "Disk Health Check",
                format!("No large items or old files found under {path}."),
            )
            .with_details({
                let mut details = json!({
                    "scanned_path": path,
                    "filesystem_used_percent": used,
                });
                add_counters(&mut details, &counters);
                details
            })
            .with_actions([
                "Continue monitoring disk usage",
                "Consider setting up disk usage alerts",
            ])
            .with_incident(incident_id),
        );
    }
    recs
}

/// Adds `scanned_files` and `unreadable_entries`, so that a reader can tell
/// a clean tree from one the scan could not fully read.
fn add_counters(details: &mut Value, counters: &Value) {
    if let (Some(details), Some(counters)) = (details.as_object_mut(), counters.as_object()) {
        for (key, value) in counters {
            details.insert(key.clone(), value.clone());
        }
    }
}

fn days_since(now_secs: i64, then_secs: i64) -> i64 {
    (now_secs - then_secs).max(0) / 86_400
}

/// `1 old file`, `3 old files`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Threads for a walk: one per core, at most four. Listing and `lstat`ing
/// are system calls that run side by side on separate cores; past a few
/// threads they queue on the filesystem's locks instead.
fn walk_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_thresholds() {
        assert_eq!(disk_priority(96.0), Priority::Critical);
        assert_eq!(disk_priority(95.0), Priority::High);
        assert_eq!(disk_priority(90.0), Priority::Medium);
        assert_eq!(disk_priority(80.0), Priority::Low);
    }

    #[test]
    fn days_are_whole_and_never_negative() {
        assert_eq!(days_since(86_400 * 3 + 5, 0), 3);
        assert_eq!(days_since(0, 100), 0);
    }
}
