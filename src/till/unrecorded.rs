//! Answers the journal could not record (a full disk, a file-size limit, an I/O error),
//! kept in memory and written again until the journal takes them.
//!
//! The request has left the till by then, so "nothing was sent" would be false, and the
//! answer may be "approved". Until the journal holds it, the cashier and the script are
//! told the truth the journal can back: *unknown*, "sent — outcome not recorded; run
//! recover / Ctrl+R". The journal row stays open (`sending`), so recovery resends the
//! same bytes and PayWizard answers the first result again without moving anything twice.

use std::sync::{Mutex, MutexGuard};

use time::OffsetDateTime;

use crate::api::ResponseData;
use crate::journal::{Journal, JournalError};
use crate::outcome::{HistoryEntry, Outcome, Status};

/// The message of an outcome the journal could not record (the contract's words first).
pub const NOT_RECORDED: &str = "sent — outcome not recorded; run recover / Ctrl+R";

/// One answer waiting for the journal.
#[derive(Debug, Clone)]
struct Waiting {
    row_id: i64,
    /// The outcome as PayWizard answered it.
    answered: Outcome,
    response: Option<ResponseData>,
    at: OffsetDateTime,
}

/// What one retry pass did.
#[derive(Debug, Clone, Default)]
pub struct Retried {
    /// Outcomes now in the journal, as answered, with their rows as they now stand.
    pub written: Vec<(Outcome, Option<HistoryEntry>)>,
    /// How many still wait.
    pub waiting: usize,
    /// Why the last write failed, if any still wait.
    pub error: Option<String>,
}

/// The answers waiting for the journal, oldest first.
#[derive(Debug, Default)]
pub(super) struct Unrecorded {
    waiting: Mutex<Vec<Waiting>>,
}

/// What the cashier is told while the journal does not hold the answer.
pub(super) fn shown(answered: &Outcome, error: &JournalError) -> Outcome {
    let said = match answered.status {
        Status::Approved => "approved".to_owned(),
        other => format!("{other}: {}", answered.msg),
    };
    Outcome {
        status: Status::Unknown,
        msg: format!(
            "{NOT_RECORDED} (PayWizard answered {said}, but the journal could not record it: {error}); do NOT repeat it"
        ),
        balances: Vec::new(),
        ..answered.clone()
    }
}

impl Unrecorded {
    fn lock(&self) -> MutexGuard<'_, Vec<Waiting>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn push(
        &self,
        row_id: i64,
        answered: Outcome,
        response: Option<ResponseData>,
        at: OffsetDateTime,
    ) {
        self.lock().push(Waiting {
            row_id,
            answered,
            response,
            at,
        });
    }

    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(super) fn holds(&self, row_id: i64) -> bool {
        self.lock().iter().any(|w| w.row_id == row_id)
    }

    /// Writes what waits (only `row_id`'s when given) to `journal`, oldest first. An
    /// answer whose row another path has settled meanwhile (a resend from recovery) is
    /// dropped: the journal already holds the truth.
    pub(super) fn retry(
        &self,
        journal: &mut Journal,
        only: Option<i64>,
        offset: time::UtcOffset,
    ) -> Retried {
        let mut waiting = self.lock();
        let mut retried = Retried::default();
        let mut kept = Vec::new();
        for w in waiting.drain(..) {
            if only.is_some_and(|id| id != w.row_id) {
                kept.push(w);
                continue;
            }
            match journal.finish(w.row_id, &w.answered, w.response.as_ref(), w.at) {
                Ok(()) => {
                    let entry = journal
                        .row(w.row_id)
                        .ok()
                        .flatten()
                        .map(|r| r.to_history(offset));
                    retried.written.push((w.answered, entry));
                }
                Err(JournalError::NotOpen { .. }) => {}
                Err(e) => {
                    retried.error = Some(e.to_string());
                    kept.push(w);
                }
            }
        }
        retried.waiting = kept.len();
        *waiting = kept;
        retried
    }
}
