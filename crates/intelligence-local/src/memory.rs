//! Memory analysis: the top processes by resident memory and the system's
//! memory pressure. It needs no sampling interval, so it answers at once.

use intelligence_core::{IncidentId, Priority, Recommendation, RecommendationType};
use serde_json::json;
use sysinfo::Pid;

use crate::error::LocalError;
use crate::process::{
    masked_cmdline, memory_kind, new_system, process_name, refresh_cmdlines, refresh_processes,
    refresh_ram, round2, top_processes_use,
};
use crate::settings::MIB;

/// Processes below this share of memory are left out.
pub const MIN_PROCESS_MEMORY_PERCENT: f64 = 0.1;

/// One process in a memory analysis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcessMemory {
    pub pid: u32,
    pub name: String,
    pub memory_percent: f64,
    pub memory_mb: f64,
    pub cmdline: String,
}

/// What a memory analysis saw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MemorySnapshot {
    /// The system's memory use, percent (total minus available).
    pub used_percent: f64,
    /// The top processes by resident memory, largest first.
    pub processes: Vec<ProcessMemory>,
}

/// The system's memory use in percent, reading RAM figures only.
pub(crate) fn memory_used_percent() -> Result<f64, LocalError> {
    let mut system = new_system("memory")?;
    refresh_ram(&mut system);
    Ok(used_percent(system.used_memory(), system.total_memory()))
}

fn used_percent(used: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        used as f64 / total as f64 * 100.0
    }
}

/// Reads memory use and the `top_n` processes holding the most of it.
pub(crate) fn sample(top_n: usize) -> Result<MemorySnapshot, LocalError> {
    let mut system = new_system("memory")?;
    refresh_ram(&mut system);
    refresh_processes(&mut system, memory_kind());
    let total = system.total_memory();

    let mut ranked: Vec<(Pid, u64)> = system
        .processes()
        .iter()
        .map(|(pid, p)| (*pid, p.memory()))
        .filter(|(_, rss)| used_percent(*rss, total) > MIN_PROCESS_MEMORY_PERCENT)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(top_n);

    // Command lines are read for the few processes shown, not for all.
    let pids: Vec<Pid> = ranked.iter().map(|(pid, _)| *pid).collect();
    refresh_cmdlines(&mut system, &pids);

    let processes = ranked
        .iter()
        .filter_map(|(pid, rss)| {
            let process = system.process(*pid)?;
            Some(ProcessMemory {
                pid: pid.as_u32(),
                name: process_name(process),
                memory_percent: used_percent(*rss, total),
                memory_mb: *rss as f64 / MIB,
                cmdline: masked_cmdline(process),
            })
        })
        .collect();
    Ok(MemorySnapshot {
        used_percent: used_percent(system.used_memory(), total),
        processes,
    })
}

/// Priority from memory use: above 90% critical, above 80% high, above 70%
/// medium, else low.
pub fn memory_priority(used_percent: f64) -> Priority {
    if used_percent > 90.0 {
        Priority::Critical
    } else if used_percent > 80.0 {
        Priority::High
    } else if used_percent > 70.0 {
        Priority::Medium
    } else {
        Priority::Low
    }
}

/// The memory recommendation for a snapshot.
pub(crate) fn recommend(
    snapshot: &MemorySnapshot,
    incident_id: Option<IncidentId>,
) -> Recommendation {
    let priority = memory_priority(snapshot.used_percent);
    let total_percent: f64 = snapshot.processes.iter().map(|p| p.memory_percent).sum();
    let details = json!({
        "top_processes": snapshot.processes.iter().map(|p| json!({
            "pid": p.pid,
            "name": p.name,
            "memory_percent": round2(p.memory_percent),
            "memory_mb": round2(p.memory_mb),
            "cmdline": p.cmdline,
        })).collect::<Vec<_>>(),
        "total_memory_percent": round2(total_percent),
        "system_memory_percent": round2(snapshot.used_percent),
    });

    let Some(top) = snapshot.processes.first() else {
        return Recommendation::new(
            RecommendationType::Memory,
            priority,
            "Memory Health Check",
            format!(
                "Memory use is {}%; no process holds more than {MIN_PROCESS_MEMORY_PERCENT}% of memory.",
                round2(snapshot.used_percent)
            ),
        )
        .with_details(details)
        .with_actions(["Continue monitoring memory usage"])
        .with_incident(incident_id);
    };

    let title = if priority >= Priority::Medium {
        "High Memory Usage Detected"
    } else {
        "Top Memory Consumers"
    };
    let names: Vec<&str> = snapshot
        .processes
        .iter()
        .take(3)
        .map(|p| p.name.as_str())
        .collect();
    Recommendation::new(
        RecommendationType::Memory,
        priority,
        title,
        format!(
            "Memory use is {}%. {} {}% of memory. Top consumers: {}",
            round2(snapshot.used_percent),
            top_processes_use(snapshot.processes.len()),
            round2(total_percent),
            names.join(", ")
        ),
    )
    .with_details(details)
    .with_actions([
        format!(
            "Review process '{}' (PID: {}) - using {}% memory",
            top.name,
            top.pid,
            round2(top.memory_percent)
        ),
        "Consider restarting memory-heavy services during a maintenance window".to_owned(),
        "Check for memory leaks in long-running processes".to_owned(),
        "Consider adding memory if this recurs".to_owned(),
    ])
    .with_incident(incident_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_thresholds() {
        assert_eq!(memory_priority(95.0), Priority::Critical);
        assert_eq!(memory_priority(90.0), Priority::High);
        assert_eq!(memory_priority(80.5), Priority::High);
        assert_eq!(memory_priority(80.0), Priority::Medium);
        assert_eq!(memory_priority(70.0), Priority::Low);
    }

    #[test]
    fn this_process_is_seen_with_its_memory() {
        let snapshot = sample(10_000).expect("sample");
        assert!(snapshot.used_percent > 0.0 && snapshot.used_percent <= 100.0);
        let sorted = snapshot
            .processes
            .windows(2)
            .all(|w| w[0].memory_mb >= w[1].memory_mb);
        assert!(sorted, "largest first");
        assert!(
            snapshot
                .processes
                .iter()
                .all(|p| p.memory_percent > MIN_PROCESS_MEMORY_PERCENT)
        );
    }

    #[test]
    fn the_recommendation_has_the_upstream_keys() {
        let snapshot = MemorySnapshot {
            used_percent: 85.0,
            processes: vec![ProcessMemory {
                pid: 7,
                name: "db".into(),
                memory_percent: 40.123,
                memory_mb: 1024.0,
                cmdline: "db --port 1".into(),
            }],
        };
        let rec = recommend(&snapshot, Some(3));
        assert_eq!(rec.priority, Priority::High);
        assert_eq!(rec.incident_id, Some(3));
        assert_eq!(rec.details["top_processes"][0]["memory_percent"], 40.12);
        assert_eq!(rec.details["total_memory_percent"], 40.12);
        assert!(rec.actions[0].contains("PID: 7"), "{:?}", rec.actions);
        // One process, one rounding: the text says what the details hold.
        assert!(
            rec.description
                .starts_with("Memory use is 85%. The top process uses 40.12% of memory."),
            "{}",
            rec.description
        );
        assert!(
            rec.actions[0].ends_with("using 40.12% memory"),
            "{:?}",
            rec.actions
        );
    }
}
