//! Staff at the screen: sign-on, the idle lock, sign-off, a manager's approval, the shift.
//! What each key and worker answer does to the screen and what it asks the worker for.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::macros::datetime;

use super::*;
use crate::journal::{
    Authority, Pin, Refusal, Role, ShiftTotals, SignOnRefusal, SignedOn, StaffMember, ZAttempt,
    ZRefusal,
};
use crate::worker::{SignOff, SignOnAnswer};
use overlays::{PendingAction, ZState};
use screen::Screen;
use sign_on::{Field, Problem};

const LOCK_MS: u64 = 60_000;

fn member(id: &str, name: &str, role: Role) -> SignedOn {
    SignedOn::for_test(
        StaffMember {
            id: id.into(),
            name: name.into(),
            role,
        },
        datetime!(2025-04-01 09:00 UTC),
    )
}

fn bob() -> SignedOn {
    member("bob", "Bob Baker", Role::Cashier)
}

fn ann() -> SignedOn {
    member("ann", "Ann Archer", Role::Manager)
}

/// A till with staff, money over USD 100.00 needing a manager, locking after a minute.
fn staffed() -> App {
    let file = FileConfig {
        manager_over: Some("100.00".into()),
        lock_after_s: Some(LOCK_MS / 1000),
        ..FileConfig::default()
    };
    let config = Config::resolve(&Overrides::default(), &file).unwrap();
    App::new(&config).with_staff(true)
}

/// Keys 2 ms apart, as a fast typist or a reader: no scanner may see them here.
fn burst(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut at_ms = app.now_ms + 200;
    for c in text.chars() {
        effects.extend(update(
            app,
            Msg::Key {
                key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                at_ms,
            },
        ));
        at_ms += 2;
    }
    effects
}

fn sign_on_checks(effects: &[Effect]) -> Vec<(RequestId, String, Pin)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Worker(Command::SignOn { ticket, id, pin }) => {
                Some((*ticket, id.clone(), pin.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The id, Enter, the PIN in a burst, Enter: the ticket of the check asked for.
fn type_credentials(app: &mut App, id: &str, pin: &str) -> RequestId {
    type_str(app, id);
    key(app, KeyCode::Enter);
    burst(app, pin);
    let effects = key(app, KeyCode::Enter);
    let checks = sign_on_checks(&effects);
    assert_eq!(checks.len(), 1, "{effects:?}");
    assert_eq!(checks[0].1, id);
    assert_eq!(checks[0].2, Pin::parse(pin).unwrap());
    checks[0].0
}

fn answer(app: &mut App, ticket: RequestId, answer: SignOnAnswer) -> Vec<Effect> {
    update(app, Msg::Worker(Event::SignOn { ticket, answer }))
}

fn signed_on_as(who: SignedOn) -> App {
    let mut app = staffed();
    let ticket = type_credentials(&mut app, who.id(), "27182818");
    let effects = answer(
        &mut app,
        ticket,
        SignOnAnswer::SignedOn(Box::new(who.clone())),
    );
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::RecordSignOn(Box::new(who)))]
    );
    app
}

fn submitted_authority(effects: &[Effect]) -> Option<Authority> {
    effects.iter().find_map(|e| match e {
        Effect::Worker(Command::Submit { authority, .. }) => Some((**authority).clone()),
        _ => None,
    })
}

#[test]
fn with_staff_the_screen_opens_on_sign_on_and_a_fast_pin_goes_nowhere_visible() {
    let mut app = staffed();
    assert!(matches!(app.screen, Screen::SignOn(_)));
    assert_eq!(app.context(), keys::Context::SignOn);
    type_str(&mut app, "bob");
    key(&mut app, KeyCode::Enter);
    // Eight digits 2 ms apart: a scan's timing, but this is a PIN.
    let effects = burst(&mut app, "62740000");
    assert!(effects.is_empty(), "{effects:?}");
    let Screen::SignOn(form) = &app.screen else {
        panic!("still signing on")
    };
    assert_eq!((form.focus, form.pin.len()), (Field::Pin, 8));
    assert!(app.form.card.value().is_empty(), "nothing reached the till");
    assert!(app.notice.is_none(), "{:?}", app.notice);
    assert_eq!(app.next_deadline(), None, "no scanner holding anything");
}

