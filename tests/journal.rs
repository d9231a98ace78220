//! The journal as a store manager relies on it: nothing sent is ever lost, order numbers
//! never repeat, one till per file, and nothing a person can read shows a full card number.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use paywizard_till::api::{EntryType, Operation, ResponseData};
use paywizard_till::journal::{Intent, Journal, JournalError};
use paywizard_till::outcome::{Outcome, RowState, Status};
use time::macros::{datetime, offset};
use time::{Duration, OffsetDateTime, UtcOffset};

const CARD: &str = "6274000000003456";
const CARD2: &str = "914639258868515";
const T0: OffsetDateTime = datetime!(2025-07-24 13:00:00 UTC);

fn journal_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("till").join("journal.sqlite3")
}

fn body(op: Operation, order: Option<&str>, account: &str) -> Vec<u8> {
    let order = order
        .map(|o| format!(r#""tranOrderNo":"{o}","#))
        .unwrap_or_default();
    format!(
        r#"{{"clientId":"825429536610058240",{order}"loyaltyChannel":"FACTOR4","accountId":"{account}","entryType":"K","op":"{}"}}"#,
        op.endpoint()
    )
    .into_bytes()
}

fn pay(j: &mut Journal, minor: i64, at: OffsetDateTime) -> Intent {
    money(j, Operation::Pay, CARD, minor, at)
}

fn money(j: &mut Journal, op: Operation, account: &str, minor: i64, at: OffsetDateTime) -> Intent {
    let no = j.next_order_no(at).unwrap();
    Intent {
        operation: op,
        body: body(op, Some(&no), account),
        tran_order_no: Some(no),
        account: account.into(),
        entry_type: EntryType::K,
        amount_minor: Some(minor),
        points: None,
        currency: "USD".into(),
        original_checkout_id: None,
        created_at: at,
        cashier: None,
        approved_by: None,
    }
}

fn points(j: &mut Journal, op: Operation, n: u64, at: OffsetDateTime) -> Intent {
    let no = j.next_order_no(at).unwrap();
    Intent {
        operation: op,
        body: body(op, Some(&no), CARD2),
        tran_order_no: Some(no),
        account: CARD2.into(),
        entry_type: EntryType::B,
        amount_minor: None,
        points: Some(n),
        currency: "USD".into(),
        original_checkout_id: None,
        created_at: at,
        cashier: None,
        approved_by: None,
    }
}

fn outcome(intent: &Intent, status: Status, checkout: Option<&str>, msg: &str) -> Outcome {
    Outcome {
        operation: intent.operation,
        tran_order_no: intent.tran_order_no.clone(),
        account_id: "**** **** 3456".into(),
        entry_type: intent.entry_type,
        status,
        code: Some(200),
        msg: msg.into(),
        checkout_id: checkout.map(str::to_owned),
        amount: None,
        requested_amount: None,
        balances: vec![],
    }
}

/// begin + finish in one go; returns the row id.
fn record(j: &mut Journal, intent: &Intent, status: Status, checkout: Option<&str>) -> i64 {
    let id = j.begin(intent).unwrap();
    let at = intent.created_at + Duration::seconds(1);
    j.finish(id, &outcome(intent, status, checkout, "success"), None, at)
        .unwrap();
    id
}

fn integrity_ok(j: &Journal) {
    j.integrity_check()
        .unwrap()
        .expect("PRAGMA integrity_check");
}

#[test]
fn a_write_ahead_row_survives_a_crash_before_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let (id, intent) = {
        let mut j = Journal::open(&path, "7").unwrap();
        let intent = pay(&mut j, 1050, T0);
        let id = j.begin(&intent).unwrap();
        // Visible as `sending` straight away, before any answer.
        assert_eq!(j.row(id).unwrap().unwrap().state, RowState::Sending);
        (id, intent)
        // Dropped without finish: the till died while the request was in flight.
    };
    let j = Journal::open(&path, "7").unwrap();
    integrity_ok(&j);
    let row = j.row(id).unwrap().expect("the row is still there");
    assert_eq!(row.state, RowState::Sending);
    assert_eq!(row.tran_order_no, intent.tran_order_no);
    assert_eq!(row.body, intent.body, "retry needs the exact signed bytes");
    assert_eq!(row.account_masked, "**** **** 3456");
    assert_eq!(row.finished_at, None);
    let open = j.open_rows().unwrap();
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id]);
}

