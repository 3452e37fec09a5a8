//! Running what is measured: timed loops, hyperfine, peak memory through
//! GNU time, the bench probe, and wrk. Every command is printed before it
//! runs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A command to measure.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

impl Spec {
    /// `program args...`.
    pub fn new(program: impl Into<PathBuf>, args: &[&str]) -> Self {
        Self {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: Vec::new(),
        }
    }

    /// This command with `key=value` in its environment.
    #[must_use]
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// The command as a user types it: the program's file name and the
    /// arguments, with temporary paths shortened to their last part.
    pub fn display(&self) -> String {
        let name = self.program.file_name().map_or_else(
            || self.program.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut parts = vec![name];
        parts.extend(self.args.iter().map(|a| shorten(a)));
        parts.join(" ")
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs once with output discarded; fails unless it exits 0.
    pub fn run_quiet(&self) -> Result<()> {
        let out = self
            .command()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("cannot start {}", self.display()))?;
        if !out.status.success() {
            bail!(
                "`{}` failed ({}): {}",
                self.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    /// Runs once; its stdout. Fails unless it exits 0.
    pub fn stdout(&self) -> Result<String> {
        eprintln!("$ {}", self.display());
        let out = self
            .command()
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("cannot start {}", self.display()))?;
        if !out.status.success() {
            bail!(
                "`{}` failed ({}): {}",
                self.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Starts it in the background, stdout discarded, stderr into `log`.
    pub fn spawn(&self, log: &Path) -> Result<std::process::Child> {
        eprintln!(
            "$ {} 2> {} &",
            self.display(),
            shorten(&log.display().to_string())
        );
        let log = std::fs::File::create(log)
            .with_context(|| format!("cannot create {}", log.display()))?;
        self.command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.display()))
    }
}

/// A path under the bench's temporary directory, shown as `$TMP/...`.
fn shorten(arg: &str) -> String {
    match arg.find("/intelligence-bench") {
        Some(start) => {
            let rest = &arg[start + 1..];
            rest.find('/').map_or_else(
                || "$TMP".to_owned(),
                |slash| format!("$TMP{}", &rest[slash..]),
            )
        }
        None => arg.to_owned(),
    }
}

/// Whether `program` is on the PATH (or is a path that exists).
pub fn have(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Wall times in seconds of `runs` runs after `warmup` unmeasured ones.
pub fn time_runs(spec: &Spec, warmup: usize, runs: usize) -> Result<Vec<f64>> {
    eprintln!(
        "$ {}   (timed: {warmup} warm-up, {runs} runs)",
        spec.display()
    );
    for _ in 0..warmup {
        spec.run_quiet()?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        spec.run_quiet()?;
        times.push(start.elapsed().as_secs_f64());
    }
    Ok(times)
}

/// Wall times in seconds measured by `hyperfine -N`.
pub fn hyperfine(spec: &Spec, warmup: usize, runs: usize, json: &Path) -> Result<Vec<f64>> {
    let line = std::iter::once(spec.program.display().to_string())
        .chain(spec.args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let mut args = vec![
        "-N".to_owned(),
        "--style".into(),
        "none".into(),
        "--warmup".into(),
        warmup.to_string(),
        "--runs".into(),
        runs.to_string(),
        "--export-json".into(),
        json.display().to_string(),
        line,
    ];
    let mut hf = Spec::new("hyperfine", &[]);
    hf.args.append(&mut args);
    hf.env.clone_from(&spec.env);
    hf.stdout()?;
    let text = std::fs::read_to_string(json).context("hyperfine wrote no JSON")?;
    hyperfine_times(&text)
}

/// The run times of the first result in hyperfine's JSON export.
pub fn hyperfine_times(json: &str) -> Result<Vec<f64>> {
    let value: serde_json::Value = serde_json::from_str(json).context("hyperfine JSON")?;
    let times = value["results"][0]["times"]
        .as_array()
        .context("no results[0].times in hyperfine's JSON")?;
    Ok(times.iter().filter_map(serde_json::Value::as_f64).collect())
}

/// Peak resident memory in KiB of one run, from GNU time's `%M`.
pub fn peak_rss_kib(spec: &Spec, scratch: &Path) -> Result<f64> {
    let report = scratch.join("time-report");
    let mut args = vec![
        "-f".to_owned(),
        "%M".into(),
        "-o".into(),
        report.display().to_string(),
        spec.program.display().to_string(),
    ];
    args.extend(spec.args.iter().cloned());
    let mut timed = Spec::new("/usr/bin/time", &[]);
    timed.args = args;
    timed.env.clone_from(&spec.env);
    eprintln!("$ /usr/bin/time -f %M {}", spec.display());
    timed.run_quiet()?;
    let text = std::fs::read_to_string(&report).context("GNU time wrote no report")?;
    text.lines()
        .rev()
        .find_map(|l| l.trim().parse::<f64>().ok())
        .context("GNU time's report has no %M figure")
}

/// What wrk measured.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkResult {
    /// Requests per second.
    pub rps: f64,
    /// The 99th percentile latency, in seconds.
    pub p99: f64,
    /// Responses that were not 2xx or 3xx.
    pub errors: u64,
}

/// `wrk -t2 -c8 -dNs --latency url`.
pub fn wrk(url: &str, seconds: u64) -> Result<WrkResult> {
    let spec = Spec::new(
        "wrk",
        &["-t2", "-c8", &format!("-d{seconds}s"), "--latency", url],
    );
    parse_wrk(&spec.stdout()?)
}

/// Parses wrk's report.
pub fn parse_wrk(report: &str) -> Result<WrkResult> {
    let mut rps = None;
    let mut p99 = None;
    let mut errors = 0;
    for line in report.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("99%") {
            p99 = parse_wrk_duration(v.trim());
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += v.trim().parse::<u64>().unwrap_or(0);
        } else if line.starts_with("Socket errors:") {
            errors += line
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    match (rps, p99) {
        (Some(rps), Some(p99)) => Ok(WrkResult { rps, p99, errors }),
        _ => bail!("cannot read requests/s and p99 from wrk's report: {report}"),
    }
}

/// `1.23ms`, `456.00us`, `1.02s`, `2.00m` in seconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        _ => return None,
    };
    Some(value * scale)
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// The status code of `GET path` on `addr`, or an error when nothing answers.
pub fn http_status(addr: SocketAddr, path: &str) -> Result<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0_u8; 32];
    let n = stream.read(&mut head)?;
    let text = String::from_utf8_lossy(&head[..n]);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("not an HTTP answer from {addr}: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 1s test @ http://127.0.0.1:1/intelligence/health/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   210.35us  300.12us   8.01ms   95.00%
    Req/Sec    19.50k     1.20k   21.00k    70.00%
  Latency Distribution
     50%  150.00us
     75%  200.00us
     90%  300.00us
     99%    1.50ms
  38800 requests in 1.00s, 6.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  38794.12
Transfer/sec:      5.99MB
";

    #[test]
    fn reads_wrk_requests_p99_and_errors() {
        let r = parse_wrk(WRK).expect("report");
        assert_eq!(r.rps, 38_794.12);
        assert!((r.p99 - 0.0015).abs() < 1e-12);
        assert_eq!(r.errors, 3);
        assert!(parse_wrk("garbage").is_err());
        assert_eq!(parse_wrk_duration("1.02s"), Some(1.02));
        assert_eq!(parse_wrk_duration("12.00x"), None);
    }

    #[test]
    fn reads_hyperfine_times() {
        let json = r#"{"results":[{"command":"x","times":[0.001,0.002,0.003]}]}"#;
        assert_eq!(
            hyperfine_times(json).expect("times"),
            vec![0.001, 0.002, 0.003]
        );
        assert!(hyperfine_times("{}").is_err());
    }

    #[test]
    fn shows_temporary_paths_short() {
        let spec = Spec::new(
            "/work/target/release/intelligence",
            &["--path", "/tmp/intelligence-bench.Ab12/tree", "-x"],
        );
        assert_eq!(spec.display(), "intelligence --path $TMP/tree -x");
    }

    #[test]
    fn times_a_real_command_and_reports_its_failure() {
        let times = time_runs(&Spec::new("true", &[]), 1, 3).expect("true runs");
        assert_eq!(times.len(), 3);
        assert!(Spec::new("false", &[]).run_quiet().is_err());
    }
}
