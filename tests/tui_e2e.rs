//! The cashier screen driven end to end: the real binary in a pseudo-terminal, keys sent as
//! a person types them or as a keyboard-wedge scanner bursts them, against the simulator on
//! loopback. What is asserted is what the cashier reads on screen and what PayWizard
//! receives.

mod common;

use std::time::Duration;

use common::term::Term;
use common::{CARD, journal_in, sandbox_env, start_sim};

const TAB: &str = "\t";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const CTRL_Q: &str = "\x11";
/// A person's pace: well above the scanner's 30 ms average-gap limit.
const PERSON: Duration = Duration::from_millis(110);
const SCREEN_WAIT: Duration = Duration::from_secs(15);
/// Longer than a window that opens by itself waits before it takes keys.
const READ_WINDOW: Duration = Duration::from_millis(800);

fn till(base_url: &str, dir: &tempfile::TempDir, cols: u16, rows: u16) -> Term {
    let env = sandbox_env(base_url, &journal_in(dir));
    let home = dir.path().display().to_string();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("HOME", &home));
    let term = Term::spawn(&[], &env, cols, rows);
    term.wait_for("Ready", SCREEN_WAIT);
    term
}

/// The history line for the newest row, found by its masked card and entry type.
fn history_has(screen: &str, entry: char, quantity: &str, outcome: &str) -> bool {
    screen.lines().any(|line| {
        line.contains("Issue points")
            && line.contains("**** **** 0014")
            && line.contains(&format!(" {entry}  "))
            && line.contains(quantity)
            && line.contains(outcome)
    })
}

