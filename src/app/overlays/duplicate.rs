//! The duplicate guard: the same operation on the same card for the same amount within the
//! configured window (default 120 s) asks first, naming the earlier one and its time. A
//! re-scan followed by Enter, or a second Enter, is how a till charges twice; only `y` says
//! yes here, because a scanner's suffix is an Enter. Headless commands never get here.
//!
//! Cards are compared masked (`**** **** 0014`): the history holds nothing else, and it is
//! what makes sales from before a restart count. Two cards with the same last four digits
//! are asked about once too often, never once too few.

use super::super::keys::Action;
use super::super::submit::dispatch;
use super::super::{App, Effect, Tone};
use super::Overlay;
use crate::api::{Quantity, TillRequest, mask_account};
use crate::outcome::{HistoryEntry, RowState, nothing_moved};

/// A request held back until the cashier says it is meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateGuard {
    pub request: TillRequest,
    /// The newest matching row: approved, or with an outcome not known yet.
    pub earlier: HistoryEntry,
    /// Seconds since it, when the wall clock is known.
    pub ago_s: Option<i64>,
}

/// The earlier row `request` would repeat, if there is one within the window.
pub fn find(app: &App, request: &TillRequest) -> Option<DuplicateGuard> {
    if request.operation.quantity() == Quantity::None {
        return None;
    }
    let quantity = request.quantity_display(&app.limits.currency);
    let card = (!request.account.is_empty()).then(|| mask_account(&request.account));
    let now = app.wall.map(|w| w.at(app.now_ms));
    let window = i64::try_from(app.duplicate_window_s).unwrap_or(i64::MAX);
    app.history
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.state,
                RowState::Approved | RowState::Unknown | RowState::Sending
            ) && e.operation == request.operation
                && e.quantity == quantity
                && card.as_ref().is_none_or(|c| *c == e.account_id)
        })
        .find_map(|e| {
            let ago_s = now.map(|now| (now - e.at).whole_seconds());
            // Without a wall clock every match is recent enough to ask about.
            let recent = ago_s.is_none_or(|ago| ago < window);
            recent.then(|| DuplicateGuard {
                request: request.clone(),
                earlier: e.clone(),
                ago_s,
            })
        })
}

pub fn ask(app: &mut App, guard: DuplicateGuard) {
    app.overlay = Overlay::Duplicate(Box::new(guard));
}

pub(super) fn on_key(app: &mut App, guard: DuplicateGuard, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Yes) => dispatch(app, guard.request, None),
        Some(Action::No) => {
            let op = guard.request.operation;
            app.say(format!("not sent: {}", nothing_moved(op)), Tone::Info);
            Vec::new()
        }
        _ => {
            app.say(
                "y sends it again · n does not (Enter is not an answer)",
                Tone::Warning,
            );
            app.overlay = Overlay::Duplicate(Box::new(guard));
            Vec::new()
        }
    }
}
