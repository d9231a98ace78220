use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::FieldId;
use super::input::apply_routed;
use super::overlays::RecoveryWindow;
use super::recovery::BalanceCheck;
use super::scanner::Routed;
use super::status::Step;
use super::*;
use crate::api::{EntryType, TillRequest, mask_account};
use crate::config::{Config, FileConfig, Overrides};
use crate::money::{Amount, Points};
use crate::outcome::RowState;
use crate::outcome::{HistoryEntry, Outcome, Status};
use crate::worker::Stage;

const CARD: &str = "6274000000000014";

fn app() -> App {
    let config = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
    App::new(&config)
}

/// Sends one key as a person types it: 150 ms after the last, followed by the tick the
/// runtime sends when the scanner's hold on it runs out (a person's key is held ~31 ms).
fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    let at_ms = app.now_ms + 150;
    let mut effects = update(
        app,
        Msg::Key {
            key: KeyEvent::new(code, mods),
            at_ms,
        },
    );
    if let Some(deadline) = app.scanner.next_deadline() {
        effects.extend(update(app, Msg::Tick { at_ms: deadline }));
    }
    effects
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press(app, code, KeyModifiers::NONE)
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    press(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_str(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(app, KeyCode::Char(c)));
    }
    effects
}

fn submits(effects: &[Effect]) -> Vec<(RequestId, TillRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Worker(Command::Submit { id, request, .. }) => Some((*id, (**request).clone())),
            _ => None,
        })
        .collect()
}

fn outcome(status: Status) -> Outcome {
    Outcome {
        operation: Operation::IssuePoints,
        tran_order_no: Some("00012025040112353480".into()),
        account_id: mask_account(CARD),
        entry_type: EntryType::K,
        status,
        code: Some(200),
        msg: "success".into(),
        checkout_id: None,
        amount: Some("25".into()),
        requested_amount: None,
        balances: Vec::new(),
    }
}

/// The worker's answer to request `id`.
fn finish(
    app: &mut App,
    id: RequestId,
    status: Status,
    entry: Option<HistoryEntry>,
) -> Vec<Effect> {
    update(
        app,
        Msg::Worker(Event::Finished {
            id,
            outcome: Box::new(outcome(status)),
            entry,
        }),
    )
}

/// Card, Tab, 25, Enter: the issue-points flow in four keys after the card.
fn issue_25(app: &mut App) -> Vec<Effect> {
    let mut effects = type_str(app, CARD);
    effects.extend(key(app, KeyCode::Tab));
    effects.extend(type_str(app, "25"));
    effects.extend(key(app, KeyCode::Enter));
    effects
}

#[test]
fn issue_points_sends_exactly_one_submit() {
    let mut app = app();
    let effects = issue_25(&mut app);
    let sent = submits(&effects);
    assert_eq!(sent.len(), 1, "{effects:?}");
    let req = &sent[0].1;
    assert_eq!(req.operation, Operation::IssuePoints);
    assert_eq!(req.account, CARD);
    assert_eq!(req.points, Some(Points::new(25)));
    assert_eq!(req.entry, EntryType::K);
    assert!(app.in_flight());
}

#[test]
fn a_second_enter_while_in_flight_sends_nothing() {
    let mut app = app();
    let first = issue_25(&mut app);
    let second = key(&mut app, KeyCode::Enter);
    assert_eq!(submits(&first).len(), 1);
    assert!(second.is_empty());
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("already sending")
    );
}

#[test]
fn enter_again_after_the_answer_does_not_repeat_the_sale() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    finish(&mut app, id, Status::Approved, None);
    // The form is clean for the next customer: Enter has nothing to send.
    assert_eq!(app.form.card.value(), "");
    assert_eq!(app.form.quantity.value(), "");
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    assert!(matches!(app.status, StatusView::Invalid { .. }));
}

#[test]
fn bad_amounts_are_refused_beside_the_field() {
    for (input, message) in [
        ("10.555", "USD allows at most 2 decimal places"),
        ("-1", "the amount cannot be negative"),
        ("abc", "the amount must be a number like 10.50"),
    ] {
        let mut app = app();
        key(&mut app, KeyCode::F(4)); // Pay
        type_str(&mut app, CARD);
        key(&mut app, KeyCode::Tab);
        type_str(&mut app, input);
        let effects = key(&mut app, KeyCode::Enter);
        assert!(effects.is_empty(), "{input}: {effects:?}");
        assert_eq!(
            app.form.errors.get(&FieldId::Quantity).map(String::as_str),
            Some(message),
            "{input}"
        );
        assert_eq!(app.form.focus, FieldId::Quantity);
        assert!(matches!(app.status, StatusView::Invalid { problems: 1 }));
    }
}

