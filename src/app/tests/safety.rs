//! Counter safety: what a person at the till can and cannot make happen by mistake.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::CustomerField;
use crate::outcome::{HistoryEntry, RowState};

/// Keys as a keyboard-wedge reader sends them: 2 ms apart, then the runtime's tick.
fn burst(app: &mut App, text: &str, suffix: Option<KeyCode>) -> Vec<Effect> {
    let mut at_ms = app.now_ms + 400;
    let mut effects = Vec::new();
    for code in text.chars().map(KeyCode::Char).chain(suffix) {
        effects.extend(update(
            app,
            Msg::Key {
                key: KeyEvent::new(code, KeyModifiers::NONE),
                at_ms,
            },
        ));
        at_ms += 2;
    }
    while let Some(deadline) = app.next_deadline().filter(|_| !app.in_flight()) {
        effects.extend(update(app, Msg::Tick { at_ms: deadline }));
    }
    effects
}

fn paste(app: &mut App, text: impl Into<String>, after_ms: u64) {
    let at_ms = app.now_ms + after_ms;
    update(
        app,
        Msg::Paste {
            text: text.into(),
            at_ms,
        },
    );
}

fn scan(app: &mut App) -> Vec<Effect> {
    burst(app, CARD, Some(KeyCode::Enter))
}

fn sale(id: i64, op: Operation, quantity: &str, state: RowState) -> HistoryEntry {
    HistoryEntry {
        operation: op,
        quantity: quantity.into(),
        checkout_id: Some(format!("91795431368000{id:04}")),
        ..row(id, state)
    }
}

fn load(app: &mut App, entries: Vec<HistoryEntry>) {
    update(
        app,
        Msg::Worker(Event::History {
            before: None,
            entries,
        }),
    );
}

fn wall(app: &mut App, now: time::OffsetDateTime) {
    let at_ms = app.now_ms;
    update(app, Msg::WallClock { at_ms, now });
}

const SALE_AT: time::OffsetDateTime = time::macros::datetime!(2026-11-23 10:56:12 UTC);

#[test]
fn every_outcome_clears_the_form_for_the_next_customer_and_stays_in_the_status() {
    for status in [
        Status::Approved,
        Status::Declined,
        Status::Rejected,
        Status::Unknown,
    ] {
        let mut app = app();
        key(&mut app, KeyCode::F(3)); // Top-up: card, amount, toggle, customer
        scan(&mut app);
        type_str(&mut app, "20");
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Char(' '));
        ctrl(&mut app, 'o');
        key(&mut app, KeyCode::Tab);
        type_str(&mut app, "Ada");
        let (id, _) = submits(&key(&mut app, KeyCode::Enter))[0].clone();
        finish(&mut app, id, status, None);
        let form = &app.form;
        assert_eq!(form.card.value(), "", "{status:?}");
        assert_eq!(form.quantity.value(), "", "{status:?}");
        assert!(!form.activate, "{status:?}");
        assert!(
            form.customer.iter().all(|c| c.value().is_empty()),
            "{status:?}"
        );
        assert_eq!(form.operation, Operation::TopUp, "the operation stays");
        assert!(
            matches!(&app.status, StatusView::Done(f) if f.outcome.status == status),
            "the outcome stays readable"
        );
        // Until the next input.
        scan(&mut app);
        assert_eq!(app.status, StatusView::Ready);
    }
}

#[test]
fn a_form_touched_while_sending_is_not_cleared_under_the_cashiers_fingers() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    key(&mut app, KeyCode::Esc);
    type_str(&mut app, "627400");
    finish(&mut app, id, Status::Approved, None);
    assert_eq!(app.form.card.value(), "627400");
}

#[test]
fn the_rescan_of_a_finished_sale_does_not_send_it_again() {
    let mut app = app();
    key(&mut app, KeyCode::F(4));
    scan(&mut app);
    type_str(&mut app, "1");
    let (id, _) = submits(&key(&mut app, KeyCode::Enter))[0].clone();
    finish(&mut app, id, Status::Approved, None);
    // Scan the same card again and press Enter: the amount is gone, nothing goes.
    scan(&mut app);
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    assert_eq!(app.form.focus, FieldId::Quantity);
    assert!(matches!(app.status, StatusView::Invalid { problems: 1 }));
}

