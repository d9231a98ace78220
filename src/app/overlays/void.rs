//! The void question: names exactly the sale that will be reversed, and only `y` sends.

use super::super::keys::Action;
use super::super::submit::dispatch;
use super::super::{App, Effect, Tone};
use super::Overlay;
use crate::api::TillRequest;
use crate::outcome::{HistoryEntry, nothing_moved};

/// A void waiting for the cashier's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidTarget {
    pub request: TillRequest,
    /// The sale being voided: the history row the cashier picked, or the one with the
    /// typed checkoutId when it is in the loaded history.
    pub sale: Option<HistoryEntry>,
}

pub fn ask(app: &mut App, target: VoidTarget) {
    app.overlay = Overlay::ConfirmVoid(Box::new(target));
}

pub(super) fn on_key(app: &mut App, target: VoidTarget, action: Option<Action>) -> Vec<Effect> {
    match action {
        // Only y: an Enter could be a scanner's suffix, and a void must be meant.
        Some(Action::Yes) => dispatch(app, target.request, target.sale),
        Some(Action::No) => {
            app.say(
                format!(
                    "void cancelled: {}",
                    nothing_moved(crate::api::Operation::Void)
                ),
                Tone::Info,
            );
            Vec::new()
        }
        _ => {
            app.say("y voids it · n keeps the sale", Tone::Warning);
            app.overlay = Overlay::ConfirmVoid(Box::new(target));
            Vec::new()
        }
    }
}
