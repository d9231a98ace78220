//! What the worker reports, folded into the screen's state.

use super::overlays::{receipt, recover, report, shift};
use super::printing;
use super::recovery::BalanceCheck;
use super::status::{Finished, StatusView};
use super::{App, Effect, Focus, Lasts, Tone};
use crate::outcome::{HistoryEntry, Outcome, RowState, Status};
use crate::receipt::{self as receipts, Marks};
use crate::worker::{Command, Event, RequestId};

pub(super) fn on_worker(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::Stage { id, stage } => {
            if let StatusView::InFlight(f) = &mut app.status
                && f.id == id
            {
                f.apply(stage);
            }
        }
        Event::Finished { id, outcome, entry } => return finished(app, id, *outcome, entry),
        Event::OpenRows(rows) => {
            app.recovery.set_rows(rows);
            recover::offer(app);
        }
        Event::RowBalance { row, balances } => {
            let check = match balances {
                Ok(b) => BalanceCheck::Known(b),
                Err(e) => BalanceCheck::Failed(e),
            };
            app.recovery.balances.insert(row, check);
        }
        Event::RowChanged(entry) => {
            if entry.state == RowState::Abandoned {
                app.recovery.last = Some(format!(
                    "{} marked abandoned",
                    entry.tran_order_no.as_deref().unwrap_or("the request")
                ));
            }
            app.recovery.row_changed(&entry);
            new_row(app, entry);
        }
        Event::Report(r) => report::loaded(app, r),
        Event::ReceiptSaved(Ok(path)) => {
            printing::saved(app, &path);
            app.say(format!("receipt saved: {path}"), Tone::Info);
        }
        Event::ReceiptSaved(Err(e)) => app.say(e, Tone::Error),
        Event::Printed(notice) => printing::reported(app, notice),
        Event::Receipt { row, receipt: r } => receipt::loaded(app, row, r),
        Event::History { before: _, entries } => {
            app.history.merge_page(entries, super::history::PAGE);
        }
        Event::Connection(c) => app.connection = c,
        Event::ResendFailed { id, reason } => {
            if app.recovery.resending.is_some_and(|(rid, _)| rid == id) {
                app.recovery.resending = None;
            }
            if app.status.in_flight().is_some_and(|f| f.id == id) {
                app.status = StatusView::Ready;
                end_of_sending(app);
            }
            app.say(reason.clone(), Tone::Warning);
            app.recovery.last = Some(reason);
        }
        Event::Problem(p) => app.problem = Some(p),
        Event::Sync(status) => app.store = Some(status),
        Event::SignOn { ticket, answer } => {
            return super::sign_on::answered(app, ticket, answer);
        }
        Event::NotPermitted(refusal) => super::staff::refused(app, refusal),
        Event::ShiftX(totals) => shift::loaded(app, totals),
        Event::Z(attempt) => shift::z_answer(app, *attempt),
    }
    Vec::new()
}

fn finished(
    app: &mut App,
    id: RequestId,
    mut outcome: Outcome,
    entry: Option<HistoryEntry>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if app.recovery.resending.is_some_and(|(rid, _)| rid == id) {
        app.recovery.resending = None;
        app.recovery.last = Some(recover::resend_result(&outcome));
        effects.push(Effect::Worker(Command::LoadOpenRows));
    }
    let flight = app.status.in_flight().filter(|f| f.id == id).cloned();
    if let Some(f) = &flight
        && outcome.account_id.is_empty()
    {
        outcome.account_id = f.account.clone();
    }
    let reverses = flight.as_ref().and_then(|f| f.reverses.clone());
    if let Some(entry) = &entry
        && outcome.status == Status::Approved
    {
        let marks = Marks {
            mode: app.mode,
            copy: false,
            reverses: reverses.as_ref(),
        };
        if let Some(mut model) = receipts::marked(&app.issuer, entry.at, &outcome, &marks) {
            // Who served: as the journal row records it (the member signed on when it
            // was sent), so the paper and a later reprint from the journal agree.
            model.cashier = entry
                .cashier
                .clone()
                .or_else(|| app.staff.signed_on.as_ref().map(|s| s.id().to_owned()));
            effects.extend(printing::approved(app, model));
        }
    }
    if let Some(f) = flight {
        app.status = StatusView::Done(Box::new(Finished {
            outcome,
            asked: f.asked,
            reverses,
        }));
        end_of_sending(app);
        if f.from_form && !app.form.dirty {
            // Whatever the outcome, the next customer starts from a clean form; the outcome
            // stays in the status pane until the next input.
            app.form.clear();
            app.name_offer = None;
        }
    }
    if let Some(entry) = entry {
        app.recovery.row_changed(&entry);
        new_row(app, entry);
    }
    effects
}

/// A row was added or changed: outside the history, the selection follows the newest row,
/// so V never acts on a row the cashier picked before the latest sale.
fn new_row(app: &mut App, entry: HistoryEntry) {
    app.history.upsert(entry);
    if app.focus != Focus::History {
        app.history.home();
    }
}

/// What was only true while a request was out ("already sending…") is not any more.
fn end_of_sending(app: &mut App) {
    if app
        .notice
        .as_ref()
        .is_some_and(|n| n.lasts == Lasts::WhileSending)
    {
        app.notice = None;
    }
}
