//! The screens a till with staff adds: sign-on, its refusals, the lock, the manager's
//! approval, the X report, and a Z refused and made. A PIN never shows in any of them.

use super::*;
use paywizard_till::journal::{
    CashierTally, Liability, OperationTally, Role, ShiftTotals, SignOnRefusal, SignedOn,
    StaffMember, Tally, ZAttempt, ZRefusal, ZReport,
};
use paywizard_till::worker::SignOnAnswer;
use time::macros::datetime;

const BOB_PIN: &str = "27182818";
const ANN_PIN: &str = "48151623";

fn staffed() -> App {
    let mut config = config(Mode::Demo);
    config.staff.manager_over = Some(paywizard_till::money::Amount::from_minor(10_000));
    App::new(&config).with_staff(true)
}

fn member(id: &str, name: &str, role: Role) -> SignedOn {
    SignedOn::for_test(
        StaffMember {
            id: id.into(),
            name: name.into(),
            role,
        },
        datetime!(2026-11-23 09:00 UTC),
    )
}

fn bob() -> SignedOn {
    member("bob", "Bob Baker", Role::Cashier)
}

/// The PIN check the last Enter asked for.
fn last_ticket(app: &App) -> u64 {
    let form = match &app.screen {
        paywizard_till::app::screen::Screen::SignOn(f)
        | paywizard_till::app::screen::Screen::Locked(f) => f.as_ref(),
        paywizard_till::app::screen::Screen::Till => match &app.overlay {
            paywizard_till::app::Overlay::Approval(a) => &a.form,
            other => panic!("nothing is checking a PIN: {other:?}"),
        },
    };
    form.checking.expect("a check under way")
}

fn answer(app: &mut App, answer: SignOnAnswer) {
    let ticket = last_ticket(app);
    send(app, Msg::Worker(Event::SignOn { ticket, answer }));
}

fn signed_on_bob() -> App {
    let mut app = staffed();
    type_str(&mut app, "bob");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, BOB_PIN);
    key(&mut app, KeyCode::Enter);
    answer(&mut app, SignOnAnswer::SignedOn(Box::new(bob())));
    app
}

/// Snapshots at both sizes, and checks that no PIN reached either.
fn snap_no_pin(name: &str, app: &App) {
    for (w, h) in SIZES {
        let text = screen(app, w, h);
        for pin in [BOB_PIN, ANN_PIN, "2718", "4815"] {
            assert!(!text.contains(pin), "{name}: a PIN on screen:\n{text}");
        }
    }
    snap(name, app);
}

#[test]
fn sign_on_with_the_pin_half_typed() {
    let mut app = staffed();
    snap_no_pin("sign_on_empty", &app);
    type_str(&mut app, "bob");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, "2718");
    snap_no_pin("sign_on", &app);
    snap_at("compact_sign_on", &app, 60, 15);
}

#[test]
fn sign_on_refused_wrong_pin_and_locked_out() {
    let mut app = staffed();
    type_str(&mut app, "bob");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, "1111");
    key(&mut app, KeyCode::Enter);
    answer(
        &mut app,
        SignOnAnswer::Refused(SignOnRefusal::WrongPin {
            id: "bob".into(),
            attempts_left: 1,
        }),
    );
    snap_no_pin("sign_on_wrong_pin", &app);
    type_str(&mut app, "2222");
    key(&mut app, KeyCode::Enter);
    answer(
        &mut app,
        SignOnAnswer::Refused(SignOnRefusal::Locked {
            id: "bob".into(),
            until: datetime!(2026-11-23 09:05 UTC),
            minutes_left: 5,
            just_now: true,
        }),
    );
    snap_no_pin("sign_on_locked_out", &app);
}

#[test]
fn signed_on_the_header_names_the_cashier_and_the_history_who_ran_each_row() {
    let mut app = signed_on_bob();
    let mut sale = approved_sale(7);
    sale.cashier = Some("bob".into());
    let mut void = approved_sale(8);
    void.operation = Operation::Void;
    void.cashier = Some("bob".into());
    void.approved_by = Some("ann".into());
    let mut old = approved_sale(6);
    old.state = RowState::Voided;
    send(
        &mut app,
        Msg::Worker(Event::History {
            before: None,
            entries: vec![void, sale, old],
        }),
    );
    snap_no_pin("signed_on_till", &app);
}

#[test]
fn locked_with_a_request_in_flight_and_an_unknown_outcome() {
    let mut app = signed_on_bob();
    send(
        &mut app,
        Msg::Worker(Event::OpenRows(vec![open_row(8, RowState::Unknown)])),
    );
    // The recovery window the open row brings up is left for later.
    key(&mut app, KeyCode::Esc);
    type_str(&mut app, CARD);
    key(&mut app, KeyCode::Tab);
    type_str(&mut app, "25");
    key(&mut app, KeyCode::Enter);
    assert!(app.in_flight(), "{}", screen(&app, 80, 24));
    let at_ms = app.now_ms + 10 * 60 * 1000;
    send(&mut app, Msg::Tick { at_ms });
    snap_no_pin("locked", &app);
    snap_at("compact_locked", &app, 60, 15);
}

