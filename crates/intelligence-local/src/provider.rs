//! [`LocalProvider`]: dispatches an analysis to memory, CPU, disk or the
//! general scan, running the blocking work on Tokio's blocking pool.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use intelligence_core::{
    Analysis, AnalysisKind, Incident, IncidentId, Priority, Provider, ProviderError,
    Recommendation, RecommendationType,
};
use serde_json::{Value, json};

use crate::detect::{IncidentType, detect};
use crate::disk::walk::RealFs;
use crate::error::LocalError;
use crate::general::{GENERAL_SCAN_PERCENT, busiest_filesystem, first_busy_filesystem};
use crate::paths::AllowedRoots;
use crate::process::round2;
use crate::settings::LocalSettings;
use crate::{NAME, ProgressFn, cpu, disk, memory};

pub(crate) const DESCRIPTION: &str =
    "Local system analysis: memory, CPU and disk of this machine, no network or key needed";

/// Analyses the machine it runs on. Cheap to share behind an `Arc`.
#[derive(Clone)]
pub struct LocalProvider {
    settings: Arc<LocalSettings>,
    roots: Arc<AllowedRoots>,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for LocalProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalProvider")
            .field("settings", &self.settings)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl LocalProvider {
    /// A provider with these settings, validated.
    pub fn new(settings: LocalSettings) -> Result<Self, ProviderError> {
        settings.validate()?;
        let roots = AllowedRoots::new(&settings.allowed_roots);
        Ok(Self {
            settings: Arc::new(settings),
            roots: Arc::new(roots),
            progress: None,
        })
    }

    /// Reports progress (`Scanning /var/log... 12,000 files`) to `progress`.
    #[must_use]
    pub fn with_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The settings in force.
    pub fn settings(&self) -> &LocalSettings {
        &self.settings
    }

    /// Resolves a disk path that comes from outside (symlinks and `..`
    /// resolved) and checks that it lies inside an allowed root and is a
    /// directory. Adapters call it to refuse a bad path before running.
    pub fn resolve_disk_path(&self, path: &Path) -> Result<PathBuf, ProviderError> {
        Ok(self.roots.resolve(path)?)
    }

    fn say(&self, message: &str) {
        if let Some(progress) = &self.progress {
            progress(message);
        }
    }

    /// The default disk path: server-side, so not held to the allowed roots,
    /// but it must still be an existing directory.
    fn default_disk_path(&self) -> Result<PathBuf, LocalError> {
        let path = &self.settings.default_disk_path;
        let canonical =
            std::fs::canonicalize(path).map_err(|source| LocalError::PathUnresolvable {
                path: path.clone(),
                source,
            })?;
        if !canonical.is_dir() {
            return Err(LocalError::NotADirectory { path: path.clone() });
        }
        Ok(canonical)
    }

    async fn memory(
        &self,
        incident_id: Option<IncidentId>,
    ) -> Result<Vec<Recommendation>, LocalError> {
        self.say("Analyzing memory...");
        let top_n = self.settings.top_n;
        let snapshot = blocking("memory", move || memory::sample(top_n)).await?;
        self.say(&format!(
            "Analyzing memory... {} processes",
            snapshot.processes.len()
        ));
        Ok(vec![memory::recommend(&snapshot, incident_id)])
    }

    async fn cpu(
        &self,
        incident_id: Option<IncidentId>,
    ) -> Result<Vec<Recommendation>, LocalError> {
        self.say("Sampling CPU...");
        let top_n = self.settings.top_n;
        let snapshot =
            blocking("cpu", move || cpu::sample(top_n, cpu::CPU_SAMPLE_INTERVAL)).await?;
        Ok(vec![cpu::recommend(&snapshot, incident_id)])
    }

    async fn disk(
        &self,
        root: PathBuf,
        incident_id: Option<IncidentId>,
    ) -> Result<Vec<Recommendation>, LocalError> {
        let settings = Arc::clone(&self.settings);
        let progress = self.progress.clone();
        let cancel = CancelOnDrop::default();
        let flag = Arc::clone(&cancel.0);
        let report = blocking("disk scan", move || {
            let say = |message: &str| {
                if let Some(progress) = &progress {
                    progress(message);
                }
            };
            disk::analyze(&RealFs, &root, &settings, &say, &flag)
        })
        .await?;
        drop(cancel);
        Ok(disk::recommend(&report, &self.settings, incident_id))
    }

    async fn general(
        &self,
        incident_id: Option<IncidentId>,
    ) -> Result<Vec<Recommendation>, LocalError> {
        self.say("Checking memory and disks...");
        let (memory_percent, busy, busiest) = blocking("general scan", || {
            let memory_percent = memory::memory_used_percent()?;
            Ok((
                memory_percent,
                first_busy_filesystem(),
                busiest_filesystem(),
            ))
        })
        .await?;

        let mut recs = Vec::new();
        if memory_percent > GENERAL_SCAN_PERCENT {
            recs.extend(self.memory(incident_id).await?);
        }
        if let Some((mount, _)) = busy {
            recs.extend(self.disk(mount, incident_id).await?);
        }
        if recs.is_empty() {
            recs.push(health_check(memory_percent, busiest, incident_id));
        }
        Ok(recs)
    }

    async fn disk_for_incident(
        &self,
        incident: &Incident,
    ) -> Result<Vec<Recommendation>, LocalError> {
        let root = match incident.metadata.get("path") {
            None | Some(Value::Null) => self.default_disk_path()?,
            Some(Value::String(path)) if path.trim().is_empty() => self.default_disk_path()?,
            Some(Value::String(path)) => self.roots.resolve(Path::new(path.trim()))?,
            Some(other) => {
                return Err(LocalError::BadIncidentPath {
                    incident_id: incident.id,
                    value: other.to_string(),
                });
            }
        };
        self.disk(root, Some(incident.id)).await
    }

    async fn dispatch(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Vec<Recommendation>, LocalError> {
        let incident_id = incident.map(|i| i.id);
        match kind {
            AnalysisKind::Memory => self.memory(incident_id).await,
            AnalysisKind::Cpu => self.cpu(incident_id).await,
            AnalysisKind::Disk { path: Some(path) } => {
                let root = self.roots.resolve(path)?;
                self.disk(root, incident_id).await
            }
            AnalysisKind::Disk { path: None } => {
                let root = self.default_disk_path()?;
                self.disk(root, incident_id).await
            }
            AnalysisKind::Automatic => match incident {
                None => self.general(None).await,
                Some(incident) => match detect(incident) {
                    IncidentType::Memory => self.memory(incident_id).await,
                    IncidentType::Cpu => self.cpu(incident_id).await,
                    IncidentType::Disk => self.disk_for_incident(incident).await,
                    IncidentType::Unknown => self.general(incident_id).await,
                },
            },
        }
    }
}

#[async_trait]
impl Provider for LocalProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        DESCRIPTION
    }

