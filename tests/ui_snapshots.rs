//! Every screen the cashier can see, at the smallest supported size (80x24) and a roomy
//! one (120x40), as text. Review a changed snapshot by reading the .snap file: it is what
//! the cashier would read.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use paywizard_till::api::{Balance, EntryType, Operation, mask_account};
use paywizard_till::app::{App, Msg, update};
use paywizard_till::config::{Config, FileConfig, Mode, Overrides};
use paywizard_till::journal::{Headline, MoneyTotal, Report, ReportLine};
use paywizard_till::money::WireDecimal;
use paywizard_till::outcome::{HistoryEntry, Outcome, RowState, Status};
use paywizard_till::printer::{PrintNotice, Target};
use paywizard_till::receipt::{Issuer, Receipt};
use paywizard_till::worker::{Connection, Event, Stage};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CARD: &str = "6274000000000014";
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn config(mode: Mode) -> Config {
    let mut config = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
    config.mode = mode;
    config.store_name = "Corner Store Main St".into();
    config.till_id = "42".into();
    config
}

fn app() -> App {
    App::new(&config(Mode::Demo))
}

fn send(app: &mut App, msg: Msg) {
    update(app, msg);
}

fn key(app: &mut App, code: KeyCode) {
    press(app, code, KeyModifiers::NONE);
}

/// A person's key, 150 ms after the last, then the tick the runtime sends when the
/// scanner stops holding it (it holds every key briefly in case a scan is starting).
fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let at_ms = app.now_ms + 150;
    send(
        app,
        Msg::Key {
            key: KeyEvent::new(code, modifiers),
            at_ms,
        },
    );
    // Only a deadline this close is the scanner's (a signed-on till's idle lock is minutes
    // away, and the person is still typing).
    if let Some(at_ms) = app.next_deadline().filter(|d| *d <= at_ms + 1_000) {
        send(app, Msg::Tick { at_ms });
    }
}

fn type_str(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn select(app: &mut App, op: Operation) {
    let index = Operation::ALL.iter().position(|o| *o == op).unwrap();
    key(app, KeyCode::F(u8::try_from(index).unwrap() + 2));
}

/// Renders the app and returns the screen as text, one line per row.
fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| paywizard_till::ui::render(app, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let line: String = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Snapshots the app at both sizes, with volatile values filtered out.
fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        snap_at(name, app, w, h);
    }
}

fn snap_at(name: &str, app: &App, w: u16, h: u16) {
    let text = screen(app, w, h);
    assert!(
        !text.contains("s3cr3t") && !text.contains(CARD) || name.starts_with("card_typed"),
        "{name}: a secret or a full card number reached the screen:\n{text}"
    );
    insta::with_settings!({
        filters => vec![
            (r"\b\d\d:\d\d:\d\d\b", "HH:MM:SS"),
            // Same width as what they replace, so the columns still line up.
            (r"tranOrderNo \d{21}", "tranOrderNo #####################"),
            (r"waiting \ds", "waiting Ns"),
            // The spinner's frame depends on the millisecond; one glyph stands for all.
            (r"[\u{2801}-\u{28FF}]", "⠿"),
        ],
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    });
}

fn outcome(operation: Operation, status: Status, msg: &str) -> Outcome {
    Outcome {
        operation,
        tran_order_no: Some("004220250401123534801".into()),
        account_id: mask_account(CARD),
        entry_type: EntryType::K,
        status,
        code: Some(200),
        msg: msg.into(),
        checkout_id: None,
        amount: Some("10.50".into()),
        requested_amount: None,
        balances: Vec::new(),
    }
}

