//! Windows drawn over the till screen. Each carries the data it shows and acts on, so a
//! window can never be open with nothing to show; each has its own file with its keys
//! (looked up in [`super::keys`]), mirrored by a drawing in `ui::overlays`.

pub mod approval;
pub mod duplicate;
pub mod help;
pub mod quit;
pub mod receipt;
pub mod recover;
pub mod report;
pub mod shift;
pub mod void;

use crossterm::event::KeyEvent;

use super::keys::{self, Action, Context};
use super::{App, Effect};

pub use approval::{Approval, PendingAction};
pub use duplicate::DuplicateGuard;
pub use receipt::ReceiptWindow;
pub use recover::RecoveryWindow;
pub use report::ReportWindow;
pub use shift::{ShiftWindow, ZState};
pub use void::VoidTarget;

/// A window over the screen that takes every key until it closes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The key list, scrolled this many rows.
    Help(Scroll),
    /// Quit was asked for where it needs a yes (something is pending, or `q` on a toggle).
    ConfirmQuit,
    /// A void is ready to go: which sale, and y/n.
    ConfirmVoid(Box<VoidTarget>),
    /// The same sale again within the duplicate window: y/n.
    Duplicate(Box<DuplicateGuard>),
    /// Requests with no known outcome, and what to do about each.
    Recovery(RecoveryWindow),
    /// Today's totals.
    Report(ReportWindow),
    /// A receipt as the printer would get it: the last approved operation's, or a history
    /// row's reprint.
    Receipt(Box<ReceiptWindow>),
    /// A manager's ID and PIN, approving the action it carries.
    Approval(Box<Approval>),
    /// The open shift's totals (X), and its close (Z).
    Shift(Box<ShiftWindow>),
}

/// How far a long window is scrolled; the drawing clamps it to what there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scroll {
    pub offset: u16,
}

impl Scroll {
    /// Moves for Up/Down/PgUp/PgDn; returns whether the action was a scroll.
    pub fn apply(&mut self, action: Option<Action>) -> bool {
        let delta: i32 = match action {
            Some(Action::Up) => -1,
            Some(Action::Down) => 1,
            Some(Action::PageUp) => -8,
            Some(Action::PageDown) => 8,
            _ => return false,
        };
        let next = (i32::from(self.offset) + delta).clamp(0, i32::from(u16::MAX));
        self.offset = u16::try_from(next).unwrap_or(0);
        true
    }
}

impl Overlay {
    /// Whose keys these are, or `None` when no window is open.
    pub fn context(&self) -> Option<Context> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Help(_) => Context::Help,
            Overlay::ConfirmQuit => Context::Quit,
            Overlay::ConfirmVoid(_) => Context::Void,
            Overlay::Duplicate(_) => Context::Duplicate,
            Overlay::Recovery(w) if w.typing_reason() => Context::Reason,
            Overlay::Recovery(_) => Context::Recovery,
            Overlay::Report(_) => Context::Report,
            Overlay::Receipt(_) => Context::Receipt,
            Overlay::Approval(_) => Context::Approval,
            Overlay::Shift(_) => Context::Shift,
        })
    }

    pub fn is_open(&self) -> bool {
        *self != Overlay::None
    }

    /// Keys go to it straight from the terminal, not through the scanner: a PIN is typed.
    pub fn takes_pin(&self) -> bool {
        matches!(self, Overlay::Approval(_))
    }

    /// A window that opened by itself and has not been on screen long enough to have been
    /// read: the runtime ticks at once so its first moment on screen is known.
    pub fn waits_to_be_seen(&self) -> bool {
        matches!(self, Overlay::Recovery(w) if w.auto && w.seen_at.is_none())
    }

    /// The first tick after it was drawn.
    pub fn seen_at(&mut self, at_ms: u64) {
        if let Overlay::Recovery(w) = self
            && w.auto
            && w.seen_at.is_none()
        {
            w.seen_at = Some(at_ms);
        }
    }
}

/// A key a person pressed while a window is open (scans and swipes never get here).
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(context) = app.overlay.context() else {
        return Vec::new();
    };
    let action = keys::action(context, &key);
    if action == Some(Action::Quit) {
        // From any window: quitting never needs the window closed first.
        return quit::request(app);
    }
    match std::mem::take(&mut app.overlay) {
        Overlay::None => Vec::new(),
        Overlay::Help(scroll) => help::on_key(app, scroll, action),
        Overlay::ConfirmQuit => quit::on_key(app, action),
        Overlay::ConfirmVoid(target) => void::on_key(app, *target, action),
        Overlay::Duplicate(guard) => duplicate::on_key(app, *guard, action),
        Overlay::Recovery(window) => recover::on_key(app, window, action, key),
        Overlay::Report(window) => report::on_key(app, window, action),
        Overlay::Receipt(window) => receipt::on_key(app, window, action),
        Overlay::Approval(approval) => approval::on_key(app, *approval, key),
        Overlay::Shift(window) => shift::on_key(app, window, action),
    }
}

/// A scan, swipe or machine burst while a window is open: never an answer to the window.
pub(super) fn on_card_or_burst(app: &mut App) {
    app.say(
        "a card or code was read while a window is open: it was not used",
        super::Tone::Warning,
    );
}