fn entry_types_received(sim: &paywizard_till::sim::SimHandle) -> Vec<String> {
    sim.received()
        .iter()
        .filter(|r| r.endpoint == "loyaltyIssuance")
        .map(|r| {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            body["entryType"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_then_scanned_points_issue_shows_k_then_b_and_sends_them() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);

        // A person types the card, Tab, 25, Enter: four keys after the card number.
        term.type_slowly(CARD, PERSON);
        term.wait_for("[K] keyed", SCREEN_WAIT);
        term.type_slowly(&format!("{TAB}25{ENTER}"), PERSON);
        let screen = term.wait_for("APPROVED", SCREEN_WAIT);
        assert!(screen.contains("145 pts"), "new balance shown:\n{screen}");
        assert!(
            !screen.contains(CARD),
            "the full card number stays off screen once sent:\n{screen}"
        );
        assert!(history_has(&screen, 'K', "25 pts", "approved"), "{screen}");

        // Next customer: Esc, then the scanner bursts the number and its Enter suffix.
        term.send(ESC.as_bytes());
        term.wait_for("Ready", SCREEN_WAIT);
        term.send(format!("{CARD}{ENTER}").as_bytes());
        let screen = term.wait_for("[B] scanned", SCREEN_WAIT);
        assert!(
            !screen.contains("APPROVED"),
            "the scanner's Enter must not submit the form:\n{screen}"
        );
        term.type_slowly(&format!("10{ENTER}"), PERSON);
        let screen = term.wait_for("155 pts", SCREEN_WAIT);
        assert!(history_has(&screen, 'B', "10 pts", "approved"), "{screen}");
        assert!(history_has(&screen, 'K', "25 pts", "approved"), "{screen}");

        term.send(CTRL_Q.as_bytes());
        assert_eq!(
            term.wait_exit(SCREEN_WAIT),
            Some(0),
            "Ctrl+Q quits when idle"
        );
        (sim, dir)
    })
    .await
    .unwrap();

    assert_eq!(entry_types_received(&sim), ["K", "B"]);
    assert_eq!(sim.card(CARD).unwrap().points, 155);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_two_digits_then_scanning_keeps_only_the_scan() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 120, 40);
        term.type_slowly("99", PERSON);
        term.wait_for("99", SCREEN_WAIT);
        term.send(format!("{CARD}{ENTER}").as_bytes());
        term.wait_for("[B] scanned", SCREEN_WAIT);
        term.type_slowly(&format!("5{ENTER}"), PERSON);
        let screen = term.wait_for("APPROVED", SCREEN_WAIT);
        assert!(history_has(&screen, 'B', "5 pts", "approved"), "{screen}");
        (sim, dir)
    })
    .await
    .unwrap();
    let issued: Vec<serde_json::Value> = sim
        .received()
        .iter()
        .filter(|r| r.endpoint == "loyaltyIssuance")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["accountId"], CARD, "no typed digit leaked in");
    assert_eq!(issued[0]["entryType"], "B");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_gone_mid_request_is_unknown_never_approved() {
    let sim = start_sim().await;
    sim.faults().set_latency(Duration::from_secs(30));
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let mut term = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        term.send(format!("{CARD}{ENTER}").as_bytes());
        term.wait_for("[B] scanned", SCREEN_WAIT);
        term.type_slowly(&format!("7{ENTER}"), PERSON);
        term.wait_for("waiting", SCREEN_WAIT);
        (term, dir)
    })
    .await
    .unwrap();
    // The server dies while the till waits for its answer.
    sim.shutdown().await;
    let screen = tokio::task::spawn_blocking(move || {
        let screen = term.0.wait_for("UNKNOWN", SCREEN_WAIT);
        // Quitting with an outcome not known asks first, and says how many.
        term.0.send(CTRL_Q.as_bytes());
        let question = term.0.wait_for("Quit?", SCREEN_WAIT);
        assert!(
            question.contains("1 request with no known outcome"),
            "{question}"
        );
        term.0.send(b"y");
        assert_eq!(term.0.wait_exit(SCREEN_WAIT), Some(0));
        screen
    })
    .await
    .unwrap();
    assert!(screen.contains("do NOT repeat"), "{screen}");
    assert!(!screen.contains("APPROVED"), "{screen}");
    assert!(history_has(&screen, 'B', "7 pts", "UNKNOWN"), "{screen}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_killed_mid_payment_offers_recovery_on_restart_and_charges_once() {
    let sim = start_sim().await;
    sim.faults().set_latency(Duration::from_millis(1500));
    let start = sim.card(CARD).unwrap().money_minor;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let dir = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        term.send(b"\x1bOS"); // F4: Pay
        term.wait_for("Amount (USD)", SCREEN_WAIT);
        term.send(format!("{CARD}{ENTER}").as_bytes());
        term.wait_for("[B] scanned", SCREEN_WAIT);
        term.type_slowly(&format!("8{ENTER}"), PERSON);
        term.wait_for("waiting", SCREEN_WAIT);
        term.kill_hard();
        dir
    })
    .await
    .unwrap();
    // The server may or may not have applied it; the next till must not guess.
    sim.faults().set_latency(Duration::ZERO);
    let base_url = sim.base_url();
    let screen = tokio::task::spawn_blocking(move || {
        let mut term = Term::spawn(
            &[],
            &sandbox_env(&base_url, &journal_in(&dir))
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain([("HOME", dir.path().to_str().unwrap())])
                .collect::<Vec<_>>(),
            80,
            24,
        );
        let prompt = term.wait_for("Recovery", SCREEN_WAIT);
        assert!(
            prompt.contains("1 request may have gone through"),
            "{prompt}"
        );
        assert!(
            prompt.contains("1 unknown"),
            "the header counts it:\n{prompt}"
        );
        // A person reads the window before answering it (keys typed before it can have
        // been read go to the till instead).
        std::thread::sleep(READ_WINDOW);
        term.send(b"r");
        let screen = term.wait_for("went through (once)", SCREEN_WAIT);
        term.send(ESC.as_bytes());
        // A lone Esc and the next key in one read would be Alt+key.
        std::thread::sleep(PERSON);
        term.send(CTRL_Q.as_bytes());
        assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0));
        screen
    })
    .await
    .unwrap();
    assert!(screen.contains("Nothing to recover"), "{screen}");
    let payments: Vec<_> = sim.transactions();
    assert_eq!(payments.len(), 1, "one payment, however many sends");
    assert_eq!(sim.card(CARD).unwrap().money_minor, start - 800);
}
