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

// ---------------------------------------------------------------------------------------
// Counter safety (issue: a person at the till cannot move money by mistake). Each case is
// the one a cashier hit, replayed against the simulator; its ledger is the proof.

const F2: &str = "\x1bOQ";
const F3: &str = "\x1bOR";
const F4: &str = "\x1bOS";
const CTRL_L: &str = "\x0c";
const CTRL_O: &str = "\x0f";
const SHIFT_TAB: &str = "\x1b[Z";
const DOWN: &str = "\x1b[B";
/// Demo card with USD 5.00 and no points.
const SHORT_CARD: &str = "6274000000000022";

/// Sends a special key (F-key, Esc...) and lets it land on its own, as a person's would.
fn press(term: &mut Term, key: &str) {
    term.send(key.as_bytes());
    std::thread::sleep(PERSON);
}

/// The scanner bursts `card` with its Enter suffix.
fn scan(term: &mut Term, card: &str) {
    term.send(format!("{card}{ENTER}").as_bytes());
    std::thread::sleep(PERSON);
}

/// Waits until `needle` has been on screen and the screen has stopped changing for a
/// moment (so "nothing happened" is a real observation, not a race).
fn settled(term: &Term, needle: &str) -> String {
    term.wait_for(needle, SCREEN_WAIT);
    let mut last = term.screen();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = term.screen();
        if now == last {
            return now;
        }
        last = now;
    }
}

fn count(sim: &paywizard_till::sim::SimHandle, op: paywizard_till::api::Operation) -> usize {
    sim.transactions()
        .iter()
        .filter(|t| t.operation == op)
        .count()
}

