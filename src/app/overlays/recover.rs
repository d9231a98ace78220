//! The recovery window: requests whose outcome is not known, and the three honest ways out
//! of each (resend the same bytes, ask the card's balance, abandon with a reason). The list
//! itself lives in `App::recovery`, which the header counts from even while this is shut.
//!
//! At start it opens by itself when there are such rows, unless the cashier has already
//! started typing. Keys that arrive before it can have been read (within [`GRACE_MS`] of
//! its first moment on screen) were meant for the till: the window steps aside and they go
//! there, so nothing typed during start is dropped or acted on here.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::InputRequest;

use super::super::keys::Action;
use super::super::recovery::BalanceCheck;
use super::super::screen::Screen;
use super::super::status::{InFlight, StatusView, Step};
use super::super::{App, Effect, Tone};
use super::Overlay;
use crate::outcome::{Outcome, Status};
use crate::till::authority::Action as Permission;
use crate::worker::Command;

/// How long after a window opens by itself a key is still taken as typed before it was
/// seen: longer than anyone takes to read it and react.
pub const GRACE_MS: u64 = 500;

#[derive(Debug, Clone, Default)]
pub struct RecoveryWindow {
    /// Opened by itself at start rather than by Ctrl+R.
    pub auto: bool,
    /// When an automatic window was first on screen.
    pub seen_at: Option<u64>,
    /// The reason being typed for abandoning the selected row.
    pub reason: Option<tui_input::Input>,
}

impl PartialEq for RecoveryWindow {
    fn eq(&self, other: &Self) -> bool {
        self.auto == other.auto
            && self.seen_at == other.seen_at
            && self.reason.as_ref().map(tui_input::Input::value)
                == other.reason.as_ref().map(tui_input::Input::value)
    }
}

impl Eq for RecoveryWindow {}

impl RecoveryWindow {
    pub fn typing_reason(&self) -> bool {
        self.reason.is_some()
    }

    /// A key at `at_ms` was typed before this window could have been read.
    pub fn unseen_at(&self, at_ms: u64) -> bool {
        self.auto
            && self
                .seen_at
                .is_none_or(|seen| at_ms < seen.saturating_add(GRACE_MS))
    }
}

/// Ctrl+R.
pub fn open(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::Recovery(RecoveryWindow::default());
    app.recovery.offered = true;
    vec![Effect::Worker(Command::LoadOpenRows)]
}

/// The open rows arrived: the first time, and if the cashier has not begun, they are shown
/// (on the next tick, once the screen has been drawn).
pub fn offer(app: &mut App) {
    let first_time = !app.recovery.offered;
    app.recovery.offered = true;
    if !first_time || app.recovery.rows.is_empty() {
        return;
    }
    if app.screen != Screen::Till {
        // Offered once someone has signed on and the till screen is up.
        app.recovery.offer_due = true;
        return;
    }
    if app.touched || app.overlay.is_open() {
        say_open_rows(app);
    } else {
        app.recovery.offer_due = true;
    }
}

/// The tick after the rows arrived: the window opens by itself, unless the cashier began.
pub fn open_if_due(app: &mut App) {
    if app.screen != Screen::Till {
        return;
    }
    if !std::mem::take(&mut app.recovery.offer_due) || app.recovery.rows.is_empty() {
        return;
    }
    if app.touched || app.overlay.is_open() {
        say_open_rows(app);
        return;
    }
    app.overlay = Overlay::Recovery(RecoveryWindow {
        auto: true,
        ..RecoveryWindow::default()
    });
}

/// The rows stay counted in the header; the cashier is told once where to find them.
pub fn say_open_rows(app: &mut App) {
    app.say(
        format!(
            "{} earlier request(s) have no known outcome — Ctrl+R when ready",
            app.recovery.rows.len()
        ),
        Tone::Warning,
    );
}