/// Child half of the crash test below: only does something when the parent asks.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var("JOURNAL_CRASH_CHILD") else {
        return;
    };
    let mut j = Journal::open(Path::new(&path), "7").unwrap();
    let intent = pay(&mut j, 999, T0);
    j.begin(&intent).unwrap();
    // No destructors, no checkpoint, lock still "held": as close to pulling the plug as a
    // test can get.
    std::process::abort();
}

#[test]
fn a_write_ahead_row_survives_the_process_aborting() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env("JOURNAL_CRASH_CHILD", &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child was meant to abort");
    // The kernel dropped the dead process's lock: the next till opens without help.
    let j = Journal::open(&path, "7").unwrap();
    integrity_ok(&j);
    let open = j.open_rows().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, RowState::Sending);
    assert_eq!(open[0].amount_minor, Some(999));
}

#[test]
fn finish_records_each_outcome_and_unknown_stays_open() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let cases = [
        (Status::Approved, RowState::Approved),
        (Status::Declined, RowState::Declined),
        (Status::Rejected, RowState::Rejected),
        (Status::Unknown, RowState::Unknown),
    ];
    let mut unknown = 0;
    for (status, state) in cases {
        let intent = pay(&mut j, 500, T0);
        let id = j.begin(&intent).unwrap();
        let mut out = outcome(
            &intent,
            status,
            Some("933392815902294016"),
            "insufficient funds",
        );
        out.code = Some(200);
        let data = ResponseData {
            trans_index_code: Some("100200000807293844967".into()),
            ..ResponseData::default()
        };
        j.finish(id, &out, Some(&data), T0 + Duration::seconds(2))
            .unwrap();
        let row = j.row(id).unwrap().unwrap();
        assert_eq!(row.state, state);
        assert_eq!(row.code, Some(200));
        assert_eq!(row.msg, "insufficient funds");
        assert_eq!(row.checkout_id.as_deref(), Some("933392815902294016"));
        assert_eq!(
            row.trans_index_code.as_deref(),
            Some("100200000807293844967")
        );
        assert_eq!(row.finished_at, Some(T0 + Duration::seconds(2)));
        if status == Status::Unknown {
            unknown = id;
        }
    }
    // Only the unknown one is left for recovery...
    let open: Vec<i64> = j.open_rows().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(open, vec![unknown]);
    // ...which can resolve it later, under the same order number.
    let row = j.row(unknown).unwrap().unwrap();
    let mut resolved = outcome(&pay(&mut j, 1, T0), Status::Approved, None, "success");
    resolved.tran_order_no = row.tran_order_no.clone();
    j.finish(unknown, &resolved, None, T0 + Duration::minutes(5))
        .unwrap();
    assert_eq!(j.row(unknown).unwrap().unwrap().state, RowState::Approved);
    assert!(j.open_rows().unwrap().is_empty());
    // An outcome for another order number cannot land on this row.
    let other = pay(&mut j, 1, T0);
    let id = j.begin(&other).unwrap();
    let err = j
        .finish(id, &resolved, None, T0)
        .expect_err("wrong order number");
    assert!(err.to_string().contains("does not belong"), "{err}");
}

