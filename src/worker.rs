//! The background task that does all I/O for the TUI: Command in, Event out.
//!
//! For every request: journal the intent -> sign -> send -> journal the outcome, reporting
//! each stage so the status pane stays live. Nothing here runs on the UI path.

use crate::api::TillRequest;
use crate::outcome::{HistoryEntry, Outcome};

/// Ties a submitted request to the events about it.
pub type RequestId = u64;

/// What the UI asks the worker to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Journal, sign and send one request.
    Submit {
        id: RequestId,
        request: Box<TillRequest>,
    },
    /// Load a page of history, newest first, older than row `before` (None = newest).
    LoadHistory { before: Option<i64>, limit: usize },
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
    Connection(Connection),
    /// Something the cashier must know that is not a request outcome (journal failure).
    Problem(String),
}

use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use crate::till::Till;

/// Starts the worker. It runs until `Shutdown` (after in-flight requests finish, so their
/// outcomes reach the journal) or until the command channel closes.
pub fn spawn(
    till: Arc<Till>,
    commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(till, commands, events))
}

async fn run(
    till: Arc<Till>,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<Event>,
) {
    let mut in_flight = JoinSet::new();
    while let Some(command) = commands.recv().await {
        match command {
            Command::Submit { id, request } => {
                let till = Arc::clone(&till);
                let events = events.clone();
                in_flight.spawn(async move { submit(&till, id, request, &events).await });
            }
            Command::LoadHistory { before, limit } => {
                let page = till.journal().history(before, limit, till.offset());
                let _ = events.send(match page {
                    Ok(entries) => Event::History { before, entries },
                    Err(e) => Event::Problem(format!("cannot read the journal: {e}")),
                });
            }
            Command::Shutdown => break,
        }
        // Reap finished requests so the set does not grow over a shift.
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
}

async fn submit(
    till: &Till,
    id: RequestId,
    request: Box<TillRequest>,
    events: &UnboundedSender<Event>,
) {
    let mut progress = |stage: Stage| {
        let _ = events.send(Event::Stage { id, stage });
    };
    match till.execute(&request, &mut progress).await {
        Ok(finished) => {
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
        }
        Err(e) => {
            // Nothing was sent: say so as a rejected outcome so the form is free again.
            let outcome = Outcome {
                operation: request.operation,
                tran_order_no: None,
                account_id: if request.account.is_empty() {
                    String::new()
                } else {
                    crate::api::mask_account(&request.account)
                },
                entry_type: request.entry,
                status: crate::outcome::Status::Rejected,
                code: None,
                msg: e.to_string(),
                checkout_id: None,
                amount: None,
                balances: Vec::new(),
            };
            let _ = events.send(Event::Finished {
                id,
                outcome: Box::new(outcome),
                entry: None,
            });
        }
    }
}
