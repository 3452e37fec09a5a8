//! Helpers shared by the disk tests: providers confined to a temporary
//! root, tree builders, and readers for the recommendations' details.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use intelligence_core::{AnalysisKind, Provider, Recommendation};
use intelligence_local::{LocalProvider, LocalSettings};
use serde_json::Value;

pub const MIB: u64 = 1024 * 1024;

pub fn provider_for(root: &Path, threshold_mb: f64) -> LocalProvider {
    LocalProvider::new(LocalSettings {
        threshold_mb,
        allowed_roots: vec![root.to_owned()],
        ..LocalSettings::default()
    })
    .expect("valid settings")
}

pub async fn scan(provider: &LocalProvider, path: &Path) -> Vec<Recommendation> {
    provider
        .analyze(None, &AnalysisKind::disk(path))
        .await
        .expect("disk analysis")
        .recommendations
}

pub fn titled<'a>(recs: &'a [Recommendation], title: &str) -> Option<&'a Recommendation> {
    recs.iter().find(|r| r.title == title)
}

pub fn large(recs: &[Recommendation]) -> &Value {
    &titled(recs, "Large Files and Directories Found")
        .expect("large items found")
        .details
}

pub fn large_paths(recs: &[Recommendation]) -> Vec<String> {
    titled(recs, "Large Files and Directories Found").map_or_else(Vec::new, |r| {
        r.details["large_items"]
            .as_array()
            .expect("array")
            .iter()
            .map(|i| i["path"].as_str().expect("path").to_owned())
            .collect()
    })
}

pub fn write_real(path: &Path, bytes: u64) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    let len = usize::try_from(bytes).expect("fits");
    fs::write(path, vec![7_u8; len]).expect("write");
}

pub fn write_sparse(path: &Path, bytes: u64) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    File::create(path)
        .expect("create")
        .set_len(bytes)
        .expect("truncate");
}

pub fn age(path: &Path, days: u64) {
    let when = SystemTime::now() - Duration::from_secs(days * 86_400);
    File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(when)
        .expect("set mtime");
}

pub fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).expect("canonical")
}
