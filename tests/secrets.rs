//! The client secret and the jwt-token never leave the process except as the HMAC key and
//! the one header: not on stdout or stderr of any subcommand (successes, declines, unknown
//! outcomes, bad input, bad configuration, connection failures, timeouts, clap's own
//! errors, `--help`), not in the journal file or its WAL, not in exports, not on the
//! cashier's screen. Production refuses plain http and a config file others can read.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{
    CARD, SECRET, TOKEN, journal_in, run_till, sandbox_env, start_sim, stderr, stdout, with_var,
    without,
};
use paywizard_till::journal::Journal;
use paywizard_till::sim::{Fault, SimCredentials};
use serde_json::Value;

/// Wrong credentials are credentials too: a refused request must not echo them either.
const WRONG_SECRET: &str = "WRONG-SECRET-c0ffee-keep-hidden";
const WRONG_TOKEN: &str = "WRONGTOKEN0KEEPHIDDEN00000000000";

const HIDDEN: [&str; 4] = [SECRET, TOKEN, WRONG_SECRET, WRONG_TOKEN];

fn assert_hidden(what: &str, bytes: &[u8]) {
    for hidden in HIDDEN {
        let found = bytes.windows(hidden.len()).any(|w| w == hidden.as_bytes());
        assert!(
            !found,
            "{what} contains {hidden:?}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// Runs the binary off the async runtime (the simulator keeps serving) and checks both
/// output streams.
async fn till(args: &[&str], env: Vec<(String, String)>) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let shown = args.join(" ");
    let out = tokio::task::spawn_blocking(move || run_till(&args, &env))
        .await
        .unwrap();
    assert_hidden(&format!("stdout of `{shown}`"), &out.stdout);
    assert_hidden(&format!("stderr of `{shown}`"), &out.stderr);
    assert!(
        !stderr(&out).contains("panicked"),
        "`{shown}` panicked: {}",
        stderr(&out)
    );
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_str(stdout(out).trim()).unwrap_or_else(|e| {
        panic!(
            "not one JSON object ({e}): {} / {}",
            stdout(out),
            stderr(out)
        )
    })
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

/// A config file in its own folder (it holds the secret on purpose), mode `mode`.
fn config_file(dir: &Path, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("till.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_subcommand_or_file_shows_the_secret_or_the_token() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let env = || sandbox_env(&base, &journal);
    let files = tempfile::tempdir().unwrap();
    let customer = files.path().join("customer.json");
    std::fs::write(
        &customer,
        r#"{"customerType":"1","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","phone":"+442079460958"}"#,
    )
    .unwrap();
    let customer = customer.display().to_string();
    let csv = dir.path().join("shift.csv");
    let csv_arg = csv.display().to_string();

    // Every value-moving and reading subcommand, text and JSON.
    let issue = till(
        &[
            "issue-points",
            "--account",
            CARD,
            "--points",
            "25",
            "--json",
        ],
        env(),
    )
    .await;
    assert_eq!(code(&issue), 0, "{}", stderr(&issue));
    // From here on a reader holds the journal open, so the till's WAL is not checkpointed
    // away when it exits: its bytes stay on disk to be inspected at the end.
    let reader = Journal::open_read_only(&journal).unwrap();
    for args in [
        vec!["issue-points", "--account", CARD, "--points", "5"],
        vec![
            "redeem-points",
            "--account",
            CARD,
            "--points",
            "5",
            "--json",
        ],
        vec![
            "top-up",
            "--account",
            "6274000000000030",
            "--amount",
            "10.00",
            "--activate",
            "--customer",
            &customer,
        ],
        vec!["balance", "--account", CARD],
        vec!["balance", "--account", CARD, "--json"],
        vec![
            "activate",
            "--account",
            "914639258868515",
            "--customer",
            &customer,
            "--json",
        ],
    ] {
        let out = till(&args, env()).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }
    let pay = json(
        &till(
            &["pay", "--account", CARD, "--amount", "7.25", "--json"],
            env(),
        )
        .await,
    );
    let pay_order = pay["tranOrderNo"].as_str().unwrap().to_owned();
    let tip = till(&["tip", "--order", &pay_order, "--amount", "1.00"], env()).await;
    assert_eq!(code(&tip), 0, "{}", stderr(&tip));
    let void = till(&["void", "--order", &pay_order, "--json"], env()).await;
    assert_eq!(json(&void)["status"], "approved");

    // Unknown outcomes, then recovery in all its forms.
    sim.faults().push_next(Fault::Pending);
    let pending = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        env(),
    )
    .await;
    assert_eq!(code(&pending), 2);
    sim.faults().push_next(Fault::DropAfterApply);
    let dropped = till(&["pay", "--account", CARD, "--amount", "2.00"], env()).await;
    assert_eq!(code(&dropped), 2);
    let dropped_order = stdout(&dropped)
        .lines()
        .find_map(|l| l.trim().strip_prefix("tranOrderNo"))
        .map(|o| o.trim().to_owned())
        .expect("text output names the tranOrderNo");
    for args in [
        vec!["recover", "--list"],
        vec!["recover", "--list", "--json"],
        vec![
            "recover",
            "--abandon",
            &dropped_order,
            "--reason",
            "customer paid cash",
        ],
        vec!["recover"],
        vec!["recover", "--json"],
    ] {
        let out = till(&args, env()).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }

    for args in [
        vec!["history"],
        vec!["history", "--json", "--limit", "50"],
        vec!["report"],
        vec!["report", "--json"],
        vec!["export", "--csv", &csv_arg],
    ] {
        let out = till(&args, env()).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    }

    // Refusals and failures: wrong credentials, declines, bad input, bad configuration.
    let wrong_secret = with_var(env(), "PAYWIZARD_CLIENT_SECRET", WRONG_SECRET);
    let out = till(
        &["issue-points", "--account", CARD, "--points", "1"],
        wrong_secret,
    )
    .await;
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("invalid sign"), "{}", stdout(&out));
    let wrong_token = with_var(env(), "PAYWIZARD_JWT_TOKEN", WRONG_TOKEN);
    let out = till(
        &["balance", "--account", CARD, "--json"],
        wrong_token.clone(),
    )
    .await;
    assert_eq!(code(&out), 1);
    assert!(json(&out)["msg"].as_str().unwrap().contains("jwt-token"));
    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        wrong_token,
    )
    .await;
    assert_eq!(json(&out)["status"], "rejected");
    let out = till(
        &["pay", "--account", "6274000000000022", "--amount", "99.00"],
        env(),
    )
    .await;
    assert_eq!(code(&out), 1, "declined");
    for (args, want) in [
        (vec!["pay", "--account", CARD, "--amount", "1e3"], 64),
        (
            vec!["issue-points", "--account", "12ab", "--points", "5"],
            64,
        ),
        (
            vec!["void", "--order", "not-an-order-number!", "--json"],
            64,
        ),
        (vec!["tip", "--order", "123", "--amount", "1.00"], 64),
        (vec!["report", "--from", "yesterday"], 64),
        (vec!["frobnicate"], 64),
        (vec!["issue-points", "--account", CARD], 64),
        (vec!["pay", "--account", CARD, "--amount"], 64),
    ] {
        let out = till(&args, env()).await;
        assert_eq!(code(&out), want, "{args:?}: {}", stderr(&out));
    }
    // The secret given as a flag (discouraged, but possible), with a typo or bad input
    // beside it: clap's and our own error messages must not repeat it.
    for args in [
        vec![
            "--client-secret",
            SECRET,
            "issue-points",
            "--account",
            "12ab",
            "--points",
            "5",
        ],
        vec![
            "issue-points",
            &format!("--client-secrt={SECRET}"),
            "--account",
            CARD,
            "--points",
            "5",
        ],
        vec![
            "issue-points",
            "--jwt-token",
            TOKEN,
            "--account",
            CARD,
            "--points",
            "5",
            "--bogus",
        ],
    ] {
        let out = till(&args, env()).await;
        assert_eq!(code(&out), 64, "{args:?}: {}", stderr(&out));
    }
    let out = till(&["issue-points", "--help"], env()).await;
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("PAYWIZARD_CLIENT_SECRET"));
    let out = till(
        &["balance", "--account", CARD],
        without(env(), &["PAYWIZARD_CLIENT_ID"]),
    )
    .await;
    assert_eq!(code(&out), 78, "missing client id");
    let out = till(
        &["balance", "--account", CARD],
        with_var(env(), "PAYWIZARD_BASE_URL", "ftp://127.0.0.1/"),
    )
    .await;
    assert_eq!(code(&out), 78, "bad URL");

    // Network failures: nothing listening, and an answer slower than the timeout.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let out = till(
        &["issue-points", "--account", CARD, "--points", "1", "--json"],
        with_var(env(), "PAYWIZARD_BASE_URL", &format!("http://{closed}")),
    )
    .await;
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(json(&out)["msg"].as_str().unwrap().contains("not sent"));
    let conf_dir = tempfile::tempdir().unwrap();
    let conf = config_file(conf_dir.path(), "request_timeout_ms = 200\n", 0o600);
    sim.faults()
        .push_next(Fault::Delay(Duration::from_millis(600)));
    let out = till(
        &["top-up", "--account", CARD, "--amount", "3.00", "--json"],
        with_var(env(), "PAYWIZARD_TILL_CONFIG", &conf.display().to_string()),
    )
    .await;
    assert_eq!(code(&out), 2);
    assert!(json(&out)["msg"].as_str().unwrap().contains("timed out"));

    // The standalone simulator, given the till's credentials, prints its address only.
    let line = first_line_of_sim(env());
    assert!(line.contains("listening on http://127.0.0.1:"), "{line}");
    assert_hidden("`sim` output", line.as_bytes());

    // The recover after the timeout settles it; then look at every file the till wrote.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let out = till(&["recover", "--json"], env()).await;
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(reader.integrity_check().unwrap().is_ok());

    let wal = journal.with_extension("sqlite3-wal");
    // Settling a row empties the WAL (a checkpoint drops the card number's old bytes), so
    // it is there to inspect but may be empty.
    assert!(
        std::fs::metadata(&wal).is_ok(),
        "the WAL is there to inspect"
    );
    let mut inspected = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert_hidden(&path.display().to_string(), &bytes);
        inspected.push((path, bytes));
    }
    // The checks above looked at real data: the journal (file + WAL) holds the requests.
    let all: Vec<u8> = inspected.iter().flat_map(|(_, b)| b.clone()).collect();
    assert!(
        all.windows(pay_order.len())
            .any(|w| w == pay_order.as_bytes()),
        "the journal files hold the pay's tranOrderNo"
    );
    let names: Vec<String> = inspected
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "journal.sqlite3",
        "journal.sqlite3-wal",
        "journal.sqlite3.lock",
        "shift.csv",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    drop(reader);
}