#[test]
fn a_valid_amount_goes_out_in_minor_units() {
    let mut app = app();
    key(&mut app, KeyCode::F(3)); // Top-up
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "10.5");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char(' ')); // activate
    let sent = submits(&key(&mut app, KeyCode::Enter));
    let req = &sent[0].1;
    assert_eq!(req.operation, Operation::TopUp);
    assert_eq!(req.amount, Some(Amount::from_minor(1050)));
    assert!(req.activate);
    assert_eq!(req.customer, None);
}

#[test]
fn leaving_a_field_shows_its_problem() {
    let mut app = app();
    type_str(&mut app, "123");
    key(&mut app, KeyCode::Tab);
    assert_eq!(
        app.form.errors.get(&FieldId::Card).map(String::as_str),
        Some("card number is too short (at least 6 digits)")
    );
    // Fixing it clears the message as it is typed.
    key(&mut app, KeyCode::BackTab);
    type_str(&mut app, "456");
    assert!(!app.form.errors.contains_key(&FieldId::Card));
}

#[test]
fn luhn_is_a_warning_not_a_block() {
    let mut app = app();
    type_str(&mut app, "6274000000000015");
    assert!(app.form.card_warning().is_some());
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "5");
    assert_eq!(submits(&key(&mut app, KeyCode::Enter)).len(), 1);
}

#[test]
fn letters_never_reach_the_card_field() {
    let mut app = app();
    type_str(&mut app, "62a");
    assert!(app.notice.is_some());
    type_str(&mut app, "74");
    assert_eq!(app.form.card.value(), "6274");
}

#[test]
fn esc_after_an_answer_clears_the_form_and_keeps_the_operation() {
    let mut app = app();
    key(&mut app, KeyCode::F(5)); // Redeem points
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    finish(&mut app, id, Status::Declined, None);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.form.card.value(), "");
    assert_eq!(app.form.quantity.value(), "");
    assert_eq!(app.form.operation, Operation::RedeemPoints);
    assert_eq!(app.form.focus, FieldId::Card);
    assert_eq!(app.status, StatusView::Ready);
}

#[test]
fn esc_while_in_flight_keeps_the_status_and_frees_the_form() {
    let mut app = app();
    issue_25(&mut app);
    key(&mut app, KeyCode::Esc);
    assert!(app.in_flight());
    type_str(&mut app, "627400");
    assert_eq!(app.form.card.value(), "627400");
}

#[test]
fn worker_stages_move_the_status_along() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    let step = |app: &App| app.status.in_flight().unwrap().step;
    assert_eq!(step(&app), Step::Validated);
    let stages = [
        (
            Stage::Journaled {
                tran_order_no: Some("0001202504011235348".into()),
            },
            Step::Journaled,
        ),
        (Stage::Signing, Step::Signing),
        (Stage::Sending, Step::Sending),
        (Stage::Waiting, Step::Waiting),
    ];
    for (stage, expected) in stages {
        update(&mut app, Msg::Worker(Event::Stage { id, stage }));
        assert_eq!(step(&app), expected);
    }
    assert_eq!(
        app.status.in_flight().unwrap().tran_order_no.as_deref(),
        Some("0001202504011235348")
    );
    // Events about another request change nothing.
    update(
        &mut app,
        Msg::Worker(Event::Stage {
            id: id + 7,
            stage: Stage::Signing,
        }),
    );
    assert_eq!(step(&app), Step::Waiting);
    let started = app.status.in_flight().unwrap().started_ms;
    update(
        &mut app,
        Msg::Tick {
            at_ms: started + 89_500,
        },
    );
    assert_eq!(app.status.in_flight().unwrap().elapsed_secs(app.now_ms), 89);
}

#[test]
fn an_unknown_outcome_is_shown_as_unknown() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    finish(&mut app, id, Status::Unknown, None);
    match &app.status {
        StatusView::Done(f) => assert_eq!(f.outcome.status, Status::Unknown),
        other => panic!("{other:?}"),
    }
    assert!(!app.in_flight());
}

