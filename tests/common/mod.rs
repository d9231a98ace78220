//! Shared test helpers: a simulator on loopback port 0 and a way to run the real binary.
#![allow(dead_code)]

pub mod pg;
pub mod printer;
pub mod term;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use paywizard_till::config::{Overrides, Secret};
use paywizard_till::sim::{self, SimCredentials, SimHandle, SimOptions};

/// A secret and token nobody could mistake for anything else, so tests can grep for them.
pub const SECRET: &str = "SECRET-d3adb33f-never-show-me";
pub const TOKEN: &str = "TOKEN0NEVERSHOWME0000000000000000";
pub const CLIENT_ID: &str = "825429536610058240";

/// Demo card with USD 50.00 and 120 points.
pub const CARD: &str = "6274000000000014";

pub fn credentials() -> SimCredentials {
    SimCredentials {
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
        jwt_token: TOKEN.into(),
    }
}

/// A simulator with the test credentials, on 127.0.0.1 and a free port.
pub async fn start_sim() -> SimHandle {
    sim::spawn(SimOptions {
        credentials: credentials(),
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts on loopback")
}

/// The real binary with a clean PayWizard environment plus `env`, ready to run.
pub fn till_command<S: AsRef<std::ffi::OsStr>>(args: &[S], env: &[(String, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paywizard-till"));
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("PAYWIZARD") {
            cmd.env_remove(key);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// [`run_till`] off the async runtime, so an in-process simulator keeps serving meanwhile.
pub fn run_async(
    args: &[&str],
    env: Vec<(String, String)>,
) -> impl std::future::Future<Output = Output> + use<> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    async move {
        tokio::task::spawn_blocking(move || run_till(&args, &env))
            .await
            .expect("the binary's runner thread")
    }
}

/// stdout as one JSON object; otherwise a panic that shows both streams.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {}\nstderr: {}",
            stdout(out),
            stderr(out)
        )
    })
}

/// Runs the real binary with a clean PayWizard environment plus `env`.
pub fn run_till(args: &[String], env: &[(String, String)]) -> Output {
    till_command(args, env).output().expect("the binary runs")
}

/// In-process settings for a sandbox till at `base_url` with the test credentials, except
/// the jwt-token, which tests may want wrong.
pub fn sandbox_overrides(base_url: &str, token: &str, till_id: &str) -> Overrides {
    Overrides {
        env: Some("sandbox".into()),
        base_url: Some(base_url.into()),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(Secret::new(SECRET)),
        jwt_token: Some(Secret::new(token)),
        till_id: Some(till_id.into()),
        ..Overrides::default()
    }
}

/// Environment for a sandbox till pointed at `base_url` with the test credentials.
pub fn sandbox_env(base_url: &str, journal: &Path) -> Vec<(String, String)> {
    [
        ("PAYWIZARD_ENV", "sandbox".to_owned()),
        ("PAYWIZARD_BASE_URL", base_url.to_owned()),
        ("PAYWIZARD_CLIENT_ID", CLIENT_ID.to_owned()),
        ("PAYWIZARD_CLIENT_SECRET", SECRET.to_owned()),
        ("PAYWIZARD_JWT_TOKEN", TOKEN.to_owned()),
        ("PAYWIZARD_TILL_JOURNAL", journal.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Replaces (or adds) one variable.
pub fn with_var(mut env: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != key);
    env.push((key.to_owned(), value.to_owned()));
    env
}

/// Removes variables.
pub fn without(mut env: Vec<(String, String)>, keys: &[&str]) -> Vec<(String, String)> {
    env.retain(|(k, _)| !keys.contains(&k.as_str()));
    env
}

pub fn journal_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("journal.sqlite3")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the real binary with `stdin` on its standard input (a PIN for `staff add`).
pub fn run_till_with_stdin(args: &[String], env: &[(String, String)], stdin: &str) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = till_command(args, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("the PIN is written");
    child.wait_with_output().expect("the binary ends")
}

/// `env` signed on as `id` with `pin` (the headless way: environment only).
pub fn as_staff(env: &[(String, String)], id: &str, pin: &str) -> Vec<(String, String)> {
    with_var(
        with_var(env.to_vec(), "PAYWIZARD_CASHIER", id),
        "PAYWIZARD_CASHIER_PIN",
        pin,
    )
}

/// `env` with manager `id`/`pin` approving.
pub fn approved_by(env: &[(String, String)], id: &str, pin: &str) -> Vec<(String, String)> {
    with_var(
        with_var(env.to_vec(), "PAYWIZARD_MANAGER", id),
        "PAYWIZARD_MANAGER_PIN",
        pin,
    )
}

/// Manager `ann` (PIN 48151623) and cashier `bob` (PIN 27182818), added through the binary.
pub const MANAGER: (&str, &str) = ("ann", "48151623");
pub const CASHIER: (&str, &str) = ("bob", "27182818");

/// `env` signed on as the test manager (ann).
pub fn as_manager(env: &[(String, String)]) -> Vec<(String, String)> {
    as_staff(env, MANAGER.0, MANAGER.1)
}

/// `env` signed on as the test cashier (bob).
pub fn as_cashier(env: &[(String, String)]) -> Vec<(String, String)> {
    as_staff(env, CASHIER.0, CASHIER.1)
}

pub fn add_staff(env: &[(String, String)]) {
    let add = |args: &[&str], env: &[(String, String)], pin: &str| {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let out = run_till_with_stdin(&args, env, &format!("{pin}\n"));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    };
    add(
        &[
            "staff",
            "add",
            "--id",
            MANAGER.0,
            "--name",
            "Ann Archer",
            "--role",
            "manager",
        ],
        env,
        MANAGER.1,
    );
    add(
        &[
            "staff",
            "add",
            "--id",
            CASHIER.0,
            "--name",
            "Bob Baker",
            "--role",
            "cashier",
        ],
        &as_staff(env, MANAGER.0, MANAGER.1),
        CASHIER.1,
    );
}
