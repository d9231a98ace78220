//! What the screen asks of the engine about staff and shifts: who is signing on, whether a
//! request needs a manager, the X report and the Z. The same calls the headless commands
//! make; each is one journal call, so the worker runs them like its other journal reads
//! (sign-on on a blocking thread: the PIN check takes about 130 ms).

use super::{Till, authority};
use crate::api::TillRequest;
use crate::journal::{
    Authority, JournalError, Need, Pin, ShiftTotals, SignOnRefusal, SignedOn, ZAttempt,
};

impl Till {
    /// Money amounts above this (minor units of [`Till::currency`]) need a manager.
    pub fn manager_over(&self) -> Option<i64> {
        self.manager_over
    }

    /// Whether `request` needs a manager's approval (a void; money over `manager_over`):
    /// the screen asks for one before it submits.
    pub fn needs_manager(&self, request: &TillRequest) -> bool {
        authority::need(authority::sending(request), self.manager_over) == Need::Manager
    }

    /// Whether the till has staff, so that everything needs someone signed on.
    pub fn has_staff(&self) -> Result<bool, JournalError> {
        self.journal().has_staff()
    }

    /// Checks a staff id and PIN: the member, or why not (wrong PIN, locked, unknown).
    /// Wrong PINs count towards the lockout. Blocks for the PIN check (about 130 ms, the
    /// journal held meanwhile): call it from a blocking thread.
    pub fn sign_on(
        &self,
        id: &str,
        pin: &Pin,
    ) -> Result<Result<SignedOn, SignOnRefusal>, JournalError> {
        let now = (self.clock)();
        self.journal().sign_on(id, pin, now)
    }

    /// Journals a sign-on at the screen (the headless commands name the cashier on each
    /// row instead).
    pub fn record_sign_on(&self, who: &SignedOn) -> Result<(), JournalError> {
        self.journal().log_sign_on(who)
    }

    /// Journals a sign-off at the screen: `why` is `"signed off"`, `"locked (idle)"`, ...
    pub fn record_sign_off(&self, who: &SignedOn, why: &str) -> Result<(), JournalError> {
        let now = (self.clock)();
        self.journal().log_sign_off(who, now, why)
    }

    /// The X report: the open shift's totals so far.
    pub fn shift_x(&self) -> Result<ShiftTotals, JournalError> {
        self.journal().shift_x()
    }

    /// The Z report: closes the shift, or says why not (a manager needed, outcomes still
    /// unknown, nothing to close).
    pub fn close_shift(&self, authority: &Authority) -> Result<ZAttempt, JournalError> {
        let now = (self.clock)();
        self.journal().close_shift(authority, now)
    }

    /// Gives up on an open row with the reason given: a manager's call once there are
    /// staff.
    pub fn abandon(
        &self,
        row: i64,
        reason: &str,
        authority: &Authority,
    ) -> Result<(), JournalError> {
        let now = (self.clock)();
        self.journal()
            .mark_abandoned_as(row, reason, authority, now)
    }
}
