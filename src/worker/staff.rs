//! The worker's staff and shift jobs: a PIN check on a blocking thread (it takes about
//! 130 ms on purpose), the screen's sign-on and sign-off journaled, the X report, the Z.
//! Times go to the screen in the till's local offset.

use std::sync::Arc;

use super::Event;
use crate::journal::{Authority, Pin, ShiftTotals, SignOnRefusal, SignedOn, ZAttempt};
use crate::till::Till;

/// Why a member stopped being signed on at the screen, as the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOff {
    /// Ctrl+X.
    ByHand,
    /// Someone else signed on at the locked screen in their place.
    Replaced,
    /// The till's screen closed (quit, or a signal).
    Closed,
}

impl SignOff {
    /// The journal's words (a code, not a sentence for the screen).
    pub fn as_str(self) -> &'static str {
        match self {
            SignOff::ByHand => "signed off",
            SignOff::Replaced => "replaced at the lock",
            SignOff::Closed => "till closed",
        }
    }
}

/// What a sign-on check came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOnAnswer {
    SignedOn(Box<SignedOn>),
    /// Wrong PIN, locked, unknown id; a lock's end is in the till's local offset.
    Refused(SignOnRefusal),
    /// The journal could not check it (nothing was decided).
    Failed(String),
}

/// Checks a staff id and PIN off the async threads.
pub(super) async fn sign_on(till: Arc<Till>, id: String, pin: Pin) -> SignOnAnswer {
    let offset = till.offset();
    let checked = tokio::task::spawn_blocking(move || till.sign_on(&id, &pin)).await;
    match checked {
        Ok(Ok(Ok(who))) => SignOnAnswer::SignedOn(Box::new(who)),
        Ok(Ok(Err(SignOnRefusal::Locked {
            id,
            until,
            minutes_left,
            just_now,
        }))) => SignOnAnswer::Refused(SignOnRefusal::Locked {
            id,
            until: until.to_offset(offset),
            minutes_left,
            just_now,
        }),
        Ok(Ok(Err(refusal))) => SignOnAnswer::Refused(refusal),
        Ok(Err(e)) => SignOnAnswer::Failed(format!("the PIN could not be checked: {e}")),
        Err(e) => SignOnAnswer::Failed(format!("the PIN could not be checked: {e}")),
    }
}

/// Journals a sign-on at the screen; the problem to show if the journal would not.
pub(super) fn record_sign_on(till: &Till, who: &SignedOn) -> Option<Event> {
    till.record_sign_on(who).err().map(|e| {
        Event::Problem(format!(
            "the journal did not record that {} signed on: {e}",
            who.id()
        ))
    })
}

/// Journals a sign-off at the screen; the problem to show if the journal would not.
pub(super) fn record_sign_off(till: &Till, who: &SignedOn, why: SignOff) -> Option<Event> {
    till.record_sign_off(who, why.as_str()).err().map(|e| {
        Event::Problem(format!(
            "the journal did not record that {} signed off: {e}",
            who.id()
        ))
    })
}

pub(super) fn shift_x(till: &Till) -> Event {
    match till.shift_x() {
        Ok(mut totals) => {
            local_totals(&mut totals, till.offset());
            Event::ShiftX(Box::new(totals))
        }
        Err(e) => Event::Problem(format!("cannot read the journal: {e}")),
    }
}

pub(super) fn close_shift(till: &Till, authority: &Authority) -> Event {
    match till.close_shift(authority) {
        Ok(mut attempt) => {
            if let ZAttempt::Closed(z) = &mut attempt {
                z.closed_at = z.closed_at.to_offset(till.offset());
                local_totals(&mut z.totals, till.offset());
            }
            Event::Z(Box::new(attempt))
        }
        Err(e) => Event::Problem(format!("the shift was not closed: {e}")),
    }
}

/// Shift times as the screen shows them.
fn local_totals(totals: &mut ShiftTotals, offset: time::UtcOffset) {
    totals.opened_at = totals.opened_at.map(|at| at.to_offset(offset));
}
