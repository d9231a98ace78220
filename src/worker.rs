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
    Submit { id: RequestId, request: TillRequest },
    /// Load a page of history, newest first, older than row `before` (None = newest).
    LoadHistory { before: Option<i64>, limit: usize },
    /// Finish in-flight work and stop.
    Shutdown,
}

/// How far a submitted request has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The intent is committed to the journal (with its tranOrderNo, if it has one).
    Journaled { tran_order_no: Option<String> },
    Signing,
    Sending,
    /// Sent; waiting for PayWizard's answer.
    Waiting,
    /// Could not connect; trying again (only ever for requests that were not sent).
    Retrying { attempt: u32, reason: String },
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
    Stage { id: RequestId, stage: Stage },
    /// The request is over; `entry` is its journal row as it now stands.
    Finished {
        id: RequestId,
        outcome: Outcome,
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