#[test]
fn a_wrong_pin_says_so_and_a_stale_answer_is_dropped() {
    let mut app = staffed();
    let ticket = type_credentials(&mut app, "bob", "1111");
    let refusal = SignOnRefusal::WrongPin {
        id: "bob".into(),
        attempts_left: 4,
    };
    answer(&mut app, ticket, SignOnAnswer::Refused(refusal.clone()));
    let Screen::SignOn(form) = &app.screen else {
        panic!("still signing on")
    };
    assert_eq!(form.problem, Some(Problem::Sign(refusal)));
    assert_eq!((form.focus, form.pin.len()), (Field::Pin, 0));
    // An answer for a check nobody waits for does not sign anyone on.
    assert!(answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(bob()))).is_empty());
    assert!(matches!(app.screen, Screen::SignOn(_)));
}

#[test]
fn signed_on_every_request_carries_the_cashier() {
    let mut app = signed_on_as(bob());
    assert_eq!(app.screen, Screen::Till);
    let authority = submitted_authority(&issue_25(&mut app)).expect("sent");
    assert_eq!(authority.signed_on(), Some(&bob()));
    assert_eq!(authority.approver(), None);
}

#[test]
fn idle_for_lock_after_locks_and_no_key_behind_the_lock_acts_on_the_till() {
    let mut app = signed_on_as(bob());
    let signed_at = app.now_ms;
    assert_eq!(app.next_deadline(), Some(signed_at + LOCK_MS));
    update(
        &mut app,
        Msg::Tick {
            at_ms: signed_at + LOCK_MS - 1,
        },
    );
    assert_eq!(app.screen, Screen::Till, "not a moment early");
    update(
        &mut app,
        Msg::Tick {
            at_ms: signed_at + LOCK_MS,
        },
    );
    assert!(matches!(&app.screen, Screen::Locked(f) if f.id == "bob" && f.focus == Field::Pin));
    assert_eq!(app.context(), keys::Context::Locked);
    assert_eq!(app.staff.signed_on, Some(bob()), "still signed on");
    // A card, an operation key, Ctrl+R, Ctrl+Q, Enter: none reaches the till.
    let mut effects = burst(&mut app, CARD);
    effects.extend(key(&mut app, KeyCode::F(4)));
    effects.extend(ctrl(&mut app, 'r'));
    effects.extend(ctrl(&mut app, 'q'));
    effects.extend(ctrl(&mut app, 'x'));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.form.operation, Operation::IssuePoints);
    assert!(app.form.card.value().is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.next_deadline(), None, "a locked till does not tick");
}

#[test]
fn a_key_after_the_idle_time_goes_to_the_lock_even_before_the_tick() {
    let mut app = signed_on_as(bob());
    app.now_ms += LOCK_MS + 5;
    let effects = key(&mut app, KeyCode::Char('4'));
    assert!(effects.is_empty());
    assert!(matches!(app.screen, Screen::Locked(_)));
    assert!(app.form.card.value().is_empty(), "the digit was not typed");
}

#[test]
fn a_request_in_flight_finishes_behind_the_lock_and_shows_after_unlocking() {
    let mut app = signed_on_as(bob());
    let sent = submits(&issue_25(&mut app));
    let (id, _) = sent[0].clone();
    let lock_at = app.now_ms + LOCK_MS;
    update(&mut app, Msg::Tick { at_ms: lock_at });
    assert!(matches!(app.screen, Screen::Locked(_)));
    assert!(
        app.next_deadline().is_some(),
        "the spinner still ticks for the request"
    );
    let mut entry = super::super::tests::row(1, RowState::Approved);
    entry.cashier = Some("bob".into());
    finish(&mut app, id, Status::Approved, Some(entry));
    assert!(!app.in_flight());
    assert!(matches!(&app.status, StatusView::Done(d) if d.outcome.status == Status::Approved));
    assert_eq!(app.history.entries.len(), 1);
    // The id is there already: the PIN, Enter.
    burst(&mut app, "27182818");
    let checks = sign_on_checks(&key(&mut app, KeyCode::Enter));
    assert_eq!(checks[0].1, "bob");
    let effects = answer(
        &mut app,
        checks[0].0,
        SignOnAnswer::SignedOn(Box::new(bob())),
    );
    assert!(
        effects.is_empty(),
        "unlocking is not a new sign-on: {effects:?}"
    );
    assert_eq!(app.screen, Screen::Till);
    assert!(
        matches!(&app.status, StatusView::Done(_)),
        "the outcome is on screen"
    );
}

#[test]
fn someone_else_at_the_lock_signs_the_first_off_and_starts_clean() {
    let mut app = signed_on_as(bob());
    type_str(&mut app, CARD);
    let lock_at = app.now_ms + LOCK_MS;
    update(&mut app, Msg::Tick { at_ms: lock_at });
    // Tab to the id, replace it, then the PIN.
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    let ticket = type_credentials(&mut app, "ann", "48151623");
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(ann())));
    assert_eq!(
        effects,
        vec![
            Effect::Worker(Command::RecordSignOff {
                who: Box::new(bob()),
                why: SignOff::Replaced,
            }),
            Effect::Worker(Command::RecordSignOn(Box::new(ann()))),
        ]
    );
    assert_eq!(app.staff.signed_on, Some(ann()));
    assert!(
        app.form.card.value().is_empty(),
        "bob's half-typed card is gone"
    );
}