fn history_entry(id: i64) -> HistoryEntry {
    let ops = Operation::ALL;
    let operation = ops[usize::try_from(id).unwrap() % ops.len()];
    let states = [
        RowState::Approved,
        RowState::Approved,
        RowState::Declined,
        RowState::Approved,
        RowState::Unknown,
        RowState::Rejected,
        RowState::Voided,
    ];
    let state = states[usize::try_from(id).unwrap() % states.len()];
    let quantity = match operation.quantity() {
        paywizard_till::api::Quantity::Points => format!("{} pts", id * 5),
        paywizard_till::api::Quantity::Money => format!("USD {}.50", id * 3),
        paywizard_till::api::Quantity::None => String::new(),
    };
    let minute = u8::try_from(id).unwrap();
    HistoryEntry {
        id,
        at: time::macros::datetime!(2025-04-01 09:00:00 UTC)
            .replace_minute(minute % 60)
            .unwrap(),
        operation,
        tran_order_no: Some(format!("0042202504010900{id:04}")),
        account_id: mask_account(&format!("62740000000{:05}", id * 7)),
        entry_type: [EntryType::K, EntryType::B, EntryType::M][usize::try_from(id).unwrap() % 3],
        quantity,
        cashier: None,
        approved_by: None,
        requested_amount: None,
        checkout_id: (state == RowState::Approved || state == RowState::Voided)
            .then(|| format!("93339281590229{id:04}")),
        msg: match state {
            RowState::Declined => "insufficient balance".into(),
            RowState::Unknown => "no answer within 20s".into(),
            RowState::Rejected => "invalid sign".into(),
            _ => String::new(),
        },
        state,
    }
}

/// Starts an issue-points request for 25 points on the demo card.
fn submit_issue(app: &mut App) {
    type_str(app, CARD);
    key(app, KeyCode::Tab);
    type_str(app, "25");
    key(app, KeyCode::Enter);
    assert!(app.in_flight());
}

fn finish(app: &mut App, outcome: Outcome) {
    send(
        app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(outcome),
            entry: None,
        }),
    );
}

#[test]
fn empty_form_for_each_operation() {
    for op in Operation::ALL {
        let mut app = app();
        select(&mut app, op);
        snap(&format!("empty_{}", op.cli_name()), &app);
    }
}

#[test]
fn card_being_typed_shows_in_full_only_in_its_field() {
    let mut app = app();
    type_str(&mut app, "6274000000000015");
    snap("card_typed_luhn_warning", &app);
    key(&mut app, KeyCode::Tab);
    snap("card_left_is_masked", &app);
}

#[test]
fn customer_info_open_with_errors() {
    let mut app = app();
    select(&mut app, Operation::TopUp);
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "20");
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('1')); // customer type
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "Jon");
    for _ in 0..7 {
        key(&mut app, KeyCode::Tab); // to postal
    }
    type_str(&mut app, "1000");
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "US");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('i')); // mail pref
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "2125551234");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "jon@nowhere");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "19990229");
    key(&mut app, KeyCode::Enter);
    assert!(!app.in_flight());
    snap("customer_open_errors", &app);
}

#[test]
fn each_status() {
    let mut app = app();
    send(&mut app, Msg::Worker(Event::Connection(Connection::Online)));
    submit_issue(&mut app);
    snap("status_validated", &app);
    for stage in [
        Stage::Journaled {
            tran_order_no: Some("004220250401123534801".into()),
        },
        Stage::Signing,
        Stage::Sending,
        Stage::Waiting,
    ] {
        send(&mut app, Msg::Worker(Event::Stage { id: 1, stage }));
    }
    let at_ms = app.now_ms + 4_200;
    send(&mut app, Msg::Tick { at_ms });
    snap("status_waiting", &app);

    let mut approved = outcome(Operation::IssuePoints, Status::Approved, "success");
    approved.amount = Some("25".into());
    approved.checkout_id = Some("933392815902294016".into());
    approved.balances = vec![
        Balance {
            value_code: "Points".into(),
            amount: WireDecimal::new("145").unwrap(),
            difference: WireDecimal::new("25").unwrap(),
        },
        Balance {
            value_code: "USD".into(),
            amount: WireDecimal::new("61.5").unwrap(),
            difference: WireDecimal::new("0").unwrap(),
        },
    ];
    let mut done = app.clone();
    finish(&mut done, approved);
    snap("status_approved", &done);

    let mut declined = app.clone();
    finish(
        &mut declined,
        outcome(Operation::Pay, Status::Declined, "insufficient balance"),
    );
    snap("status_declined", &declined);

    let mut unknown = app.clone();
    finish(
        &mut unknown,
        outcome(
            Operation::Pay,
            Status::Unknown,
            "no answer within 20 s (connection reset)",
        ),
    );
    snap("status_unknown", &unknown);

    let mut rejected = app.clone();
    finish(
        &mut rejected,
        outcome(
            Operation::TopUp,
            Status::Rejected,
            "invalid sign — check the till's credentials; nothing was charged",
        ),
    );
    snap("status_rejected", &rejected);
}

