//! Reading processes with sysinfo, refreshing only what an analysis needs,
//! and turning one into the JSON entry a recommendation carries.

use std::ffi::OsString;

use sysinfo::{
    MemoryRefreshKind, Process, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind,
};

use crate::error::LocalError;
use crate::redact_cmdline::redact_cmdline;

/// A fresh [`System`] with nothing loaded yet.
pub(crate) fn new_system(what: &'static str) -> Result<System, LocalError> {
    System::new().map_err(|err| LocalError::System {
        what,
        message: err.to_string(),
    })
}

/// Refreshes RAM figures only (no swap, no CPU).
pub(crate) fn refresh_ram(system: &mut System) {
    system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
}

/// Refreshes every process with `kind`, without per-thread tasks (reading
/// every thread of every process is the slow part of a refresh on Linux).
pub(crate) fn refresh_processes(system: &mut System, kind: ProcessRefreshKind) {
    system.refresh_processes_specifics(ProcessesToUpdate::All, true, kind.without_tasks());
}

/// The refresh that reads resident memory.
pub(crate) fn memory_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing().with_memory()
}

/// The refresh that reads CPU time.
pub(crate) fn cpu_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing().with_cpu()
}

/// Reads the command lines of just these processes.
pub(crate) fn refresh_cmdlines(system: &mut System, pids: &[sysinfo::Pid]) {
    system.refresh_processes_specifics(
        ProcessesToUpdate::Some(pids),
        false,
        ProcessRefreshKind::nothing()
            .with_cmd(UpdateKind::OnlyIfNotSet)
            .without_tasks(),
    );
}

/// A process's name, lossily decoded.
pub(crate) fn process_name(process: &Process) -> String {
    let name = process.name().to_string_lossy();
    if name.is_empty() {
        "unknown".to_owned()
    } else {
        name.into_owned()
    }
}

/// A process's command line with secrets masked, cut to 200 characters.
pub(crate) fn masked_cmdline(process: &Process) -> String {
    let args: &[OsString] = process.cmd();
    redact_cmdline(args)
}

/// Rounds to two decimals, as every figure in `details` is.
/// `The top process uses` or `The top 5 processes use`, for descriptions.
pub(crate) fn top_processes_use(count: usize) -> String {
    if count == 1 {
        "The top process uses".to_owned()
    } else {
        format!("The top {count} processes use")
    }
}

pub(crate) fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_top_process_is_singular() {
        assert_eq!(super::top_processes_use(1), "The top process uses");
        assert_eq!(super::top_processes_use(4), "The top 4 processes use");
    }
}