/// Starts `paywizard-till sim --port 0`, reads its first line, stops it.
fn first_line_of_sim(env: Vec<(String, String)>) -> String {
    let mut child = common::till_command(&["sim", "--port", "0"], &env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    line
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_plain_http_even_to_loopback() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let env = with_var(
        sandbox_env(&sim.base_url(), &journal_in(&dir)),
        "PAYWIZARD_ENV",
        "production",
    );
    let out = till(&["balance", "--account", CARD, "--json"], env).await;
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("PAYWIZARD_BASE_URL (--base-url): production needs https://"),
        "{}",
        stderr(&out)
    );
    assert!(sim.received().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_others_can_read_is_refused_in_production_and_warned_about_in_sandbox() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let conf_dir = tempfile::tempdir().unwrap();
    let settings = |env: &str, base: &str| {
        format!(
            "env = {env:?}\nbase_url = {base:?}\nclient_id = {:?}\nclient_secret = {SECRET:?}\njwt_token = {TOKEN:?}\njournal = {:?}\n",
            common::CLIENT_ID,
            journal.display().to_string()
        )
    };
    let only = |conf: &Path| {
        vec![(
            "PAYWIZARD_TILL_CONFIG".to_owned(),
            conf.display().to_string(),
        )]
    };

    // Sandbox, world-readable: a warning on stderr, and it works.
    let conf = config_file(
        conf_dir.path(),
        &settings("sandbox", &sim.base_url()),
        0o644,
    );
    let out = till(
        &["issue-points", "--account", CARD, "--points", "3", "--json"],
        only(&conf),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning")
            && err.contains("readable by other users")
            && err.contains("chmod 600"),
        "{err}"
    );
    assert_eq!(sim.received().len(), 2, "the points and the new balance");

    // Production, world-readable: refused before anything is sent.
    let production = settings("production", "https://127.0.0.1:9");
    for mode in [0o644, 0o640, 0o604] {
        let conf = config_file(conf_dir.path(), &production, mode);
        let out = till(&["history"], only(&conf)).await;
        assert_eq!(code(&out), 78, "mode {mode:o}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("readable by other users"),
            "{}",
            stderr(&out)
        );
    }
    // Owner-only: accepted (history reads the journal and sends nothing).
    let conf = config_file(conf_dir.path(), &production, 0o600);
    let out = till(&["history", "--json"], only(&conf)).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("readable"), "{}", stderr(&out));
    assert_eq!(json(&out)["entries"].as_array().unwrap().len(), 1);
    assert_eq!(
        sim.received().len(),
        2,
        "production sent nothing to the simulator"
    );
}