#[test]
fn a_second_enter_says_already_sending() {
    let mut app = app();
    submit_issue(&mut app);
    key(&mut app, KeyCode::Enter);
    snap("status_already_sending", &app);
}

#[test]
fn history_with_thirty_rows() {
    let mut app = app();
    send(&mut app, Msg::Worker(Event::Connection(Connection::Online)));
    let entries: Vec<_> = (1..=30).rev().map(history_entry).collect();
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries,
        }),
    );
    snap("history_30_rows", &app);
    press(&mut app, KeyCode::Char('l'), KeyModifiers::CONTROL);
    for _ in 0..12 {
        key(&mut app, KeyCode::Down);
    }
    snap("history_30_rows_focused", &app);
}

#[test]
fn help_overlay() {
    let mut app = app();
    key(&mut app, KeyCode::F(1));
    snap("help_overlay", &app);
}

#[test]
fn quit_confirmation_while_sending() {
    let mut app = app();
    submit_issue(&mut app);
    press(&mut app, KeyCode::Char('q'), KeyModifiers::CONTROL);
    snap("quit_confirm", &app);
}

#[test]
fn too_small_terminal() {
    let app = app();
    snap_at("too_small", &app, 79, 24);
    snap_at("too_small", &app, 40, 10);
}

#[test]
fn production_and_sandbox_headers() {
    let mut app = App::new(&config(Mode::Production));
    send(
        &mut app,
        Msg::Worker(Event::Connection(Connection::Offline)),
    );
    snap("production_header", &app);
    let app = App::new(&config(Mode::Sandbox));
    snap("sandbox_header", &app);
}

/// Keys as a keyboard-wedge reader sends them: 2 ms apart, then the runtime's tick.
fn burst(app: &mut App, text: &str, suffix: Option<KeyCode>) {
    let start = app.now_ms + 400;
    let mut at_ms = start;
    let codes = text.chars().map(KeyCode::Char).chain(suffix);
    for code in codes {
        send(
            app,
            Msg::Key {
                key: KeyEvent::new(code, KeyModifiers::NONE),
                at_ms,
            },
        );
        at_ms += 2;
    }
    // Only a deadline this close is the scanner's (a signed-on till's idle lock is minutes
    // away, and the person is still typing).
    if let Some(at_ms) = app.next_deadline().filter(|d| *d <= at_ms + 1_000) {
        send(app, Msg::Tick { at_ms });
    }
}

const TRACKS: &str = "%B6274000000000014^DOE/JANE^2812101?;6274000000000014=2812101?";

#[test]
fn card_read_badges() {
    let mut scanned = app();
    burst(&mut scanned, CARD, Some(KeyCode::Enter));
    assert_eq!(scanned.form.card.value(), CARD);
    snap("badge_scanned", &scanned);

    let mut swiped = app();
    select(&mut swiped, Operation::TopUp);
    burst(&mut swiped, TRACKS, Some(KeyCode::Enter));
    assert_eq!(swiped.form.card.value(), CARD);
    snap("badge_swiped_name_offered", &swiped);

    let mut misread = app();
    burst(&mut misread, "%E?", Some(KeyCode::Enter));
    snap("swipe_error", &misread);
}

