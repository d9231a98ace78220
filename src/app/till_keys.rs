//! Keys on the till screen when no window is open: the form and the history. Printable
//! keys arrive here only after the scanner has decided a person typed them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

use super::form::FieldId;
use super::keys::{self, Action, Context};
use super::overlays::{help, quit, receipt, recover, report};
use super::scanner::ScanKey;
use super::status::StatusView;
use super::submit::{submit_form, void_row};
use super::{App, Effect, Focus, Tone};
use crate::api::{EntryType, Operation};
use crate::outcome::RowState;

/// One key a person typed (Enter and Tab included).
pub(super) fn on_typed(app: &mut App, key: ScanKey) -> Vec<Effect> {
    match key {
        ScanKey::Enter => on_command(app, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        ScanKey::Tab => on_command(app, KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)),
        ScanKey::Char(c) => match app.focus {
            Focus::Form => on_form_char(app, c),
            Focus::History => on_history_char(app, c),
        },
    }
}

fn on_form_char(app: &mut App, c: char) -> Vec<Effect> {
    let field = app.form.focus;
    let literal_question_mark = matches!(field, FieldId::Customer(_)) && field.is_text();
    if c == '?' && !literal_question_mark {
        help::open(app);
        return Vec::new();
    }
    if c == 'q' && !field.is_text() {
        // A q on a toggle or a choice may have been meant for it: ask, never just go.
        quit::ask(app);
        return Vec::new();
    }
    type_into_field(app, c);
    Vec::new()
}

/// Types one character into the focused field, saying so if the field refuses it.
pub(super) fn type_into_field(app: &mut App, c: char) -> bool {
    match app.form.type_char(c, &app.limits) {
        Some(refusal) => {
            app.say(refusal, Tone::Warning);
            false
        }
        None => {
            form_changed(app);
            true
        }
    }
}