#[test]
fn switching_operation_keeps_only_the_card() {
    let mut app = app();
    key(&mut app, KeyCode::F(3));
    scan(&mut app);
    type_str(&mut app, "20");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::F(4));
    assert_eq!(
        app.form.card.value(),
        CARD,
        "scan first, pick the operation after"
    );
    assert_eq!(app.form.entry, EntryType::B);
    assert_eq!(
        app.form.quantity.value(),
        "",
        "Top-up's amount is not Pay's"
    );
    assert!(!app.form.activate && !app.form.nsf_allowed);
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    // Points do not carry either.
    key(&mut app, KeyCode::F(2));
    type_str(&mut app, "25");
    key(&mut app, KeyCode::F(5));
    assert_eq!(app.form.quantity.value(), "");
}

#[test]
fn a_new_card_replaces_the_old_one_however_it_comes() {
    let mut app = app();
    scan(&mut app);
    assert_eq!(app.form.focus, FieldId::Quantity);
    // Back to the scanned card and typing: a new card, not a 32-digit one.
    key(&mut app, KeyCode::BackTab);
    type_str(&mut app, "6274000000000022");
    assert_eq!(app.form.card.value(), "6274000000000022");
    assert_eq!(app.form.entry, EntryType::K);
    // A typed card that was left is finished too.
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    type_str(&mut app, "9");
    assert_eq!(app.form.card.value(), "9");
    // An editing key first opens it for correction instead.
    type_str(&mut app, "14000000000014");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Backspace);
    type_str(&mut app, "5");
    assert_eq!(app.form.card.value(), "914000000000015");
    // A paste of a card number replaces it, wherever the focus is.
    key(&mut app, KeyCode::Tab);
    paste(&mut app, "6274 0000 0000 0048", 200);
    assert_eq!(app.form.card.value(), "6274000000000048");
}

#[test]
fn after_a_card_the_focus_and_the_status_name_the_same_next_field() {
    for place in ["first name", "nsf"] {
        let mut app = app();
        if place == "nsf" {
            key(&mut app, KeyCode::F(4));
            key(&mut app, KeyCode::Tab);
            key(&mut app, KeyCode::Tab);
            assert_eq!(app.form.focus, FieldId::Nsf);
        } else {
            key(&mut app, KeyCode::F(3));
            ctrl(&mut app, 'o');
            key(&mut app, KeyCode::Tab);
            assert_eq!(app.form.focus, FieldId::Customer(CustomerField::FirstName));
        }
        scan(&mut app);
        assert_eq!(app.form.focus, FieldId::Quantity, "{place}");
        let next = crate::ui::status::next_step(&app);
        assert!(next.starts_with("Amount (USD)"), "{place}: {next}");
        type_str(&mut app, "5");
        assert_eq!(
            app.form.quantity.value(),
            "5",
            "{place}: typing goes where it says"
        );
    }
}

#[test]
fn a_burst_of_letters_goes_into_the_focused_field_and_never_touches_the_card() {
    let mut app = app();
    key(&mut app, KeyCode::F(3));
    scan(&mut app);
    ctrl(&mut app, 'o');
    key(&mut app, KeyCode::Tab); // first name
    let effects = burst(&mut app, "Margaret", Some(KeyCode::Enter));
    assert!(
        submits(&effects).is_empty(),
        "its Enter is the machine's, not a send"
    );
    assert_eq!(
        app.form.customer_value(CustomerField::FirstName),
        "Margaret"
    );
    assert_eq!(app.form.card.value(), CARD);
    // In the history, letters in a burst are never commands (v would void).
    load(
        &mut app,
        vec![sale(5, Operation::Pay, "USD 1.00", RowState::Approved)],
    );
    ctrl(&mut app, 'l');
    burst(&mut app, "vvvvvvvv", None);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.notice.as_ref().unwrap().text.contains("not used"));
}

#[test]
fn a_reader_burst_that_is_not_a_card_says_so_and_changes_nothing() {
    let mut app = app();
    scan(&mut app);
    burst(&mut app, &"7".repeat(45), Some(KeyCode::Enter));
    assert_eq!(app.form.card.value(), CARD);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("not a card number")
    );
}

#[test]
fn pasting_an_amount_into_the_amount_field_leaves_the_card_alone() {
    let mut app = app();
    key(&mut app, KeyCode::F(4));
    scan(&mut app);
    paste(&mut app, "12.50", 300);
    assert_eq!(app.form.card.value(), CARD);
    assert_eq!(app.form.quantity.value(), "12.50");
}

