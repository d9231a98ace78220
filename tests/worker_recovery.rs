//! The worker's recovery, report and receipt commands against a real journal and the
//! simulator on loopback: what the cashier's Ctrl+R, Ctrl+T and Ctrl+P end up doing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use paywizard_till::api::{EntryType, Operation, TillRequest};
use paywizard_till::config::{Config, FileConfig};
use paywizard_till::journal::Journal;
use paywizard_till::money::Amount;
use paywizard_till::outcome::{RowState, Status};
use paywizard_till::sim::{Fault, SimHandle};
use paywizard_till::till::Till;
use paywizard_till::worker::{self, Command, Event};
use time::UtcOffset;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use common::{CARD, TOKEN, sandbox_overrides, start_sim};

struct Rig {
    sim: SimHandle,
    till: Arc<Till>,
    commands: UnboundedSender<Command>,
    events: UnboundedReceiver<Event>,
    receipts: tempfile::TempDir,
    _dir: tempfile::TempDir,
}

async fn rig() -> Rig {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let overrides = sandbox_overrides(&sim.base_url(), TOKEN, "7");
    let mut config = Config::resolve(&overrides, &FileConfig::default()).unwrap();
    config.request_timeout = Duration::from_millis(500);
    let journal = Journal::open(&dir.path().join("journal.sqlite3"), "7").unwrap();
    let till = Till::new(&config, journal, UtcOffset::UTC)
        .unwrap()
        .with_retry_delays(Vec::new());
    let till = Arc::new(till);
    let receipts = tempfile::tempdir().unwrap();
    let (commands, command_rx) = unbounded_channel();
    let (event_tx, events) = unbounded_channel();
    worker::spawn(
        Arc::clone(&till),
        Some(receipts.path().join("spool")),
        command_rx,
        event_tx,
    );
    Rig {
        sim,
        till,
        commands,
        events,
        receipts,
        _dir: dir,
    }
}