#[test]
fn a_scan_while_typing_a_customer_name_goes_to_the_card() {
    let mut app = app();
    select(&mut app, Operation::TopUp);
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Tab); // customer type -> first name
    type_str(&mut app, "Ja");
    burst(&mut app, CARD, Some(KeyCode::Enter));
    assert_eq!(app.form.card.value(), CARD);
    let first_name = paywizard_till::api::customer::CustomerField::ALL[1];
    assert_eq!(app.form.customer_input(first_name).value(), "Ja");
    snap("scan_during_customer_form", &app);
}

fn approved_sale(id: i64) -> HistoryEntry {
    HistoryEntry {
        id,
        at: time::macros::datetime!(2026-11-23 10:56:12 UTC),
        operation: Operation::Pay,
        tran_order_no: Some("004220261123105612001".into()),
        account_id: mask_account(CARD),
        entry_type: EntryType::B,
        quantity: "USD 12.50".into(),
        cashier: None,
        approved_by: None,
        requested_amount: None,
        state: RowState::Approved,
        checkout_id: Some("917954313680000007".into()),
        msg: "success".into(),
    }
}

#[test]
fn void_confirmation_from_the_history() {
    let mut app = app();
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![approved_sale(7)],
        }),
    );
    press(&mut app, KeyCode::Char('l'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('v'));
    snap("void_confirm", &app);
}

fn open_row(id: i64, state: RowState) -> HistoryEntry {
    HistoryEntry {
        state,
        checkout_id: None,
        msg: String::new(),
        tran_order_no: Some(format!("00422026112310561200{id}")),
        ..approved_sale(id)
    }
}

#[test]
fn recovery_prompt_on_start() {
    let mut app = app();
    paywizard_till::app::start(&mut app);
    let mut top_up = open_row(9, RowState::Sending);
    top_up.operation = Operation::TopUp;
    top_up.quantity = "USD 20.00".into();
    send(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![
            open_row(8, RowState::Unknown),
            top_up,
        ])),
    );
    // The runtime ticks once the till has been drawn, and the window opens; it ticks again
    // once the window is on screen; the cashier reads it, then answers.
    let at_ms = app.now_ms;
    send(&mut app, Msg::Tick { at_ms });
    snap("recovery_prompt", &app);
    send(&mut app, Msg::Tick { at_ms });
    send(
        &mut app,
        Msg::Tick {
            at_ms: at_ms + 2_000,
        },
    );
    key(&mut app, KeyCode::Char('b'));
    send(
        &mut app,
        Msg::Worker(Event::RowBalance {
            row: 8,
            balances: Ok(vec![Balance {
                value_code: "USD".into(),
                amount: WireDecimal::new("37.50").unwrap(),
                difference: WireDecimal::default(),
            }]),
        }),
    );
    key(&mut app, KeyCode::Char('a'));
    type_str(&mut app, "customer paid cash instead");
    snap("recovery_balance_and_abandon_reason", &app);
}

