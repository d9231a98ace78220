//! Quitting: at once when nothing is pending, otherwise a question that says what is
//! pending (a request in flight, outcomes not known), answered only by `y`.

use super::super::keys::Action;
use super::super::{App, Effect};
use super::Overlay;

/// What quitting now would leave behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// Requests still being sent (this screen sends one at a time).
    pub sending: usize,
    /// Earlier requests with no known outcome, not counting the one being sent.
    pub unknown: usize,
}

impl Pending {
    pub fn of(app: &App) -> Pending {
        let in_flight = app.status.in_flight();
        let sending_order = in_flight.and_then(|f| f.tran_order_no.as_deref());
        let unknown = app
            .recovery
            .rows
            .iter()
            .filter(|r| sending_order.is_none() || r.tran_order_no.as_deref() != sending_order)
            .count();
        Pending {
            sending: usize::from(in_flight.is_some()),
            unknown,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sending == 0 && self.unknown == 0
    }
}

/// Ctrl+Q (anywhere) or q where q cannot be typed.
pub fn request(app: &mut App) -> Vec<Effect> {
    if Pending::of(app).is_empty() {
        vec![Effect::Quit]
    } else {
        app.overlay = Overlay::ConfirmQuit;
        Vec::new()
    }
}

/// A q that might have been meant for the field (a toggle, a choice): always asks.
pub fn ask(app: &mut App) {
    app.overlay = Overlay::ConfirmQuit;
}

pub(super) fn on_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Yes) => vec![Effect::Quit],
        Some(Action::No) => Vec::new(),
        _ => {
            app.overlay = Overlay::ConfirmQuit;
            Vec::new()
        }
    }
}
