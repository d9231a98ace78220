//! The background task that does all I/O for the TUI: Command in, Event out.
//!
//! For every request: journal the intent -> sign -> send -> journal the outcome, reporting
//! each stage so the status pane stays live. Nothing here runs on the UI path.

use std::path::PathBuf;

use crate::api::{Balance, Operation, TillRequest};
use crate::journal::{Authority, Pin, Refusal, Report, Row, ShiftTotals, SignedOn, ZAttempt};

mod staff;

use crate::outcome::{HistoryEntry, Outcome, Status};
use crate::printer::{PrintNotice, Printing};
use crate::receipt::Receipt;
pub use staff::{SignOff, SignOnAnswer};

/// Ties a submitted request to the events about it.
pub type RequestId = u64;

/// What the UI asks the worker to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Journal, sign and send one request, as `authority` (the signed-on cashier, and a
    /// manager approving this one request; nobody while the till has no staff).
    Submit {
        id: RequestId,
        request: Box<TillRequest>,
        authority: Box<Authority>,
    },
    /// Load a page of history, newest first, older than row `before` (None = newest).
    LoadHistory { before: Option<i64>, limit: usize },
    /// The rows with no final outcome (left by a crash or a timeout), for recovery.
    LoadOpenRows,
    /// Send a journaled request again: the same bytes and tranOrderNo, so PayWizard
    /// de-duplicates it. Reported like a `Submit`.
    Resend { id: RequestId, row: i64 },
    /// Ask the card of an open row for its balances, to see whether it went through.
    CheckRowBalance { row: i64 },
    /// Close an open row by hand, with the cashier's reason (a manager's call once the
    /// till has staff: `authority` holds one).
    Abandon {
        row: i64,
        reason: String,
        authority: Box<Authority>,
    },
    /// Check a staff id and PIN (about 130 ms, on a blocking thread); answered by
    /// `Event::SignOn` with the same ticket. Wrong PINs count towards the id's lockout.
    SignOn {
        ticket: RequestId,
        id: String,
        pin: Pin,
    },
    /// Journal that this member signed on at the screen.
    RecordSignOn(Box<SignedOn>),
    /// Journal that this member signed off at the screen, and why.
    RecordSignOff { who: Box<SignedOn>, why: SignOff },
    /// The open shift's totals (the X report).
    LoadShiftX,
    /// Close the shift (the Z report): `authority` must hold a manager once there are staff.
    CloseShift(Box<Authority>),
    /// Today's totals.
    LoadReport,
    /// Write a receipt for the printer spooler.
    SaveReceipt { name: String, text: String },
    /// Queue a receipt and print the queue (oldest first) on the receipt printer.
    PrintReceipt(Box<Receipt>),
    /// Rebuild a journal row's receipt (for a reprint), issued by `store`.
    LoadReceipt { row: i64, store: String },
    /// Print every receipt still waiting for the printer.
    FlushReceipts,
    /// Finish in-flight work and stop.
    Shutdown,
}

/// How far a submitted request has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The intent is committed to the journal (with its tranOrderNo, if it has one).
    Journaled {
        tran_order_no: Option<String>,
    },
    Signing,
    Sending,
    /// Sent; waiting for PayWizard's answer.
    Waiting,
    /// Could not connect; trying again (only ever for requests that were not sent).
    Retrying {
        attempt: u32,
        reason: String,
    },
    /// Approved; asking for the card's new balance.
    FetchingBalance,
}

/// Whether the last attempt reached PayWizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connection {
    #[default]
    Unknown,
    Online,
    Offline,
}

/// What the worker tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Stage {
        id: RequestId,
        stage: Stage,
    },
    /// The request is over; `entry` is its journal row as it now stands.
    Finished {
        id: RequestId,
        outcome: Box<Outcome>,
        entry: Option<HistoryEntry>,
    },
    /// A page of history for `LoadHistory`.
    History {
        before: Option<i64>,
        entries: Vec<HistoryEntry>,
    },
    /// The open rows for `LoadOpenRows`, oldest first.
    OpenRows(Vec<HistoryEntry>),
    RowBalance {
        row: i64,
        balances: Result<Vec<Balance>, String>,
    },
    /// A `Resend` that could not be carried out; nothing was sent.
    ResendFailed {
        id: RequestId,
        reason: String,
    },
    /// A row changed outside a request (abandoned by hand).
    RowChanged(HistoryEntry),
    Report(Box<Report>),
    /// Where the receipt was written, or why it was not.
    ReceiptSaved(Result<String, String>),
    /// How a print job ended.
    Printed(PrintNotice),
    /// A journal row's receipt for `LoadReceipt`, or why it has none.
    Receipt {
        row: i64,
        receipt: Result<Box<Receipt>, String>,
    },
    Connection(Connection),
    /// Where the store's central database stands (only when one is configured).
    Sync(crate::store::background::SyncStatus),
    /// Something the cashier must know that is not a request outcome (journal failure).
    Problem(String),
    /// The answer to `Command::SignOn` with this ticket.
    SignOn {
        ticket: RequestId,
        answer: SignOnAnswer,
    },
    /// A request was refused before anything was sent because of who asked (the till has
    /// staff now, or the cashier was removed); sent after its `Finished`.
    NotPermitted(Refusal),
    /// The open shift's totals for `LoadShiftX` (times in the till's local offset).
    ShiftX(Box<ShiftTotals>),
    /// What `CloseShift` came to (times in the till's local offset).
    Z(Box<ZAttempt>),
}

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use crate::till::Till;

