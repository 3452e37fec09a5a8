//! The machine the figures were measured on: cores, memory, the file
//! system of the temporary directory, the kernel.

use std::path::Path;
use std::process::Command;

/// One line describing this machine.
pub fn describe(tmp: &Path) -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| mem_total_kib(&info))
        .map_or_else(
            || "unknown memory".to_owned(),
            |kib| format!("{:.1} GiB memory", kib as f64 / 1024.0 / 1024.0),
        );
    let fs = output("df", &["--output=fstype", &tmp.display().to_string()])
        .and_then(|out| out.lines().nth(1).map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned());
    let kernel = output("uname", &["-sr"])
        .map_or_else(|| "unknown kernel".to_owned(), |k| k.trim().to_owned());
    format!(
        "{cores} cores ({model}), {memory}, {} on {fs}, {kernel}",
        tmp.display()
    )
}

fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_total() {
        let info = "MemTotal:       24683520 kB\nMemFree:  1 kB\n";
        assert_eq!(mem_total_kib(info), Some(24_683_520));
        assert_eq!(mem_total_kib("nothing"), None);
    }
}
