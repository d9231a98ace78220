//! Receipts on a printer: what a stand-in printer on loopback received, decoded (ESC @
//! first, the masked card, the QR code carrying the tranOrderNo, the cut, TRAINING and
//! COPY), the widths, the code page, and a queue that loses nothing when the printer is
//! down or hangs up mid-job. Then the same through the real binary's `receipt` command.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::printer::{Behaviour, Op, StandIn, dead_port, decode, lines, qr_codes};
use common::{CARD, run_till, stderr, stdout};
use paywizard_till::api::{Balance, EntryType, Operation};
use paywizard_till::journal::Journal;
use paywizard_till::money::WireDecimal;
use paywizard_till::outcome::{Outcome, Status};
use paywizard_till::printer::{ReceiptPrinter, Target, Timeouts};
use paywizard_till::receipt::escpos::{self, Paper};
use paywizard_till::receipt::{CodePage, Issuer, Receipt, text};
use time::OffsetDateTime;
use time::macros::datetime;

const ORDER: &str = "20261123105612004200000001";
const CHECKOUT: &str = "917954313680000001";
const AT: OffsetDateTime = datetime!(2026-11-23 10:56:12 UTC);

fn issuer(store: &str) -> Issuer {
    Issuer {
        store: store.into(),
        till_id: "42".into(),
        currency: "USD".into(),
    }
}

/// An approved partial payment: 5.00 of 7.00 taken. The outcome carries the full card
/// number on purpose: the receipt must mask it whatever it is handed.
fn partial_payment(order: &str) -> Outcome {
    Outcome {
        operation: Operation::Pay,
        tran_order_no: Some(order.into()),
        account_id: CARD.into(),
        entry_type: EntryType::B,
        status: Status::Approved,
        code: Some(200),
        msg: "approved".into(),
        checkout_id: Some(CHECKOUT.into()),
        amount: Some("5.00".into()),
        requested_amount: Some("7.00".into()),
        balances: vec![
            Balance {
                value_code: "USD".into(),
                amount: WireDecimal::new("0").unwrap(),
                difference: WireDecimal::default(),
            },
            Balance {
                value_code: "Points".into(),
                amount: WireDecimal::new("145").unwrap(),
                difference: WireDecimal::default(),
            },
        ],
    }
}

fn receipt(order: &str) -> Receipt {
    Receipt::approved(&issuer("Corner Store"), AT, &partial_payment(order)).unwrap()
}

fn paper(width: usize) -> Paper {
    Paper {
        width,
        codepage: CodePage::default(),
    }
}

fn quick() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(2),
        write: Duration::from_secs(2),
        close: Duration::from_secs(2),
    }
}

fn printer_at(port: u16, width: usize) -> ReceiptPrinter {
    ReceiptPrinter::new(
        Target::Tcp {
            host: "127.0.0.1".into(),
            port,
        },
        paper(width),
        quick(),
    )
}

fn journal() -> Mutex<Journal> {
    Mutex::new(Journal::open_in_memory("42").unwrap())
}

fn waiting(journal: &Mutex<Journal>) -> usize {
    journal.lock().unwrap().receipts_waiting().unwrap()
}