#[test]
fn ctrl_x_signs_off_but_not_while_a_request_is_out() {
    let mut app = signed_on_as(bob());
    let sent = submits(&issue_25(&mut app));
    assert!(ctrl(&mut app, 'x').is_empty());
    assert_eq!(app.screen, Screen::Till);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("journaled either way")
    );
    finish(&mut app, sent[0].0, Status::Approved, None);
    let effects = ctrl(&mut app, 'x');
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::RecordSignOff {
            who: Box::new(bob()),
            why: SignOff::ByHand,
        })]
    );
    assert!(matches!(app.screen, Screen::SignOn(_)));
    assert_eq!(app.staff.signed_on, None);
    assert_eq!(closing(&mut app), Vec::new(), "nobody left to sign off");
}

#[test]
fn closing_the_till_signs_off_whoever_is_on() {
    let mut app = signed_on_as(bob());
    assert_eq!(
        closing(&mut app),
        vec![Effect::Worker(Command::RecordSignOff {
            who: Box::new(bob()),
            why: SignOff::Closed,
        })]
    );
}

fn approval(app: &App) -> &overlays::Approval {
    match &app.overlay {
        Overlay::Approval(a) => a,
        other => panic!("no approval window: {other:?}"),
    }
}

/// A void of a checkoutId typed into the form and confirmed with y.
fn void_confirmed(app: &mut App) -> Vec<Effect> {
    key(app, KeyCode::F(8));
    type_str(app, "933392815902294016");
    let mut effects = key(app, KeyCode::Enter);
    assert!(matches!(app.overlay, Overlay::ConfirmVoid(_)));
    effects.extend(key(app, KeyCode::Char('y')));
    effects
}

#[test]
fn a_cashiers_void_waits_for_a_manager_and_esc_sends_nothing() {
    let mut app = signed_on_as(bob());
    assert!(void_confirmed(&mut app).is_empty());
    assert!(matches!(
        &approval(&app).then,
        PendingAction::Submit { request, .. } if request.operation == Operation::Void
    ));
    assert_eq!(app.context(), keys::Context::Approval);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.in_flight());
    assert!(app.notice.as_ref().unwrap().text.contains("not sent"));
}

#[test]
fn a_manager_approves_with_their_pin_and_the_request_names_both() {
    let mut app = signed_on_as(bob());
    void_confirmed(&mut app);
    // The manager's PIN, typed fast: a PIN, not a scan.
    let ticket = type_credentials(&mut app, "ann", "48151623");
    assert!(app.form.card.value().is_empty());
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(ann())));
    let authority = submitted_authority(&effects).expect("the void goes");
    assert_eq!(authority.signed_on(), Some(&bob()), "bob stays the cashier");
    assert_eq!(authority.approver(), Some(&ann()));
    assert_eq!(app.staff.signed_on, Some(bob()));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Worker(Command::RecordSignOn(_)))),
        "approving is not signing on"
    );
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn an_approval_by_a_cashier_or_a_wrong_pin_sends_nothing() {
    let mut app = signed_on_as(bob());
    void_confirmed(&mut app);
    let ticket = type_credentials(&mut app, "bob", "27182818");
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(bob())));
    assert!(effects.is_empty());
    assert_eq!(
        approval(&app).form.problem,
        Some(Problem::NotAManager("bob".into()))
    );
    key(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    let ticket = type_credentials(&mut app, "ann", "1234");
    let locked = SignOnRefusal::Locked {
        id: "ann".into(),
        until: datetime!(2025-04-01 09:05 UTC),
        minutes_left: 5,
        just_now: true,
    };
    let effects = answer(&mut app, ticket, SignOnAnswer::Refused(locked.clone()));
    assert!(effects.is_empty());
    assert_eq!(approval(&app).form.problem, Some(Problem::Sign(locked)));
    assert!(!app.in_flight());
}

#[test]
fn a_manager_signed_on_is_not_asked_again() {
    let mut app = signed_on_as(ann());
    let authority = submitted_authority(&void_confirmed(&mut app)).expect("sent at once");
    assert_eq!(authority.signed_on(), Some(&ann()));
    assert_eq!(
        authority.approver(),
        None,
        "the journal records ann as approver"
    );
}