#[test]
fn paste_keeps_digits_only_and_marks_keyed() {
    let mut app = app();
    ctrl(&mut app, 'e'); // B
    update(
        &mut app,
        Msg::Paste {
            text: "6274 0000-0000 0014\n".into(),
            at_ms: 5,
        },
    );
    assert_eq!(app.form.card.value(), CARD);
    assert_eq!(app.form.entry, EntryType::K);
}

#[test]
fn ctrl_e_cycles_the_entry_badge() {
    let mut app = app();
    let mut seen = vec![app.form.entry];
    for _ in 0..4 {
        ctrl(&mut app, 'e');
        seen.push(app.form.entry);
    }
    use EntryType::*;
    assert_eq!(seen, vec![K, B, M, P, K]);
    // The badge rides along with the request; typing a new number resets it to K first.
    type_str(&mut app, CARD);
    ctrl(&mut app, 'e');
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "25");
    let sent = submits(&key(&mut app, KeyCode::Enter));
    assert_eq!(sent[0].1.entry, EntryType::B);
}

#[test]
fn quitting_while_in_flight_asks_first() {
    let mut app = app();
    issue_25(&mut app);
    assert!(ctrl(&mut app, 'q').is_empty());
    assert_eq!(app.overlay, Overlay::ConfirmQuit);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    ctrl(&mut app, 'c');
    assert_eq!(key(&mut app, KeyCode::Char('y')), vec![Effect::Quit]);
}

#[test]
fn quitting_when_idle_is_immediate_but_q_in_a_text_field_is_a_letter() {
    let mut app = app();
    assert!(key(&mut app, KeyCode::Char('q')).is_empty());
    assert_eq!(ctrl(&mut app, 'q'), vec![Effect::Quit]);
    ctrl(&mut app, 'l'); // history focus
    assert_eq!(key(&mut app, KeyCode::Char('q')), vec![Effect::Quit]);
}

#[test]
fn function_keys_and_alt_letters_pick_operations() {
    let mut app = app();
    for (i, op) in Operation::ALL.into_iter().enumerate() {
        key(&mut app, KeyCode::F(u8::try_from(i).unwrap() + 2));
        assert_eq!(app.form.operation, op);
    }
    press(&mut app, KeyCode::Char('u'), KeyModifiers::ALT);
    assert_eq!(app.form.operation, Operation::TopUp);
}

#[test]
fn customer_info_opens_with_one_key_and_checks_fields_on_leave() {
    let mut app = app();
    key(&mut app, KeyCode::F(7)); // Activate
    type_str(&mut app, CARD);
    ctrl(&mut app, 'o');
    assert!(app.form.customer_open);
    assert_eq!(
        app.form.focus,
        FieldId::Customer(crate::api::CustomerField::CustomerType)
    );
    key(&mut app, KeyCode::Char('1'));
    assert_eq!(
        app.form
            .customer_value(crate::api::CustomerField::CustomerType),
        "1"
    );
    // Jump to e-mail and type a bad one.
    while app.form.focus != FieldId::Customer(crate::api::CustomerField::Email) {
        key(&mut app, KeyCode::Tab);
    }
    type_str(&mut app, "nope");
    key(&mut app, KeyCode::Tab);
    assert!(
        app.form
            .errors
            .contains_key(&FieldId::Customer(crate::api::CustomerField::Email))
    );
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    ctrl(&mut app, 'o');
    assert!(!app.form.customer_open);
}