/// Prints `receipt` on a fresh stand-in and decodes what it received.
fn printed(receipt: &Receipt, width: usize) -> (Vec<u8>, Vec<Op>) {
    let stand_in = StandIn::start(vec![Behaviour::Print]);
    let journal = journal();
    let flushed = printer_at(stand_in.port, width)
        .print(&journal, receipt, AT)
        .unwrap();
    assert_eq!(flushed.failure, None);
    assert_eq!((flushed.printed, flushed.waiting), (1, 0));
    let job = stand_in.next_job();
    let ops = decode(&job).unwrap_or_else(|e| panic!("{e}"));
    (job, ops)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_paper_starts_with_esc_at_shows_the_masked_card_a_qr_of_the_order_and_is_cut() {
    let (job, ops) = printed(&receipt(ORDER), 42);
    assert_eq!(ops.first(), Some(&Op::Init), "ESC @ first: {ops:?}");
    assert_eq!(ops.get(1), Some(&Op::CodePage(0)), "then PC437");
    assert_eq!(ops.last(), Some(&Op::Cut), "cut last: {ops:?}");
    let text = lines(&ops).join("\n");
    for needle in [
        "Corner Store",
        "till 42",
        "2026-11-23 10:56:12",
        "PAY",
        "**** **** 0014",
        "USD 5.00 of 7.00",
        "New balance",
        "Points balance",
        "145 pts",
        ORDER,
        CHECKOUT,
        "PARTIALLY APPROVED",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
    assert!(
        !contains(&job, CARD.as_bytes()),
        "full card number on paper"
    );
    assert!(
        !contains(&job, &CARD.as_bytes()[..12]),
        "card prefix on paper"
    );
    assert_eq!(
        qr_codes(&ops),
        [ORDER],
        "one QR code, carrying the tranOrderNo"
    );
    let qr_at = ops.iter().position(|o| *o == Op::QrPrint).unwrap();
    let cut_at = ops.iter().position(|o| *o == Op::Cut).unwrap();
    assert!(qr_at < cut_at, "the QR code is printed before the cut");
}

#[test]
fn training_is_printed_off_production_and_copy_on_a_reprint() {
    let (_, ops) = printed(&receipt(ORDER), 42);
    let text = lines(&ops).join("\n");
    assert!(
        !text.contains("TRAINING") && !text.contains("COPY"),
        "{text}"
    );

    let (_, ops) = printed(&receipt(ORDER).training(true).copy(), 42);
    let printed_lines = lines(&ops);
    let count = |needle: &str| printed_lines.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(
        count("TRAINING / TEST -- NOT A REAL TRANSACTION"),
        2,
        "top and bottom"
    );
    assert_eq!(count("*** COPY ***"), 2, "top and bottom");
    // Both are bold: set just before the line, cleared just after.
    let copy_at = ops
        .iter()
        .position(|o| matches!(o, Op::Text(t) if t.contains("COPY")))
        .unwrap();
    assert_eq!(ops[copy_at - 1], Op::Bold(true));
}

#[test]
fn widths_32_and_48_wrap_within_the_paper_and_the_paper_says_what_the_preview_says() {
    let long_store = "The Corner Store on Main Street and Fifth Avenue";
    let receipt = Receipt::approved(&issuer(long_store), AT, &partial_payment(ORDER))
        .unwrap()
        .training(true)
        .copy();
    for width in [32, 48] {
        let (_, ops) = printed(&receipt, width);
        let paper: Vec<String> = lines(&ops).into_iter().filter(|l| !l.is_empty()).collect();
        for line in &paper {
            assert!(
                line.chars().count() <= width,
                "{width}: {line:?} is wider than the paper"
            );
        }
        assert!(
            paper.iter().any(|l| l == &"-".repeat(width)),
            "{width}: rules span the paper"
        );
        // The preview is the same lines, save the em dash the code page lacks (and so the
        // centring of the line that has it).
        let preview: Vec<String> = text::render(&receipt, width)
            .lines()
            .map(|l| l.replace('—', "--"))
            .collect();
        let trimmed = |v: &[String]| v.iter().map(|l| l.trim().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            trimmed(&paper),
            trimmed(&preview),
            "{width}: paper and preview differ"
        );
    }
    let at = |width| text::render(&receipt, width);
    assert!(
        at(48).contains("TRAINING / TEST — NOT A REAL TRANSACTION"),
        "fits on one line at 48"
    );
    assert!(
        at(32).contains("TRAINING / TEST —\n") && at(32).contains("NOT A REAL TRANSACTION\n"),
        "two lines at 32:\n{}",
        at(32)
    );
    assert!(
        at(32).contains("The Corner Store on Main Street\n")
            && at(32).contains("        and Fifth Avenue\n"),
        "a long store name wraps at a space, each line centred:\n{}",
        at(32)
    );
}

#[test]
fn text_the_code_page_cannot_show_is_transliterated_never_sent_as_garbage() {
    let receipt = Receipt::approved(
        &issuer("Café Zürich — Ōsaka €"),
        AT,
        &partial_payment(ORDER),
    )
    .unwrap();
    let job = escpos::render(&receipt, paper(42)).unwrap();
    let ops = decode(&job).unwrap();
    let text = lines(&ops).join("\n");
    assert!(text.contains("Café Zürich -- Osaka EUR"), "{text}");
    assert!(contains(&job, &[0x82]), "é as PC437's 0x82");
    for byte in job.iter().filter(|&&b| b >= 0x80) {
        assert!(
            [0x81, 0x82].contains(byte),
            "only é and ü leave ASCII, as PC437 bytes; got {byte:#04x}"
        );
    }
    // In PC858 the euro sign is the page's own (0xD5).
    let pc858 = Paper {
        width: 42,
        codepage: CodePage::parse("pc858").unwrap(),
    };
    let job = escpos::render(&receipt, pc858).unwrap();
    assert_eq!(decode(&job).unwrap()[1], Op::CodePage(19));
    assert!(contains(&job, &[b' ', 0xD5]), "€ sent as PC858's 0xD5");
}

#[test]
fn control_characters_in_any_text_never_reach_the_printer_as_commands() {
    // A store name pasted with escape sequences: ESC d 0, GS V A 0 (a cut), ESC @.
    let store = "Evil\u{1b}d\u{0}\u{1d}VA\u{0}Store\u{1b}@";
    let mut outcome = partial_payment(ORDER);
    outcome.balances[0].value_code = "US\u{7}D".into();
    let receipt = Receipt::approved(&issuer(store), AT, &outcome).unwrap();
    let job = escpos::render(&receipt, paper(32)).unwrap();
    let ops = decode(&job).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ops.iter().filter(|o| **o == Op::Cut).count(), 1, "{ops:?}");
    assert_eq!(ops.iter().filter(|o| **o == Op::Init).count(), 1, "{ops:?}");
    let preview = text::render(&receipt, 32);
    assert!(
        !preview.chars().any(|c| c.is_control() && c != '\n'),
        "{preview:?}"
    );
}

#[test]
fn a_printer_that_is_down_keeps_the_receipt_and_prints_it_once_when_back() {
    let port = dead_port();
    let journal = journal();
    let printer = printer_at(port, 42);
    let flushed = printer.print(&journal, &receipt(ORDER), AT).unwrap();
    let failure = flushed.failure.expect("nothing listens");
    assert_eq!(
        failure.to_string(),
        format!("printer tcp://127.0.0.1:{port} refused the connection (is it on and online?)")
    );
    assert_eq!((flushed.printed, flushed.waiting), (0, 1));
    let queued = journal.lock().unwrap().queued_receipts().unwrap();
    assert_eq!(queued[0].attempts, 1);
    assert!(
        !queued[0].receipt.contains(CARD),
        "the queue holds the mask only"
    );

    let stand_in = StandIn::start_on(port, vec![Behaviour::Print]);
    let flushed = printer.flush(&journal).unwrap();
    assert_eq!((flushed.printed, flushed.waiting), (1, 0));
    assert_eq!(qr_codes(&decode(&stand_in.next_job()).unwrap()), [ORDER]);
    let again = printer.flush(&journal).unwrap();
    assert_eq!((again.printed, again.waiting), (0, 0));
    assert!(
        stand_in.no_more_jobs(Duration::from_millis(300)),
        "printed once"
    );
}

#[test]
fn a_printer_that_hangs_up_mid_job_leaves_it_queued_and_the_next_flush_prints_it_whole() {
    let stand_in = StandIn::start(vec![Behaviour::HangUpAfter(16), Behaviour::Print]);
    let journal = journal();
    let printer = printer_at(stand_in.port, 42);
    let flushed = printer.print(&journal, &receipt(ORDER), AT).unwrap();
    let failure = flushed.failure.expect("the printer hung up");
    assert!(
        failure
            .to_string()
            .ends_with("hung up before the receipt was complete"),
        "{failure}"
    );
    assert_eq!(waiting(&journal), 1);

    let flushed = printer.flush(&journal).unwrap();
    assert_eq!((flushed.printed, flushed.waiting), (1, 0));
    let job = stand_in.next_job();
    assert_eq!(
        job,
        escpos::render(&receipt(ORDER), paper(42)).unwrap(),
        "whole"
    );
    assert!(stand_in.no_more_jobs(Duration::from_millis(300)), "once");
}

#[test]
fn the_queue_goes_first_oldest_first() {
    let port = dead_port();
    let journal = journal();
    let printer = printer_at(port, 42);
    for order in ["1001", "1002"] {
        let flushed = printer.print(&journal, &receipt(order), AT).unwrap();
        assert!(flushed.failure.is_some());
    }
    assert_eq!(waiting(&journal), 2);
    let stand_in = StandIn::start_on(port, vec![Behaviour::Print]);
    // The next print sends what waits first.
    let flushed = printer.print(&journal, &receipt("1003"), AT).unwrap();
    assert_eq!((flushed.printed, flushed.waiting), (3, 0));
    let order: Vec<String> = (0..3)
        .map(|_| qr_codes(&decode(&stand_in.next_job()).unwrap()).remove(0))
        .collect();
    assert_eq!(order, ["1001", "1002", "1003"]);
}

#[test]
fn a_queued_receipt_that_cannot_be_read_is_kept_and_does_not_block_the_others() {
    let stand_in = StandIn::start(vec![Behaviour::Print]);
    let journal = journal();
    journal
        .lock()
        .unwrap()
        .queue_receipt("{not a receipt", AT)
        .unwrap();
    let flushed = printer_at(stand_in.port, 42)
        .print(&journal, &receipt(ORDER), AT)
        .unwrap();
    assert_eq!(
        (flushed.printed, flushed.unreadable, flushed.waiting),
        (1, 1, 1)
    );
    assert!(!flushed.is_done());
    assert_eq!(qr_codes(&decode(&stand_in.next_job()).unwrap()), [ORDER]);
    let kept = journal.lock().unwrap().queued_receipts().unwrap();
    assert!(
        kept[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("cannot be printed"),
        "{kept:?}"
    );
}

#[test]
fn a_device_path_gets_the_job_and_a_missing_or_unready_one_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let device =
        |path: std::path::PathBuf| ReceiptPrinter::new(Target::Device(path), paper(32), quick());
    let journal = journal();

    // A file stands in for /dev/usb/lp0; it must exist (the till never creates a device).
    let missing = dir.path().join("lp0");
    let flushed = device(missing.clone())
        .print(&journal, &receipt(ORDER), AT)
        .unwrap();
    let failure = flushed.failure.unwrap().to_string();
    assert!(failure.contains("lp0 is not there"), "{failure}");
    assert!(
        !missing.exists(),
        "no file appears where the device should be"
    );
    assert_eq!(waiting(&journal), 1);

    // A FIFO nobody reads: a device with nothing behind it. Opening it must not hang.
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let flushed = device(fifo).flush(&journal).unwrap();
        assert!(
            flushed
                .failure
                .unwrap()
                .to_string()
                .contains("is not ready"),
            "ENXIO"
        );
        assert_eq!(waiting(&journal), 1);
    }

    std::fs::write(&missing, b"").unwrap();
    let flushed = device(missing.clone()).flush(&journal).unwrap();
    assert_eq!((flushed.printed, flushed.waiting), (1, 0));
    let job = std::fs::read(&missing).unwrap();
    assert_eq!(qr_codes(&decode(&job).unwrap()), [ORDER]);
}