#[test]
fn money_over_manager_over_asks_and_at_the_limit_does_not() {
    let mut app = signed_on_as(bob());
    key(&mut app, KeyCode::F(4));
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "100.00");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(submits(&effects).len(), 1, "at the limit: no manager");
    finish(&mut app, submits(&effects)[0].0, Status::Approved, None);
    key(&mut app, KeyCode::F(4));
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "100.01");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(approval(&app).then, PendingAction::Submit { .. }));
}

#[test]
fn abandoning_an_unknown_row_needs_a_manager_and_the_window_comes_back() {
    let mut app = signed_on_as(bob());
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![super::super::tests::row(
            7,
            RowState::Unknown,
        )])),
    );
    ctrl(&mut app, 'r');
    key(&mut app, KeyCode::Char('a'));
    type_str(&mut app, "paid cash");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(
        &approval(&app).then,
        PendingAction::Abandon { row: 7, reason, .. } if reason == "paid cash"
    ));
    let ticket = type_credentials(&mut app, "ann", "48151623");
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(ann())));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::Abandon {
            row: 7,
            reason: "paid cash".into(),
            authority: Box::new(Authority::cashier(bob()).approved_by(ann())),
        })]
    );
    assert!(matches!(app.overlay, Overlay::Recovery(_)));
}

fn totals(shift: u64) -> Box<ShiftTotals> {
    Box::new(crate::journal::shift_totals(shift, &[], &[]))
}

#[test]
fn z_from_the_x_report_needs_a_manager_and_a_refusal_stays_on_screen() {
    let mut app = signed_on_as(bob());
    ctrl(&mut app, 't');
    assert_eq!(
        key(&mut app, KeyCode::Char('x')),
        vec![Effect::Worker(Command::LoadShiftX)]
    );
    update(&mut app, Msg::Worker(Event::ShiftX(totals(3))));
    assert!(
        key(&mut app, KeyCode::Char('z')).is_empty(),
        "bob is no manager"
    );
    assert!(matches!(approval(&app).then, PendingAction::CloseShift(_)));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(&app.overlay, Overlay::Shift(w) if w.totals.is_some()));
    key(&mut app, KeyCode::Char('z'));
    let ticket = type_credentials(&mut app, "ann", "48151623");
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(ann())));
    assert_eq!(
        effects,
        vec![Effect::Worker(Command::CloseShift(Box::new(
            Authority::cashier(bob()).approved_by(ann())
        )))]
    );
    let refused = ZAttempt::Refused(ZRefusal::Unknown { count: 2 });
    update(&mut app, Msg::Worker(Event::Z(Box::new(refused))));
    assert!(matches!(
        &app.overlay,
        Overlay::Shift(w) if w.z == ZState::Refused(ZRefusal::Unknown { count: 2 })
    ));
}

#[test]
fn a_manager_closes_the_shift_without_being_asked() {
    let mut app = signed_on_as(ann());
    ctrl(&mut app, 't');
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(
        key(&mut app, KeyCode::Char('z')),
        vec![Effect::Worker(Command::CloseShift(Box::new(
            Authority::cashier(ann())
        )))]
    );
}

#[test]
fn without_staff_nothing_locks_asks_or_signs_on() {
    let mut app = app();
    assert_eq!(app.screen, Screen::Till);
    assert_eq!(app.next_deadline(), None);
    update(&mut app, Msg::Tick { at_ms: 3_600_000 });
    assert_eq!(app.screen, Screen::Till);
    assert!(ctrl(&mut app, 'x').is_empty());
    let authority = submitted_authority(&issue_25(&mut app)).unwrap();
    assert_eq!(authority, Authority::nobody());
}

#[test]
fn staff_added_while_the_screen_ran_bring_up_sign_on() {
    let mut app = app();
    let sent = submits(&issue_25(&mut app));
    finish(&mut app, sent[0].0, Status::Rejected, None);
    update(
        &mut app,
        Msg::Worker(Event::NotPermitted(Refusal::SignOnNeeded)),
    );
    assert!(matches!(
        &app.screen,
        Screen::SignOn(f) if f.problem == Some(Problem::Refused(Refusal::SignOnNeeded))
    ));
    assert!(app.staff.required);
}

#[test]
fn the_recovery_offer_waits_for_sign_on_without_ticking() {
    let mut app = staffed();
    start(&mut app);
    update(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![super::super::tests::row(
            7,
            RowState::Unknown,
        )])),
    );
    assert_eq!(app.next_deadline(), None, "no busy ticking behind sign-on");
    update(&mut app, Msg::Tick { at_ms: 10 });
    assert_eq!(app.overlay, Overlay::None);
    let ticket = type_credentials(&mut app, "bob", "27182818");
    answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(bob())));
    let at = app.next_deadline().expect("the offer is due now");
    update(&mut app, Msg::Tick { at_ms: at });
    assert!(matches!(app.overlay, Overlay::Recovery(_)));
}

