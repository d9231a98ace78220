//! Odd input to the real binary (issue 11, case 9): dates outside 1970-9999, a
//! `--customer` that is a device, a FIFO, a directory, too big, not UTF-8 or not an object,
//! `--limit 0`, a currency not in ISO 4217, an over-long channel, and a secret typed into
//! the wrong setting. Each ends with exit 64 (input) or 78 (configuration), a one-line
//! message naming the flag, the secret nowhere in the output, and nothing sent.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{
    CARD, SECRET, TOKEN, journal_in, sandbox_env, start_sim, stderr, stdout, till_command, with_var,
};

/// Runs the binary off the async runtime; a run that takes longer than `limit` is killed
/// and fails the test (a FIFO used to hang it for ever).
async fn till_within(args: &[&str], env: Vec<(String, String)>, limit: Duration) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut child = till_command(&args, &env)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let started = Instant::now();
        while child.try_wait().expect("wait works").is_none() {
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{args:?} still running after {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("output is read")
    })
    .await
    .unwrap()
}

async fn till(args: &[&str], env: Vec<(String, String)>) -> Output {
    till_within(args, env, Duration::from_secs(20)).await
}

/// The exit code, one line on stderr naming `flag`, nothing on stdout, no secret anywhere.
fn assert_refused(out: &Output, code: i32, flag: &str, says: &str, what: &str) {
    let (o, e) = (stdout(out), stderr(out));
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stdout {o} stderr {e}"
    );
    assert!(e.contains(flag), "{what}: names {flag}: {e}");
    assert!(e.contains(says), "{what}: says {says:?}: {e}");
    assert_eq!(e.trim_end().lines().count(), 1, "{what}: one line: {e}");
    assert!(o.is_empty(), "{what}: nothing on stdout: {o}");
    for text in [&o, &e] {
        let lower = text.to_lowercase();
        assert!(
            !lower.contains(&SECRET.to_lowercase()) && !lower.contains(&TOKEN.to_lowercase()),
            "{what}: a secret was echoed: {text}"
        );
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_limits_and_customer_files_are_bounded_and_nothing_is_sent() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = || sandbox_env(&sim.base_url(), &journal);
    // A journal with one row, so report and history have something to read.
    let out = till(&["balance", "--account", CARD], env()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sent_before = sim.received().len();

    let csv = dir.path().join("out.csv");
    let csv = csv.to_str().unwrap();
    let dates = "must be a date as YYYY-MM-DD from 1970-01-01 to 9999-12-31";
    for (args, flag) in [
        (vec!["report", "--from=-2026-01-01", "--json"], "--from"),
        (vec!["report", "--from", "+2026-01-01"], "--from"),
        (vec!["report", "--from", "1969-12-31"], "--from"),
        (vec!["report", "--from", "0000-01-01", "--json"], "--from"),
        (vec!["report", "--from", "2026-1-1"], "--from"),
        (vec!["report", "--from", "2026-02-30"], "--from"),
        (
            vec!["report", "--from", "2026-01-01", "--to", "10000-01-01"],
            "--to",
        ),
        (
            vec!["export", "--csv", csv, "--from", "1969-12-31"],
            "--from",
        ),
        (vec!["export", "--csv", csv, "--to=-0001-01-01"], "--to"),
    ] {
        let out = till(&args, env()).await;
        assert_refused(&out, 64, flag, dates, &format!("{args:?}"));
    }
    assert!(
        !Path::new(csv).exists(),
        "no export file for a refused range"
    );
    let out = till(&["report", "--from", "9999-12-31", "--json"], env()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the last day is fine: {}",
        stderr(&out)
    );
    let out = till(&["report", "--from", "1970-01-01", "--json"], env()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the first day is fine: {}",
        stderr(&out)
    );

    for limit in ["0", "-1", "10001", "lots"] {
        let arg = format!("--limit={limit}");
        let out = till(&["history", &arg], env()).await;
        assert_eq!(
            out.status.code(),
            Some(64),
            "--limit {limit}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--limit"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "--limit {limit} prints no row");
    }
    let out = till(&["history", "--limit", "1", "--json"], env()).await;
    assert_eq!(out.status.code(), Some(0));

    let fifo = dir.path().join("customer.fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let fifo = fifo.display().to_string();
    let padded = format!("{{\"firstName\":\"Ann\"{}}}", " ".repeat(64 * 1024));
    let big = write(dir.path(), "big.json", padded.as_bytes());
    let by_position = write(dir.path(), "array.json", br#"["1","Ann"]"#);
    let latin1 = write(dir.path(), "latin1.json", b"{\"firstName\":\"Ren\xe9\"}");
    let folder = dir.path().display().to_string();
    let regular = "not a regular file";
    for (file, says) in [
        ("/dev/zero", regular),
        (fifo.as_str(), regular),
        (folder.as_str(), regular),
        (big.as_str(), "larger than 64 KiB"),
        (by_position.as_str(), "must be one JSON object"),
        (latin1.as_str(), "not UTF-8"),
    ] {
        for op in [
            vec!["top-up", "--account", CARD, "--amount", "5.00"],
            vec!["activate", "--account", CARD],
        ] {
            let mut args = op.clone();
            args.extend(["--customer", file]);
            let out = till_within(&args, env(), Duration::from_secs(10)).await;
            assert_refused(&out, 64, "--customer", says, &format!("{args:?}"));
        }
    }
    assert_eq!(
        sim.received().len(),
        sent_before,
        "nothing refused above reached the server"
    );
    // Just under the bound, an object: accepted and sent.
    let fits = format!("{{\"firstName\":\"Ann\"{}}}", " ".repeat(60 * 1024));
    let fits = write(dir.path(), "fits.json", fits.as_bytes());
    let out = till(
        &[
            "top-up",
            "--account",
            CARD,
            "--amount",
            "5.00",
            "--customer",
            &fits,
        ],
        env(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        sim.received().len() > sent_before,
        "the good top-up was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_name_the_flag_never_echo_the_value_and_send_nothing() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = || sandbox_env(&sim.base_url(), &journal);
    let balance = ["balance", "--account", CARD];
    let long_channel = "C".repeat(33);
    // (extra arguments, environment, what the message names, what it says)
    type Case<'a> = (Vec<String>, Vec<(String, String)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (flag("--currency", "ZZZ"), env(), "--currency", "ISO 4217"),
        (flag("--currency", "XAU"), env(), "--currency", "ISO 4217"),
        (
            flag("--channel", &long_channel),
            env(),
            "--channel",
            "at most 32",
        ),
        // A secret typed or pasted into the wrong setting, as a flag or a variable.
        (flag("--till-id", SECRET), env(), "--till-id", "digits"),
        (flag("--till-id", TOKEN), env(), "--till-id", "digits"),
        (
            flag("--channel", SECRET),
            env(),
            "--channel",
            "letters, digits",
        ),
        (flag("--channel", TOKEN), env(), "--channel", "at most 32"),
        (flag("--currency", SECRET), env(), "--currency", "ISO 4217"),
        (flag("--currency", TOKEN), env(), "--currency", "ISO 4217"),
        (flag("--base-url", SECRET), env(), "--base-url", "not a URL"),
        (
            flag("--base-url", &format!("http://{TOKEN}.example:8080")),
            env(),
            "--base-url",
            "loopback",
        ),
        (
            flag("--base-url", &format!("ftp://{SECRET}/")),
            env(),
            "--base-url",
            "https",
        ),
        (
            flag("--env", SECRET),
            env(),
            "--env",
            "demo, sandbox or production",
        ),
        (
            vec![],
            with_var(env(), "PAYWIZARD_TILL_ID", TOKEN),
            "PAYWIZARD_TILL_ID",
            "digits",
        ),
        (
            vec![],
            with_var(env(), "PAYWIZARD_CURRENCY", SECRET),
            "PAYWIZARD_CURRENCY",
            "ISO 4217",
        ),
    ];
    for (mut args, env, names, says) in cases {
        args.extend(balance.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = till(&refs, env).await;
        assert_refused(&out, 78, names, says, &format!("{args:?}"));
    }
    assert!(sim.received().is_empty(), "bad settings send nothing");
    let out = till(&flag_then("--channel", &"C".repeat(32), &balance), env()).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "32 characters pass the check: {}",
        stderr(&out)
    );
}

fn flag(name: &str, value: &str) -> Vec<String> {
    vec![name.to_owned(), value.to_owned()]
}

fn flag_then<'a>(name: &'a str, value: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![name, value];
    args.extend_from_slice(rest);
    args
}
