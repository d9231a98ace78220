//! A till with staff, driven end to end: the real binary in a pseudo-terminal against the
//! simulator on loopback, staff added through `paywizard-till staff add` first. Sign-on
//! (the PIN never on screen, nor anywhere in what the program wrote), a sale under the
//! cashier's name, a void a manager approves in the overlay, the idle lock with a request in
//! flight that still finishes, is journaled and shows once the cashier is back.

mod common;

use std::time::Duration;

use common::term::Term;
use common::{
    CARD, CASHIER, MANAGER, add_staff, as_staff, journal_in, run_till, sandbox_env, start_sim,
    stderr, stdout,
};
use serde_json::Value;

const TAB: &str = "\t";
const ENTER: &str = "\r";
const CTRL_L: &str = "\x0c";
const CTRL_Q: &str = "\x11";
const CTRL_X: &str = "\x18";
const PERSON: Duration = Duration::from_millis(110);
const SCREEN_WAIT: Duration = Duration::from_secs(20);

type Env = Vec<(String, String)>;

fn env_with_home(env: &Env, dir: &tempfile::TempDir) -> Env {
    let mut env = env.clone();
    env.push(("HOME".into(), dir.path().display().to_string()));
    env
}

fn spawn(env: &Env) -> Term {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Term::spawn(&[], &env, 120, 40)
}

/// An id typed by a person, then the PIN as one burst (as fast as a keyboard can go: the
/// scanner must not take it for a card), then Enter.
fn sign_on(term: &mut Term, id: &str, pin: &str) {
    term.type_slowly(id, PERSON);
    term.send(ENTER.as_bytes());
    term.send(pin.as_bytes());
    std::thread::sleep(PERSON);
    term.send(ENTER.as_bytes());
}

fn assert_never_shown(term: &Term, pins: &[&str]) {
    let screen = term.screen();
    let raw = term.output();
    for pin in pins {
        assert!(!screen.contains(pin), "a PIN on screen:\n{screen}");
        assert!(
            !raw.windows(pin.len()).any(|w| w == pin.as_bytes()),
            "a PIN in what the till wrote to the terminal"
        );
    }
}