#[test]
fn the_receipt_names_the_cashier_who_served() {
    let mut app = signed_on_as(bob());
    let sent = submits(&issue_25(&mut app));
    let mut entry = super::super::tests::row(1, RowState::Approved);
    entry.cashier = Some("bob".into());
    finish(&mut app, sent[0].0, Status::Approved, Some(entry));
    let receipt = &app
        .receipt
        .as_ref()
        .expect("an approval has a receipt")
        .receipt;
    assert_eq!(receipt.cashier.as_deref(), Some("bob"));
}

#[test]
fn an_approval_answered_after_esc_does_nothing() {
    let mut app = signed_on_as(bob());
    void_confirmed(&mut app);
    let ticket = type_credentials(&mut app, "ann", "48151623");
    key(&mut app, KeyCode::Esc);
    let effects = answer(&mut app, ticket, SignOnAnswer::SignedOn(Box::new(ann())));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(!app.in_flight());
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn enter_twice_on_sign_on_checks_once() {
    let mut app = staffed();
    type_credentials(&mut app, "bob", "27182818");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.screen, Screen::SignOn(f) if f.checking.is_some()));
}

#[test]
fn behind_the_lock_a_paste_or_a_too_small_terminal_changes_nothing() {
    let mut app = signed_on_as(bob());
    let lock_at = app.now_ms + LOCK_MS;
    update(&mut app, Msg::Tick { at_ms: lock_at });
    update(
        &mut app,
        Msg::Paste {
            text: "27182818".into(),
            at_ms: lock_at + 10,
        },
    );
    assert!(matches!(&app.screen, Screen::Locked(f) if f.pin.is_empty()));
    update(&mut app, Msg::Resize { w: 40, h: 10 });
    for effects in [ctrl(&mut app, 'q'), key(&mut app, KeyCode::Char('1'))] {
        assert!(effects.is_empty(), "{effects:?}");
    }
    assert_eq!(
        app.overlay,
        Overlay::None,
        "no quit question behind the lock"
    );
    assert!(matches!(&app.screen, Screen::Locked(f) if f.pin.is_empty()));
}

#[test]
fn a_cashier_removed_meanwhile_is_signed_off_by_the_refusal() {
    let mut app = signed_on_as(bob());
    let sent = submits(&issue_25(&mut app));
    finish(&mut app, sent[0].0, Status::Rejected, None);
    // The approver going is no reason to sign the cashier off.
    update(
        &mut app,
        Msg::Worker(Event::NotPermitted(Refusal::NoLongerStaff("ann".into()))),
    );
    assert_eq!(app.screen, Screen::Till);
    update(
        &mut app,
        Msg::Worker(Event::NotPermitted(Refusal::NoLongerStaff("bob".into()))),
    );
    assert!(matches!(app.screen, Screen::SignOn(_)));
    assert_eq!(app.staff.signed_on, None);
}

#[test]
fn a_managers_half_typed_pin_does_not_wait_behind_the_lock() {
    let mut app = signed_on_as(bob());
    void_confirmed(&mut app);
    type_str(&mut app, "ann");
    key(&mut app, KeyCode::Enter);
    burst(&mut app, "4815");
    assert_eq!(approval(&app).form.pin.len(), 4);
    let lock_at = app.now_ms + LOCK_MS;
    update(&mut app, Msg::Tick { at_ms: lock_at });
    assert!(matches!(app.screen, Screen::Locked(_)));
    assert!(approval(&app).form.pin.is_empty());
}

#[test]
fn keys_the_scanner_held_for_the_till_do_not_land_behind_sign_on() {
    let mut app = signed_on_as(bob());
    let at_ms = app.now_ms + 500;
    update(
        &mut app,
        Msg::Key {
            key: KeyEvent::new(KeyCode::Char('7'), KeyModifiers::NONE),
            at_ms,
        },
    );
    assert!(app.scanner.next_deadline().is_some(), "held for a moment");
    update(
        &mut app,
        Msg::Worker(Event::NotPermitted(Refusal::NoLongerStaff("bob".into()))),
    );
    update(&mut app, Msg::Tick { at_ms: at_ms + 200 });
    assert!(app.form.card.value().is_empty());
    assert!(matches!(&app.screen, Screen::SignOn(f) if f.id.is_empty()));
}