/// How often answers the journal could not record are written again.
const UNRECORDED_RETRY: Duration = Duration::from_secs(2);

/// Starts the worker. It runs until `Shutdown` (after in-flight requests finish, so their
/// outcomes reach the journal) or until the command channel closes. Receipts are written to
/// `receipts_dir` when one is configured.
pub fn spawn(
    till: Arc<Till>,
    receipts_dir: Option<PathBuf>,
    commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
    spawn_with_printer(till, receipts_dir, None, commands, events)
}

/// [`spawn`], printing receipts with `printing` when asked (the screen asks after each
/// approval when `[printer] auto` is on, with the receipt it shows).
pub fn spawn_with_printer(
    till: Arc<Till>,
    receipts_dir: Option<PathBuf>,
    printing: Option<Arc<Printing>>,
    commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(till, receipts_dir, printing, commands, events))
}

async fn run(
    till: Arc<Till>,
    receipts_dir: Option<PathBuf>,
    printing: Option<Arc<Printing>>,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) {
    let mut in_flight = JoinSet::new();
    let mut retry = tokio::time::interval(UNRECORDED_RETRY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_problem: Option<String> = None;
    loop {
        let command = tokio::select! {
            command = commands.recv() => match command {
                Some(command) => command,
                None => break,
            },
            _ = retry.tick() => {
                if till.unrecorded() > 0 {
                    retry_unrecorded(&till, &events, &mut last_problem);
                }
                continue;
            }
        };
        let send = |event: Event| {
            let _ = events.send(event);
        };
        match command {
            Command::Submit {
                id,
                request,
                authority,
            } => {
                let till = Arc::clone(&till);
                let events = events.clone();
                in_flight.spawn(async move {
                    submit(&till, id, request, &authority, &events).await;
                });
            }
            Command::SignOn { ticket, id, pin } => {
                let till = Arc::clone(&till);
                let events = events.clone();
                in_flight.spawn(async move {
                    let answer = staff::sign_on(till, id, pin).await;
                    let _ = events.send(Event::SignOn { ticket, answer });
                });
            }
            Command::RecordSignOn(who) => {
                if let Some(problem) = staff::record_sign_on(&till, &who) {
                    send(problem);
                }
            }
            Command::RecordSignOff { who, why } => {
                if let Some(problem) = staff::record_sign_off(&till, &who, why) {
                    send(problem);
                }
            }
            Command::LoadShiftX => send(staff::shift_x(&till)),
            Command::CloseShift(authority) => send(staff::close_shift(&till, &authority)),
            Command::Resend { id, row } => {
                let till = Arc::clone(&till);
                let events = events.clone();
                in_flight.spawn(async move { resend(&till, id, row, &events).await });
            }
            Command::CheckRowBalance { row } => {
                let till = Arc::clone(&till);
                let events = events.clone();
                in_flight.spawn(async move {
                    let balances = row_balance(&till, row).await;
                    let _ = events.send(Event::RowBalance { row, balances });
                });
            }
            Command::LoadHistory { before, limit } => {
                let page = till.journal().history(before, limit, till.offset());
                send(match page {
                    Ok(entries) => Event::History { before, entries },
                    Err(e) => Event::Problem(format!("cannot read the journal: {e}")),
                });
            }
            Command::LoadOpenRows => {
                let offset = till.offset();
                let rows = till.journal().open_rows();
                send(match rows {
                    Ok(rows) => {
                        Event::OpenRows(rows.iter().map(|r| r.to_history(offset)).collect())
                    }
                    Err(e) => Event::Problem(format!("cannot read the journal: {e}")),
                });
            }
            Command::Abandon {
                row,
                reason,
                authority,
            } => send(abandon(&till, row, &reason, &authority)),
            Command::LoadReport => {
                let offset = till.offset();
                let today = OffsetDateTime::now_utc().to_offset(offset).date();
                let (from, to) = crate::journal::days(today, today, offset);
                send(match till.journal().report(from, to) {
                    Ok(report) => Event::Report(Box::new(report)),
                    Err(e) => Event::Problem(format!("cannot read the journal: {e}")),
                });
            }
            Command::SaveReceipt { name, text } => {
                send(Event::ReceiptSaved(match &receipts_dir {
                    None => {
                        Err("no receipts_dir is configured: see assets/config.example.toml".into())
                    }
                    Some(dir) => crate::receipt::save(dir, &name, &text)
                        .map(|path| path.display().to_string())
                        .map_err(|e| format!("cannot write the receipt in {}: {e}", dir.display())),
                }));
            }
            Command::PrintReceipt(receipt) => match printing.clone() {
                Some(p) => spawn_print(&mut in_flight, p.print(*receipt), &events),
                None => send(Event::Printed(PrintNotice::NoPrinter)),
            },
            Command::LoadReceipt { row, store } => send(load_receipt(&till, row, &store)),
            Command::FlushReceipts => match printing.clone() {
                Some(p) => spawn_print(&mut in_flight, p.flush(), &events),
                None => send(Event::Printed(PrintNotice::NoPrinter)),
            },
            Command::Shutdown => break,
        }
        // Reap finished requests so the set does not grow over a shift.
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
    // Last chance for answers the journal could not take; what still fails stays an open
    // row, which the next start offers to recover.
    if till.unrecorded() > 0 {
        retry_unrecorded(&till, &events, &mut last_problem);
    }
}

/// What the cashier reads while answers wait for the journal.
fn unrecorded_problem(waiting: usize, error: &str) -> String {
    format!(
        "the journal cannot record {waiting} answer(s) from PayWizard ({error}); they stay unknown until it can (retrying every {} s): do NOT repeat those requests, and free disk space",
        UNRECORDED_RETRY.as_secs()
    )
}

/// Writes waiting answers; reports what got written and, when it changes, what still waits.
fn retry_unrecorded(till: &Till, events: &UnboundedSender<Event>, last: &mut Option<String>) {
    let retried = till.retry_unrecorded();
    for (outcome, entry) in &retried.written {
        if let Some(entry) = entry {
            let _ = events.send(Event::RowChanged(entry.clone()));
        }
        let problem = format!(
            "the journal has now recorded {}: {}",
            outcome.tran_order_no.as_deref().unwrap_or("the request"),
            outcome.status
        );
        let _ = events.send(Event::Problem(problem.clone()));
        *last = Some(problem);
    }
    if retried.waiting > 0 {
        let problem = unrecorded_problem(
            retried.waiting,
            retried.error.as_deref().unwrap_or("unknown error"),
        );
        if last.as_ref() != Some(&problem) {
            let _ = events.send(Event::Problem(problem.clone()));
            *last = Some(problem);
        }
    }
}

/// A print job runs beside the requests (it never holds the journal while the printer
/// talks) and reports how it ended.
fn spawn_print(
    in_flight: &mut JoinSet<()>,
    job: impl std::future::Future<Output = PrintNotice> + Send + 'static,
    events: &UnboundedSender<Event>,
) {
    let events = events.clone();
    in_flight.spawn(async move {
        let _ = events.send(Event::Printed(job.await));
    });
}

/// A journal row's receipt, rebuilt from the row and PayWizard's recorded answer.
fn load_receipt(till: &Till, row: i64, store: &str) -> Event {
    let journal = till.journal();
    let receipt = match journal.row(row) {
        Ok(Some(found)) => journal
            .recorded_answer(found.id)
            .map_err(|e| format!("cannot read the journal: {e}"))
            .and_then(|answer| {
                Receipt::from_journal(store, &found, answer.as_ref(), till.offset())
                    .map_err(|e| e.to_string())
            }),
        Ok(None) => Err(format!("row {row} is not in the journal")),
        Err(e) => Err(format!("cannot read the journal: {e}")),
    };
    Event::Receipt {
        row,
        receipt: receipt.map(Box::new),
    }
}

fn abandon(till: &Till, row: i64, reason: &str, authority: &Authority) -> Event {
    let result = till
        .abandon(row, reason, authority)
        .and_then(|()| till.journal().row(row));
    match result {
        Ok(Some(row)) => Event::RowChanged(row.to_history(till.offset())),
        Ok(None) => Event::Problem(format!("row {row} is not in the journal")),
        Err(e) => Event::Problem(format!("cannot abandon it: {e}")),
    }
}

async fn row_balance(till: &Till, row: i64) -> Result<Vec<Balance>, String> {
    let row = till
        .journal()
        .row(row)
        .map_err(|e| format!("cannot read the journal: {e}"))?
        .ok_or_else(|| format!("row {row} is not in the journal"))?;
    let account = crate::till::account_of(&row)
        .ok_or_else(|| "this request carries no card number to ask about".to_owned())?;
    till.balances(&account, row.entry_type)
        .await
        .map(|data| data.balances.unwrap_or_default())
        .map_err(|e| e.to_string())
}

async fn resend(till: &Till, id: RequestId, row_id: i64, events: &UnboundedSender<Event>) {
    let mut progress = |stage: Stage| {
        let _ = events.send(Event::Stage { id, stage });
    };
    let finished = match still_open_row(till, row_id, events) {
        Ok(row) => till
            .resend(&row, &mut progress)
            .await
            .map_err(|e| format!("the resend failed: {e}")),
        Err(reason) => Err(reason),
    };
    match finished {
        Ok(finished) => report_finished(till, id, finished, events),
        Err(reason) => {
            let _ = events.send(Event::ResendFailed { id, reason });
        }
    }
}

/// The journal row to resend, if its outcome is still unknown.
fn still_open_row(
    till: &Till,
    row_id: i64,
    events: &UnboundedSender<Event>,
) -> Result<Row, String> {
    match till.journal().row(row_id) {
        Ok(Some(row)) if row.state.is_open() => Ok(row),
        Ok(Some(row)) => {
            // Someone (another screen, `recover`) settled it already: show it as it is.
            let _ = events.send(Event::RowChanged(row.to_history(till.offset())));
            Err(format!(
                "that request is already {}; nothing was sent",
                row.state
            ))
        }
        Ok(None) => Err(format!("row {row_id} is not in the journal")),
        Err(e) => Err(format!("cannot read the journal: {e}")),
    }
}

/// Reports a finished request; if its answer could not be journaled, says so at once (the
/// periodic retry keeps trying).
fn report_finished(
    till: &Till,
    id: RequestId,
    finished: crate::till::Finished,
    events: &UnboundedSender<Event>,
) {
    let _ = events.send(Event::Connection(if finished.reached_server {
        Connection::Online
    } else {
        Connection::Offline
    }));
    let _ = events.send(Event::Finished {
        id,
        outcome: Box::new(finished.outcome),
        entry: finished.entry,
    });
    if till.unrecorded() > 0 {
        retry_unrecorded(till, events, &mut None);
    }
}

async fn submit(
    till: &Till,
    id: RequestId,
    request: Box<TillRequest>,
    authority: &Authority,
    events: &UnboundedSender<Event>,
) {
    let mut progress = |stage: Stage| {
        let _ = events.send(Event::Stage { id, stage });
    };
    let mut request = request;
    if let Err(reason) = tip_from_history(till, &mut request) {
        let _ = events.send(rejected(id, &request, reason));
        return;
    }
    match till.execute_as(&request, authority, &mut progress).await {
        Ok(finished) => {
            let voided = (request.operation == Operation::Void
                && finished.outcome.status == Status::Approved)
                .then(|| request.original_checkout_id.clone())
                .flatten();
            report_finished(till, id, finished, events);
            // The sale it reversed now reads `voided` in the history too.
            if let Some(original) = voided
                && let Ok(Some(row)) = till.journal().find(&original)
            {
                let _ = events.send(Event::RowChanged(row.to_history(till.offset())));
            }
        }
        Err(e) => {
            let _ = events.send(rejected(id, &request, e.to_string()));
            if let crate::till::TillError::NotPermitted(refusal) = e {
                let _ = events.send(Event::NotPermitted(refusal));
            }
        }
    }
}

/// A tip chosen from the history carries no card: it takes the payment's card (and how it
/// was read) from the journal. Past the tip window the journal no longer has it.
fn tip_from_history(till: &Till, request: &mut TillRequest) -> Result<(), String> {
    if request.operation != Operation::Tip || !request.account.is_empty() {
        return Ok(());
    }
    let Some(checkout) = request.original_checkout_id.clone() else {
        return Ok(());
    };
    let original = till
        .journal()
        .original_of(&checkout)
        .map_err(|e| format!("cannot read the journal: {e}"))?;
    if let Some(original) = original {
        if let Some(reason) = crate::till::refuse(Operation::Tip, &checkout, &original) {
            return Err(reason);
        }
        let (account, entry) = crate::till::tip_card(&checkout, &original, None)?;
        request.account = account;
        request.entry = entry;
    }
    Ok(())
}

/// Nothing was sent: said as a rejected outcome, so the form is free again.
fn rejected(id: RequestId, request: &TillRequest, msg: String) -> Event {
    let outcome = Outcome {
        operation: request.operation,
        tran_order_no: None,
        account_id: if request.account.is_empty() {
            String::new()
        } else {
            crate::api::mask_account(&request.account)
        },
        entry_type: request.entry,
        status: Status::Rejected,
        code: None,
        msg,
        checkout_id: None,
        amount: None,
        requested_amount: None,
        balances: Vec::new(),
    };
    Event::Finished {
        id,
        outcome: Box::new(outcome),
        entry: None,
    }
}