#[test]
fn abandon_and_void_move_rows_to_their_final_states() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let lost = pay(&mut j, 700, T0);
    let lost_id = j.begin(&lost).unwrap();
    assert!(matches!(
        j.mark_abandoned(lost_id, "  ", T0),
        Err(JournalError::Invalid(_))
    ));
    j.mark_abandoned(lost_id, "customer left; card checked at head office", T0)
        .unwrap();
    let row = j.row(lost_id).unwrap().unwrap();
    assert_eq!(row.state, RowState::Abandoned);
    assert_eq!(
        row.abandon_reason.as_deref(),
        Some("customer left; card checked at head office")
    );
    assert!(j.open_rows().unwrap().is_empty());

    let original = pay(&mut j, 1000, T0);
    let original_id = record(&mut j, &original, Status::Approved, Some("111"));
    let mut void = pay(&mut j, 0, T0);
    void.operation = Operation::Void;
    void.account = String::new();
    void.amount_minor = None;
    void.original_checkout_id = Some("111".into());
    let void_id = j.begin(&void).unwrap();
    // The void's answer is not known yet: the original must still stand.
    assert!(j.mark_voided(original_id, void_id).is_err());
    j.finish(
        void_id,
        &outcome(&void, Status::Approved, Some("222"), "success"),
        None,
        T0,
    )
    .unwrap();
    j.mark_voided(original_id, void_id).unwrap();
    j.mark_voided(original_id, void_id).unwrap(); // a retry is harmless
    let original = j.row(original_id).unwrap().unwrap();
    let void = j.row(void_id).unwrap().unwrap();
    assert_eq!(original.state, RowState::Voided);
    assert_eq!(original.voided_by, Some(void_id));
    assert_eq!(void.void_of, Some(original_id));
    assert_eq!(void.state, RowState::Approved);
    // A void sends no card; its row shows the card and amount of the sale it reversed.
    assert_eq!(void.account_masked, "**** **** 3456");
    assert_eq!(void.quantity_display(), "USD 10.00");
    // find works with either number off the receipt.
    assert_eq!(j.find("222").unwrap().unwrap().id, void_id);
    let order = original.tran_order_no.clone().unwrap();
    assert_eq!(j.find(&order).unwrap().unwrap().id, original_id);
    assert!(j.find("nope").unwrap().is_none());
}

#[test]
fn order_numbers_are_unique_digits_and_short() {
    let mut j = Journal::open_in_memory("1234567890").unwrap();
    let mut seen = HashSet::new();
    for i in 0..10_000 {
        let no = j.next_order_no(T0 + Duration::milliseconds(i % 7)).unwrap();
        assert!(no.bytes().all(|b| b.is_ascii_digit()), "{no}");
        assert!(no.len() <= 60, "{no}");
        assert!(seen.insert(no.clone()), "repeated {no}");
    }
}

#[test]
fn order_numbers_never_repeat_across_restarts_or_when_the_clock_goes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let mut seen = HashSet::new();
    {
        let mut j = Journal::open(&path, "42").unwrap();
        for _ in 0..50 {
            assert!(seen.insert(j.next_order_no(T0).unwrap()));
        }
    }
    let mut j = Journal::open(&path, "42").unwrap();
    // Same second, after a restart, and with the clock set back an hour.
    for now in [T0, T0 - Duration::hours(1)] {
        for _ in 0..50 {
            let no = j.next_order_no(now).unwrap();
            assert!(seen.insert(no.clone()), "repeated {no}");
        }
    }
    let last = j.next_order_no(T0 - Duration::hours(1)).unwrap();
    let instance = j.instance_id().to_owned();
    assert_eq!(instance.len(), 8);
    assert_eq!(last, format!("202507241200000042{instance}00000151"));
}

#[test]
fn a_second_till_on_the_same_journal_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let first = Journal::open(&path, "1").unwrap();
    let err = Journal::open(&path, "1").expect_err("second writer");
    match &err {
        JournalError::Locked { path: p, pid } => {
            assert_eq!(p, &path);
            assert_eq!(*pid, Some(std::process::id()));
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "journal {} is in use by another paywizard-till (pid {}); close that one first",
            path.display(),
            std::process::id()
        )
    );
    drop(first);
    Journal::open(&path, "1").expect("free again once the first till closed");
}

