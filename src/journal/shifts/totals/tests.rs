//! X/Z figures against a shift worked out by hand.

use time::macros::datetime;

use super::*;
use crate::api::EntryType;
use crate::journal::row::money_decimal;

fn row(id: i64, cashier: Option<&str>, op: Operation, state: RowState) -> Row {
    Row {
        id,
        created_at: datetime!(2026-03-02 09:00 UTC) + time::Duration::minutes(id),
        finished_at: None,
        till_id: "1".into(),
        operation: op,
        tran_order_no: Some(format!("order{id}")),
        account_masked: "**** **** 0014".into(),
        entry_type: EntryType::K,
        amount_minor: None,
        requested_minor: None,
        points: None,
        currency: "USD".into(),
        state,
        code: Some(200),
        msg: String::new(),
        checkout_id: None,
        trans_index_code: None,
        original_checkout_id: None,
        voided_by: None,
        void_of: None,
        abandon_reason: None,
        cashier: cashier.map(Into::into),
        approved_by: None,
        abandoned_by: None,
        body: Vec::new(),
    }
}

fn money(mut r: Row, minor: i64) -> Row {
    r.amount_minor = Some(minor);
    r
}

fn points(mut r: Row, n: u64) -> Row {
    r.points = Some(n);
    r
}

fn void_of(mut r: Row, original: Option<&Row>) -> Row {
    if let Some(o) = original {
        r.void_of = Some(o.id);
        r.amount_minor = o.amount_minor;
        r.points = o.points;
        r.currency = o.currency.clone();
    }
    r
}

fn usd(minor: i64) -> MoneyTotal {
    MoneyTotal {
        currency: "USD".into(),
        minor,
        amount: money_decimal("USD", minor),
    }
}

use crate::api::Operation::{Balance, IssuePoints, Pay, RedeemPoints, Tip, TopUp, Void as VoidOp};
use crate::outcome::RowState::{Approved, Declined, Unknown, Voided};

/// Shift 2. Before it: a USD 20.00 top-up (row 1) and 50 points issued (row 2), both
/// voided during shift 2.
fn earlier() -> Vec<Row> {
    vec![
        money(row(1, Some("ann"), TopUp, Voided), 2000),
        points(row(2, Some("bob"), IssuePoints, Voided), 50),
    ]
}

fn shift() -> Vec<Row> {
    let e = earlier();
    let sale5 = money(row(5, Some("bob"), Pay, Voided), 200);
    let mut eur = money(row(16, Some("ann"), Pay, Approved), 9900);
    eur.currency = "EUR".into();
    vec![
        money(row(3, Some("ann"), TopUp, Approved), 1000),
        money(row(4, Some("ann"), Pay, Approved), 350),
        sale5.clone(),
        points(row(6, Some("bob"), IssuePoints, Approved), 25),
        points(row(7, Some("bob"), RedeemPoints, Approved), 5),
        void_of(row(8, Some("ann"), VoidOp, Approved), Some(&sale5)),
        void_of(row(9, Some("ann"), VoidOp, Approved), Some(&e[0])),
        void_of(row(10, Some("bob"), VoidOp, Approved), Some(&e[1])),
        money(row(11, Some("bob"), Pay, Declined), 100),
        money(row(12, Some("ann"), TopUp, Unknown), 400),
        money(row(13, Some("ann"), Tip, Approved), 50),
        row(14, None, Balance, Approved),
        // A void of another till's sale: what it reversed is not known here.
        void_of(row(15, Some("ann"), VoidOp, Approved), None),
        eur,
    ]
}

#[test]
fn the_liability_is_loaded_minus_taken_with_voids_reversed() {
    let x = shift_totals(2, &shift(), &earlier());
    // USD: +10.00 loaded, -3.50 paid, -0.50 tipped, -20.00 for the earlier top-up voided;
    // the payment voided within the shift (row 5) counts for nothing. EUR: -99.00 paid.
    assert_eq!(
        x.liability.money,
        vec![
            MoneyTotal {
                currency: "EUR".into(),
                minor: -9900,
                amount: "-99.00".into()
            },
            usd(-1400),
        ]
    );
    assert_eq!(x.liability.money[1].amount, "-14.00");
    // Points: +25 issued, -5 redeemed, -50 for the earlier issue voided.
    assert_eq!(x.liability.points, -30);
    assert_eq!(x.liability.earlier_sales_voided, 2);
    assert_eq!(x.liability.voids_not_counted, 1);
}

#[test]
fn totals_count_every_state_and_move_only_approved_rows() {
    let x = shift_totals(2, &shift(), &earlier());
    assert_eq!(x.shift, 2);
    assert_eq!((x.first_row, x.last_row), (Some(3), Some(16)));
    assert_eq!(x.opened_at, Some(datetime!(2026-03-02 09:03 UTC)));
    let t = &x.totals;
    assert_eq!(
        (t.transactions, t.approved, t.voided, t.declined, t.unknown),
        (14, 11, 1, 1, 1)
    );
    assert_eq!(t.loaded, vec![usd(1000)], "the unknown top-up is not in");
    assert_eq!(
        t.taken,
        vec![
            MoneyTotal {
                currency: "EUR".into(),
                minor: 9900,
                amount: "99.00".into()
            },
            usd(400),
        ],
        "3.50 paid and 0.50 tipped; the voided and the declined payments are not in"
    );
    assert_eq!((t.points_issued, t.points_redeemed), (25, 5));
}

#[test]
fn per_cashier_and_per_operation() {
    let x = shift_totals(2, &shift(), &earlier());
    let who: Vec<Option<&str>> = x.by_cashier.iter().map(|c| c.cashier.as_deref()).collect();
    assert_eq!(who, [None, Some("ann"), Some("bob")]);
    let ann = &x.by_cashier[1].totals;
    assert_eq!((ann.transactions, ann.approved, ann.unknown), (8, 7, 1));
    assert_eq!(ann.loaded, vec![usd(1000)]);
    assert_eq!(ann.taken.last(), Some(&usd(400)));
    let bob = &x.by_cashier[2].totals;
    assert_eq!(
        (bob.transactions, bob.approved, bob.voided, bob.declined),
        (5, 3, 1, 1)
    );
    assert_eq!((bob.points_issued, bob.points_redeemed), (25, 5));
    assert!(bob.loaded.is_empty() && bob.taken.is_empty());
    assert_eq!(x.by_cashier[0].totals.transactions, 1);

    let ops: Vec<(Operation, u64)> = x
        .by_operation
        .iter()
        .map(|o| (o.operation, o.totals.transactions))
        .collect();
    assert_eq!(
        ops,
        [
            (IssuePoints, 1),
            (TopUp, 2),
            (Pay, 4),
            (RedeemPoints, 1),
            (Balance, 1),
            (VoidOp, 4),
            (Tip, 1)
        ]
    );
    let pay = &x.by_operation[2].totals;
    assert_eq!((pay.approved, pay.voided, pay.declined), (2, 1, 1));
}

#[test]
fn an_empty_shift_has_no_bounds_and_no_figures() {
    let x = shift_totals(1, &[], &[]);
    assert_eq!((x.first_row, x.opened_at), (None, None));
    assert_eq!(x.totals, Tally::default());
    assert_eq!(x.liability, Liability::default());
    assert!(x.by_cashier.is_empty() && x.by_operation.is_empty());
}

#[test]
fn the_figures_read_back_from_their_json() {
    let x = shift_totals(2, &shift(), &earlier());
    let json = serde_json::to_string(&x).unwrap();
    let back: ShiftTotals = serde_json::from_str(&json).unwrap();
    assert_eq!(back, x);
}
