//! Unit tests of the journal's own rules; tests/journal.rs drives it from outside.

use super::*;
use crate::api::ResponseData;
use crate::outcome::{Outcome, RowState, Status};
use files::sidecar;
use time::macros::datetime;

fn intent(op: Operation, order: Option<String>) -> Intent {
    Intent {
        operation: op,
        tran_order_no: order,
        account: "6274000000003456".into(),
        entry_type: EntryType::K,
        amount_minor: Some(1050),
        points: None,
        currency: "USD".into(),
        body: br#"{"accountId":"6274000000003456"}"#.to_vec(),
        original_checkout_id: None,
        created_at: datetime!(2025-07-24 13:06:10 UTC),
        cashier: None,
        approved_by: None,
    }
}

fn outcome(status: Status, order: Option<String>) -> Outcome {
    Outcome {
        operation: Operation::Pay,
        tran_order_no: order,
        account_id: "**** **** 3456".into(),
        entry_type: EntryType::K,
        status,
        code: Some(200),
        msg: "card 6274000000003456 ok".into(),
        checkout_id: Some("933392815902294016".into()),
        amount: Some("10.50".into()),
        requested_amount: None,
        balances: vec![],
    }
}

/// The worker moves the journal onto a blocking thread.
#[test]
fn journal_can_move_to_another_thread() {
    fn is_send<T: Send>() {}
    is_send::<Journal>();
}

#[test]
fn rejects_bad_till_ids() {
    for bad in ["", "T1", "12345678901"] {
        assert!(matches!(
            Journal::open_in_memory(bad),
            Err(JournalError::BadTillId(_))
        ));
    }
}

#[test]
fn a_settled_outcome_is_never_overwritten() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let no = j.next_order_no(now).unwrap();
    let id = j.begin(&intent(Operation::Pay, Some(no.clone()))).unwrap();
    j.finish(id, &outcome(Status::Unknown, Some(no.clone())), None, now)
        .unwrap();
    j.finish(id, &outcome(Status::Approved, Some(no.clone())), None, now)
        .unwrap();
    let err = j
        .finish(id, &outcome(Status::Declined, Some(no)), None, now)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("journal row {id} is already approved; its outcome cannot be changed")
    );
}

#[test]
fn atomically_commits_the_number_with_its_intent_or_neither() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let failed: Result<(), JournalError> = j.atomically(|j| {
        let mut leaky = intent(Operation::Pay, Some(j.next_order_no(now)?));
        leaky.body = b"{}&clientId=1&clientSecret=abc".to_vec();
        j.begin(&leaky)?;
        Ok(())
    });
    assert!(matches!(failed, Err(JournalError::Invalid(_))));
    assert!(j.open_rows().unwrap().is_empty());
    let (no, id) = j
        .atomically(|j| {
            let no = j.next_order_no(now)?;
            let id = j.begin(&intent(Operation::Pay, Some(no.clone())))?;
            Ok::<_, JournalError>((no, id))
        })
        .unwrap();
    // The rolled-back number never left the till, so handing it out again is safe.
    assert!(no.ends_with("00000001"), "{no}");
    let row = j.row(id).unwrap().unwrap();
    assert_eq!(row.tran_order_no.as_deref(), Some(no.as_str()));
    assert_eq!(row.state, RowState::Sending);
}

#[test]
fn closing_keeps_the_wal_and_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let mut j = Journal::open(&path, "1").unwrap();
    let no = j.next_order_no(now).unwrap();
    let id = j.begin(&intent(Operation::Pay, Some(no))).unwrap();
    drop(j);
    assert!(sidecar(&path, "-wal").is_file(), "no checkpoint on close");
    let reader = Journal::open_read_only(&path).unwrap();
    assert!(reader.row(id).unwrap().is_some());
    drop(reader);
    let j = Journal::open(&path, "1").unwrap();
    assert_eq!(j.open_rows().unwrap().len(), 1);
}

