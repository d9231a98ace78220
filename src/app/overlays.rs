//! Windows over the screen that take every key until closed: help, the quit and void
//! questions, recovery, today's totals and the receipt.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

use super::recovery::BalanceCheck;
use super::status::{InFlight, StatusView, Step};
use super::{App, Effect, Overlay, Tone, dispatch, request_quit};
use crate::outcome::{Outcome, Status};
use crate::worker::Command;

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match app.overlay {
        Overlay::Help => match key.code {
            KeyCode::Char('c' | 'q') if ctrl => {
                app.overlay = Overlay::None;
                return request_quit(app);
            }
            KeyCode::Esc | KeyCode::F(1) | KeyCode::Enter | KeyCode::Char('?' | 'q') => {
                app.overlay = Overlay::None;
            }
            _ => {}
        },
        Overlay::ConfirmQuit => match key.code {
            KeyCode::Char('y' | 'Y') => return vec![Effect::Quit],
            KeyCode::Char('n' | 'N') | KeyCode::Esc => app.overlay = Overlay::None,
            _ => {}
        },
        Overlay::ConfirmVoid => match key.code {
            // Only y: an Enter could be a scanner's suffix, and a void must be meant.
            KeyCode::Char('y' | 'Y') => {
                app.overlay = Overlay::None;
                if let Some(confirm) = app.void_confirm.take() {
                    let effects = dispatch(app, confirm.request);
                    // A void carries no card: show the sale it reverses instead.
                    if let (StatusView::InFlight(f), Some(sale)) =
                        (&mut app.status, confirm.original)
                    {
                        f.account = sale.account_id;
                        f.quantity = sale.quantity;
                    }
                    return effects;
                }
            }
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                app.overlay = Overlay::None;
                app.void_confirm = None;
                app.say("void cancelled: nothing was sent", Tone::Info);
            }
            _ => {}
        },
        Overlay::Recovery => return on_recovery_key(app, key),
        Overlay::Report => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => app.overlay = Overlay::None,
            KeyCode::Char('t') if ctrl => app.overlay = Overlay::None,
            KeyCode::Char('r' | 'R') => return open_report(app),
            _ => {}
        },
        Overlay::Receipt => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => app.overlay = Overlay::None,
            KeyCode::Char('p') if ctrl => app.overlay = Overlay::None,
            KeyCode::Char('s' | 'S') | KeyCode::Enter => return save_receipt(app),
            _ => {}
        },
        Overlay::None => {}
    }
    Vec::new()
}

pub(super) fn open_recovery(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::Recovery;
    app.recovery.offered = true;
    app.recovery.reason = None;
    vec![Effect::Worker(Command::LoadOpenRows)]
}

fn on_recovery_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if let Some(reason) = &mut app.recovery.reason {
        match key.code {
            KeyCode::Esc => app.recovery.reason = None,
            KeyCode::Enter => {
                let text = reason.value().trim().to_owned();
                let Some(row) = app.recovery.selected_row() else {
                    app.recovery.reason = None;
                    return Vec::new();
                };
                if text.is_empty() {
                    app.say("type why it is abandoned, then Enter", Tone::Warning);
                    return Vec::new();
                }
                let row = row.id;
                app.recovery.reason = None;
                return vec![Effect::Worker(Command::Abandon { row, reason: text })];
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
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => app.overlay = Overlay::None,
        KeyCode::Char('r') if ctrl => app.overlay = Overlay::None,
        KeyCode::Up | KeyCode::Char('k') => app.recovery.move_by(-1),
        KeyCode::Down | KeyCode::Char('j') => app.recovery.move_by(1),
        KeyCode::Char('r' | 'R') => return resend_selected(app),
        KeyCode::Char('b' | 'B') => {
            if let Some(row) = app.recovery.selected_row().map(|r| r.id) {
                app.recovery.balances.insert(row, BalanceCheck::Asking);
                return vec![Effect::Worker(Command::CheckRowBalance { row })];
            }
        }
        KeyCode::Char('a' | 'A') if app.recovery.selected_row().is_some() => {
            app.recovery.reason = Some(tui_input::Input::default());
        }
        _ => {}
    }
    Vec::new()
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
    let id = app.next_id;
    app.next_id += 1;
    app.recovery.resending = Some((id, row.id));
    app.recovery.last = None;
    app.status = StatusView::InFlight(InFlight {
        id,
        operation: row.operation,
        account: row.account_id.clone(),
        quantity: row.quantity.clone(),
        started_ms: app.now_ms,
        step: Step::Journaled,
        tran_order_no: row.tran_order_no.clone(),
        retry: None,
    });
    vec![Effect::Worker(Command::Resend { id, row: row.id })]
}

pub(super) fn open_report(app: &mut App) -> Vec<Effect> {
    app.overlay = Overlay::Report;
    app.report = None;
    vec![Effect::Worker(Command::LoadReport)]
}

pub(super) fn open_receipt(app: &mut App) {
    if app.receipt.is_some() {
        app.overlay = Overlay::Receipt;
    } else {
        app.say(
            "no receipt yet: receipts are for approved operations",
            Tone::Warning,
        );
    }
}

fn save_receipt(app: &mut App) -> Vec<Effect> {
    let Some(receipt) = &app.receipt else {
        return Vec::new();
    };
    if !app.receipts_enabled {
        app.say(
            "saving receipts needs receipts_dir in the config",
            Tone::Warning,
        );
        return Vec::new();
    }
    let Some(name) = receipt.name.clone() else {
        app.say(
            "this receipt has no order number to file it under",
            Tone::Warning,
        );
        return Vec::new();
    };
    vec![Effect::Worker(Command::SaveReceipt {
        name,
        text: receipt.text.clone(),
    })]
}

pub(super) fn resend_result(outcome: &Outcome) -> String {
    let order = outcome.tran_order_no.as_deref().unwrap_or("the request");
    match outcome.status {
        Status::Approved => format!("{order}: approved — it went through (once)"),
        Status::Declined => format!("{order}: declined — {}; nothing moved", outcome.msg),
        Status::Rejected => format!("{order}: rejected — {}", outcome.msg),
        Status::Unknown => format!("{order}: still unknown — {}", outcome.msg),
    }
}
