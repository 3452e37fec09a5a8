//! CPU analysis: the top processes by CPU from two samples taken
//! [`CPU_SAMPLE_INTERVAL`] apart, core counts and the load average.

use std::time::Duration;

use intelligence_core::{IncidentId, Priority, Recommendation, RecommendationType};
use serde_json::json;
use sysinfo::{Pid, System};

use crate::error::LocalError;
use crate::process::{
    cpu_kind, masked_cmdline, new_system, process_name, refresh_cmdlines, refresh_processes,
    round2, top_processes_use,
};

/// The time between the two CPU samples. Longer than sysinfo's minimum
/// (200 ms) so that short bursts average out, short enough for a CLI.
pub const CPU_SAMPLE_INTERVAL: Duration = Duration::from_millis(500);

/// Processes using less CPU than this (percent of one core) are left out.
pub const MIN_PROCESS_CPU_PERCENT: f64 = 1.0;

/// One process in a CPU analysis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcessCpu {
    pub pid: u32,
    pub name: String,
    /// Percent of one core; may exceed 100 for a multi-threaded process.
    pub cpu_percent: f64,
    pub cmdline: String,
}

/// What a CPU analysis saw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CpuSnapshot {
    /// Whole-system CPU use over the interval, percent of all cores.
    pub usage_percent: f64,
    /// Logical CPUs.
    pub cpu_count: usize,
    /// Physical cores, when known.
    pub physical_count: Option<usize>,
    /// 1, 5 and 15 minute load averages, when known.
    pub load_avg: Option<[f64; 3]>,
    /// The top processes by CPU, busiest first.
    pub processes: Vec<ProcessCpu>,
}

/// Samples CPU use twice, `interval` apart, and keeps the `top_n` busiest
/// processes.
pub(crate) fn sample(top_n: usize, interval: Duration) -> Result<CpuSnapshot, LocalError> {
    let mut system = new_system("cpu")?;
    system.refresh_cpu_usage();
    refresh_processes(&mut system, cpu_kind());
    std::thread::sleep(interval);
    system.refresh_cpu_usage();
    refresh_processes(&mut system, cpu_kind());

    let mut ranked: Vec<(Pid, f64)> = system
        .processes()
        .iter()
        .map(|(pid, p)| (*pid, f64::from(p.cpu_usage())))
        .filter(|(_, cpu)| *cpu > MIN_PROCESS_CPU_PERCENT)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(top_n);

    let pids: Vec<Pid> = ranked.iter().map(|(pid, _)| *pid).collect();
    refresh_cmdlines(&mut system, &pids);
    let processes = ranked
        .iter()
        .filter_map(|(pid, cpu)| {
            let process = system.process(*pid)?;
            Some(ProcessCpu {
                pid: pid.as_u32(),
                name: process_name(process),
                cpu_percent: *cpu,
                cmdline: masked_cmdline(process),
            })
        })
        .collect();

    Ok(CpuSnapshot {
        usage_percent: f64::from(system.global_cpu_usage()),
        cpu_count: system.cpus().len(),
        physical_count: System::physical_core_count().ok(),
        load_avg: System::load_average()
            .ok()
            .map(|l| [l.one, l.five, l.fifteen]),
        processes,
    })
}

/// Priority from whole-system CPU use: above 90% critical, above 80% high,
/// else medium.
pub fn cpu_priority(usage_percent: f64) -> Priority {
    if usage_percent > 90.0 {
        Priority::Critical
    } else if usage_percent > 80.0 {
        Priority::High
    } else {
        Priority::Medium
    }
}

/// The CPU recommendation for a snapshot.
pub(crate) fn recommend(snapshot: &CpuSnapshot, incident_id: Option<IncidentId>) -> Recommendation {
    let total: f64 = snapshot.processes.iter().map(|p| p.cpu_percent).sum();
    let details = json!({
        "top_processes": snapshot.processes.iter().map(|p| json!({
            "pid": p.pid,
            "name": p.name,
            "cpu_percent": round2(p.cpu_percent),
            "cmdline": p.cmdline,
        })).collect::<Vec<_>>(),
        "cpu_count": snapshot.cpu_count,
        "cpu_physical_count": snapshot.physical_count,
        "load_avg": snapshot.load_avg.map(|l| l.map(round2)),
        "cpu_percent": round2(snapshot.usage_percent),
    });

    let Some(top) = snapshot.processes.first() else {
        return Recommendation::new(
            RecommendationType::Cpu,
            Priority::Low,
            "CPU Health Check",
            format!(
                "CPU use is {}%; no process used more than {MIN_PROCESS_CPU_PERCENT}% of a core.",
                round2(snapshot.usage_percent)
            ),
        )
        .with_details(details)
        .with_actions(["Continue monitoring CPU usage"])
        .with_incident(incident_id);
    };

    Recommendation::new(
        RecommendationType::Cpu,
        cpu_priority(snapshot.usage_percent),
        "High CPU Usage Detected",
        format!(
            "CPU use is {}% of {} CPUs. {} {}% (percent of one core each).",
            round2(snapshot.usage_percent),
            snapshot.cpu_count,
            top_processes_use(snapshot.processes.len()),
            round2(total)
        ),
    )
    .with_details(details)
    .with_actions([
        format!("Investigate process '{}' (PID: {})", top.name, top.pid),
        "Check for runaway processes or infinite loops".to_owned(),
        "Consider process priority adjustments (nice/renice)".to_owned(),
        "Review cron jobs and scheduled tasks".to_owned(),
    ])
    .with_incident(incident_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_thresholds() {
        assert_eq!(cpu_priority(91.0), Priority::Critical);
        assert_eq!(cpu_priority(90.0), Priority::High);
        assert_eq!(cpu_priority(80.0), Priority::Medium);
        assert_eq!(cpu_priority(1.0), Priority::Medium);
    }

    #[test]
    fn a_quiet_machine_gets_a_low_health_check_with_the_counts() {
        let snapshot = CpuSnapshot {
            usage_percent: 3.0,
            cpu_count: 2,
            physical_count: Some(1),
            load_avg: Some([0.5, 0.25, 0.125]),
            processes: Vec::new(),
        };
        let rec = recommend(&snapshot, None);
        assert_eq!(rec.priority, Priority::Low);
        assert_eq!(rec.details["cpu_count"], 2);
        assert_eq!(rec.details["load_avg"], json!([0.5, 0.25, 0.13]));
    }
}