#[test]
fn the_text_receipt_at_each_width() {
    let plain = receipt(ORDER);
    let training = receipt(ORDER).training(true);
    let reprint = receipt(ORDER).training(true).copy();
    insta::with_settings!({ omit_expression => true }, {
        for width in [32, 42, 48] {
            insta::assert_snapshot!(format!("text_{width}"), text::render(&plain, width));
        }
        insta::assert_snapshot!("text_training_32", text::render(&training, 32));
        insta::assert_snapshot!("text_training_copy_48", text::render(&reprint, 48));
    });
}

#[test]
fn the_example_config_documents_a_printer_section_that_resolves() {
    use paywizard_till::config::{Config, FileConfig, Overrides, Secret};
    let file: FileConfig =
        toml::from_str(include_str!("../assets/config.example.toml")).expect("it parses");
    let overrides = Overrides {
        client_secret: Some(Secret::new("s")),
        jwt_token: Some(Secret::new("t")),
        ..Overrides::default()
    };
    let config = Config::resolve(&overrides, &file).unwrap();
    assert_eq!(config.printer.target, None, "no printer until one is set");
    assert_eq!(config.printer.paper, paper(42));
    assert!(!config.printer.auto);
    let overrides = Overrides {
        printer: Some("tcp://10.0.0.9".into()),
        ..overrides
    };
    let config = Config::resolve(&overrides, &file).unwrap();
    assert_eq!(
        config.printer.target.unwrap().to_string(),
        "tcp://10.0.0.9:9100"
    );
}