#[test]
fn full_card_numbers_echoed_back_are_masked() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let no = j.next_order_no(now).unwrap();
    let id = j.begin(&intent(Operation::Pay, Some(no.clone()))).unwrap();
    let data = ResponseData {
        account_id: Some("6274000000003456".into()),
        trans_index_code: Some("100200000807293844967".into()),
        ..ResponseData::default()
    };
    j.finish(id, &outcome(Status::Approved, Some(no)), Some(&data), now)
        .unwrap();
    let row = j.row(id).unwrap().unwrap();
    assert_eq!(row.msg, "card **** **** 3456 ok");
    assert_eq!(
        row.trans_index_code.as_deref(),
        Some("100200000807293844967")
    );
    let response: String = j
        .conn
        .query_row("SELECT response FROM entries WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!response.contains("6274000000003456"), "{response}");
    assert!(response.contains("**** **** 3456"), "{response}");
}

#[test]
fn value_moving_intents_need_an_order_number_and_no_secret() {
    let mut j = Journal::open_in_memory("1").unwrap();
    assert!(matches!(
        j.begin(&intent(Operation::Pay, None)),
        Err(JournalError::Invalid(_))
    ));
    let mut leaky = intent(Operation::Pay, Some("1".into()));
    leaky.body = b"{}&clientId=1&clientSecret=abc".to_vec();
    assert!(matches!(j.begin(&leaky), Err(JournalError::Invalid(_))));
    // Balance carries no order number and is fine without one.
    j.begin(&intent(Operation::Balance, None)).unwrap();
}

#[test]
fn the_same_order_number_cannot_be_journaled_twice() {
    let mut j = Journal::open_in_memory("1").unwrap();
    j.begin(&intent(Operation::Pay, Some("42".into()))).unwrap();
    let err = j
        .begin(&intent(Operation::Pay, Some("42".into())))
        .unwrap_err();
    assert!(matches!(err, JournalError::DuplicateOrderNo(ref n) if n == "42"));
}

fn pay_row(j: &mut Journal, minor: i64, nsf: bool) -> (i64, String) {
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let no = j.next_order_no(now).unwrap();
    let mut i = intent(Operation::Pay, Some(no.clone()));
    i.amount_minor = Some(minor);
    if nsf {
        i.body = br#"{"accountId":"6274000000003456","nsfAllowed":true}"#.to_vec();
    }
    (j.begin(&i).unwrap(), no)
}

#[test]
fn a_partial_approval_records_what_moved_and_what_was_asked() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let (id, no) = pay_row(&mut j, 700, true);
    let mut partial = outcome(Status::Approved, Some(no));
    partial.amount = Some("5.00".into());
    partial.requested_amount = Some("7.00".into());
    j.finish(id, &partial, None, now).unwrap();
    let row = j.row(id).unwrap().unwrap();
    assert_eq!(
        (row.amount_minor, row.requested_minor),
        (Some(500), Some(700))
    );
    let entry = row.to_history(time::UtcOffset::UTC);
    assert_eq!(entry.quantity, "USD 5.00");
    assert_eq!(entry.requested_amount.as_deref(), Some("7.00"));

    // More than was asked, or no amount at all, is refused and the row stays open.
    for taken in [Some("7.01"), None, Some("5.001")] {
        let (id, no) = pay_row(&mut j, 700, true);
        let mut bad = outcome(Status::Approved, Some(no));
        bad.amount = taken.map(str::to_owned);
        bad.requested_amount = Some("7.00".into());
        assert!(matches!(
            j.finish(id, &bad, None, now),
            Err(JournalError::Invalid(_))
        ));
        assert_eq!(j.row(id).unwrap().unwrap().state, RowState::Sending);
    }
}