#[test]
fn recovery_with_nothing_left() {
    let mut app = app();
    press(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    send(&mut app, Msg::Worker(Event::OpenRows(Vec::new())));
    snap("recovery_nothing_to_do", &app);
}

fn usd(minor: i64) -> Vec<MoneyTotal> {
    vec![MoneyTotal {
        currency: "USD".into(),
        minor,
        amount: format!("{}.{:02}", minor / 100, minor % 100),
    }]
}

#[test]
fn report_view() {
    let mut app = app();
    press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    snap("report_loading", &app);
    let line = |operation, state, count, money: Vec<MoneyTotal>, points| ReportLine {
        operation,
        state,
        count,
        money,
        points,
    };
    let report = Report {
        from: time::macros::datetime!(2026-11-23 00:00:00 UTC),
        to: time::macros::datetime!(2026-11-24 00:00:00 UTC),
        lines: vec![
            line(Operation::IssuePoints, RowState::Approved, 14, vec![], 350),
            line(Operation::TopUp, RowState::Approved, 3, usd(7_500), 0),
            line(Operation::Pay, RowState::Approved, 9, usd(11_250), 0),
            line(Operation::Pay, RowState::Declined, 2, usd(9_999), 0),
            line(Operation::Pay, RowState::Voided, 1, usd(1_250), 0),
            line(Operation::Pay, RowState::Unknown, 1, usd(500), 0),
            line(Operation::Void, RowState::Approved, 1, vec![], 0),
        ],
        headline: Headline {
            transactions: 27,
            points_issued: 350,
            points_redeemed: 0,
            topped_up: usd(7_500),
            paid: usd(11_250),
            tipped: vec![],
            voided: usd(1_250),
            voided_points: 0,
            open: 1,
            open_money: usd(500),
            open_points: 0,
        },
    };
    send(&mut app, Msg::Worker(Event::Report(Box::new(report))));
    snap("report_view", &app);
}

#[test]
fn receipt_after_an_approved_payment() {
    let mut app = app();
    select(&mut app, Operation::Pay);
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "12.50");
    key(&mut app, KeyCode::Enter);
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.amount = Some("12.50".into());
    paid.checkout_id = Some("917954313680000007".into());
    paid.balances = vec![Balance {
        value_code: "USD".into(),
        amount: WireDecimal::new("37.50").unwrap(),
        difference: WireDecimal::new("-12.50").unwrap(),
    }];
    send(
        &mut app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(paid),
            entry: Some(approved_sale(7)),
        }),
    );
    snap("status_approved_with_receipt_key", &app);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    snap("receipt", &app);
}

/// The scanner sends a card; a person types the figure and presses Enter.
fn scan_then_type(app: &mut App, figure: &str) {
    burst(app, CARD, Some(KeyCode::Enter));
    type_str(app, figure);
    key(app, KeyCode::Enter);
}

fn usd_balance(amount: &str) -> Balance {
    Balance {
        value_code: "USD".into(),
        amount: WireDecimal::new(amount).unwrap(),
        difference: WireDecimal::default(),
    }
}

#[test]
fn a_partial_approval_says_what_was_taken_and_what_is_left_to_collect() {
    let mut app = app();
    select(&mut app, Operation::Pay);
    burst(&mut app, CARD, Some(KeyCode::Enter));
    type_str(&mut app, "7");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char(' ')); // allow partial
    key(&mut app, KeyCode::Enter);
    assert!(app.in_flight());
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.entry_type = EntryType::B;
    paid.amount = Some("5.00".into());
    paid.requested_amount = Some("7.00".into());
    paid.checkout_id = Some("917954313680000011".into());
    paid.balances = vec![usd_balance("0.00")];
    send(
        &mut app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(paid),
            entry: Some(approved_sale(11)),
        }),
    );
    snap("status_partial_approval", &app);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    snap("receipt_partial_training", &app);
}

#[test]
fn the_same_sale_again_within_two_minutes_asks_first() {
    let mut app = app();
    let mut earlier = approved_sale(4);
    earlier.quantity = "USD 1.00".into();
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![earlier.clone()],
        }),
    );
    let at_ms = app.now_ms;
    send(
        &mut app,
        Msg::WallClock {
            at_ms,
            now: earlier.at + time::Duration::seconds(42),
        },
    );
    select(&mut app, Operation::Pay);
    scan_then_type(&mut app, "1");
    assert!(!app.in_flight(), "nothing is sent before the answer");
    snap("duplicate_guard", &app);
    snap_at("duplicate_guard", &app, 60, 15);
}