// ---- the real binary ------------------------------------------------------------------

fn env(journal: &std::path::Path, printer: Option<String>) -> Vec<(String, String)> {
    let mut env = vec![(
        "PAYWIZARD_TILL_JOURNAL".to_owned(),
        journal.display().to_string(),
    )];
    if let Some(p) = printer {
        env.push(("PAYWIZARD_PRINTER".to_owned(), p));
    }
    env
}

fn till(args: &[&str], env: &[(String, String)]) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run_till(&args, env)
}

/// A demo-mode payment of 7.00 from the card holding 5.00, partial allowed: its order.
fn partial_sale(env: &[(String, String)]) -> String {
    let out = till(
        &[
            "pay",
            "--account",
            "6274000000000022",
            "--amount",
            "7.00",
            "--nsf-allowed",
            "--json",
        ],
        env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    json["tranOrderNo"].as_str().unwrap().to_owned()
}

#[test]
fn receipt_shows_a_reprint_of_a_journal_row_as_a_training_copy() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(&common::journal_in(&dir), None);
    let order = partial_sale(&env);
    let out = till(&["receipt", "--order", &order], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "*** COPY ***",
        "TRAINING / TEST — NOT A REAL TRANSACTION",
        "**** **** 0022",
        "USD 5.00 of 7.00",
        "PARTIALLY APPROVED",
        order.as_str(),
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
    assert!(!text.contains("6274000000000022"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 42), "{text}");

    let out = till(&["receipt", "--order", &order, "--json"], &env);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(json["copy"], true);
    assert_eq!(json["training"], true);
    assert_eq!(json["receipt"]["card"], "**** **** 0022");
    assert_eq!(json["receipt"]["moved"]["requested"], "7.00");
    assert_eq!(json["text"].as_str().unwrap(), text);
}

#[test]
fn printer_down_fails_clearly_keeps_the_job_and_flush_prints_it_once_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let port = dead_port();
    let env = env(&common::journal_in(&dir), Some(format!("127.0.0.1:{port}")));
    let order = partial_sale(&env);

    let out = till(&["receipt", "--order", &order, "--print"], &env);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let message = stderr(&out);
    assert_eq!(message.lines().count(), 1, "one line: {message}");
    assert!(
        message.contains(&format!(
            "printer tcp://127.0.0.1:{port} refused the connection"
        )) && message.contains("1 receipt is kept in the journal")
            && message.contains("paywizard-till receipt --flush"),
        "{message}"
    );

    // Still down: --flush says so and keeps it.
    let out = till(&["receipt", "--flush", "--json"], &env);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        (json["printed"].as_u64(), json["waiting"].as_u64()),
        (Some(0), Some(1))
    );

    let stand_in = StandIn::start_on(port, vec![Behaviour::Print]);
    let out = till(&["receipt", "--flush"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Printed 1 receipt"),
        "{}",
        stdout(&out)
    );
    let ops = decode(&stand_in.next_job()).unwrap();
    assert_eq!(qr_codes(&ops), [order.as_str()]);
    let paper = lines(&ops).join("\n");
    assert!(
        paper.contains("*** COPY ***") && paper.contains("TRAINING"),
        "{paper}"
    );

    let out = till(&["receipt", "--flush"], &env);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Nothing waiting"), "{}", stdout(&out));
    assert!(
        stand_in.no_more_jobs(Duration::from_millis(300)),
        "printed once"
    );
}

