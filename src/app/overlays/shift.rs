//! The shift at the screen: the X report (the open shift's totals per cashier and per
//! operation, declined and unknown counts, what the cards hold more or less) and, from it,
//! the Z that closes the shift. A Z needs a manager (the approval window asks for one when
//! the cashier is not) and is refused by the journal while any outcome is unknown.

use super::super::keys::Action;
use super::super::{App, Effect, Tone};
use super::approval::{self, PendingAction};
use super::{Overlay, Scroll};
use crate::journal::{Authority, ShiftTotals, ZAttempt, ZRefusal, ZReport};
use crate::till::authority::Action as Permission;
use crate::worker::Command;

/// How far a Z has got.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ZState {
    #[default]
    NotAsked,
    /// With the journal.
    Closing,
    Closed(Box<ZReport>),
    Refused(ZRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShiftWindow {
    /// The open shift's totals; `None` while the journal is read.
    pub totals: Option<Box<ShiftTotals>>,
    pub z: ZState,
    pub scroll: Scroll,
}

/// X in the totals window (or R here): the open shift, read afresh.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::Shift(Box::default());
    vec![Effect::Worker(Command::LoadShiftX)]
}

/// The totals arrived; shown only if the window is still open.
pub fn loaded(app: &mut App, totals: Box<ShiftTotals>) {
    if let Overlay::Shift(window) = &mut app.overlay {
        window.totals = Some(totals);
    }
}

/// What the Z came to. With the window closed meanwhile, a line says it.
pub fn z_answer(app: &mut App, attempt: ZAttempt) {
    let state = match attempt {
        ZAttempt::Closed(z) => ZState::Closed(z),
        ZAttempt::Refused(refusal) => ZState::Refused(refusal),
    };
    match (&mut app.overlay, state) {
        (Overlay::Shift(window), state) => window.z = state,
        (_, ZState::Closed(z)) => {
            app.say(format!("Z {} made: the shift is closed", z.z), Tone::Info)
        }
        (_, _) => app.say(
            "the shift was not closed: X then Z shows why (Ctrl+T)",
            Tone::Warning,
        ),
    }
}

pub(super) fn on_key(
    app: &mut App,
    mut window: Box<ShiftWindow>,
    action: Option<Action>,
) -> Vec<Effect> {
    match action {
        Some(Action::Close) => Vec::new(),
        Some(Action::Refresh) => open(app),
        Some(Action::CloseShift) => close(app, window),
        _ => {
            window.scroll.apply(action);
            app.overlay = Overlay::Shift(window);
            Vec::new()
        }
    }
}

/// Z: with a manager signed on, or once one approves.
fn close(app: &mut App, window: Box<ShiftWindow>) -> Vec<Effect> {
    if window.z == ZState::Closing {
        app.overlay = Overlay::Shift(window);
        return Vec::new();
    }
    if app.in_flight() {
        app.overlay = Overlay::Shift(window);
        app.say_while_sending("a request is being sent: close the shift after its answer");
        return Vec::new();
    }
    if app.staff.approval_needed(Permission::CloseShift) {
        approval::ask(app, PendingAction::CloseShift(window));
        return Vec::new();
    }
    let authority = app.staff.authority();
    close_as(app, *window, authority)
}

/// Asks the journal for the Z, as `authority`.
pub(super) fn close_as(
    app: &mut App,
    mut window: ShiftWindow,
    authority: Authority,
) -> Vec<Effect> {
    window.z = ZState::Closing;
    app.overlay = Overlay::Shift(Box::new(window));
    vec![Effect::Worker(Command::CloseShift(Box::new(authority)))]
}
