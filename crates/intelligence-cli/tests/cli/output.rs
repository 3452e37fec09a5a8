//! Output hygiene: colour only on request or a terminal, nothing but JSON
//! with `--json`, logs on stderr with `-v` or `RUST_LOG`.

use super::support::{Env, stderr, stdout};

#[test]
fn piped_output_has_no_colour_and_forced_output_has() {
    let env = Env::new();
    let plain = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(!stdout(&plain).contains('\u{1b}'), "{}", stdout(&plain));

    let coloured = env
        .cmd()
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(
        stdout(&coloured).contains("\u{1b}["),
        "{}",
        stdout(&coloured)
    );
}

#[test]
fn json_stays_pure_while_logs_go_to_stderr() {
    let env = Env::new();
    let output = env
        .cmd()
        .args(["recommend", "--memory", "--json", "-vvv"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("only JSON on stdout");
    assert!(
        stderr(&output).contains("run succeeded"),
        "{}",
        stderr(&output)
    );

    let output = env
        .cmd()
        .env("RUST_LOG", "debug")
        .args(["recommend", "--memory", "--json"])
        .output()
        .expect("run");
    assert!(
        stderr(&output).contains("run succeeded"),
        "{}",
        stderr(&output)
    );

    let quiet = env
        .cmd()
        .args(["recommend", "--memory"])
        .output()
        .expect("run");
    assert!(stderr(&quiet).is_empty(), "{}", stderr(&quiet));
}

#[test]
fn a_reader_that_went_away_is_not_an_error() {
    let env = Env::new();
    env.cmd().arg("migrate").assert().success();
    for args in [
        &["--json", "providers"][..],
        &["--json", "incidents", "list"][..],
        &["providers"][..],
    ] {
        // A pipe whose reading end is already closed, as after `| head -1`.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_intelligence"))
            .args(args)
            .env("DATABASE_URL", &env.db)
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run");
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        assert!(output.stderr.is_empty(), "{args:?}: {}", stderr(&output));
    }
}