impl Rig {
    /// The next event that `pick` accepts; stages and connection news are skipped.
    async fn next<T>(&mut self, mut pick: impl FnMut(Event) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .expect("the worker answers within 10 s")
                .expect("the worker is running");
            if let Some(t) = pick(event) {
                return t;
            }
        }
    }

    async fn pay(&mut self, id: u64, minor: i64) -> (Status, Option<i64>) {
        let mut request = TillRequest::new(Operation::Pay, CARD);
        request.entry = EntryType::B;
        request.amount = Some(Amount::from_minor(minor));
        self.commands
            .send(Command::Submit {
                id,
                request: Box::new(request),
                authority: Default::default(),
            })
            .unwrap();
        self.next(|e| match e {
            Event::Finished {
                id: done,
                outcome,
                entry,
            } if done == id => Some((outcome.status, entry.map(|e| e.id))),
            _ => None,
        })
        .await
    }

    /// An approved payment: its journal row and the checkoutId the history shows for it.
    async fn approved_sale(&mut self, id: u64, minor: i64) -> (i64, String) {
        let (status, sale) = self.pay(id, minor).await;
        assert_eq!(status, Status::Approved);
        let sale = sale.unwrap();
        self.commands
            .send(Command::LoadHistory {
                before: None,
                limit: 5,
            })
            .unwrap();
        let checkout = self
            .next(|e| match e {
                Event::History { entries, .. } => Some(entries),
                _ => None,
            })
            .await
            .into_iter()
            .find(|e| e.id == sale)
            .and_then(|e| e.checkout_id)
            .expect("an approved sale has a checkoutId");
        (sale, checkout)
    }

    async fn open_rows(&mut self) -> Vec<i64> {
        self.commands.send(Command::LoadOpenRows).unwrap();
        self.next(|e| match e {
            Event::OpenRows(rows) => Some(rows.iter().map(|r| r.id).collect()),
            _ => None,
        })
        .await
    }

    fn money(&self) -> i64 {
        self.sim.card(CARD).unwrap().money_minor
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_payment_is_resent_once_and_settles_without_charging_twice() {
    let mut rig = rig().await;
    let start = rig.money();
    // Applied by PayWizard, but the answer never arrives.
    rig.sim.faults().push_next(Fault::DropAfterApply);
    let (status, row) = rig.pay(1, 1_250).await;
    assert_eq!(status, Status::Unknown);
    let row = row.unwrap();
    assert_eq!(rig.open_rows().await, vec![row]);

    // The balance check shows the money has gone already.
    rig.commands.send(Command::CheckRowBalance { row }).unwrap();
    let balances = rig
        .next(|e| match e {
            Event::RowBalance { row: r, balances } if r == row => Some(balances),
            _ => None,
        })
        .await
        .expect("the balance check reaches the card");
    assert!(
        balances.iter().any(|b| b.display() == "USD 37.50"),
        "{balances:?}"
    );

    rig.commands.send(Command::Resend { id: 2, row }).unwrap();
    let (status, entry) = rig
        .next(|e| match e {
            Event::Finished {
                id: 2,
                outcome,
                entry,
            } => Some((outcome.status, entry)),
            _ => None,
        })
        .await;
    assert_eq!(status, Status::Approved);
    let entry = entry.unwrap();
    assert_eq!(entry.id, row, "the same journal row, not a new sale");
    assert_eq!(entry.state, RowState::Approved);
    assert_eq!(rig.money(), start - 1_250, "charged exactly once");
    assert!(rig.open_rows().await.is_empty());

    // A second resend of a settled row sends nothing.
    let received = rig.sim.received().len();
    rig.commands.send(Command::Resend { id: 3, row }).unwrap();
    let problem = rig
        .next(|e| match e {
            Event::ResendFailed { id: 3, reason } => Some(reason),
            _ => None,
        })
        .await;
    assert!(problem.contains("already approved"), "{problem}");
    assert_eq!(rig.sim.received().len(), received);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoning_a_row_closes_it_with_the_reason_and_the_report_counts_it() {
    let mut rig = rig().await;
    rig.sim.faults().push_next(Fault::DropBeforeApply);
    let (status, row) = rig.pay(1, 500).await;
    assert_eq!(status, Status::Unknown);
    let row = row.unwrap();
    rig.commands
        .send(Command::Abandon {
            row,
            reason: "  ".into(),
            authority: Default::default(),
        })
        .unwrap();
    let problem = rig
        .next(|e| match e {
            Event::Problem(p) => Some(p),
            _ => None,
        })
        .await;
    assert!(problem.contains("why"), "a reason is required: {problem}");

    rig.commands
        .send(Command::Abandon {
            row,
            reason: "customer paid cash".into(),
            authority: Default::default(),
        })
        .unwrap();
    let entry = rig
        .next(|e| match e {
            Event::RowChanged(entry) => Some(entry),
            _ => None,
        })
        .await;
    assert_eq!(entry.state, RowState::Abandoned);
    assert!(rig.open_rows().await.is_empty());

    let (status, _) = rig.pay(2, 1_000).await;
    assert_eq!(status, Status::Approved);
    rig.commands.send(Command::LoadReport).unwrap();
    let report = rig
        .next(|e| match e {
            Event::Report(report) => Some(report),
            _ => None,
        })
        .await;
    assert_eq!(
        report.headline.transactions, 2,
        "every request counts, whatever its outcome"
    );
    assert_eq!(report.headline.paid[0].minor, 1_000);
    assert_eq!(report.headline.open, 0, "abandoned is not open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_lands_whole_in_the_spool_directory() {
    let mut rig = rig().await;
    rig.commands
        .send(Command::SaveReceipt {
            name: "receipt-1.txt".into(),
            text: "PAY\nUSD 10.00\n".into(),
        })
        .unwrap();
    let saved = rig
        .next(|e| match e {
            Event::ReceiptSaved(r) => Some(r),
            _ => None,
        })
        .await
        .expect("saved");
    assert!(saved.ends_with("receipt-1.txt"), "{saved}");
    let text = std::fs::read_to_string(rig.receipts.path().join("spool/receipt-1.txt")).unwrap();
    assert_eq!(text, "PAY\nUSD 10.00\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_marks_the_sale_it_reverses_as_voided_in_the_history() {
    let mut rig = rig().await;
    let start = rig.money();
    let (sale, checkout) = rig.approved_sale(1, 700).await;
    let mut void = TillRequest::new(Operation::Void, "");
    void.original_checkout_id = Some(checkout);
    rig.commands
        .send(Command::Submit {
            id: 2,
            request: Box::new(void),
            authority: Default::default(),
        })
        .unwrap();
    let changed = rig
        .next(|e| match e {
            Event::RowChanged(entry) => Some(entry),
            _ => None,
        })
        .await;
    assert_eq!(changed.id, sale);
    assert_eq!(changed.state, RowState::Voided);
    assert_eq!(rig.money(), start, "the money is back on the card");
}

fn till_at(sim: &SimHandle, journal: &std::path::Path, token: &str) -> Till {
    let overrides = sandbox_overrides(&sim.base_url(), token, "7");
    let config = Config::resolve(&overrides, &FileConfig::default()).unwrap();
    Till::new(
        &config,
        Journal::open(journal, "7").unwrap(),
        UtcOffset::UTC,
    )
    .unwrap()
    .with_retry_delays(Vec::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_resend_leaves_the_row_unknown_not_rejected() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let start = sim.card(CARD).unwrap().money_minor;
    let row = {
        let till = till_at(&sim, &path, TOKEN);
        sim.faults().push_next(Fault::DropAfterApply);
        let mut pay = TillRequest::new(Operation::Pay, CARD);
        pay.amount = Some(Amount::from_minor(300));
        let finished = till.execute(&pay, &mut |_| {}).await.unwrap();
        assert_eq!(finished.outcome.status, Status::Unknown);
        finished.entry.unwrap().id
    };
    assert_eq!(sim.card(CARD).unwrap().money_minor, start - 300, "applied");

    // The token has expired since: PayWizard refuses the resend outright. That says nothing
    // about the first attempt, so the row must stay open.
    {
        let till = till_at(&sim, &path, "EXPIRED-TOKEN");
        let row = till.journal().row(row).unwrap().unwrap();
        let finished = till.resend(&row, &mut |_| {}).await.unwrap();
        assert_eq!(finished.outcome.status, Status::Unknown);
        assert!(
            finished.outcome.msg.contains("still unknown"),
            "{}",
            finished.outcome.msg
        );
        assert_eq!(finished.entry.unwrap().state, RowState::Unknown);
    }

    // With a good token the same bytes settle it, and the card was charged once.
    let till = till_at(&sim, &path, TOKEN);
    let row = till.journal().row(row).unwrap().unwrap();
    let finished = till.resend(&row, &mut |_| {}).await.unwrap();
    assert_eq!(finished.outcome.status, Status::Approved);
    assert_eq!(sim.card(CARD).unwrap().money_minor, start - 300);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tip_from_the_history_takes_the_card_from_the_journaled_sale() {
    let mut rig = rig().await;
    let start = rig.money();
    let (_, checkout) = rig.approved_sale(1, 1_000).await;
    let mut tip = TillRequest::new(Operation::Tip, "");
    tip.amount = Some(Amount::from_minor(200));
    tip.original_checkout_id = Some(checkout);
    rig.commands
        .send(Command::Submit {
            id: 2,
            request: Box::new(tip),
            authority: Default::default(),
        })
        .unwrap();
    let outcome = rig
        .next(|e| match e {
            Event::Finished { id: 2, outcome, .. } => Some(outcome),
            _ => None,
        })
        .await;
    assert_eq!(outcome.status, Status::Approved, "{}", outcome.msg);
    assert_eq!(outcome.account_id, "**** **** 0014");
    assert_eq!(rig.money(), start - 1_200);
    // Read the way the sale read it (scanned), whatever the tip form said.
    let tip_body = rig
        .sim
        .received()
        .into_iter()
        .rfind(|r| r.endpoint == "giftTip")
        .unwrap()
        .body;
    let tip_body: serde_json::Value = serde_json::from_slice(&tip_body).unwrap();
    assert_eq!(tip_body["entryType"], "B");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_the_journal_cannot_record_is_told_and_written_once_it_can() {
    let mut rig = rig().await;
    rig.till
        .journal()
        .fail_outcome_writes_for_test(true)
        .unwrap();
    let (status, row) = rig.pay(1, 4_00).await;
    assert_eq!(status, Status::Unknown, "never approved while unrecorded");
    let problem = rig
        .next(|e| match e {
            Event::Problem(p) => Some(p),
            _ => None,
        })
        .await;
    assert!(
        problem.contains("cannot record 1 answer(s)") && problem.contains("do NOT repeat"),
        "{problem}"
    );
    assert_eq!(rig.money(), 50_00 - 4_00, "PayWizard took it");

    // The disk has room again: the worker writes the answer on its own.
    rig.till
        .journal()
        .fail_outcome_writes_for_test(false)
        .unwrap();
    let entry = rig
        .next(|e| match e {
            Event::RowChanged(entry) => Some(entry),
            _ => None,
        })
        .await;
    assert_eq!(Some(entry.id), row);
    assert_eq!(entry.state, RowState::Approved);
    let problem = rig
        .next(|e| match e {
            Event::Problem(p) => Some(p),
            _ => None,
        })
        .await;
    assert!(
        problem.contains("has now recorded") && problem.ends_with("approved"),
        "{problem}"
    );
    assert!(rig.open_rows().await.is_empty());
    assert_eq!(rig.money(), 50_00 - 4_00, "charged once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tip_from_the_history_on_a_voided_sale_is_refused_before_sending() {
    let mut rig = rig().await;
    let (_, checkout) = rig.approved_sale(1, 1_000).await;
    let mut void = TillRequest::new(Operation::Void, "");
    void.original_checkout_id = Some(checkout.clone());
    rig.commands
        .send(Command::Submit {
            id: 2,
            request: Box::new(void),
            authority: Default::default(),
        })
        .unwrap();
    let voided = rig
        .next(|e| match e {
            Event::Finished { id: 2, outcome, .. } => Some(outcome),
            _ => None,
        })
        .await;
    assert_eq!(voided.status, Status::Approved);
    assert_eq!(
        voided.account_id, "**** **** 0014",
        "the void names the card"
    );
    assert_eq!(
        voided.amount.as_deref(),
        Some("10.00"),
        "and what it reverses"
    );
    let sent = rig.sim.received().len();

    let mut tip = TillRequest::new(Operation::Tip, "");
    tip.amount = Some(Amount::from_minor(200));
    tip.original_checkout_id = Some(checkout);
    rig.commands
        .send(Command::Submit {
            id: 3,
            request: Box::new(tip),
            authority: Default::default(),
        })
        .unwrap();
    let outcome = rig
        .next(|e| match e {
            Event::Finished { id: 3, outcome, .. } => Some(outcome),
            _ => None,
        })
        .await;
    assert_eq!(outcome.status, Status::Rejected);
    assert!(
        outcome.msg.contains("is voided; a tip can only be added"),
        "{}",
        outcome.msg
    );
    assert_eq!(rig.sim.received().len(), sent, "nothing sent");
}
