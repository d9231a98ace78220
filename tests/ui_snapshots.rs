//! Every screen the cashier can see, at the smallest supported size (80x24) and a roomy
//! one (120x40), as text. Review a changed snapshot by reading the .snap file: it is what
//! the cashier would read.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use paywizard_till::api::{Balance, EntryType, Operation, mask_account};
use paywizard_till::app::{App, Msg, update};
use paywizard_till::config::{Config, FileConfig, Mode, Overrides};
use paywizard_till::money::WireDecimal;
use paywizard_till::outcome::{HistoryEntry, Outcome, RowState, Status};
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
    if let Some(at_ms) = app.next_deadline() {
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
    snap_at("status_already_sending", &app, 80, 24);
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
    snap_at("quit_confirm", &app, 80, 24);
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
    snap_at("sandbox_header", &app, 80, 24);
}