#[test]
fn history_updates_from_finished_and_pages_older_rows() {
    use crate::outcome::{HistoryEntry, RowState};
    let entry = |id: i64| HistoryEntry {
        id,
        at: time::macros::datetime!(2025-04-01 12:35:34 UTC),
        operation: Operation::IssuePoints,
        tran_order_no: Some(format!("0001{id}")),
        account_id: mask_account(CARD),
        entry_type: EntryType::K,
        quantity: "25 pts".into(),
        cashier: None,
        approved_by: None,
        requested_amount: None,
        state: RowState::Approved,
        checkout_id: Some(format!("93339281590229{id:04}")),
        msg: String::new(),
    };
    let mut app = app();
    let page: Vec<_> = (1..=100).rev().map(entry).collect();
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: page,
        }),
    );
    assert_eq!(app.history.entries.len(), 100);
    ctrl(&mut app, 'l');
    let effects = key(&mut app, KeyCode::End);
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::LoadHistory {
            before: Some(1),
            limit: PAGE
        })]
    );
    // Only one page request at a time.
    assert!(key(&mut app, KeyCode::Down).is_empty());
    let mut sending = entry(101);
    sending.state = RowState::Sending;
    finish(&mut app, 1, Status::Approved, Some(sending));
    assert_eq!(app.history.entries[0].id, 101);
    let mut approved = entry(101);
    approved.state = RowState::Approved;
    finish(&mut app, 1, Status::Approved, Some(approved));
    assert_eq!(app.history.entries.len(), 101);
    assert_eq!(app.history.entries[0].state, RowState::Approved);
    // V on a row: the void is filled in and asks first; only y sends it.
    key(&mut app, KeyCode::Home);
    assert!(key(&mut app, KeyCode::Char('v')).is_empty());
    assert_eq!(app.form.operation, Operation::Void);
    assert_eq!(app.form.original.value(), "933392815902290101");
    let Overlay::ConfirmVoid(target) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(
        target.sale.as_ref().map(|e| e.id),
        Some(101),
        "the question names the sale"
    );
    assert!(
        submits(&key(&mut app, KeyCode::Enter)).is_empty(),
        "Enter (perhaps a scanner's) is not a yes"
    );
    assert!(submits(&key(&mut app, KeyCode::Char('n'))).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    // Enter on the filled-in void form asks again; y sends exactly one void.
    assert!(submits(&key(&mut app, KeyCode::Enter)).is_empty());
    assert!(matches!(app.overlay, Overlay::ConfirmVoid(_)));
    let sent = submits(&key(&mut app, KeyCode::Char('y')));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.operation, Operation::Void);
    assert_eq!(
        sent[0].1.original_checkout_id.as_deref(),
        Some("933392815902290101")
    );
    let sending = app.status.in_flight().unwrap();
    assert_eq!(sending.account, mask_account(CARD), "names the sale's card");
    assert_eq!(sending.quantity, "25 pts");
}

#[test]
fn a_scan_fills_the_card_as_scanned_and_moves_on_without_leaking_keys() {
    let mut app = app();
    type_str(&mut app, "99"); // a person started typing, then scanned instead
    apply_routed(
        &mut app,
        Routed::Scan {
            account: CARD.into(),
            submit: false,
        },
    );
    assert_eq!(app.form.card.value(), CARD);
    assert_eq!(app.form.entry, EntryType::B);
    assert_eq!(app.form.focus, FieldId::Quantity);
    assert_eq!(app.form.quantity.value(), "");
    type_str(&mut app, "25");
    let sent = submits(&key(&mut app, KeyCode::Enter));
    assert_eq!(sent[0].1.entry, EntryType::B);
    assert_eq!(sent[0].1.account, CARD);
}

#[test]
fn a_scan_that_submits_sends_once() {
    let mut app = app();
    key(&mut app, KeyCode::F(6)); // Balance: the card is all it needs
    let effects = apply_routed(
        &mut app,
        Routed::Scan {
            account: CARD.into(),
            submit: true,
        },
    );
    assert_eq!(submits(&effects).len(), 1);
}

#[test]
fn a_swipe_offers_the_name_for_the_customer() {
    let mut app = app();
    key(&mut app, KeyCode::F(7)); // Activate
    apply_routed(
        &mut app,
        Routed::Swipe {
            swipe: scanner::Swipe {
                account: CARD.into(),
                name: Some("Jon Q Doe".into()),
            },
            submit: false,
        },
    );
    assert_eq!(app.form.entry, EntryType::M);
    assert_eq!(app.name_offer.as_deref(), Some("Jon Q Doe"));
    ctrl(&mut app, 'n');
    use crate::api::CustomerField;
    assert_eq!(app.form.customer_value(CustomerField::FirstName), "Jon Q");
    assert_eq!(app.form.customer_value(CustomerField::LastName), "Doe");
    assert!(app.form.customer_open);
    let sent = submits(&key(&mut app, KeyCode::Enter));
    let customer = sent[0].1.customer.clone().unwrap();
    assert_eq!(customer.last_name, "Doe");
}