fn quit(term: &mut Term) {
    term.send(CTRL_Q.as_bytes());
    assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0), "Ctrl+Q quits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_1_a_rescan_and_enter_after_a_sale_charges_nothing_more() {
    use paywizard_till::api::Operation;
    let sim = start_sim().await;
    let start = sim.card(CARD).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        press(&mut term, F4);
        scan(&mut term, CARD);
        term.type_slowly(&format!("1{ENTER}"), PERSON);
        term.wait_for("APPROVED", SCREEN_WAIT);
        // The same card scanned again, and Enter: the sale is over, nothing to send.
        scan(&mut term, CARD);
        term.wait_for("Card scanned", SCREEN_WAIT);
        press(&mut term, ENTER);
        let screen = settled(&term, "NOT SENT");
        assert!(screen.contains("Amount (USD)"), "{screen}");
        // Typing the amount again: the till asks, and Enter is not a yes.
        term.type_slowly(&format!("1{ENTER}"), PERSON);
        let question = term.wait_for("Same sale again?", SCREEN_WAIT);
        assert!(
            question.contains("Earlier"),
            "names the earlier sale:\n{question}"
        );
        press(&mut term, ENTER);
        scan(&mut term, CARD);
        let screen = settled(&term, "Same sale again?");
        assert!(screen.contains("Same sale again?"), "{screen}");
        press(&mut term, "n");
        term.wait_for("not sent: nothing was charged", SCREEN_WAIT);
        // Points the same way.
        press(&mut term, F2);
        scan(&mut term, CARD);
        term.type_slowly(&format!("25{ENTER}"), PERSON);
        term.wait_for("145 pts", SCREEN_WAIT);
        scan(&mut term, CARD);
        press(&mut term, ENTER);
        settled(&term, "NOT SENT");
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    assert_eq!(count(&sim, Operation::Pay), 1, "one payment");
    assert_eq!(count(&sim, Operation::IssuePoints), 1, "one issuance");
    let card = sim.card(CARD).unwrap();
    assert_eq!(card.money_minor, start.money_minor - 100);
    assert_eq!(card.points, start.points + 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_2_values_never_carry_to_the_next_customer_or_operation() {
    let sim = start_sim().await;
    let start = sim.card(CARD).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        scan(&mut term, CARD);
        term.type_slowly(&format!("25{ENTER}"), PERSON);
        term.wait_for("145 pts", SCREEN_WAIT);
        // The next scan starts with empty points: 3 is 3, not 253.
        scan(&mut term, CARD);
        let screen = term.wait_for("Card scanned", SCREEN_WAIT);
        assert!(
            screen.contains("e.g. 25"),
            "the points field is empty:\n{screen}"
        );
        term.type_slowly(&format!("3{ENTER}"), PERSON);
        term.wait_for("148 pts", SCREEN_WAIT);
        // Top-up's amount does not ride along to Pay.
        press(&mut term, F3);
        scan(&mut term, CARD);
        term.type_slowly("20", PERSON);
        press(&mut term, F4);
        let screen = term.wait_for("Allow partial", SCREEN_WAIT);
        assert!(
            screen.contains("e.g. 10.50"),
            "the amount is empty:\n{screen}"
        );
        press(&mut term, ENTER);
        settled(&term, "NOT SENT");
        // Typing into a scanned card field starts a new card; it never appends.
        press(&mut term, F2);
        scan(&mut term, CARD);
        term.wait_for("Card scanned", SCREEN_WAIT);
        press(&mut term, SHIFT_TAB);
        term.type_slowly(SHORT_CARD, PERSON);
        term.type_slowly(&format!("{TAB}5{ENTER}"), PERSON);
        term.wait_for("APPROVED", SCREEN_WAIT);
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    let card = sim.card(CARD).unwrap();
    assert_eq!(card.points, start.points + 25 + 3);
    assert_eq!(card.money_minor, start.money_minor, "no top-up, no payment");
    assert_eq!(sim.card(SHORT_CARD).unwrap().points, 5);
    let last: serde_json::Value =
        serde_json::from_slice(&sim.received().last().unwrap().body).unwrap();
    assert_eq!(last["accountId"], SHORT_CARD, "the new card, not 32 digits");
    assert_eq!(last["entryType"], "K");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_3_keys_behind_the_too_small_screen_do_nothing_and_60x15_works() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        term.resize(50, 12);
        term.wait_for("terminal too small", SCREEN_WAIT);
        scan(&mut term, CARD);
        term.type_slowly(&format!("7{ENTER}"), PERSON);
        press(&mut term, F4);
        term.type_slowly(&format!("7{ENTER}"), PERSON);
        settled(&term, "terminal too small");
        // Back to a usable size: the form is as it was, empty.
        term.resize(60, 15);
        let screen = settled(&term, "Ready — scan, swipe or type");
        assert!(screen.contains("Issue points"), "{screen}");
        assert!(screen.contains("scan, swipe or type"), "{screen}");
        // 60x15 is usable: a whole sale.
        scan(&mut term, CARD);
        term.type_slowly(&format!("7{ENTER}"), PERSON);
        term.wait_for("APPROVED", SCREEN_WAIT);
        // And from the too-small screen, Ctrl+Q still quits.
        term.resize(40, 10);
        term.wait_for("terminal too small", SCREEN_WAIT);
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    assert_eq!(
        entry_types_received(&sim),
        ["B"],
        "only the sale made at 60x15 was sent"
    );
    assert_eq!(sim.transactions().len(), 1);
    assert_eq!(sim.card(CARD).unwrap().points, 127);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_4_a_void_takes_the_newest_sale_and_names_it() {
    use paywizard_till::api::Operation;
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        for points in ["10", "20"] {
            scan(&mut term, CARD);
            term.type_slowly(&format!("{points}{ENTER}"), PERSON);
            term.wait_for(&format!("{points} pts · **** **** 0014"), SCREEN_WAIT);
        }
        // Into the history, onto the older sale, and back out.
        press(&mut term, CTRL_L);
        press(&mut term, DOWN);
        press(&mut term, ESC);
        scan(&mut term, CARD);
        term.type_slowly(&format!("30{ENTER}"), PERSON);
        term.wait_for("180 pts", SCREEN_WAIT);
        press(&mut term, CTRL_L);
        press(&mut term, "v");
        let question = term.wait_for("Void?", SCREEN_WAIT);
        assert!(
            question.contains("Issue points · 30 pts"),
            "the newest sale, by name:\n{question}"
        );
        assert!(question.contains("**** **** 0014"), "{question}");
        press(&mut term, ENTER);
        assert!(term.screen().contains("Void?"), "Enter is not a yes");
        press(&mut term, "y");
        let done = term.wait_for("Reversed:", SCREEN_WAIT);
        assert!(done.contains("Issue points 30 pts"), "{done}");
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    let txns = sim.transactions();
    let voided: Vec<i64> = txns
        .iter()
        .filter(|t| t.voided)
        .map(|t| t.points_delta)
        .collect();
    assert_eq!(voided, [30], "the 30-point sale, and only it");
    assert_eq!(count(&sim, Operation::Void), 1);
    assert_eq!(sim.card(CARD).unwrap().points, 120 + 10 + 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_5_a_partial_approval_says_what_was_taken_and_what_is_left() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        press(&mut term, F4);
        scan(&mut term, SHORT_CARD);
        term.type_slowly(&format!("7{TAB} {ENTER}"), PERSON);
        let screen = term.wait_for("APPROVED", SCREEN_WAIT);
        assert!(
            screen.contains("APPROVED USD 5.00 of 7.00 — collect USD 2.00 another way"),
            "{screen}"
        );
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    assert_eq!(sim.card(SHORT_CARD).unwrap().money_minor, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_6_a_burst_of_letters_is_a_name_not_a_card() {
    let sim = start_sim().await;
    let start = sim.card(CARD).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        press(&mut term, F3);
        scan(&mut term, CARD);
        term.type_slowly("5", PERSON);
        press(&mut term, CTRL_O);
        press(&mut term, TAB); // first name
        term.send(b"Margaret");
        let screen = settled(&term, "Margaret");
        assert!(
            screen.contains("**** **** 0014"),
            "the card stays:\n{screen}"
        );
        assert!(screen.contains("[B] scanned"), "{screen}");
        press(&mut term, ENTER);
        term.wait_for("APPROVED", SCREEN_WAIT);
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    let card = sim.card(CARD).unwrap();
    assert_eq!(card.money_minor, start.money_minor + 500);
    assert_eq!(card.customer.unwrap().first_name, "Margaret");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_7_after_a_scan_the_focus_and_the_status_name_the_same_field() {
    let sim = start_sim().await;
    let start = sim.card(CARD).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        // Typing a customer's name, then the scan.
        press(&mut term, F3);
        press(&mut term, CTRL_O);
        press(&mut term, TAB);
        term.type_slowly("Jo", PERSON);
        scan(&mut term, CARD);
        let screen = term.wait_for("Card scanned", SCREEN_WAIT);
        assert!(
            screen.contains("Amount (USD): type the amount"),
            "the status names the field:\n{screen}"
        );
        term.type_slowly(&format!("5{ENTER}"), PERSON);
        term.wait_for("APPROVED", SCREEN_WAIT);
        // On the NSF box, then the scan: the figure still goes into the amount.
        press(&mut term, F4);
        press(&mut term, TAB);
        press(&mut term, TAB);
        scan(&mut term, CARD);
        let screen = term.wait_for("Card scanned", SCREEN_WAIT);
        assert!(screen.contains("Amount (USD): type the amount"), "{screen}");
        term.type_slowly(&format!("2{ENTER}"), PERSON);
        let screen = term.wait_for("APPROVED", SCREEN_WAIT);
        assert!(screen.contains("Pay · USD 2.00"), "{screen}");
        quit(&mut term);
        (sim, dir)
    })
    .await
    .unwrap();
    let card = sim.card(CARD).unwrap();
    assert_eq!(card.money_minor, start.money_minor + 500 - 200);
    assert_eq!(card.customer.unwrap().first_name, "Jo");
}

/// Leaves one request with no known outcome in the journal: the till is killed mid-payment.
#[cfg(unix)]
fn leave_an_unknown_row(base_url: &str, dir: &tempfile::TempDir) {
    let mut term = till(base_url, dir, 80, 24);
    press(&mut term, F4);
    scan(&mut term, CARD);
    term.type_slowly(&format!("8{ENTER}"), PERSON);
    term.wait_for("waiting", SCREEN_WAIT);
    term.kill_hard();
}

#[cfg(unix)]
fn restart(base_url: &str, dir: &tempfile::TempDir) -> Term {
    let home = dir.path().display().to_string();
    let env = sandbox_env(base_url, &journal_in(dir));
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("HOME", &home));
    Term::spawn(&[], &env, 80, 24)
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_8_ctrl_q_quits_from_the_recovery_window_and_keys_typed_at_start_are_kept() {
    let sim = start_sim().await;
    sim.faults().set_latency(Duration::from_millis(1500));
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let dir = tokio::task::spawn_blocking(move || {
        leave_an_unknown_row(&base_url, &dir);
        dir
    })
    .await
    .unwrap();
    sim.faults().set_latency(Duration::ZERO);
    let base_url = sim.base_url();
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        // The window opens by itself; Ctrl+Q there quits (after saying what is open).
        let mut term = restart(&base_url, &dir);
        term.wait_for("Recovery", SCREEN_WAIT);
        std::thread::sleep(READ_WINDOW);
        term.send(CTRL_Q.as_bytes());
        let question = term.wait_for("Quit?", SCREEN_WAIT);
        assert!(
            question.contains("1 request with no known outcome"),
            "{question}"
        );
        term.send(b"y");
        assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0));
        // Keys typed while the till is still starting go where they were typed.
        let mut term = restart(&base_url, &dir);
        term.wait_for("PAYWIZARD TILL", SCREEN_WAIT);
        scan(&mut term, CARD);
        term.type_slowly("5", PERSON);
        let screen = settled(&term, "Card scanned");
        assert!(
            !screen.contains("Recovery —"),
            "the window stepped aside:\n{screen}"
        );
        assert!(
            screen.contains("1 unknown"),
            "and the header still counts it:\n{screen}"
        );
        press(&mut term, ENTER);
        term.wait_for("125 pts", SCREEN_WAIT);
        term.send(CTRL_Q.as_bytes());
        term.wait_for("Quit?", SCREEN_WAIT);
        term.send(b"y");
        assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0));
        (sim, dir)
    })
    .await
    .unwrap();
    assert_eq!(
        sim.card(CARD).unwrap().points,
        125,
        "the 5 points typed at start"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_is_restored_on_sigterm_sigint_and_sighup() {
    let sim = start_sim().await;
    let base_url = sim.base_url();
    tokio::task::spawn_blocking(move || {
        for (name, signal) in [
            ("SIGTERM", libc::SIGTERM),
            ("SIGINT", libc::SIGINT),
            ("SIGHUP", libc::SIGHUP),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let mut term = till(&base_url, &dir, 80, 24);
            assert!(
                term.alternate_screen(),
                "{name}: running on the alternate screen"
            );
            assert_eq!(
                term.line_mode(),
                Some((false, false)),
                "{name}: raw while running"
            );
            term.signal(signal);
            assert!(
                term.wait_exit(SCREEN_WAIT).is_some(),
                "{name}: the till exits"
            );
            // The reader thread may still be taking the last bytes.
            std::thread::sleep(Duration::from_millis(200));
            let output = term.output();
            let wrote = |seq: &[u8]| output.windows(seq.len()).any(|w| w == seq);
            assert!(wrote(b"\x1b[?1049l"), "{name}: left the alternate screen");
            assert!(wrote(b"\x1b[?25h"), "{name}: showed the cursor");
            assert!(!term.alternate_screen(), "{name}");
            assert!(!term.cursor_hidden(), "{name}");
            assert!(!term.bracketed_paste(), "{name}: bracketed paste off");
            assert_eq!(
                term.line_mode(),
                Some((true, true)),
                "{name}: canonical input and echo are back (stty sane)"
            );
        }
    })
    .await
    .unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_mid_request_restores_the_terminal_and_the_request_is_accounted_for() {
    let sim = start_sim().await;
    sim.faults().set_latency(Duration::from_millis(1500));
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let (screen, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till(&base_url, &dir, 80, 24);
        press(&mut term, F4);
        scan(&mut term, CARD);
        term.type_slowly(&format!("8{ENTER}"), PERSON);
        term.wait_for("waiting", SCREEN_WAIT);
        term.signal(libc::SIGTERM);
        assert!(term.wait_exit(SCREEN_WAIT).is_some());
        std::thread::sleep(Duration::from_millis(200));
        assert!(!term.alternate_screen());
        assert_eq!(term.line_mode(), Some((true, true)));
        // The journal has it: a new till shows how it ended (or offers to resolve it).
        let term = restart(&base_url, &dir);
        let screen = settled(&term, "this shift (1)");
        (screen, dir)
    })
    .await
    .unwrap();
    assert!(screen.contains("USD 8.00"), "{screen}");
    assert!(
        screen.contains("approved") || screen.contains("unknown"),
        "{screen}"
    );
    assert_eq!(sim.transactions().len(), 1, "sent once");
}

// Receipts on a printer at the screen: a stand-in ESC/POS printer on loopback, decoded.

const CTRL_P: &str = "\x10";

/// A till whose `[printer]` is the stand-in at `printer`, printing each approval by itself.
fn till_with_printer(base_url: &str, dir: &tempfile::TempDir, printer: &str) -> Term {
    let config = dir.path().join("till.toml");
    std::fs::write(&config, "[printer]\nauto = true\nwidth = 42\n").unwrap();
    let mut env = sandbox_env(base_url, &journal_in(dir));
    env.push(("PAYWIZARD_TILL_CONFIG".into(), config.display().to_string()));
    env.push(("PAYWIZARD_PRINTER".into(), printer.to_owned()));
    env.push(("HOME".into(), dir.path().display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let term = Term::spawn(&[], &env, 120, 40);
    term.wait_for("Ready", SCREEN_WAIT);
    term
}

/// The tranOrderNo the status pane shows for the last outcome.
fn order_on_screen(screen: &str) -> String {
    let at = screen
        .find("tranOrderNo ")
        .expect("a tranOrderNo on screen")
        + 12;
    screen[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

/// What the paper says, and the commands around it, checked against the issue's list.
fn assert_a_training_original(job: &[u8], order: &str) -> String {
    use common::printer::{Op, decode, lines, qr_codes};
    let ops = decode(job).expect("only ESC/POS the decoder knows");
    assert_eq!(ops.first(), Some(&Op::Init), "ESC @ first: {ops:?}");
    assert_eq!(
        qr_codes(&ops),
        [order],
        "the QR code carries the tranOrderNo"
    );
    assert!(ops.contains(&Op::Cut), "cut at the end: {ops:?}");
    let paper = lines(&ops).join("\n");
    assert!(paper.contains("**** **** 0014"), "masked card:\n{paper}");
    assert!(!paper.contains(CARD), "never the full number:\n{paper}");
    assert!(
        paper.contains("TRAINING / TEST -- NOT A REAL TRANSACTION"),
        "a sandbox till is not production:\n{paper}"
    );
    paper
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_auto_an_approval_prints_while_the_next_sale_is_typed_and_sent() {
    use common::printer::{Behaviour, StandIn};
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    // Slow to take the first job: it is not on paper until 3 s after the till sent it.
    let printer = StandIn::start(vec![
        Behaviour::SlowToRead(Duration::from_secs(3)),
        Behaviour::Print,
    ]);
    let (sim, _dir) = tokio::task::spawn_blocking(move || {
        let mut term = till_with_printer(&base_url, &dir, &printer.address());
        scan(&mut term, CARD);
        term.type_slowly(&format!("25{ENTER}"), PERSON);
        let first = order_on_screen(&term.wait_for("APPROVED", SCREEN_WAIT));

        // The next customer's card is scanned while the first receipt is still printing.
        scan(&mut term, CARD);
        let typing = term.wait_for("[B] scanned", SCREEN_WAIT);
        assert!(
            typing.contains("printing…"),
            "the keys land while the print is out:\n{typing}"
        );
        term.type_slowly(&format!("10{ENTER}"), PERSON);
        let screen = term.wait_for("155 pts", SCREEN_WAIT);
        assert!(
            printer.jobs.try_recv().is_err(),
            "the next sale was sent and answered before the printer took the first receipt"
        );
        let second = order_on_screen(&screen);
        assert_ne!(first, second);

        assert_a_training_original(&printer.next_job(), &first);
        let paper = assert_a_training_original(&printer.next_job(), &second);
        assert!(!paper.contains("COPY"), "an original:\n{paper}");
        term.wait_for("printed", SCREEN_WAIT);

        // The first sale's receipt again, from the history: rebuilt from the journal, a COPY.
        press(&mut term, CTRL_L);
        press(&mut term, DOWN);
        press(&mut term, CTRL_P);
        let window = term.wait_for("Receipt — reprint", SCREEN_WAIT);
        assert!(window.contains(&first), "{window}");
        assert!(window.contains("*** COPY ***"), "{window}");
        press(&mut term, "p");
        let ops = common::printer::decode(&printer.next_job()).unwrap();
        assert_eq!(common::printer::qr_codes(&ops), [first]);
        let paper = common::printer::lines(&ops).join("\n");
        assert!(paper.contains("*** COPY ***"), "{paper}");
        assert!(paper.contains("25 pts"), "{paper}");
        quit(&mut term);
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
    assert_eq!(issued.len(), 2, "both sales went out, once each");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_is_down_keeps_the_receipt_and_ctrl_p_then_p_prints_it_once() {
    use common::printer::{Behaviour, StandIn, dead_port};
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let base_url = sim.base_url();
    let port = dead_port();
    let _dir = tokio::task::spawn_blocking(move || {
        let mut term = till_with_printer(&base_url, &dir, &format!("127.0.0.1:{port}"));
        scan(&mut term, CARD);
        term.type_slowly(&format!("25{ENTER}"), PERSON);
        let order = order_on_screen(&term.wait_for("APPROVED", SCREEN_WAIT));
        let screen = term.wait_for(
            "printer offline — receipt kept (Ctrl+P to retry)",
            SCREEN_WAIT,
        );
        assert!(
            screen.contains(&format!("printer tcp://127.0.0.1:{port} refused")),
            "names the printer and what is wrong:\n{screen}"
        );

        // The printer is back.
        let printer = StandIn::start_on(port, vec![Behaviour::Print]);
        press(&mut term, CTRL_P);
        let window = term.wait_for("print it now", SCREEN_WAIT);
        assert!(window.contains("it is kept"), "{window}");
        press(&mut term, "p");
        term.wait_for("printed", SCREEN_WAIT);
        let paper = assert_a_training_original(&printer.next_job(), &order);
        assert!(!paper.contains("COPY"), "the kept original:\n{paper}");
        assert!(
            printer.no_more_jobs(Duration::from_millis(700)),
            "printed once"
        );
        let screen = settled(&term, "printed");
        assert!(!screen.contains("receipt kept"), "{screen}");

        // Again: now it is a reprint, and the paper says so.
        press(&mut term, CTRL_P);
        term.wait_for("print a COPY", SCREEN_WAIT);
        press(&mut term, "p");
        let job = printer.next_job();
        let ops = common::printer::decode(&job).unwrap();
        assert_eq!(common::printer::qr_codes(&ops), [order]);
        assert!(
            common::printer::lines(&ops)
                .join("\n")
                .contains("*** COPY ***"),
            "a reprint says COPY"
        );
        quit(&mut term);
        dir
    })
    .await
    .unwrap();
}