#[test]
fn settling_drops_the_card_number_except_from_a_recent_payment() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let full = |j: &Journal, id| {
        let body = j.row(id).unwrap().unwrap().body;
        body.windows(16).any(|w| w == b"6274000000003456")
    };
    let no = j.next_order_no(now).unwrap();
    let points = j
        .begin(&intent(Operation::IssuePoints, Some(no.clone())))
        .unwrap();
    j.finish(
        points,
        &outcome(Status::Unknown, Some(no.clone())),
        None,
        now,
    )
    .unwrap();
    assert!(full(&j, points), "an unknown row keeps it for the resend");
    j.finish(points, &outcome(Status::Approved, Some(no)), None, now)
        .unwrap();
    assert!(!full(&j, points));
    assert_eq!(
        j.row(points).unwrap().unwrap().body,
        br#"{"accountId":"**** **** 3456"}"#
    );

    let (pay, no) = pay_row(&mut j, 500, false);
    j.finish(pay, &outcome(Status::Approved, Some(no)), None, now)
        .unwrap();
    assert!(full(&j, pay), "kept for a tip");
    assert_eq!(
        j.scrub_settled_cards(now + time::Duration::hours(23))
            .unwrap(),
        0
    );
    assert!(full(&j, pay));
    assert_eq!(
        j.scrub_settled_cards(now + time::Duration::hours(24))
            .unwrap(),
        1
    );
    assert!(!full(&j, pay), "past the tip window");

    let (lost, _) = pay_row(&mut j, 500, false);
    j.mark_abandoned(lost, "customer left", now).unwrap();
    assert!(!full(&j, lost));
}

#[test]
fn a_journal_from_the_first_schema_gets_an_identity_and_keeps_counting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 1;
             INSERT INTO order_seq VALUES ('01', 41);
             INSERT INTO entries (created_at, till_id, operation, tran_order_no, account_masked,
                 entry_type, amount_minor, currency, state, body)
             VALUES (0, '01', 'issue-points', '1', '**** **** 3456', 'K', NULL, 'USD',
                 'approved', CAST('{{\"accountId\":\"6274000000003456\"}}' AS BLOB)),
                    (0, '01', 'pay', '2', '**** **** 3456', 'K', 100, 'USD',
                 'unknown', CAST('{{\"accountId\":\"6274000000003456\"}}' AS BLOB));",
            schema::APPLICATION_ID
        ))
        .unwrap();
    }
    let mut j = Journal::open(&path, "01").unwrap();
    assert_eq!(j.till_id(), "1", "canonical");
    assert_eq!(j.instance_id().len(), 8);
    assert!(j.instance_id().bytes().all(|b| b.is_ascii_digit()));
    let now = datetime!(2025-07-24 13:06:10 UTC);
    let no = j.next_order_no(now).unwrap();
    assert_eq!(no, format!("202507241306100001{}00000042", j.instance_id()));
    // Rows settled by the older build give up their card number when the till opens.
    assert_eq!(j.scrub_settled_cards(now).unwrap(), 1);
    assert_eq!(
        j.row(1).unwrap().unwrap().body,
        br#"{"accountId":"**** **** 3456"}"#
    );
    assert_eq!(
        j.row(2).unwrap().unwrap().body,
        br#"{"accountId":"6274000000003456"}"#,
        "the open row keeps it for its resend"
    );
    // The old rows are the start of the hash chain, and what happened since follows it.
    let found = j.verify().unwrap();
    assert!(found.intact(), "{found:?}");
    assert_eq!(found.entries, 2);
    j.mark_abandoned(2, "customer left", now).unwrap();
    let found = j.verify().unwrap();
    assert_eq!((found.entries, found.problem), (3, None));
    assert_eq!(j.changes_after(2, 10).unwrap()[0].row.id, 2);
    let instance = j.instance_id().to_owned();
    drop(j);
    assert_eq!(Journal::open(&path, "1").unwrap().instance_id(), instance);
}

#[test]
fn two_new_journals_have_different_instance_ids() {
    let ids: std::collections::HashSet<String> = (0..20)
        .map(|_| {
            Journal::open_in_memory("1")
                .unwrap()
                .instance_id()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 20);
}