#[test]
fn history_report_and_export_can_read_while_the_till_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let err = Journal::open_read_only(&path).expect_err("no journal yet");
    assert!(matches!(err, JournalError::NotFound { .. }));
    assert!(err.to_string().contains("does not exist"), "{err}");

    let mut writer = Journal::open(&path, "1").unwrap();
    let intent = pay(&mut writer, 1050, T0);
    let id = record(&mut writer, &intent, Status::Approved, Some("c1"));
    let mut reader = Journal::open_read_only(&path).unwrap();
    assert_eq!(reader.row(id).unwrap().unwrap().state, RowState::Approved);
    // The reader sees later commits too.
    let more = pay(&mut writer, 200, T0);
    let id2 = writer.begin(&more).unwrap();
    let page = reader.history(None, 10, UtcOffset::UTC).unwrap();
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), vec![id2, id]);
    assert!(matches!(
        reader.next_order_no(T0),
        Err(JournalError::ReadOnly)
    ));
    assert!(matches!(reader.begin(&more), Err(JournalError::ReadOnly)));
    assert_eq!(
        reader
            .report(T0, T0 + Duration::hours(1))
            .unwrap()
            .headline
            .open,
        1
    );
}

#[cfg(unix)]
#[test]
fn journal_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let mut j = Journal::open(&path, "1").unwrap();
    let intent = pay(&mut j, 100, T0);
    j.begin(&intent).unwrap();
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", file.display());
    }
}

#[test]
fn history_pages_newest_first_with_masked_accounts() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let mut ids = Vec::new();
    for i in 0..7 {
        let intent = pay(&mut j, 100 * (i + 1), T0 + Duration::minutes(i));
        ids.push(record(&mut j, &intent, Status::Approved, None));
    }
    let issue = points(
        &mut j,
        Operation::IssuePoints,
        25,
        T0 + Duration::minutes(10),
    );
    ids.push(record(&mut j, &issue, Status::Approved, None));

    let first = j.history(None, 3, offset!(+2)).unwrap();
    assert_eq!(
        first.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids.iter().rev().take(3).copied().collect::<Vec<_>>()
    );
    assert_eq!(first[0].quantity, "25 pts");
    assert_eq!(first[0].account_id, "**** **** 8515");
    assert_eq!(first[0].entry_type, EntryType::B);
    assert_eq!(first[1].quantity, "USD 7.00");
    assert_eq!(first[1].account_id, "**** **** 3456");
    assert_eq!(
        first[1].at.offset(),
        offset!(+2),
        "shown in the till's offset"
    );
    assert_eq!(first[1].at, T0 + Duration::minutes(6));

    let second = j.history(Some(first[2].id), 3, UtcOffset::UTC).unwrap();
    assert_eq!(
        second.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3], ids[2]]
    );
    let last = j.history(Some(ids[2]), 3, UtcOffset::UTC).unwrap();
    assert_eq!(
        last.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );
    assert!(
        j.history(Some(ids[0]), 3, UtcOffset::UTC)
            .unwrap()
            .is_empty()
    );
    let json = serde_json::to_string(&first).unwrap();
    assert!(!json.contains(CARD) && !json.contains(CARD2), "{json}");
}