#[test]
fn a_decline_says_what_the_card_holds_and_what_to_do() {
    let mut app = app();
    select(&mut app, Operation::Pay);
    scan_then_type(&mut app, "7");
    let mut short = outcome(Operation::Pay, Status::Declined, "insufficient funds");
    short.amount = Some("7.00".into());
    short.balances = vec![usd_balance("5.00")];
    let mut declined = app.clone();
    finish(&mut declined, short);
    snap("status_declined_short_card", &declined);

    let mut app = self::app();
    select(&mut app, Operation::TopUp);
    scan_then_type(&mut app, "20");
    let mut inactive = outcome(Operation::TopUp, Status::Declined, "card is not active");
    inactive.amount = Some("20.00".into());
    finish(&mut app, inactive);
    snap("status_declined_inactive", &app);
}

#[test]
fn a_balance_check_reads_balance_not_approved() {
    let mut app = app();
    select(&mut app, Operation::Balance);
    burst(&mut app, CARD, Some(KeyCode::Enter));
    key(&mut app, KeyCode::Enter);
    let mut checked = outcome(Operation::Balance, Status::Approved, "success");
    checked.amount = None;
    checked.balances = vec![
        usd_balance("50.00"),
        Balance {
            value_code: "Points".into(),
            amount: WireDecimal::new("120").unwrap(),
            difference: WireDecimal::default(),
        },
    ];
    finish(&mut app, checked);
    snap("status_balance", &app);
}

#[test]
fn an_approved_void_names_the_sale_it_reversed() {
    let mut app = app();
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![approved_sale(7)],
        }),
    );
    press(&mut app, KeyCode::Char('l'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('v'));
    key(&mut app, KeyCode::Char('y'));
    let mut voided = outcome(Operation::Void, Status::Approved, "success");
    voided.account_id = String::new();
    voided.amount = None;
    voided.checkout_id = Some("917954313680000008".into());
    let mut void_row = approved_sale(8);
    void_row.operation = Operation::Void;
    send(
        &mut app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(voided),
            entry: Some(void_row),
        }),
    );
    snap("status_void_approved", &app);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    snap("receipt_void", &app);
}

#[test]
fn a_sandbox_reprint_says_test_and_copy() {
    let mut config = config(Mode::Sandbox);
    config.receipts_dir = Some("/spool".into());
    let mut app = App::new(&config);
    select(&mut app, Operation::Pay);
    scan_then_type(&mut app, "12.50");
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.amount = Some("12.50".into());
    paid.checkout_id = Some("917954313680000007".into());
    send(
        &mut app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(paid),
            entry: Some(approved_sale(7)),
        }),
    );
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('s'));
    send(
        &mut app,
        Msg::Worker(Event::ReceiptSaved(Ok(
            "/spool/receipt-004220250401123534801.txt".into(),
        ))),
    );
    snap("receipt_copy_sandbox", &app);
}

/// The compact layout, as a cashier uses it on a small terminal.
#[test]
fn a_small_terminal_gets_a_compact_layout_down_to_60x15() {
    const SMALL: [(u16, u16); 2] = [(60, 15), (70, 20)];
    let mut app = app();
    for (w, h) in SMALL {
        snap_at("compact_empty", &app, w, h);
    }
    select(&mut app, Operation::Pay);
    burst(&mut app, CARD, Some(KeyCode::Enter));
    type_str(&mut app, "7");
    for (w, h) in SMALL {
        snap_at("compact_pay_typed", &app, w, h);
    }
    key(&mut app, KeyCode::Enter);
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.amount = Some("7.00".into());
    paid.checkout_id = Some("917954313680000007".into());
    paid.balances = vec![usd_balance("43.00")];
    send(
        &mut app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(paid),
            entry: Some(approved_sale(7)),
        }),
    );
    for (w, h) in SMALL {
        snap_at("compact_approved", &app, w, h);
    }
    press(&mut app, KeyCode::Char('l'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('v'));
    for (w, h) in SMALL {
        snap_at("compact_void_confirm", &app, w, h);
    }
    key(&mut app, KeyCode::Char('n'));
    select(&mut app, Operation::TopUp);
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    for (w, h) in SMALL {
        snap_at("compact_customer_open", &app, w, h);
    }
    key(&mut app, KeyCode::F(1));
    for (w, h) in SMALL {
        snap_at("compact_help", &app, w, h);
    }
}