    async fn analyze(
        &self,
        incident: Option<&Incident>,
        kind: &AnalysisKind,
    ) -> Result<Analysis, ProviderError> {
        let recommendations = self.dispatch(incident, kind).await?;
        Ok(Analysis::new(recommendations))
    }
}

/// Sets its flag when dropped: a dropped analysis stops its walk early.
#[derive(Default)]
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` on the blocking pool.
async fn blocking<T, F>(what: &'static str, work: F) -> Result<T, LocalError>
where
    F: FnOnce() -> Result<T, LocalError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(err) => Err(LocalError::Task {
            what,
            message: err.to_string(),
        }),
    }
}

fn health_check(
    memory_percent: f64,
    busiest: Option<(PathBuf, f64)>,
    incident_id: Option<IncidentId>,
) -> Recommendation {
    let (mount, disk_percent) = match &busiest {
        Some((mount, percent)) => (Some(mount.display().to_string()), Some(round2(*percent))),
        None => (None, None),
    };
    Recommendation::new(
        RecommendationType::General,
        Priority::Low,
        "System Health Check",
        format!(
            "Memory use is {memory_percent:.1}% and no filesystem is more than {GENERAL_SCAN_PERCENT}% used."
        ),
    )
    .with_details(json!({
        "memory_percent": round2(memory_percent),
        "busiest_filesystem": mount,
        "busiest_filesystem_percent": disk_percent,
    }))
    .with_actions(["Continue monitoring memory and disk usage"])
    .with_incident(incident_id)
}