/// A shift with one of everything; returns (journal, window start, window end).
fn a_shift() -> Journal {
    let mut j = Journal::open_in_memory("1").unwrap();
    let at = |m| T0 + Duration::minutes(m);
    let i = points(&mut j, Operation::IssuePoints, 25, at(1));
    record(&mut j, &i, Status::Approved, None);
    let i = points(&mut j, Operation::IssuePoints, 10, at(2));
    record(&mut j, &i, Status::Approved, None);
    let i = points(&mut j, Operation::IssuePoints, 99, at(3));
    record(&mut j, &i, Status::Declined, None);
    let i = points(&mut j, Operation::RedeemPoints, 5, at(4));
    record(&mut j, &i, Status::Approved, None);
    let i = money(&mut j, Operation::TopUp, CARD, 2000, at(5));
    record(&mut j, &i, Status::Approved, None);
    let i = pay(&mut j, 1050, at(6));
    record(&mut j, &i, Status::Approved, Some("p1"));
    let i = pay(&mut j, 2000, at(7));
    record(&mut j, &i, Status::Approved, Some("p2"));
    let i = money(&mut j, Operation::Tip, CARD, 200, at(8));
    record(&mut j, &i, Status::Approved, None);
    let i = pay(&mut j, 300, at(9));
    j.begin(&i).unwrap(); // still sending
    let i = pay(&mut j, 400, at(10));
    record(&mut j, &i, Status::Unknown, None);
    let i = money(&mut j, Operation::Pay, CARD, 5000, at(11));
    let mut eur = i.clone();
    eur.currency = "EUR".into();
    record(&mut j, &eur, Status::Approved, None);
    // Void of p2.
    let mut void = pay(&mut j, 0, at(12));
    void.operation = Operation::Void;
    void.amount_minor = None;
    void.account = String::new();
    void.original_checkout_id = Some("p2".into());
    let void_id = record(&mut j, &void, Status::Approved, Some("v1"));
    let p2 = j.find("p2").unwrap().unwrap().id;
    j.mark_voided(p2, void_id).unwrap();
    // Outside the window.
    let i = pay(&mut j, 99_999, T0 + Duration::days(1));
    record(&mut j, &i, Status::Approved, None);
    j
}