/// The reviewed screens hold no credential (neither the test ones nor the simulator's demo
/// ones).
#[test]
fn ui_snapshots_hold_no_credentials() {
    let demo = SimCredentials::demo();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "snap" || e == "new") {
            let text = std::fs::read_to_string(&path).unwrap();
            for hidden in [SECRET, TOKEN, &demo.client_secret, &demo.jwt_token] {
                assert!(
                    !text.contains(hidden),
                    "{} shows a credential",
                    path.display()
                );
            }
            seen += 1;
        }
    }
    assert!(
        seen >= 10,
        "found only {seen} snapshots in {}",
        dir.display()
    );
}

/// The real cashier screen in a pseudo-terminal, sandbox credentials in the environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cashier_screen_never_shows_them() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    let screen = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut term = common::term::Term::spawn(&[], &env, 120, 40);
        let screen = term.wait_for("SANDBOX", Duration::from_secs(15));
        term.send(b"\x11"); // Ctrl+Q
        let exit = term.wait_exit(Duration::from_secs(10));
        (screen, exit)
    })
    .await
    .unwrap();
    let (screen, exit) = screen;
    assert_hidden("the cashier screen", screen.as_bytes());
    assert_eq!(exit, Some(0), "the TUI quits on Ctrl+Q:\n{screen}");
}