#[test]
fn a_bad_swipe_asks_for_another() {
    let mut app = app();
    apply_routed(&mut app, Routed::SwipeError);
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("Card not read — swipe again")
    );
    assert_eq!(app.form.card.value(), "");
}

#[test]
fn paste_goes_to_the_card_unless_a_checkout_id_is_expected() {
    let mut app = app();
    key(&mut app, KeyCode::F(8)); // Void
    update(
        &mut app,
        Msg::Paste {
            text: "933392815902294016".into(),
            at_ms: 1,
        },
    );
    assert_eq!(app.form.original.value(), "933392815902294016");
    let mut app = super::tests::app();
    key(&mut app, KeyCode::Tab); // points field
    update(
        &mut app,
        Msg::Paste {
            text: "6274-0000-0000-0014".into(),
            at_ms: 1,
        },
    );
    assert_eq!(app.form.card.value(), CARD);
    assert_eq!(app.form.quantity.value(), "");
}

#[test]
fn key_releases_are_ignored() {
    let mut app = app();
    let mut release = KeyEvent::new(KeyCode::Char('6'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    update(
        &mut app,
        Msg::Key {
            key: release,
            at_ms: 1,
        },
    );
    assert_eq!(app.form.card.value(), "");
}

fn row(id: i64, state: RowState) -> HistoryEntry {
    HistoryEntry {
        id,
        at: time::macros::datetime!(2026-11-23 10:56:12 UTC),
        operation: Operation::Pay,
        tran_order_no: Some(format!("2026112310561200010000000{id}")),
        account_id: mask_account(CARD),
        entry_type: EntryType::B,
        quantity: "USD 5.00".into(),
        cashier: None,
        approved_by: None,
        requested_amount: None,
        state,
        checkout_id: None,
        msg: String::new(),
    }
}

/// The open rows arrive at start, and the runtime's next tick (after a draw) follows.
fn open_rows_arrive(app: &mut App, rows: Vec<HistoryEntry>) {
    update(app, Msg::Worker(Event::OpenRows(rows)));
    let at_ms = app.now_ms;
    update(app, Msg::Tick { at_ms });
}

/// A window that opened by itself is drawn, seen, and read for a second.
fn read_window(app: &mut App) {
    let at_ms = app.now_ms;
    update(app, Msg::Tick { at_ms });
    update(
        app,
        Msg::Tick {
            at_ms: at_ms + 1_000,
        },
    );
}

#[test]
fn start_asks_for_history_and_open_rows_and_recovery_opens_only_if_needed() {
    let mut app = app();
    let effects = start(&mut app);
    assert!(effects.contains(&Effect::Worker(Command::LoadOpenRows)));
    assert!(app.history.loading);
    update(&mut app, Msg::Worker(Event::OpenRows(Vec::new())));
    assert_eq!(app.overlay, Overlay::None, "nothing to recover: no window");

    let mut app = self::app();
    start(&mut app);
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![row(7, RowState::Unknown)])),
    );
    assert_eq!(
        app.overlay,
        Overlay::None,
        "not before the till has been drawn"
    );
    assert!(app.next_deadline().is_some(), "the runtime ticks at once");
    let at_ms = app.now_ms;
    update(&mut app, Msg::Tick { at_ms });
    assert!(
        matches!(app.overlay, Overlay::Recovery(_)),
        "a crash's leftovers are shown at once"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    // Later refreshes do not nag.
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![row(7, RowState::Unknown)])),
    );
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn recovery_resends_the_same_row_and_drops_it_once_it_is_final() {
    let mut app = app();
    ctrl(&mut app, 'r');
    assert!(matches!(app.overlay, Overlay::Recovery(_)));
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![
            row(7, RowState::Unknown),
            row(8, RowState::Sending),
        ])),
    );
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Char('r'));
    let Some(Effect::Worker(Command::Resend { id, row: 8 })) = effects.first() else {
        panic!("R resends the selected row by its journal id: {effects:?}");
    };
    let id = *id;
    assert!(app.in_flight());
    // One at a time: a second R while it is out sends nothing.
    assert!(key(&mut app, KeyCode::Char('r')).is_empty());
    let mut settled = row(8, RowState::Approved);
    settled.checkout_id = Some("917954313680000009".into());
    let mut done = outcome(Status::Approved);
    done.tran_order_no = settled.tran_order_no.clone();
    let effects = update(
        &mut app,
        Msg::Worker(Event::Finished {
            id,
            outcome: Box::new(done),
            entry: Some(settled),
        }),
    );
    assert_eq!(effects, vec![Effect::Worker(Command::LoadOpenRows)]);
    assert_eq!(app.recovery.rows.len(), 1);
    assert_eq!(app.recovery.rows[0].id, 7);
    assert!(app.recovery.last.as_ref().unwrap().contains("approved"));
    assert_eq!(app.history.entries[0].state, RowState::Approved);
}

