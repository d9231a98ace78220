//! What the status pane shows: the request in flight and how far it has got, or the
//! outcome of the last one.

use crate::api::{Operation, TillRequest};
use crate::money::{Amount, Currency, Points};
use crate::outcome::{HistoryEntry, Outcome};
use crate::worker::{RequestId, Stage};

/// The steps a request goes through, in order, as the status pane lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Checked by the form and handed to the worker.
    Validated,
    Journaled,
    Signing,
    Sending,
    Waiting,
    FetchingBalance,
}

impl Step {
    /// The steps every request shows; `FetchingBalance` is added once it is reached.
    pub const ALWAYS: [Step; 5] = [
        Step::Validated,
        Step::Journaled,
        Step::Signing,
        Step::Sending,
        Step::Waiting,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Step::Validated => "checked",
            Step::Journaled => "journaled",
            Step::Signing => "signed",
            Step::Sending => "sent",
            Step::Waiting => "answered",
            Step::FetchingBalance => "balance",
        }
    }

    /// How the step reads while it is the current one.
    pub fn active_label(self) -> &'static str {
        match self {
            Step::Validated => "journaling",
            Step::Journaled => "journaled",
            Step::Signing => "signing",
            Step::Sending => "sending",
            Step::Waiting => "waiting",
            Step::FetchingBalance => "fetching balance",
        }
    }
}

/// A request the worker has not finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub id: RequestId,
    pub operation: Operation,
    /// Masked card, or empty for a void.
    pub account: String,
    /// `25 pts`, `USD 10.50`, or empty.
    pub quantity: String,
    pub started_ms: u64,
    pub step: Step,
    pub tran_order_no: Option<String>,
    /// The last connection retry, while it is retrying.
    pub retry: Option<(u32, String)>,
    /// What the cashier asked for (none for a recovery resend).
    pub asked: Option<Asked>,
    /// For a void: the sale it reverses.
    pub reverses: Option<HistoryEntry>,
    /// Sent from the form (not a recovery resend): the form is cleared when it ends.
    pub from_form: bool,
}

/// What the cashier asked for, kept beside the outcome so the screen can say what to do
/// next (a partial approval, a short card). No card number in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub amount: Option<Amount>,
    pub points: Option<Points>,
    pub nsf_allowed: bool,
    pub activate: bool,
    pub currency: Currency,
}

impl Asked {
    pub fn of(request: &TillRequest, currency: &Currency) -> Asked {
        Asked {
            amount: request.amount,
            points: request.points,
            nsf_allowed: request.nsf_allowed,
            activate: request.activate,
            currency: currency.clone(),
        }
    }
}

/// A finished request as the status pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub outcome: Outcome,
    pub asked: Option<Asked>,
    pub reverses: Option<HistoryEntry>,
}

impl InFlight {
    pub fn apply(&mut self, stage: Stage) {
        match stage {
            Stage::Journaled { tran_order_no } => {
                self.step = Step::Journaled;
                self.tran_order_no = tran_order_no;
            }
            Stage::Signing => self.step = Step::Signing,
            Stage::Sending => {
                self.step = Step::Sending;
                self.retry = None;
            }
            Stage::Waiting => self.step = Step::Waiting,
            Stage::Retrying { attempt, reason } => self.retry = Some((attempt, reason)),
            Stage::FetchingBalance => self.step = Step::FetchingBalance,
        }
    }

    /// Whole seconds since the cashier pressed Enter.
    pub fn elapsed_secs(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.started_ms) / 1000
    }
}

/// The status pane's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StatusView {
    #[default]
    Ready,
    /// Enter was pressed on a form with problems: nothing was sent.
    Invalid {
        problems: usize,
    },
    InFlight(Box<InFlight>),
    Done(Box<Finished>),
}

impl StatusView {
    pub fn in_flight(&self) -> Option<&InFlight> {
        match self {
            StatusView::InFlight(f) => Some(f),
            _ => None,
        }
    }

    pub fn finished(&self) -> Option<&Finished> {
        match self {
            StatusView::Done(f) => Some(f),
            _ => None,
        }
    }
}
