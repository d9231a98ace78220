//! What came of a request, in the words a cashier, a script and the journal share.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::{Balance, EntryType, Operation};

/// The four outcomes a finished request can have. `Unknown` means the request may or may
/// not have moved value; it is never shown as approved or declined until resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// PayWizard applied it (`code 200`, `result 0`).
    Approved,
    /// PayWizard answered and refused it (`result 1`). Nothing moved.
    Declined,
    /// Sent, but no usable answer: timeout, reset, `result 2`, HTTP 5xx, garbled reply.
    Unknown,
    /// Refused before it could move anything: bad signature or token (`code != 200`),
    /// HTTP 4xx, or never sent at all.
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Declined => "declined",
            Status::Unknown => "unknown",
            Status::Rejected => "rejected",
        }
    }

    /// The process exit code of a headless command with this outcome
    /// (docs/ARCHITECTURE.md, "Contract").
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Approved => exit::APPROVED,
            Status::Declined | Status::Rejected => exit::DECLINED,
            Status::Unknown => exit::UNKNOWN,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exit codes of the headless commands (docs/ARCHITECTURE.md, "Contract").
pub mod exit {
    pub const APPROVED: u8 = 0;
    pub const DECLINED: u8 = 1;
    pub const UNKNOWN: u8 = 2;
    pub const BAD_INPUT: u8 = 64;
    /// No or a wrong staff PIN, or a manager needed (EX_NOPERM); nothing was sent.
    pub const NOT_PERMITTED: u8 = 77;
    pub const BAD_CONFIG: u8 = 78;
}

/// The result of one request as shown on screen, written to the journal and printed by
/// `--json`. The account is already masked: nothing here may carry a full card number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub operation: Operation,
    pub tran_order_no: Option<String>,
    /// Masked, e.g. `**** **** 3456`.
    pub account_id: String,
    pub entry_type: EntryType,
    pub status: Status,
    /// The envelope `code`, when an envelope came back.
    pub code: Option<i64>,
    /// PayWizard's `msg`, or our own words for what went wrong and what to do next.
    pub msg: String,
    pub checkout_id: Option<String>,
    /// What moved, on the wire: `"10.50"` or `"25"`. For an approved partial payment this
    /// is what PayWizard took, which may be less than was asked.
    pub amount: Option<String>,
    /// What was asked for, when it differs from `amount` (a partial approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_amount: Option<String>,
    pub balances: Vec<Balance>,
}

impl Outcome {
    /// Approved for less than was asked (Pay with `nsfAllowed`).
    pub fn is_partial(&self) -> bool {
        self.status == Status::Approved && self.requested_amount.is_some()
    }

    pub fn exit_code(&self) -> u8 {
        self.status.exit_code()
    }

    /// The points balance, if the card's balances are known.
    pub fn points_balance(&self) -> Option<&Balance> {
        self.balances.iter().find(|b| b.is_points())
    }

    /// The first money balance, if known.
    pub fn money_balance(&self) -> Option<&Balance> {
        self.balances.iter().find(|b| !b.is_points())
    }
}

/// "Nothing was charged", in the operation's own words: said only where the code can prove
/// that nothing moved (a decline, or a request that never left the till).
pub fn nothing_moved(op: Operation) -> &'static str {
    match op {
        Operation::IssuePoints | Operation::RedeemPoints => "no points moved",
        Operation::TopUp => "nothing was loaded onto the card",
        Operation::Pay | Operation::Tip => "nothing was charged",
        Operation::Void => "nothing was reversed",
        Operation::Balance => "nothing moves on a balance check",
        Operation::Activate => "the card was not activated",
    }
}

/// Where a journal row stands. `Sending` and `Unknown` rows are the ones recovery lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowState {
    /// Committed before the request left; no answer recorded yet.
    Sending,
    Approved,
    Declined,
    Rejected,
    Unknown,
    /// Approved, then reversed by a later void (linked).
    Voided,
    /// Left unresolved on purpose by the cashier, with a reason.
    Abandoned,
}

impl RowState {
    pub const ALL: [RowState; 7] = [
        RowState::Sending,
        RowState::Approved,
        RowState::Declined,
        RowState::Rejected,
        RowState::Unknown,
        RowState::Voided,
        RowState::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Sending => "sending",
            RowState::Approved => "approved",
            RowState::Declined => "declined",
            RowState::Rejected => "rejected",
            RowState::Unknown => "unknown",
            RowState::Voided => "voided",
            RowState::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<RowState> {
        RowState::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Rows whose outcome nobody knows yet.
    pub fn is_open(self) -> bool {
        matches!(self, RowState::Sending | RowState::Unknown)
    }
}

impl From<Status> for RowState {
    fn from(s: Status) -> RowState {
        match s {
            Status::Approved => RowState::Approved,
            Status::Declined => RowState::Declined,
            Status::Unknown => RowState::Unknown,
            Status::Rejected => RowState::Rejected,
        }
    }
}

impl fmt::Display for RowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the shift's history, as the history pane and `history` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The journal's row id: stable, and the paging cursor.
    pub id: i64,
    /// When the request was journaled, in the till's local offset.
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    pub operation: Operation,
    pub tran_order_no: Option<String>,
    /// Masked.
    pub account_id: String,
    pub entry_type: EntryType,
    /// For people: `25 pts`, `USD 10.50`, or empty. What moved: for a partial payment,
    /// what PayWizard took.
    pub quantity: String,
    /// What a partial payment asked for (`7.00`), when PayWizard took less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_amount: Option<String>,
    pub state: RowState,
    pub checkout_id: Option<String>,
    pub msg: String,
    /// The staff id of who ran it (`None` before the till had staff).
    #[serde(default)]
    pub cashier: Option<String>,
    /// The manager who approved it, where one had to.
    #[serde(default)]
    pub approved_by: Option<String>,
}