#[test]
fn abandoning_needs_a_reason() {
    let mut app = app();
    ctrl(&mut app, 'r');
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![row(7, RowState::Unknown)])),
    );
    key(&mut app, KeyCode::Char('a'));
    assert!(matches!(
        &app.overlay,
        Overlay::Recovery(RecoveryWindow {
            reason: Some(_),
            ..
        })
    ));
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "no reason, no abandon"
    );
    assert!(app.notice.is_some());
    type_str(&mut app, "card refunded in cash");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::Abandon {
            row: 7,
            reason: "card refunded in cash".into(),
            authority: Default::default(),
        })]
    );
    update(
        &mut app,
        Msg::Worker(Event::RowChanged(row(7, RowState::Abandoned))),
    );
    assert!(app.recovery.rows.is_empty());
    assert!(app.recovery.last.as_ref().unwrap().contains("abandoned"));
}

#[test]
fn a_balance_check_from_recovery_shows_what_the_card_holds() {
    let mut app = app();
    ctrl(&mut app, 'r');
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![row(7, RowState::Unknown)])),
    );
    let effects = key(&mut app, KeyCode::Char('b'));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::CheckRowBalance { row: 7 })]
    );
    assert_eq!(app.recovery.balances[&7], BalanceCheck::Asking);
}

#[test]
fn a_declined_answer_has_no_receipt() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    update(
        &mut app,
        Msg::Worker(Event::Finished {
            id,
            outcome: Box::new(outcome(Status::Declined)),
            entry: Some(row(3, RowState::Declined)),
        }),
    );
    assert_eq!(app.receipt, None);
    ctrl(&mut app, 'p');
    assert_eq!(app.overlay, Overlay::None, "no window with nothing in it");
}

#[test]
fn only_approved_sales_can_be_voided_from_the_history() {
    let mut app = app();
    let mut voided = row(5, RowState::Voided);
    voided.checkout_id = Some("917954313680000005".into());
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![voided, row(4, RowState::Unknown)],
        }),
    );
    ctrl(&mut app, 'l');
    assert!(key(&mut app, KeyCode::Char('v')).is_empty());
    assert!(app.notice.as_ref().unwrap().text.contains("already voided"));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('v'));
    assert!(app.notice.as_ref().unwrap().text.contains("unknown"));
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn the_report_loads_when_opened() {
    let mut app = app();
    let effects = ctrl(&mut app, 't');
    assert_eq!(effects, vec![Effect::Worker(Command::LoadReport)]);
    assert!(matches!(&app.overlay, Overlay::Report(w) if w.report.is_none()));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
}

mod scan_from_anywhere {
    use proptest::prelude::*;

    use super::*;

    /// Where the cashier was when the scan came in.
    #[derive(Debug, Clone, Copy)]
    enum Place {
        Card,
        Quantity,
        CustomerName,
        History,
    }

    fn place() -> impl Strategy<Value = Place> {
        prop_oneof![
            Just(Place::Card),
            Just(Place::Quantity),
            Just(Place::CustomerName),
            Just(Place::History),
        ]
    }

