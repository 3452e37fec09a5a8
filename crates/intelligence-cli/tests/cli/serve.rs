//! `intelligence serve`: refuses an open bind without a token, and serves the
//! views on the same database the other commands write.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::support::{Env, stderr};

#[test]
fn a_non_loopback_bind_without_a_token_is_a_usage_error() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["serve", "--bind", "0.0.0.0:0"])
        .env_remove("INTELLIGENCE_TOKEN")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("token"), "{}", stderr(&output));
    // Only the refusal: no "serving ..." line for a server that never ran.
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn a_busy_address_prints_only_its_error_and_exits_1() {
    let env = Env::new();
    let busy = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = busy.local_addr().expect("addr").to_string();
    let output = env
        .cmd()
        .args(["serve", "--bind", &addr])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot bind") && err.contains(&addr), "{err}");
}

/// A running `intelligence serve` on a free loopback port, killed on drop.
struct Server {
    child: Child,
    port: u16,
    /// The first line it printed on stderr.
    banner: String,
}

impl Server {
    fn start(env: &Env) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("intelligence"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", &env.db)
            .env("NO_COLOR", "1")
            .env_remove("INTELLIGENCE_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut banner = String::new();
        BufReader::new(child.stderr.take().expect("stderr"))
            .read_line(&mut banner)
            .expect("banner");
        Self {
            child,
            port,
            banner,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn serves_the_runs_the_cli_recorded() {
    let env = Env::new();
    env.cmd().args(["recommend", "--memory"]).assert().success();
    let server = Server::start(&env);
    let port = server.port;
    assert!(
        server
            .banner
            .contains(&format!("serving http://127.0.0.1:{port}/intelligence/")),
        "{}",
        server.banner
    );

    let mut health = String::new();
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            health = get(port, "/intelligence/health/");
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let runs = get(port, "/intelligence/runs/");
    assert!(runs.starts_with("HTTP/1.1 200"), "{runs}");
    assert!(runs.contains("\"analysis_kind\":\"memory\""), "{runs}");
}

#[test]
fn sigterm_stops_serving_and_every_run_is_written() {
    let env = Env::new();
    let mut server = Server::start(&env);
    let port = server.port;

    let mut ids = Vec::new();
    for _ in 0..5 {
        let reply = get(port, "/intelligence/memory/?top_n=1");
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        let body = reply.split("\r\n\r\n").nth(1).expect("body");
        let json: serde_json::Value = serde_json::from_str(body).expect("json");
        ids.push(json["run_id"].as_str().expect("run_id").to_owned());
    }

    let sent = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let status = server.child.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "a clean stop, not death by signal");

    for id in ids {
        let run = env.json(&["runs", "show", &id]);
        assert_eq!(run["status"], "succeeded", "{run}");
    }
}