fn history_json(env: &Env) -> Vec<Value> {
    let out = run_till(
        &["history".into(), "--json".into()],
        &as_staff(env, MANAGER.0, MANAGER.1),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    v["entries"].as_array().unwrap().clone()
}

/// (staff id, action, detail) of the staff log, in order.
fn staff_log(journal: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let conn =
        rusqlite::Connection::open_with_flags(journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.prepare("SELECT staff_id, action, detail FROM staff_log ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_on_sell_and_void_with_a_managers_approval() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = env_with_home(&sandbox_env(&sim.base_url(), &journal), &dir);
    let (sim, env) = tokio::task::spawn_blocking(move || {
        add_staff(&env);
        let mut term = spawn(&env);
        term.wait_for("Sign on with your staff ID and PIN", SCREEN_WAIT);

        // A wrong PIN first: it says so, and how many tries are left.
        sign_on(&mut term, "bob", "11112222");
        term.wait_for("Wrong PIN for bob: 4 tries left", SCREEN_WAIT);
        // The id stays; only the PIN is typed again.
        term.send(CASHIER.1.as_bytes());
        std::thread::sleep(PERSON);
        term.send(ENTER.as_bytes());
        let screen = term.wait_for("Bob Baker · cashier", SCREEN_WAIT);
        assert!(screen.contains("Ready"), "{screen}");
        assert_never_shown(&term, &[CASHIER.1, "11112222"]);

        // A sale, recorded under bob.
        term.type_slowly(&format!("{CARD}{TAB}25{ENTER}"), PERSON);
        term.wait_for("APPROVED", SCREEN_WAIT);

        // V on it from the history, y: bob is no manager, so the approval window asks.
        term.send(CTRL_L.as_bytes());
        term.type_slowly("v", PERSON);
        term.wait_for("Void this sale?", SCREEN_WAIT);
        term.type_slowly("y", PERSON);
        let screen = term.wait_for("A void needs a manager's approval", SCREEN_WAIT);
        assert!(
            screen.contains("Bob Baker (bob) stays signed on"),
            "{screen}"
        );
        assert_eq!(
            sim.transactions().len(),
            1,
            "nothing is sent before a manager approves"
        );
        sign_on(&mut term, MANAGER.0, MANAGER.1);
        let screen = term.wait_for("Reversed:", SCREEN_WAIT);
        assert!(screen.contains("APPROVED"), "{screen}");
        assert!(
            screen.contains("Bob Baker · cashier"),
            "bob is still on: {screen}"
        );
        assert_never_shown(&term, &[CASHIER.1, MANAGER.1]);

        // Ctrl+X: back to sign-on; Ctrl+Q from there quits.
        term.send(CTRL_X.as_bytes());
        term.wait_for("Sign on with your staff ID and PIN", SCREEN_WAIT);
        term.send(CTRL_Q.as_bytes());
        assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0));
        (sim, env)
    })
    .await
    .unwrap();

    // The simulator's ledger: the sale, voided by the second transaction.
    let txns = sim.transactions();
    assert_eq!(txns.len(), 2, "{txns:?}");
    assert!(txns[0].voided, "the sale is voided at PayWizard: {txns:?}");
    assert_eq!(txns[1].operation, paywizard_till::api::Operation::Void);
    assert_eq!(sim.card(CARD).unwrap().points, 120, "back where it started");

    let env2 = env.clone();
    let entries = tokio::task::spawn_blocking(move || history_json(&env2))
        .await
        .unwrap();
    let who: Vec<(&str, &str, Option<&str>)> = entries
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap(),
                e["cashier"].as_str().unwrap(),
                e["approvedBy"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [("void", "bob", Some("ann")), ("issue-points", "bob", None)]
    );
    let log: Vec<(String, String, Option<String>)> = staff_log(&journal)
        .into_iter()
        .filter(|(_, action, _)| action.starts_with("signed"))
        .collect();
    assert_eq!(
        log,
        [
            ("bob".into(), "signed_on".into(), None),
            ("bob".into(), "signed_off".into(), Some("signed off".into())),
        ],
        "the manager's approval is not a sign-on"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_lock_keeps_a_request_in_flight_and_shows_it_after_sign_on() {
    let sim = start_sim().await;
    // Long enough that the till locks while it waits for the answer.
    sim.faults().set_latency(Duration::from_secs(4));
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let config = dir.path().join("till.toml");
    std::fs::write(&config, "lock_after_s = 2\n").unwrap();
    let mut env = env_with_home(&sandbox_env(&sim.base_url(), &journal), &dir);
    env.push(("PAYWIZARD_TILL_CONFIG".into(), config.display().to_string()));
    let sim = tokio::task::spawn_blocking(move || {
        add_staff(&env);
        let mut term = spawn(&env);
        term.wait_for("Sign on with your staff ID and PIN", SCREEN_WAIT);
        sign_on(&mut term, "bob", CASHIER.1);
        term.wait_for("Bob Baker · cashier", SCREEN_WAIT);

        term.send(format!("{CARD}{ENTER}").as_bytes());
        term.wait_for("[B] scanned", SCREEN_WAIT);
        term.type_slowly(&format!("25{ENTER}"), PERSON);
        term.wait_for("waiting", SCREEN_WAIT);
        // The issue waits out its 4 s; what follows it (the new balance) comes at once.
        sim.faults().set_latency(Duration::ZERO);
        // Two seconds without a key: locked, with the request still out.
        let screen = term.wait_for("Locked after 2 seconds without a key", SCREEN_WAIT);
        assert!(screen.contains("a request is being sent"), "{screen}");
        assert!(
            !screen.contains("**** **** 0014"),
            "nothing of the till: {screen}"
        );
        // Keys behind the lock act on nothing: F4 (Pay), Ctrl+R (recovery).
        term.send(b"\x1bOS");
        term.send(b"\x12");
        // The answer comes while locked (and the till asks for the new balance after it).
        let start = std::time::Instant::now();
        while sim.received().len() < 2 {
            assert!(start.elapsed() < SCREEN_WAIT, "the answer never came");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(500));
        let screen = term.screen();
        assert!(screen.contains("Locked"), "{screen}");
        assert!(!screen.contains("APPROVED"), "{screen}");

        // Bob's PIN (the id is there already) unlocks it as he left it.
        term.send(CASHIER.1.as_bytes());
        std::thread::sleep(PERSON);
        term.send(ENTER.as_bytes());
        term.wait_for("APPROVED", SCREEN_WAIT);
        // The unlock redraws the whole screen: read it once the history row is drawn.
        let names_bob = |screen: &str| {
            screen.lines().any(|l| {
                l.contains("Issue points")
                    && l.contains("25 pts")
                    && l.contains("approved")
                    && l.contains("bob")
            })
        };
        let start = std::time::Instant::now();
        let mut screen = term.screen();
        while !names_bob(&screen) && start.elapsed() < SCREEN_WAIT {
            std::thread::sleep(Duration::from_millis(50));
            screen = term.screen();
        }
        assert!(names_bob(&screen), "the history row names bob: {screen}");
        assert!(
            !screen.contains("Amount (USD)"),
            "F4 behind the lock did not switch to Pay: {screen}"
        );
        assert!(
            !screen.contains("Recovery"),
            "Ctrl+R behind the lock did nothing"
        );
        assert_never_shown(&term, &[CASHIER.1]);
        term.send(CTRL_Q.as_bytes());
        assert_eq!(term.wait_exit(SCREEN_WAIT), Some(0));
        sim
    })
    .await
    .unwrap();
    assert_eq!(sim.card(CARD).unwrap().points, 145, "issued once");
    let log: Vec<(String, String, Option<String>)> = staff_log(&journal)
        .into_iter()
        .filter(|(_, action, _)| action.starts_with("signed"))
        .collect();
    assert_eq!(
        log,
        [
            ("bob".into(), "signed_on".into(), None),
            (
                "bob".into(),
                "signed_off".into(),
                Some("till closed".into())
            ),
        ],
        "unlocking is not a second sign-on"
    );
}

/// The worker's side of it, against a real journal: nobody signed on is refused with
/// nothing sent (and says so, so the screen can bring up sign-on); the PIN check answers by
/// ticket; a request as the member names them; the X report and the Z come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_checks_pins_refuses_nobody_and_closes_the_shift() {
    use paywizard_till::api::{Operation, TillRequest};
    use paywizard_till::config::{Config, FileConfig};
    use paywizard_till::journal::ZAttempt;
    use paywizard_till::journal::{Authority, Journal, Pin, Refusal, Role, SignOnRefusal};
    use paywizard_till::money::Points;
    use paywizard_till::outcome::Status;
    use paywizard_till::worker::{self, Command, Event, SignOnAnswer};

    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let overrides = common::sandbox_overrides(&sim.base_url(), common::TOKEN, "7");
    let config = Config::resolve(&overrides, &FileConfig::default()).unwrap();
    let journal = Journal::open(&journal_in(&dir), "7").unwrap();
    let pin = Pin::parse(MANAGER.1).unwrap();
    journal
        .add_staff(
            "ann",
            "Ann Archer",
            Role::Manager,
            &pin,
            None,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let till = std::sync::Arc::new(
        paywizard_till::till::Till::new(&config, journal, time::UtcOffset::UTC).unwrap(),
    );
    let (commands, command_rx) = tokio::sync::mpsc::unbounded_channel();
    let (event_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    worker::spawn(till, None, command_rx, event_tx);
    let mut next = async |pick: &dyn Fn(&Event) -> bool| loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
            .await
            .expect("the worker answers")
            .expect("the worker runs");
        if pick(&event) {
            return event;
        }
    };
    let mut issue = TillRequest::new(Operation::IssuePoints, CARD);
    issue.points = Some(Points::new(5));

    commands
        .send(Command::Submit {
            id: 1,
            request: Box::new(issue.clone()),
            authority: Box::new(Authority::nobody()),
        })
        .unwrap();
    let Event::Finished { outcome, .. } = next(&|e| matches!(e, Event::Finished { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(outcome.status, Status::Rejected);
    let refused = next(&|e| matches!(e, Event::NotPermitted(_))).await;
    assert_eq!(refused, Event::NotPermitted(Refusal::SignOnNeeded));
    assert!(sim.received().is_empty(), "nothing was sent");

    commands
        .send(Command::SignOn {
            ticket: 7,
            id: "ann".into(),
            pin: Pin::parse("0000").unwrap(),
        })
        .unwrap();
    let answer = next(&|e| matches!(e, Event::SignOn { .. })).await;
    assert_eq!(
        answer,
        Event::SignOn {
            ticket: 7,
            answer: SignOnAnswer::Refused(SignOnRefusal::WrongPin {
                id: "ann".into(),
                attempts_left: 4
            })
        }
    );
    commands
        .send(Command::SignOn {
            ticket: 8,
            id: "ANN".into(),
            pin,
        })
        .unwrap();
    let Event::SignOn {
        ticket: 8,
        answer: SignOnAnswer::SignedOn(ann),
    } = next(&|e| matches!(e, Event::SignOn { .. })).await
    else {
        panic!("ann signs on")
    };
    assert_eq!(ann.member().name, "Ann Archer");

    commands
        .send(Command::Submit {
            id: 2,
            request: Box::new(issue),
            authority: Box::new(Authority::cashier((*ann).clone())),
        })
        .unwrap();
    let Event::Finished { outcome, entry, .. } =
        next(&|e| matches!(e, Event::Finished { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(outcome.status, Status::Approved);
    assert_eq!(entry.unwrap().cashier.as_deref(), Some("ann"));

    commands.send(Command::LoadShiftX).unwrap();
    let Event::ShiftX(x) = next(&|e| matches!(e, Event::ShiftX(_))).await else {
        unreachable!()
    };
    assert_eq!((x.shift, x.totals.approved, x.totals.rejected), (1, 1, 0));
    assert_eq!(x.by_cashier[0].cashier.as_deref(), Some("ann"));

    commands
        .send(Command::CloseShift(Box::new(Authority::cashier(*ann))))
        .unwrap();
    let Event::Z(z) = next(&|e| matches!(e, Event::Z(_))).await else {
        unreachable!()
    };
    let ZAttempt::Closed(z) = *z else {
        panic!("the Z is made: {z:?}")
    };
    assert_eq!((z.z, z.closed_by.as_deref()), (1, Some("ann")));
    commands.send(Command::Shutdown).unwrap();
}