    /// Puts the focus there, with something already typed in the field, as a person would.
    fn go_to(app: &mut App, place: Place) {
        key(app, KeyCode::F(3)); // Top-up: it has every kind of field
        type_str(app, "12");
        match place {
            Place::Card => {}
            Place::Quantity => {
                key(app, KeyCode::Tab);
                type_str(app, "7");
            }
            Place::CustomerName => {
                ctrl(app, 'o');
                let name = FieldId::Customer(crate::api::CustomerField::FirstName);
                app.form.focus_field(name, &app.limits);
                type_str(app, "Jo");
            }
            Place::History => {
                ctrl(app, 'l');
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn a_scan_lands_whole_in_the_card_field_wherever_the_focus_was(
            place in place(),
            digits in "[0-9]{6,19}",
            gaps in proptest::collection::vec(0u64..=15, 20),
            suffix in prop_oneof![Just(None), Just(Some(KeyCode::Enter)), Just(Some(KeyCode::Tab))],
        ) {
            let mut app = app();
            go_to(&mut app, place);
            let quantity_before = app.form.quantity.value().to_owned();
            let name = crate::api::CustomerField::FirstName;
            let name_before = app.form.customer_input(name).value().to_owned();

            let mut at_ms = app.now_ms + 300;
            let mut effects = Vec::new();
            let keys = digits.chars().map(KeyCode::Char).chain(suffix);
            for (code, gap) in keys.zip(gaps.iter().chain(std::iter::repeat(&0))) {
                effects.extend(update(&mut app, Msg::Key { key: KeyEvent::new(code, KeyModifiers::NONE), at_ms }));
                at_ms += gap;
            }
            while let Some(deadline) = app.next_deadline().filter(|_| !app.in_flight()) {
                effects.extend(update(&mut app, Msg::Tick { at_ms: deadline }));
            }

            prop_assert_eq!(app.form.card.value(), digits.as_str());
            prop_assert_eq!(app.form.entry, EntryType::B);
            prop_assert!(submits(&effects).is_empty(), "the scanner's suffix does not send");
            prop_assert_eq!(app.form.quantity.value(), quantity_before.as_str());
            prop_assert_eq!(app.form.customer_input(name).value(), name_before.as_str());
        }
    }
}

#[test]
fn a_new_unknown_outcome_joins_the_recovery_list_until_settled() {
    let mut app = app();
    let (id, _) = submits(&issue_25(&mut app))[0].clone();
    finish(
        &mut app,
        id,
        Status::Unknown,
        Some(row(4, RowState::Unknown)),
    );
    assert_eq!(app.recovery.rows.len(), 1, "the header counts it");
    assert_eq!(
        app.overlay,
        Overlay::None,
        "no window in the cashier's face mid-sale"
    );
    update(
        &mut app,
        Msg::Worker(Event::RowChanged(row(4, RowState::Abandoned))),
    );
    assert!(app.recovery.rows.is_empty());
}

#[test]
fn tipping_a_payment_from_the_history_needs_only_the_amount() {
    let mut app = app();
    let mut sale = row(6, RowState::Approved);
    sale.checkout_id = Some("917954313680000006".into());
    let mut points = row(5, RowState::Approved);
    points.operation = Operation::IssuePoints;
    points.checkout_id = Some("917954313680000005".into());
    update(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![sale, points],
        }),
    );
    ctrl(&mut app, 'l');
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('t'));
    assert!(app.notice.as_ref().unwrap().text.contains("only a payment"));
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(app.form.operation, Operation::Tip);
    assert_eq!(app.form.focus, FieldId::Quantity);
    type_str(&mut app, "2");
    let sent = submits(&key(&mut app, KeyCode::Enter));
    assert_eq!(
        sent.len(),
        1,
        "the card comes from the sale: {:?}",
        app.form.errors
    );
    assert_eq!(sent[0].1.account, "");
    assert_eq!(
        sent[0].1.original_checkout_id.as_deref(),
        Some("917954313680000006")
    );
}

#[test]
fn a_resend_that_cannot_start_frees_the_status_and_says_why() {
    let mut app = app();
    ctrl(&mut app, 'r');
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![row(7, RowState::Unknown)])),
    );
    let effects = key(&mut app, KeyCode::Char('r'));
    let Some(Effect::Worker(Command::Resend { id, .. })) = effects.first() else {
        panic!("{effects:?}");
    };
    let id = *id;
    update(
        &mut app,
        Msg::Worker(Event::ResendFailed {
            id,
            reason: "that request is already approved; nothing was sent".into(),
        }),
    );
    assert!(!app.in_flight());
    assert_eq!(app.recovery.resending, None);
    assert!(
        app.recovery
            .last
            .as_ref()
            .unwrap()
            .contains("already approved")
    );
    assert_eq!(app.problem, None, "not a journal failure");
}

mod printing;
mod safety;
mod staff;
mod visible;