#[test]
fn the_same_sale_again_within_the_window_asks_and_only_y_sends() {
    let mut app = app();
    load(
        &mut app,
        vec![sale(5, Operation::Pay, "USD 1.00", RowState::Approved)],
    );
    wall(&mut app, SALE_AT + time::Duration::seconds(30));
    key(&mut app, KeyCode::F(4));
    scan(&mut app);
    type_str(&mut app, "1");
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    let Overlay::Duplicate(guard) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(guard.earlier.id, 5, "names the earlier sale");
    assert_eq!(guard.ago_s, Some(30));
    // Enter (a scanner's suffix) and a scan are not answers.
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    assert!(submits(&scan(&mut app)).is_empty());
    assert!(matches!(app.overlay, Overlay::Duplicate(_)));
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.in_flight());
    // Asked again, y sends exactly that one.
    key(&mut app, KeyCode::Enter);
    let sent = submits(&key(&mut app, KeyCode::Char('y')));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.amount, Some(Amount::from_minor(100)));
}

#[test]
fn the_guard_counts_unknown_rows_but_not_declines_old_sales_or_other_amounts() {
    let ask = |entries: Vec<HistoryEntry>, seconds: i64, amount: &str| {
        let mut app = app();
        load(&mut app, entries);
        wall(&mut app, SALE_AT + time::Duration::seconds(seconds));
        key(&mut app, KeyCode::F(4));
        scan(&mut app);
        type_str(&mut app, amount);
        let sent = submits(&key(&mut app, KeyCode::Enter));
        matches!(app.overlay, Overlay::Duplicate(_)) && sent.is_empty()
    };
    let paid = |state| vec![sale(5, Operation::Pay, "USD 1.00", state)];
    assert!(ask(paid(RowState::Approved), 119, "1"));
    assert!(
        ask(paid(RowState::Unknown), 60, "1.00"),
        "it may have gone through"
    );
    assert!(!ask(paid(RowState::Declined), 10, "1"));
    assert!(
        !ask(paid(RowState::Approved), 121, "1"),
        "outside the window"
    );
    assert!(!ask(paid(RowState::Approved), 10, "2"), "another amount");
    let points = vec![sale(5, Operation::IssuePoints, "1 pts", RowState::Approved)];
    assert!(!ask(points, 10, "1"), "another operation");
}

#[test]
fn behind_the_too_small_screen_no_key_but_quit_does_anything() {
    let mut app = app();
    update(&mut app, Msg::Resize { w: 50, h: 12 });
    let mut effects = scan(&mut app);
    effects.extend(type_str(&mut app, "7"));
    effects.extend(key(&mut app, KeyCode::Enter));
    effects.extend(key(&mut app, KeyCode::F(4)));
    paste(&mut app, CARD, 10);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        app.form.values(),
        Form::new(Operation::IssuePoints).values()
    );
    assert_eq!(ctrl(&mut app, 'q'), vec![Effect::Quit]);
}

