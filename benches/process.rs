//! `paywizard-till issue-points` as a whole process against a loopback simulator, against a
//! shell script doing the same signed call with `openssl dgst` + `curl`
//! (`benches/curl_issue_points.sh`). Target (issue 7): the till's median wall time at most
//! 0.5x the script's.
//!
//! The simulator runs in this process (`paywizard_till::sim::spawn`, 127.0.0.1, a free
//! port). Each round runs the till once and the script once, alternately, so a busy machine
//! slows both alike; the medians and their ratio are printed.
//!
//! Run: `cargo bench --bench process` (cargo builds the release binary first). Options,
//! by environment: `PROCESS_BENCH_RUNS` (default 40), `PAYWIZARD_TILL_BIN` (another binary).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use paywizard_till::sim::{self, SimCredentials, SimOptions};

const CLIENT_ID: &str = "825429536610058240";
const SECRET: &str = "5f1c0d7e9a2b4c6d8e0f1a3b5c7d9e1f";
const TOKEN: &str = "BENCHTOKEN0000000000000000000001";
const CARD: &str = "6274000000000014";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/curl_issue_points.sh")
}

/// A command with no PayWizard settings from the caller's environment, plus ours.
fn command(program: &Path, base_url: &str, journal: &Path) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PAYWIZARD") {
            cmd.env_remove(key);
        }
    }
    cmd.env("PAYWIZARD_ENV", "sandbox")
        .env("PAYWIZARD_BASE_URL", base_url)
        .env("PAYWIZARD_CLIENT_ID", CLIENT_ID)
        .env("PAYWIZARD_CLIENT_SECRET", SECRET)
        .env("PAYWIZARD_JWT_TOKEN", TOKEN)
        .env("PAYWIZARD_TILL_ID", "7")
        .env("PAYWIZARD_TILL_JOURNAL", journal);
    cmd
}

fn timed(cmd: &mut Command) -> (Duration, Output) {
    let started = Instant::now();
    let out = cmd.output().expect("the process starts");
    (started.elapsed(), out)
}

fn check(what: &str, out: &Output, approved: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(approved),
        "{what} failed ({}):\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    if !common::selected(&["process", "issue-points"]) {
        return;
    }
    // Under `cargo test --benches`: one round, to check both still work.
    let runs: usize = if common::bench_mode() {
        std::env::var("PROCESS_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40)
    } else {
        1
    };
    let till = common::till_binary();
    let script = script();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let simulator = rt
        .block_on(sim::spawn(SimOptions {
            credentials: SimCredentials {
                client_id: CLIENT_ID.into(),
                client_secret: SECRET.into(),
                jwt_token: TOKEN.into(),
            },
            ..SimOptions::default()
        }))
        .expect("the simulator starts on loopback");
    let base_url = simulator.base_url();
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("journal.sqlite3");

    let till_cmd = || {
        let mut cmd = command(&till, &base_url, &journal);
        cmd.args(["issue-points", "--account", CARD, "--points", "1", "--json"]);
        cmd
    };
    let script_cmd = || {
        let mut cmd = command(Path::new("bash"), &base_url, &journal);
        cmd.arg(&script).args([CARD, "1"]);
        cmd
    };

    // Warm up (page cache, the journal file's creation) and check both really work.
    for _ in 0..3 {
        let (_, out) = timed(&mut till_cmd());
        check(
            "paywizard-till issue-points",
            &out,
            r#""status":"approved""#,
        );
        let (_, out) = timed(&mut script_cmd());
        check("curl_issue_points.sh", &out, r#""result":0"#);
    }
    let before = simulator.received().len();
    let (_, out) = timed(&mut till_cmd());
    let till_requests = simulator.received().len() - before;
    check(
        "paywizard-till issue-points",
        &out,
        r#""status":"approved""#,
    );
    let before = simulator.received().len();
    let (_, out) = timed(&mut script_cmd());
    let script_requests = simulator.received().len() - before;
    check("curl_issue_points.sh", &out, r#""result":0"#);

    let mut till_times = Vec::with_capacity(runs);
    let mut script_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (t, out) = timed(&mut till_cmd());
        check(
            "paywizard-till issue-points",
            &out,
            r#""status":"approved""#,
        );
        till_times.push(t);
        let (t, out) = timed(&mut script_cmd());
        check("curl_issue_points.sh", &out, r#""result":0"#);
        script_times.push(t);
    }
    let till_min = *till_times.iter().min().unwrap();
    let script_min = *script_times.iter().min().unwrap();
    let till_median = median(&mut till_times);
    let script_median = median(&mut script_times);
    let ratio = till_median.as_secs_f64() / script_median.as_secs_f64();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "issue-points, whole process, {runs} runs each, alternating (load average {}):",
        load.split_whitespace().next().unwrap_or("?")
    );
    println!(
        "  paywizard-till issue-points --json: median {till_median:.2?} (min {till_min:.2?}), \
         {till_requests} HTTP requests per run"
    );
    println!(
        "  curl_issue_points.sh (bash+openssl+curl): median {script_median:.2?} (min {script_min:.2?}), \
         {script_requests} HTTP request per run"
    );
    println!(
        "  ratio till/script = {ratio:.2}x (target <= 0.50x): {}",
        if ratio <= 0.5 { "MET" } else { "MISSED" }
    );
    drop(simulator);
}
