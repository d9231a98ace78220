//! Enter on the form: check it, ask where a yes is needed (a void, a repeat of a recent
//! sale), and hand the request to the worker.

use super::overlays::approval::{self, PendingAction};
use super::overlays::{duplicate, void};
use super::status::{Asked, InFlight, StatusView, Step};
use super::{App, Effect, Focus};
use crate::api::{Operation, TillRequest, mask_account};
use crate::journal::Authority;
use crate::outcome::HistoryEntry;
use crate::worker::Command;

pub(super) fn submit_form(app: &mut App) -> Vec<Effect> {
    if busy(app) {
        return Vec::new();
    }
    match app.form.validate(&app.limits) {
        Err(first_bad) => {
            app.form.focus = first_bad;
            app.focus = Focus::Form;
            app.status = StatusView::Invalid {
                problems: app.form.errors.len(),
            };
            Vec::new()
        }
        Ok(request) if request.operation == Operation::Void => {
            let checkout = request.original_checkout_id.clone();
            let sale = app
                .history
                .entries
                .iter()
                .find(|e| e.checkout_id.is_some() && e.checkout_id == checkout)
                .cloned();
            void::ask(app, void::VoidTarget { request, sale });
            Vec::new()
        }
        Ok(request) => match duplicate::find(app, &request) {
            Some(guard) => {
                duplicate::ask(app, guard);
                Vec::new()
            }
            None if app.form_changed_unseen() => {
                // Not before the screen has shown what goes: on the next tick.
                app.deferred = Some(Box::new(request));
                Vec::new()
            }
            None => dispatch(app, request, None),
        },
    }
}

/// One request at a time: while one is out, nothing else goes (its status would be lost
/// from the pane); the cashier is told so.
fn busy(app: &mut App) -> bool {
    if app.in_flight() {
        app.say_while_sending("already sending… wait for the answer (it will not be sent twice)");
    }
    app.in_flight()
}

/// A request held back at Enter until the screen showed it: now it goes.
pub(super) fn send_deferred(app: &mut App) -> Vec<Effect> {
    let Some(request) = app.deferred.take() else {
        return Vec::new();
    };
    if busy(app) {
        return Vec::new();
    }
    dispatch(app, *request, None)
}

/// V on a history row: the void of exactly that row, asked about by name.
pub(super) fn void_row(app: &mut App, sale: HistoryEntry, checkout_id: &str) -> Vec<Effect> {
    app.form.set_operation(Operation::Void);
    app.form.set_original(checkout_id);
    match app.form.validate(&app.limits) {
        Ok(request) => {
            void::ask(
                app,
                void::VoidTarget {
                    request,
                    sale: Some(sale),
                },
            );
            Vec::new()
        }
        Err(bad) => {
            app.form.focus = bad;
            app.focus = Focus::Form;
            Vec::new()
        }
    }
}

/// A checked request the cashier has confirmed: to the worker as the signed-on member, or
/// first to a manager where it needs one (a void; money over `manager_over`) and the
/// cashier is not one.
pub(super) fn dispatch(
    app: &mut App,
    request: TillRequest,
    reverses: Option<HistoryEntry>,
) -> Vec<Effect> {
    if app.staff.approval_needed_to_send(&request) {
        approval::ask(
            app,
            PendingAction::Submit {
                request: Box::new(request),
                reverses: reverses.map(Box::new),
            },
        );
        return Vec::new();
    }
    let authority = app.staff.authority();
    send(app, request, reverses, authority)
}

/// Hands a checked request to the worker as `authority` and shows it in flight. A void
/// shows the sale it reverses (it carries no card of its own).
pub(super) fn send(
    app: &mut App,
    request: TillRequest,
    reverses: Option<HistoryEntry>,
    authority: Authority,
) -> Vec<Effect> {
    // Every new request passes here, whatever asked for it (Enter, a void's y from the
    // history, a manager's approval): the one place to hold it back.
    if busy(app) {
        return Vec::new();
    }
    let id = app.next_request_id();
    app.form.dirty = false;
    let (account, quantity) = match &reverses {
        Some(sale) => (sale.account_id.clone(), sale.quantity.clone()),
        None => (
            if request.account.is_empty() {
                String::new()
            } else {
                mask_account(&request.account)
            },
            request.quantity_display(&app.limits.currency),
        ),
    };
    app.status = StatusView::InFlight(Box::new(InFlight {
        id,
        operation: request.operation,
        account,
        quantity,
        started_ms: app.now_ms,
        step: Step::Validated,
        tran_order_no: None,
        retry: None,
        asked: Some(Asked::of(&request, &app.limits.currency)),
        reverses,
        from_form: true,
    }));
    vec![Effect::Worker(Command::Submit {
        id,
        request: Box::new(request),
        authority: Box::new(authority),
    })]
}