fn on_history_char(app: &mut App, c: char) -> Vec<Effect> {
    if c.is_ascii_digit() {
        // The next customer's card, typed without leaving the history first.
        app.focus = Focus::Form;
        app.form.focus_field(FieldId::Card, &app.limits);
        return on_form_char(app, c);
    }
    on_command(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The form's content changed: the last outcome or "fix these" is no longer what the
/// status pane should say.
pub(super) fn form_changed(app: &mut App) {
    if matches!(app.status, StatusView::Done(_) | StatusView::Invalid { .. }) {
        app.status = StatusView::Ready;
    }
}

/// A key that is not typed text (or Enter/Tab, or a history letter).
pub(super) fn on_command(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let context = match app.focus {
        Focus::Form => Context::Form,
        Focus::History => Context::History,
    };
    let Some(action) = keys::action(context, &key) else {
        return Vec::new();
    };
    match action {
        Action::Quit => return quit::request(app),
        Action::Send => return submit_form(app),
        Action::Help => help::open(app),
        Action::Recovery => return recover::open(app),
        Action::Report => return report::open(app),
        Action::Receipt => return receipt::open(app),
        Action::History => toggle_history(app),
        Action::Operation => {
            if let Some(op) = keys::operation_for(&key) {
                select_operation(app, op);
            }
        }
        Action::Clear => escape(app),
        Action::NextField => app.form.move_focus(true, &app.limits),
        Action::PrevField => app.form.move_focus(false, &app.limits),
        Action::EntryType => {
            app.form.entry = app.form.entry.cycle();
            app.form.dirty = true;
        }
        Action::Customer => {
            if app.form.has_customer() {
                app.form.toggle_customer(&app.limits);
            } else {
                app.say(
                    "customer info is for Top-up and Activate only",
                    Tone::Warning,
                );
            }
        }
        Action::UseName => accept_name(app),
        Action::DeleteField => edit(app, InputRequest::DeleteLine),
        Action::DeleteWord => edit(app, InputRequest::DeletePrevWord),
        Action::Edit => {
            let request = match key.code {
                KeyCode::Left => InputRequest::GoToPrevChar,
                KeyCode::Right => InputRequest::GoToNextChar,
                KeyCode::Home => InputRequest::GoToStart,
                KeyCode::End => InputRequest::GoToEnd,
                KeyCode::Backspace => InputRequest::DeletePrevChar,
                _ => InputRequest::DeleteNextChar,
            };
            edit(app, request);
        }
        Action::Up => return move_history(app, -1),
        Action::Down => return move_history(app, 1),
        Action::PageUp => return move_history(app, -history_page(app)),
        Action::PageDown => return move_history(app, history_page(app)),
        Action::Home => app.history.home(),
        Action::End => {
            app.history.end();
            return load_older_if_needed(app);
        }
        Action::Void => return from_history(app, Operation::Void),
        Action::Tip => return from_history(app, Operation::Tip),
        Action::Back => app.focus = Focus::Form,
        Action::SignOff => return super::staff::sign_off(app),
        Action::Switch
        | Action::Pick
        | Action::Yes
        | Action::No
        | Action::Resend
        | Action::Balance
        | Action::Abandon
        | Action::Refresh
        | Action::Save
        | Action::Print
        | Action::Retry
        | Action::Close
        | Action::SignOn
        | Action::ShiftX
        | Action::CloseShift => {}
    }
    Vec::new()
}

fn edit(app: &mut App, request: InputRequest) {
    if app.form.edit(request, &app.limits) {
        form_changed(app);
    }
}

fn history_page(app: &App) -> isize {
    // Roughly the rows the pane shows; exactness does not matter for paging.
    let rows = app.size.1.saturating_sub(16).max(5);
    isize::try_from(rows).unwrap_or(10)
}

/// Into the history at its newest row, or back to the form.
fn toggle_history(app: &mut App) {
    app.focus = match app.focus {
        Focus::Form => {
            app.history.home();
            Focus::History
        }
        Focus::History => Focus::Form,
    };
}

fn move_history(app: &mut App, delta: isize) -> Vec<Effect> {
    app.history.move_by(delta);
    load_older_if_needed(app)
}

fn load_older_if_needed(app: &mut App) -> Vec<Effect> {
    match app.history.wants_older() {
        Some(before) => {
            app.history.loading = true;
            vec![Effect::Worker(crate::worker::Command::LoadHistory {
                before: Some(before),
                limit: super::history::PAGE,
            })]
        }
        None => Vec::new(),
    }
}

/// F2..F9 or Alt+letter: the operation, with nothing from the last one but the card.
pub(super) fn select_operation(app: &mut App, op: Operation) {
    app.form.set_operation(op);
    app.focus = Focus::Form;
    form_changed(app);
}

/// V or T on a history row: the operation, for exactly that row.
fn from_history(app: &mut App, op: Operation) -> Vec<Effect> {
    let Some(entry) = app.history.selected_entry().cloned() else {
        return Vec::new();
    };
    let checkout_id = match (&entry.checkout_id, entry.state) {
        (Some(id), RowState::Approved) => id.clone(),
        (_, RowState::Voided) => {
            app.say("that sale is already voided", Tone::Warning);
            return Vec::new();
        }
        (_, state) => {
            app.say(
                format!(
                    "that row is {state}: only an approved transaction can be voided or tipped"
                ),
                Tone::Warning,
            );
            return Vec::new();
        }
    };
    if matches!(
        entry.operation,
        Operation::Void | Operation::Balance | Operation::Activate
    ) {
        app.say(
            format!("a {} cannot be voided or tipped", entry.operation.label()),
            Tone::Warning,
        );
        return Vec::new();
    }
    if op == Operation::Tip && entry.operation != Operation::Pay {
        app.say("only a payment can be tipped", Tone::Warning);
        return Vec::new();
    }
    app.focus = Focus::Form;
    form_changed(app);
    if op == Operation::Void {
        // Straight to the question: the sale is chosen, nothing else to fill in.
        return void_row(app, entry, &checkout_id);
    }
    // A tip: the sale and its card are known, only the amount is left.
    app.form.set_operation(Operation::Tip);
    app.form.set_original(&checkout_id);
    app.form.focus_field(FieldId::Quantity, &app.limits);
    Vec::new()
}

fn accept_name(app: &mut App) {
    let Some(name) = app.name_offer.take() else {
        return;
    };
    if !app.form.has_customer() {
        app.name_offer = Some(name);
        app.say(
            "the name goes with Top-up or Activate (F3 / F7)",
            Tone::Warning,
        );
        return;
    }
    app.form.accept_name(&name);
    if !app.form.customer_open {
        app.form.toggle_customer(&app.limits);
    }
    form_changed(app);
    app.say(format!("customer name set to {name}"), Tone::Info);
}

/// Esc: a clean form for the next customer (the request in flight, if any, goes on).
fn escape(app: &mut App) {
    app.form.clear();
    app.name_offer = None;
    app.problem = None;
    if !app.in_flight() {
        app.status = StatusView::Ready;
    }
}

/// A whole card number arrived (scan, swipe, paste): it replaces the old one, and the focus
/// moves to the first field the operation still needs; the status pane names that field
/// from the same state, so they cannot disagree.
pub(super) fn card_arrived(app: &mut App, account: &str, entry: EntryType) {
    app.focus = Focus::Form;
    if app.form.operation == Operation::Void {
        // A void takes no card: a card starts a sale, so the void is left.
        app.form.set_operation(Operation::IssuePoints);
        app.say(
            "a card was read: the void is left — pick the operation (F2-F9)",
            Tone::Info,
        );
    }
    app.form.set_card(account, entry);
    form_changed(app);
    // Nothing left to fill in: the focus stays where the cashier was (Enter sends from
    // anywhere, and the status pane says so).
    if let Some(needed) = app.form.first_needed(&app.limits) {
        app.form.focus_field(needed, &app.limits);
    }
}