#[test]
fn ctrl_q_quits_from_every_window_and_asks_when_something_is_pending() {
    type Open = fn(&mut App);
    let open: Vec<(&str, Open)> = vec![
        ("help", |app| {
            key(app, KeyCode::F(1));
        }),
        ("report", |app| {
            ctrl(app, 't');
        }),
        ("recovery", |app| {
            ctrl(app, 'r');
        }),
        ("void", |app| {
            load(
                app,
                vec![sale(5, Operation::Pay, "USD 1.00", RowState::Approved)],
            );
            ctrl(app, 'l');
            key(app, KeyCode::Char('v'));
        }),
    ];
    for (name, open) in open {
        let mut app = app();
        open(&mut app);
        assert!(app.overlay.is_open(), "{name}");
        assert_eq!(ctrl(&mut app, 'q'), vec![Effect::Quit], "{name}");
    }
    // With an unknown row: the question counts it; y quits, n stays.
    let mut app = app();
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![
            row(7, RowState::Unknown),
            row(8, RowState::Sending),
        ])),
    );
    ctrl(&mut app, 'c');
    assert_eq!(app.overlay, Overlay::ConfirmQuit);
    assert_eq!(overlays::quit::Pending::of(&app).unknown, 2);
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "Enter is not a yes"
    );
    assert_eq!(app.overlay, Overlay::ConfirmQuit);
    assert_eq!(key(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
}

#[test]
fn q_quits_only_where_it_cannot_be_typed_and_asks_on_a_toggle() {
    let mut app = app();
    key(&mut app, KeyCode::F(4));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.form.focus, FieldId::Nsf);
    assert!(key(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.overlay, Overlay::ConfirmQuit);
    key(&mut app, KeyCode::Char('n'));
    assert!(!app.form.nsf_allowed);
    // In a text field q is a letter; in the history it quits.
    key(&mut app, KeyCode::F(3));
    ctrl(&mut app, 'o');
    key(&mut app, KeyCode::Tab);
    assert!(key(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(app.form.customer_value(CustomerField::FirstName), "q");
    ctrl(&mut app, 'l');
    assert_eq!(key(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn already_sending_goes_away_when_the_answer_comes() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    key(&mut app, KeyCode::Enter);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("already sending")
    );
    finish(&mut app, id, Status::Approved, None);
    assert_eq!(app.notice, None, "no longer true");
}

#[test]
fn the_history_selection_follows_the_newest_row_unless_the_cashier_is_in_it() {
    let mut app = app();
    load(
        &mut app,
        vec![
            sale(6, Operation::Pay, "USD 2.00", RowState::Approved),
            sale(5, Operation::Pay, "USD 1.00", RowState::Approved),
        ],
    );
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Down);
    assert_eq!(app.history.selected_entry().unwrap().id, 5);
    key(&mut app, KeyCode::Esc);
    // A new sale lands while the cashier is in the form.
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    finish(
        &mut app,
        id,
        Status::Approved,
        Some(sale(
            7,
            Operation::IssuePoints,
            "25 pts",
            RowState::Approved,
        )),
    );
    ctrl(&mut app, 'l');
    assert_eq!(app.history.selected_entry().unwrap().id, 7);
    key(&mut app, KeyCode::Char('v'));
    let Overlay::ConfirmVoid(target) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(
        target.sale.as_ref().unwrap().id,
        7,
        "the newest, not the old pick"
    );
    // Inside the history, a new row does not move the selection from under the cashier.
    key(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Down);
    update(
        &mut app,
        Msg::Worker(Event::RowChanged(sale(
            8,
            Operation::Pay,
            "USD 3.00",
            RowState::Approved,
        ))),
    );
    assert_eq!(app.history.selected_entry().unwrap().id, 6);
}

#[test]
fn the_recovery_window_that_opens_by_itself_does_not_take_keys_typed_before_it_was_seen() {
    let mut app = app();
    start(&mut app);
    open_rows_arrive(&mut app, vec![row(7, RowState::Unknown)]);
    assert!(matches!(app.overlay, Overlay::Recovery(_)));
    assert!(
        app.next_deadline().is_some(),
        "the runtime ticks to see it on screen"
    );
    // A digit typed at once goes to the card, and the window steps aside.
    type_str(&mut app, "6");
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.form.card.value(), "6");
    // Once it has been read, its keys are its own.
    let mut app = self::app();
    start(&mut app);
    open_rows_arrive(&mut app, vec![row(7, RowState::Unknown)]);
    read_window(&mut app);
    let effects = key(&mut app, KeyCode::Char('b'));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::CheckRowBalance { row: 7 })]
    );
    // And a cashier who had already begun is not interrupted at all.
    let mut app = self::app();
    start(&mut app);
    type_str(&mut app, "62");
    open_rows_arrive(&mut app, vec![row(7, RowState::Unknown)]);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.notice.as_ref().unwrap().text.contains("Ctrl+R"));
}

#[test]
fn a_scan_that_submits_goes_only_after_the_screen_has_shown_it() {
    let mut config = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
    config.scanner.scan_submits = true;
    let mut app = App::new(&config);
    key(&mut app, KeyCode::F(6)); // Balance: the card is all it needs
    let mut at_ms = app.now_ms + 400;
    let mut effects = Vec::new();
    for code in CARD.chars().map(KeyCode::Char).chain([KeyCode::Enter]) {
        effects.extend(update(
            &mut app,
            Msg::Key {
                key: KeyEvent::new(code, KeyModifiers::NONE),
                at_ms,
            },
        ));
        at_ms += 2;
    }
    assert!(
        submits(&effects).is_empty(),
        "not in the update that filled the card"
    );
    assert!(app.deferred.is_some());
    let tick = app.next_deadline().expect("a tick is due at once");
    let sent = submits(&update(&mut app, Msg::Tick { at_ms: tick }));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.account, CARD);
}

#[test]
fn a_void_confirmed_while_another_sale_is_out_waits_and_keeps_that_sales_status() {
    let mut app = app();
    update(
        &mut app,
        Msg::Worker(Event::RowChanged(sale(
            7,
            Operation::Pay,
            "USD 3.00",
            RowState::Approved,
        ))),
    );
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    assert!(app.in_flight());
    // The cashier goes to the history meanwhile, picks the sale and says yes to its void.
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Char('v'));
    assert!(
        matches!(app.overlay, Overlay::ConfirmVoid(_)),
        "{:?}",
        app.overlay
    );
    let effects = key(&mut app, KeyCode::Char('y'));
    assert!(
        submits(&effects).is_empty(),
        "nothing more goes while a sale is out"
    );
    assert_eq!(
        app.status.in_flight().map(|f| f.id),
        Some(id),
        "the sale being sent keeps the status pane"
    );
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("already sending")),
        "{:?}",
        app.notice
    );
}