pub(super) fn on_key(
    app: &mut App,
    mut window: RecoveryWindow,
    action: Option<Action>,
    key: KeyEvent,
) -> Vec<Effect> {
    if let Some(reason) = &mut window.reason {
        match action {
            Some(Action::Back) => window.reason = None,
            Some(Action::Abandon) => {
                let text = reason.value().trim().to_owned();
                let Some(row) = app.recovery.selected_row().map(|r| r.id) else {
                    window.reason = None;
                    app.overlay = Overlay::Recovery(window);
                    return Vec::new();
                };
                if text.is_empty() {
                    app.say("type why it is abandoned, then Enter", Tone::Warning);
                    app.overlay = Overlay::Recovery(window);
                    return Vec::new();
                }
                window.reason = None;
                if app.staff.approval_needed(Permission::Abandon) {
                    let tran_order_no = app
                        .recovery
                        .selected_row()
                        .and_then(|r| r.tran_order_no.clone());
                    super::approval::ask(
                        app,
                        super::approval::PendingAction::Abandon {
                            row,
                            tran_order_no,
                            reason: text,
                        },
                    );
                    return Vec::new();
                }
                app.overlay = Overlay::Recovery(window);
                return vec![Effect::Worker(Command::Abandon {
                    row,
                    reason: text,
                    authority: Box::new(app.staff.authority()),
                })];
            }
            _ => {
                let request = match key.code {
                    KeyCode::Char(c) if !c.is_control() => Some(InputRequest::InsertChar(c)),
                    KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
                    KeyCode::Left => Some(InputRequest::GoToPrevChar),
                    KeyCode::Right => Some(InputRequest::GoToNextChar),
                    _ => None,
                };
                if let Some(r) = request
                    && reason.value().chars().count() < 200
                {
                    reason.handle(r);
                }
            }
        }
        app.overlay = Overlay::Recovery(window);
        return Vec::new();
    }
    let mut effects = Vec::new();
    match action {
        Some(Action::Close) => return effects,
        Some(Action::Up) => app.recovery.move_by(-1),
        Some(Action::Down) => app.recovery.move_by(1),
        Some(Action::Resend) => effects = resend_selected(app),
        Some(Action::Balance) => {
            if let Some(row) = app.recovery.selected_row().map(|r| r.id) {
                app.recovery.balances.insert(row, BalanceCheck::Asking);
                effects.push(Effect::Worker(Command::CheckRowBalance { row }));
            }
        }
        Some(Action::Abandon) if app.recovery.selected_row().is_some() => {
            window.reason = Some(tui_input::Input::default());
        }
        _ => {}
    }
    app.overlay = Overlay::Recovery(window);
    effects
}

fn resend_selected(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.recovery.selected_row().cloned() else {
        return Vec::new();
    };
    if app.in_flight() || app.recovery.resending.is_some() {
        app.say(
            "wait for the request being sent to finish first",
            Tone::Warning,
        );
        return Vec::new();
    }
    let id = app.next_request_id();
    app.recovery.resending = Some((id, row.id));
    app.recovery.last = None;
    app.status = StatusView::InFlight(Box::new(InFlight {
        id,
        operation: row.operation,
        account: row.account_id.clone(),
        quantity: row.quantity.clone(),
        started_ms: app.now_ms,
        step: Step::Journaled,
        tran_order_no: row.tran_order_no.clone(),
        retry: None,
        asked: None,
        reverses: None,
        from_form: false,
    }));
    vec![Effect::Worker(Command::Resend { id, row: row.id })]
}

/// What a resend came to, for the line under the list.
pub fn resend_result(outcome: &Outcome) -> String {
    let order = outcome.tran_order_no.as_deref().unwrap_or("the request");
    match outcome.status {
        Status::Approved => format!("{order}: approved — it went through (once)"),
        Status::Declined => format!(
            "{order}: declined — {}; {}",
            outcome.msg,
            crate::outcome::nothing_moved(outcome.operation)
        ),
        Status::Rejected => format!(
            "{order}: refused — {}; the first attempt is still not known",
            outcome.msg
        ),
        Status::Unknown => format!("{order}: still unknown — {}", outcome.msg),
    }
}