#[test]
fn a_flush_cut_mid_job_keeps_it_and_the_next_prints_it_whole_once() {
    let dir = tempfile::tempdir().unwrap();
    let stand_in = StandIn::start(vec![Behaviour::HangUpAfter(16), Behaviour::Print]);
    let env = env(&common::journal_in(&dir), Some(stand_in.address()));
    let order = partial_sale(&env);

    let out = till(&["receipt", "--order", &order, "--print"], &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("hung up before the receipt was complete"),
        "{}",
        stderr(&out)
    );

    let out = till(&["receipt", "--flush"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let job = stand_in.next_job();
    let ops = decode(&job).unwrap();
    assert_eq!(
        (ops.first(), ops.last()),
        (Some(&Op::Init), Some(&Op::Cut)),
        "whole"
    );
    assert_eq!(qr_codes(&ops), [order]);
    assert!(stand_in.no_more_jobs(Duration::from_millis(300)), "once");
}

#[test]
fn only_approved_rows_have_receipts_and_printing_needs_a_printer() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(&common::journal_in(&dir), None);
    let order = partial_sale(&env);

    // Each demo run starts its simulator afresh: the card holds 5.00, and 7.00 without
    // nsf is declined.
    let out = till(
        &[
            "pay",
            "--account",
            "6274000000000022",
            "--amount",
            "7.00",
            "--json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let declined = json["tranOrderNo"].as_str().unwrap();
    let out = till(&["receipt", "--order", declined], &env);
    assert_eq!(out.status.code(), Some(64));
    assert!(
        stderr(&out).contains("is declined; only approved operations have receipts"),
        "{}",
        stderr(&out)
    );

    let out = till(&["receipt", "--order", "999999"], &env);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("not in this till's journal"));

    for args in [
        &["receipt", "--order", &order, "--print"][..],
        &["receipt", "--flush"],
    ] {
        let out = till(args, &env);
        assert_eq!(out.status.code(), Some(78), "{args:?}");
        assert!(
            stderr(&out).contains("PAYWIZARD_PRINTER"),
            "{}",
            stderr(&out)
        );
    }
    let out = till(&["receipt"], &env);
    assert_eq!(out.status.code(), Some(64), "--order or --flush is needed");
}

// ---- the worker: printing beside the sales --------------------------------------------

mod worker_printing {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use paywizard_till::api::{EntryType, Operation, TillRequest};
    use paywizard_till::config::{Config, FileConfig};
    use paywizard_till::journal::Journal;
    use paywizard_till::money::Amount;
    use paywizard_till::outcome::Status;
    use paywizard_till::printer::{FilePrinter, PrintNotice, Printing};
    use paywizard_till::sim::SimHandle;
    use paywizard_till::till::Till;
    use paywizard_till::worker::{self, Command, Event};
    use time::UtcOffset;
    use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

    use super::common::printer::{Behaviour, StandIn, decode, lines, qr_codes};
    use super::common::{CARD, TOKEN, sandbox_overrides, start_sim};

    struct Rig {
        _sim: SimHandle,
        commands: UnboundedSender<Command>,
        events: UnboundedReceiver<Event>,
        _dir: tempfile::TempDir,
    }

    async fn rig(printer: Option<String>, auto: bool) -> Rig {
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let mut overrides = sandbox_overrides(&sim.base_url(), TOKEN, "7");
        overrides.printer = printer.clone();
        let file = FileConfig {
            printer: FilePrinter {
                auto: Some(auto),
                write_timeout_ms: Some(2_000),
                ..FilePrinter::default()
            },
            ..FileConfig::default()
        };
        let config = Config::resolve(&overrides, &file).unwrap();
        let journal = Journal::open(&dir.path().join("journal.sqlite3"), "7").unwrap();
        let till = Arc::new(Till::new(&config, journal, UtcOffset::UTC).unwrap());
        let printing = printer.map(|_| Printing::new(&config, Arc::clone(&till)));
        let (commands, command_rx) = unbounded_channel();
        let (event_tx, events) = unbounded_channel();
        worker::spawn_with_printer(till, None, printing, command_rx, event_tx);
        Rig {
            _sim: sim,
            commands,
            events,
            _dir: dir,
        }
    }

    impl Rig {
        async fn next(&mut self) -> Event {
            tokio::time::timeout(Duration::from_secs(10), self.events.recv())
                .await
                .expect("the worker answers within 10 s")
                .expect("the worker is running")
        }

        fn pay(&self, id: u64) {
            let mut request = TillRequest::new(Operation::Pay, CARD);
            request.entry = EntryType::B;
            request.amount = Some(Amount::from_minor(150));
            self.commands
                .send(Command::Submit {
                    id,
                    request: Box::new(request),
                    authority: Default::default(),
                })
                .unwrap();
        }

        /// Events up to the end of request `id`: its tranOrderNo, and any print notices
        /// that came first.
        async fn finished(&mut self, id: u64) -> (String, Vec<PrintNotice>) {
            let mut notices = Vec::new();
            loop {
                match self.next().await {
                    Event::Finished {
                        id: done, outcome, ..
                    } if done == id => {
                        assert_eq!(outcome.status, Status::Approved, "{}", outcome.msg);
                        return (outcome.tran_order_no.unwrap(), notices);
                    }
                    Event::Printed(notice) => notices.push(notice),
                    _ => {}
                }
            }
        }

        async fn printed(&mut self) -> PrintNotice {
            loop {
                if let Event::Printed(notice) = self.next().await {
                    return notice;
                }
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_print_job_runs_beside_the_next_sale_and_never_delays_it() {
        // A slow printer: it keeps each connection open 3 s after taking the job.
        let stand_in = StandIn::start(vec![Behaviour::HoldOpen(Duration::from_secs(3))]);
        let mut rig = rig(Some(stand_in.address()), false).await;
        rig.pay(1);
        let (first, _) = rig.finished(1).await;
        // What the screen does after an approval with `[printer] auto`: print its receipt.
        rig.commands
            .send(Command::PrintReceipt(Box::new(super::receipt(&first))))
            .unwrap();
        let started = Instant::now();
        rig.pay(2);
        let (second, notices) = rig.finished(2).await;
        assert!(
            notices.is_empty(),
            "the second sale finished before the first receipt's print: {notices:?}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(2_500),
            "the sale waited for the printer: {:?}",
            started.elapsed()
        );
        rig.commands
            .send(Command::PrintReceipt(Box::new(super::receipt(&second))))
            .unwrap();
        for _ in 0..2 {
            assert_eq!(rig.printed().await, PrintNotice::Printed { receipts: 1 });
        }
        let jobs: Vec<Vec<super::Op>> = (0..2)
            .map(|_| decode(&stand_in.next_job()).unwrap())
            .collect();
        assert_eq!(qr_codes(&jobs[0]), [first]);
        assert_eq!(qr_codes(&jobs[1]), [second]);
        let paper = lines(&jobs[0]).join("\n");
        assert!(
            paper.contains("TRAINING / TEST -- NOT A REAL TRANSACTION"),
            "a sandbox till prints TRAINING whoever built the receipt: {paper}"
        );
        assert!(!paper.contains("COPY"), "an original: {paper}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn approvals_print_only_when_asked() {
        let stand_in = StandIn::start(vec![Behaviour::Print]);
        let mut rig = rig(Some(stand_in.address()), true).await;
        rig.pay(1);
        let (_, notices) = rig.finished(1).await;
        assert!(notices.is_empty(), "{notices:?}");
        assert!(
            stand_in.no_more_jobs(Duration::from_millis(500)),
            "the screen decides what prints, with the receipt it shows"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_print_the_cashier_asks_for_says_offline_keeps_it_and_prints_it_when_back() {
        let port = super::dead_port();
        let mut rig = rig(Some(format!("127.0.0.1:{port}")), false).await;
        rig.pay(1);
        let (order, notices) = rig.finished(1).await;
        assert!(notices.is_empty(), "auto is off: {notices:?}");

        let receipt = super::receipt(&order).training(true);
        rig.commands
            .send(Command::PrintReceipt(Box::new(receipt)))
            .unwrap();
        let notice = rig.printed().await;
        assert_eq!(
            notice.to_string(),
            "printer offline — receipt kept (Ctrl+P to retry)"
        );
        assert!(matches!(notice, PrintNotice::Offline { waiting: 1, .. }));

        let stand_in = StandIn::start_on(port, vec![Behaviour::Print]);
        rig.commands.send(Command::FlushReceipts).unwrap();
        assert_eq!(rig.printed().await, PrintNotice::Printed { receipts: 1 });
        assert_eq!(qr_codes(&decode(&stand_in.next_job()).unwrap()), [order]);
        rig.commands.send(Command::FlushReceipts).unwrap();
        assert_eq!(rig.printed().await, PrintNotice::NothingWaiting);
    }

    #[tokio::test]
    async fn without_a_printer_a_print_says_how_to_set_one_up() {
        let mut rig = rig(None, false).await;
        rig.commands.send(Command::FlushReceipts).unwrap();
        let notice = rig.printed().await;
        assert_eq!(notice, PrintNotice::NoPrinter);
        assert!(notice.to_string().contains("PAYWIZARD_PRINTER"));
    }
}