#[test]
fn a_manager_approves_a_cashiers_void() {
    let mut app = signed_on_bob();
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
    type_str(&mut app, "ann");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, "4815");
    snap_no_pin("manager_approval", &app);
    type_str(&mut app, "1623");
    key(&mut app, KeyCode::Enter);
    answer(
        &mut app,
        SignOnAnswer::Refused(SignOnRefusal::WrongPin {
            id: "ann".into(),
            attempts_left: 4,
        }),
    );
    snap_no_pin("manager_approval_wrong_pin", &app);
}

fn usd_total(minor: i64) -> Vec<MoneyTotal> {
    usd(minor)
}

fn tally(
    transactions: u64,
    approved: u64,
    declined: u64,
    unknown: u64,
    loaded: i64,
    taken: i64,
    points_issued: u64,
) -> Tally {
    Tally {
        transactions,
        approved,
        declined,
        rejected: 0,
        unknown,
        abandoned: 0,
        voided: 0,
        loaded: if loaded > 0 {
            usd_total(loaded)
        } else {
            vec![]
        },
        taken: if taken > 0 { usd_total(taken) } else { vec![] },
        points_issued,
        points_redeemed: 0,
    }
}

/// Shift 3: bob sold and topped up, ann paid one out; one payment's outcome is unknown.
fn shift_3(unknown: u64) -> ShiftTotals {
    ShiftTotals {
        shift: 3,
        first_row: Some(41),
        last_row: Some(52),
        opened_at: Some(datetime!(2026-11-23 08:58:10 UTC)),
        totals: tally(12, 10, 1, unknown, 5_000, 3_750, 75),
        by_cashier: vec![
            CashierTally {
                cashier: Some("ann".into()),
                name: Some("Ann Archer".into()),
                totals: tally(3, 3, 0, 0, 0, 1_250, 0),
            },
            CashierTally {
                cashier: Some("bob".into()),
                name: Some("Bob Baker".into()),
                totals: tally(9, 7, 1, unknown, 5_000, 2_500, 75),
            },
        ],
        by_operation: vec![
            OperationTally {
                operation: Operation::IssuePoints,
                totals: tally(4, 4, 0, 0, 0, 0, 75),
            },
            OperationTally {
                operation: Operation::TopUp,
                totals: tally(2, 2, 0, 0, 5_000, 0, 0),
            },
            OperationTally {
                operation: Operation::Pay,
                totals: tally(6, 4, 1, unknown, 0, 3_750, 0),
            },
        ],
        liability: Liability {
            money: usd_total(1_250),
            points: 75,
            earlier_sales_voided: 0,
            voids_not_counted: 0,
        },
    }
}

fn shift_window(app: &mut App, unknown: u64) {
    press(app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    key(app, KeyCode::Char('x'));
    send(app, Msg::Worker(Event::ShiftX(Box::new(shift_3(unknown)))));
}

#[test]
fn the_x_report_per_cashier_and_operation() {
    let mut app = signed_on_bob();
    shift_window(&mut app, 1);
    snap_no_pin("shift_x", &app);
}

#[test]
fn z_refused_while_an_outcome_is_unknown() {
    let mut app = signed_on_bob();
    shift_window(&mut app, 1);
    key(&mut app, KeyCode::Char('z'));
    snap_no_pin("shift_z_approval", &app);
    type_str(&mut app, "ann");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, ANN_PIN);
    key(&mut app, KeyCode::Enter);
    answer(
        &mut app,
        SignOnAnswer::SignedOn(Box::new(member("ann", "Ann Archer", Role::Manager))),
    );
    send(
        &mut app,
        Msg::Worker(Event::Z(Box::new(ZAttempt::Refused(ZRefusal::Unknown {
            count: 1,
        })))),
    );
    snap_no_pin("shift_z_refused", &app);
}

#[test]
fn z_done_shows_its_number_and_totals() {
    let mut config = config(Mode::Demo);
    config.staff.manager_over = None;
    let mut app = App::new(&config).with_staff(true);
    type_str(&mut app, "ann");
    key(&mut app, KeyCode::Enter);
    type_str(&mut app, ANN_PIN);
    key(&mut app, KeyCode::Enter);
    answer(
        &mut app,
        SignOnAnswer::SignedOn(Box::new(member("ann", "Ann Archer", Role::Manager))),
    );
    shift_window(&mut app, 0);
    key(&mut app, KeyCode::Char('z'));
    let z = ZReport {
        z: 3,
        closed_at: datetime!(2026-11-23 17:02:44 UTC),
        closed_by: Some("ann".into()),
        approved_by: Some("ann".into()),
        totals: shift_3(0),
    };
    send(
        &mut app,
        Msg::Worker(Event::Z(Box::new(ZAttempt::Closed(Box::new(z))))),
    );
    snap_no_pin("shift_z_done", &app);
}
