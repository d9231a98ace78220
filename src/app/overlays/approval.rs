//! A manager's approval: a window that carries the action it approves (a void, an amount
//! over `manager_over`, abandoning a row whose outcome is unknown, closing the shift). The
//! manager types their ID and PIN over the cashier's screen, nobody signs off; on a right
//! PIN the action goes ahead with the cashier as cashier and the manager as approver. Esc
//! cancels and nothing is sent. Wrong PINs count towards that manager's lockout.

use crossterm::event::KeyEvent;

use super::super::keys::{self, Action, Context};
use super::super::sign_on::{Problem, SignOnForm, Typed};
use super::super::submit;
use super::super::{App, Effect, Tone};
use super::shift::{self, ShiftWindow};
use super::{Overlay, RecoveryWindow};
use crate::api::TillRequest;
use crate::journal::{Role, SignedOn};
use crate::outcome::{HistoryEntry, nothing_moved};
use crate::worker::{Command, RequestId, SignOnAnswer};

/// What a manager is asked to approve, and what happens once they have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingAction {
    /// A request, sent once approved. A void names the sale it reverses.
    Submit {
        request: Box<TillRequest>,
        reverses: Option<Box<HistoryEntry>>,
    },
    /// An open row given up with this reason; the recovery window comes back.
    Abandon {
        row: i64,
        tran_order_no: Option<String>,
        reason: String,
    },
    /// The shift closed under the next Z number; its window comes back.
    CloseShift(Box<ShiftWindow>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub then: PendingAction,
    /// The manager's ID and PIN.
    pub form: SignOnForm,
}

pub fn ask(app: &mut App, then: PendingAction) {
    app.overlay = Overlay::Approval(Box::new(Approval {
        then,
        form: SignOnForm::default(),
    }));
}

/// A key from the terminal (never through the scanner: a PIN typed fast is still a PIN).
pub(super) fn on_key(app: &mut App, mut approval: Approval, key: KeyEvent) -> Vec<Effect> {
    if keys::action(Context::Approval, &key) == Some(Action::No) {
        cancel(app, approval.then);
        return Vec::new();
    }
    let typed = approval
        .form
        .on_key(|| app.next_request_id(), Context::Approval, &key);
    app.overlay = Overlay::Approval(Box::new(approval));
    match typed {
        Typed::Check(command) => vec![Effect::Worker(command)],
        Typed::Nothing => Vec::new(),
    }
}

/// Esc: nothing happens, and the window the action came from is back.
fn cancel(app: &mut App, then: PendingAction) {
    match then {
        PendingAction::Submit { request, .. } => app.say(
            format!(
                "not approved, not sent: {}",
                nothing_moved(request.operation)
            ),
            Tone::Info,
        ),
        PendingAction::Abandon { .. } => {
            app.overlay = Overlay::Recovery(RecoveryWindow::default());
            app.say("not abandoned: it stays open", Tone::Info);
        }
        PendingAction::CloseShift(window) => {
            app.overlay = Overlay::Shift(window);
            app.say("the shift stays open: no Z was made", Tone::Info);
        }
    }
}

/// The PIN check for ticket `ticket` came back, if this window is still waiting for it.
pub(in super::super) fn answered(
    app: &mut App,
    ticket: RequestId,
    answer: SignOnAnswer,
) -> Vec<Effect> {
    let Overlay::Approval(approval) = &mut app.overlay else {
        return Vec::new();
    };
    if approval.form.checking != Some(ticket) {
        return Vec::new();
    }
    match answer {
        SignOnAnswer::SignedOn(who) if who.member().role != Role::Manager => {
            approval
                .form
                .refused(Problem::NotAManager(who.id().to_owned()));
            Vec::new()
        }
        SignOnAnswer::SignedOn(manager) => {
            let Overlay::Approval(approval) = std::mem::take(&mut app.overlay) else {
                unreachable!("matched above")
            };
            go_ahead(app, approval.then, *manager)
        }
        SignOnAnswer::Refused(refusal) => {
            approval.form.refused(Problem::Sign(refusal));
            Vec::new()
        }
        SignOnAnswer::Failed(e) => {
            approval.form.refused(Problem::Failed(e));
            Vec::new()
        }
    }
}

fn go_ahead(app: &mut App, then: PendingAction, manager: SignedOn) -> Vec<Effect> {
    let authority = app.staff.authority().approved_by(manager);
    match then {
        PendingAction::Submit { request, reverses } => {
            if app.in_flight() {
                app.say_while_sending(format!(
                    "another request is being sent: not sent ({}); ask again after its answer",
                    nothing_moved(request.operation)
                ));
                return Vec::new();
            }
            submit::send(app, *request, reverses.map(|r| *r), authority)
        }
        PendingAction::Abandon { row, reason, .. } => {
            app.overlay = Overlay::Recovery(RecoveryWindow::default());
            vec![Effect::Worker(Command::Abandon {
                row,
                reason,
                authority: Box::new(authority),
            })]
        }
        PendingAction::CloseShift(window) => shift::close_as(app, *window, authority),
    }
}