#[test]
fn the_header_says_where_the_store_sync_stands() {
    use paywizard_till::store::background::SyncStatus;
    let mut app = app();
    send(
        &mut app,
        Msg::Worker(Event::Sync(SyncStatus {
            waiting: 0,
            problem: None,
        })),
    );
    snap("store_synced", &app);
    // The store is away, two changes wait, and an outcome is unknown: both stay in sight.
    send(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![open_row(8, RowState::Unknown)])),
    );
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    send(
        &mut app,
        Msg::Worker(Event::Sync(SyncStatus {
            waiting: 2,
            problem: Some("cannot reach postgres://till@10.0.0.5:5432/store".into()),
        })),
    );
    snap("store_offline_with_unknown", &app);
}

/// A demo till with a network receipt printer; `auto` prints each approval by itself.
fn printer_till(auto: bool) -> App {
    let mut config = config(Mode::Demo);
    config.printer.target = Some(Target::parse("tcp://10.0.0.9:9100").unwrap());
    config.printer.auto = auto;
    App::new(&config)
}

/// A payment of 12.50, approved, as the worker reports it.
fn paid_12_50(app: &mut App) {
    select(app, Operation::Pay);
    scan_then_type(app, "12.50");
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.amount = Some("12.50".into());
    paid.checkout_id = Some("917954313680000007".into());
    paid.balances = vec![usd_balance("37.50")];
    let mut row = approved_sale(7);
    row.tran_order_no = paid.tran_order_no.clone();
    send(
        app,
        Msg::Worker(Event::Finished {
            id: 1,
            outcome: Box::new(paid),
            entry: Some(row),
        }),
    );
}

#[test]
fn the_receipt_window_offers_the_print_key_when_a_printer_is_set_up() {
    let mut app = printer_till(false);
    paid_12_50(&mut app);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    snap("receipt_print_key", &app);
}

#[test]
fn a_printer_that_is_down_is_said_until_the_receipt_is_printed() {
    let mut app = printer_till(true);
    paid_12_50(&mut app);
    snap("status_printing", &app);
    send(
        &mut app,
        Msg::Worker(Event::Printed(PrintNotice::Offline {
            printer: "tcp://10.0.0.9:9100".into(),
            waiting: 1,
            reason: "refused the connection (is it on and online?)".into(),
        })),
    );
    snap("status_printer_offline", &app);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    snap("receipt_kept", &app);
    key(&mut app, KeyCode::Char('p'));
    send(
        &mut app,
        Msg::Worker(Event::Printed(PrintNotice::Printed { receipts: 1 })),
    );
    snap("status_printed", &app);
}

#[test]
fn a_reprint_from_the_history_says_copy() {
    let mut app = printer_till(false);
    paid_12_50(&mut app);
    let mut older = approved_sale(5);
    older.tran_order_no = Some("004220261123101500001".into());
    older.quantity = "USD 4.00".into();
    older.checkout_id = Some("917954313680000005".into());
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![older.clone()],
        }),
    );
    press(&mut app, KeyCode::Char('l'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    let mut paid = outcome(Operation::Pay, Status::Approved, "success");
    paid.tran_order_no = older.tran_order_no.clone();
    paid.amount = Some("4.00".into());
    paid.checkout_id = older.checkout_id.clone();
    paid.balances = vec![usd_balance("46.00")];
    let issuer = Issuer {
        store: "Corner Store Main St".into(),
        till_id: "42".into(),
        currency: "USD".into(),
    };
    let from_journal = Receipt::approved(&issuer, older.at, &paid).unwrap();
    send(
        &mut app,
        Msg::Worker(Event::Receipt {
            row: 5,
            receipt: Ok(Box::new(from_journal)),
        }),
    );
    snap("receipt_reprint_copy", &app);
}

// A till with staff: sign-on, the lock, a manager's approval, the shift (X and Z).
#[path = "ui_snapshots/staff.rs"]
mod staff;