#[test]
fn report_totals_a_known_shift() {
    let j = a_shift();
    let r = j.report(T0, T0 + Duration::hours(8)).unwrap();
    let h = &r.headline;
    assert_eq!(h.transactions, 12);
    assert_eq!(h.points_issued, 35, "declined issuance is not issued");
    assert_eq!(h.points_redeemed, 5);
    let money = |m: &[paywizard_till::journal::MoneyTotal]| {
        m.iter()
            .map(|t| format!("{} {}", t.currency, t.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(money(&h.topped_up), ["USD 20.00"]);
    assert_eq!(
        money(&h.paid),
        ["EUR 50.00", "USD 10.50"],
        "voided pay is not paid"
    );
    assert_eq!(h.paid[1].minor, 1050);
    assert_eq!(money(&h.tipped), ["USD 2.00"]);
    assert_eq!(money(&h.voided), ["USD 20.00"]);
    assert_eq!(h.open, 2);
    assert_eq!(money(&h.open_money), ["USD 7.00"]);

    let line = |op: Operation, state: RowState| {
        r.lines
            .iter()
            .find(|l| l.operation == op && l.state == state)
            .unwrap_or_else(|| panic!("no line for {op:?} {state:?}"))
    };
    assert_eq!(line(Operation::IssuePoints, RowState::Approved).count, 2);
    assert_eq!(line(Operation::IssuePoints, RowState::Approved).points, 35);
    assert_eq!(line(Operation::IssuePoints, RowState::Declined).points, 99);
    assert_eq!(line(Operation::Pay, RowState::Approved).count, 2);
    assert_eq!(line(Operation::Pay, RowState::Sending).count, 1);
    assert_eq!(line(Operation::Void, RowState::Approved).count, 1);
    assert_eq!(
        r.lines[0].operation,
        Operation::IssuePoints,
        "cashier's order"
    );

    let text = r.render_text();
    assert!(text.contains("Points issued    35"), "{text}");
    assert!(
        text.contains("Paid             EUR 50.00, USD 10.50"),
        "{text}"
    );
    assert!(text.contains("Outcome unknown  2"), "{text}");
    assert!(text.contains("recover"), "{text}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["headline"]["pointsIssued"], 35);
    assert_eq!(json["headline"]["paid"][1]["minor"], 1050);
    assert_eq!(json["headline"]["paid"][1]["amount"], "10.50");
    assert_eq!(json["lines"][0]["operation"], "issue-points");

    let empty = j
        .report(T0 - Duration::days(2), T0 - Duration::days(1))
        .unwrap();
    assert!(empty.lines.is_empty());
    assert!(empty.render_text().contains("No transactions"));
}

#[test]
fn csv_export_quotes_properly_and_never_shows_a_full_card() {
    let mut j = a_shift();
    let i = pay(&mut j, 123, T0 + Duration::minutes(30));
    let id = j.begin(&i).unwrap();
    let tricky = "declined, \"card blocked\"\nsee line 2";
    j.finish(id, &outcome(&i, Status::Declined, None, tricky), None, T0)
        .unwrap();

    let mut out = Vec::new();
    let n = j.export_csv(&mut out, T0, T0 + Duration::hours(8)).unwrap();
    assert_eq!(n, 13);
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains(CARD) && !text.contains(CARD2), "{text}");
    assert!(
        !text.contains("6274000000"),
        "no partial card prefix either"
    );

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "time",
            "till",
            "operation",
            "tranOrderNo",
            "account",
            "entryType",
            "amount",
            "currency",
            "points",
            "state",
            "code",
            "msg",
            "checkoutId",
            "originalCheckoutId",
            "requestedAmount",
            "cashier",
            "approvedBy",
            "abandonedBy"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 13);
    let first = &records[0];
    assert_eq!(&first[0], "2025-07-24T13:01:00Z");
    assert_eq!(&first[2], "issue-points");
    assert_eq!(&first[4], "**** **** 8515");
    assert_eq!(&first[8], "25");
    assert_eq!(&first[6], "", "points rows have no amount");
    let last = &records[12];
    // Commas and quotes survive the round trip; a line break inside a cell becomes a space
    // (no cell carries a control character into a spreadsheet).
    assert_eq!(
        &last[11],
        tricky.replace('\n', " "),
        "msg survives the round trip"
    );
    assert_eq!(&last[6], "1.23");
    assert_eq!(&last[7], "USD");
    assert_eq!(&last[9], "declined");
    let void = records.iter().find(|r| &r[2] == "void").unwrap();
    assert_eq!(&void[13], "p2");
    assert_eq!(
        &void[4], "**** **** 3456",
        "the card of the sale it reversed"
    );
}

#[test]
fn a_spreadsheet_formula_in_msg_is_defused() {
    let mut j = Journal::open_in_memory("1").unwrap();
    let i = pay(&mut j, 100, T0);
    let id = j.begin(&i).unwrap();
    j.finish(
        id,
        &outcome(&i, Status::Declined, None, "=HYPERLINK(\"x\")"),
        None,
        T0,
    )
    .unwrap();
    let mut out = Vec::new();
    j.export_csv(&mut out, T0, T0 + Duration::hours(1)).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let rec = reader.records().next().unwrap().unwrap();
    assert_eq!(&rec[11], "'=HYPERLINK(\"x\")");
}

#[test]
fn another_sqlite_file_is_not_taken_for_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let err = Journal::open(&path, "1").expect_err("not ours");
    assert!(matches!(err, JournalError::NotAJournal { .. }), "{err:?}");
    let err = Journal::open_read_only(&path).expect_err("not ours");
    assert!(
        err.to_string().contains("is not a paywizard-till journal"),
        "{err}"
    );
}

#[test]
fn read_only_works_on_a_closed_journal_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    {
        let mut j = Journal::open(&path, "1").unwrap();
        let i = pay(&mut j, 100, T0);
        record(&mut j, &i, Status::Approved, None);
    }
    let r = Journal::open_read_only(&path).unwrap();
    integrity_ok(&r);
    assert_eq!(r.history(None, 5, UtcOffset::UTC).unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn a_second_name_for_the_same_journal_meets_the_same_lock() {
    let dir = tempfile::tempdir().unwrap();
    let real = journal_path(&dir);
    let link = dir.path().join("journal-link.sqlite3");
    // The link comes first and dangles: opening through it creates the real file.
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let through_link = Journal::open(&link, "1").unwrap();
    assert!(real.is_file());
    for other in [
        real.clone(),
        real.parent()
            .unwrap()
            .join("..")
            .join("till")
            .join("journal.sqlite3"),
    ] {
        let err = Journal::open(&other, "1").expect_err("the same file, already open");
        assert!(matches!(err, JournalError::Locked { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&other.display().to_string()),
            "{err}"
        );
    }
    drop(through_link);
    let direct = Journal::open(&real, "1").unwrap();
    let err = Journal::open(&link, "1").expect_err("and the other way round");
    assert!(matches!(err, JournalError::Locked { .. }), "{err:?}");
    drop(direct);
}

#[test]
fn a_damaged_journal_is_refused_and_never_made_again_over() {
    let dir = tempfile::tempdir().unwrap();
    // Marked as ours, but with no tables (its schema was lost).
    let marked = dir.path().join("marked.sqlite3");
    let conn = rusqlite::Connection::open(&marked).unwrap();
    conn.execute_batch("PRAGMA application_id = 1347900490; PRAGMA user_version = 2;")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&marked).unwrap();
    let err = Journal::open(&marked, "1").expect_err("damaged");
    assert!(matches!(err, JournalError::Damaged { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("is damaged") && text.contains("nothing was changed"),
        "{text}"
    );
    assert!(std::fs::read(&marked).unwrap() == before, "left as it was");

    // A real journal whose entries table went missing.
    let path = journal_path(&dir);
    drop(Journal::open(&path, "1").unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TABLE entries;").unwrap();
    drop(conn);
    let err = Journal::open(&path, "1").expect_err("damaged");
    assert!(err.to_string().contains("has no entries table"), "{err}");
    let err = Journal::open_read_only(&path).expect_err("damaged");
    assert!(matches!(err, JournalError::Damaged { .. }), "{err:?}");

    // Any other non-empty file is not taken over either.
    let text_file = dir.path().join("notes.txt");
    std::fs::write(&text_file, "shopping list\n".repeat(100)).unwrap();
    let err = Journal::open(&text_file, "1").expect_err("not a database");
    assert!(matches!(err, JournalError::NotAJournal { .. }), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(&text_file).unwrap(),
        "shopping list\n".repeat(100)
    );
}

fn remove_wal(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn a_new_journal_never_looks_new_again_once_its_wal_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let instance = {
        let mut j = Journal::open(&path, "1").unwrap();
        let i = pay(&mut j, 100, T0);
        j.begin(&i).unwrap();
        j.instance_id().to_owned()
    };
    remove_wal(&path);
    // The schema and the journal's identity were checkpointed when it was made.
    let j = Journal::open(&path, "1").unwrap();
    assert_eq!(j.instance_id(), instance);
    integrity_ok(&j);
}

#[test]
fn a_lost_wal_costs_at_most_the_last_few_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = journal_path(&dir);
    let n = 40;
    {
        let mut j = Journal::open(&path, "1").unwrap();
        for k in 0..n {
            // Approved payments keep their card (tip window): no scrub checkpoints here,
            // only the one every CHECKPOINT_EVERY_ROWS rows.
            let i = pay(&mut j, 100 + k, T0 + Duration::seconds(k));
            record(&mut j, &i, Status::Approved, None);
        }
    } // closed without the quit path's checkpoint, as after a crash
    remove_wal(&path);
    let j = Journal::open(&path, "1").unwrap();
    integrity_ok(&j);
    let kept = j.history(None, 100, UtcOffset::UTC).unwrap().len() as i64;
    assert!(
        kept >= n - paywizard_till::journal::CHECKPOINT_EVERY_ROWS && kept < n,
        "{kept} of {n} rows survived"
    );
}
