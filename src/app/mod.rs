//! Pure application state and update (Elm style): no I/O, no terminal, no clock.
//!
//! Terminal and worker events arrive as [`Msg`]s stamped with a monotonic time; [`update`]
//! changes the [`App`] and returns the [`Effect`]s the runtime must carry out.

pub mod form;
pub mod history;
pub mod keymap;
pub mod magstripe;
mod overlays;
pub mod recovery;
pub mod scanner;
pub mod status;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::InputRequest;

use crate::api::{EntryType, Operation, TillRequest, mask_account};
use crate::config::{Config, Mode};
use crate::journal::Report;
use crate::outcome::{HistoryEntry, RowState};
use crate::receipt::{self, Issuer};
use crate::worker::{Command, Connection, Event, RequestId};

use form::{FieldId, Form, Limits};
use history::{History, PAGE};
use recovery::{BalanceCheck, Recovery};
use scanner::{Routed, ScanKey, Scanner, normalize_paste};
use status::{InFlight, StatusView, Step};

/// Something that happened, with the time it happened (ms since the till started).
// A worker event (a history row with its cashier) is the big one; messages are moved once
// each, a few per second, so boxing it would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key {
        key: KeyEvent,
        at_ms: u64,
    },
    /// A bracketed paste.
    Paste {
        text: String,
        at_ms: u64,
    },
    /// Time passed: spinners, elapsed seconds, the scanner's quiet time.
    Tick {
        at_ms: u64,
    },
    Resize {
        w: u16,
        h: u16,
    },
    Worker(Event),
}

/// What the runtime must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Worker(Command),
    Quit,
}

/// Where keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    History,
}

/// A window drawn over the screen that takes every key until closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// Quit was asked for while a request is in flight.
    ConfirmQuit,
    /// A void is ready to go: which sale, and y/n.
    ConfirmVoid,
    /// Requests with no known outcome, and what to do about each.
    Recovery,
    /// Today's totals.
    Report,
    /// The receipt of the last approved operation.
    Receipt,
}

/// A void waiting for the cashier's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidConfirm {
    pub request: TillRequest,
    /// The sale being voided, when it is in the loaded history.
    pub original: Option<HistoryEntry>,
}

/// The receipt of the last approved operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub text: String,
    /// The file name it is saved under, when it has an order number.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
    Error,
}

/// A one-line message about the last key (cleared by the next key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub tone: Tone,
}

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    pub mode: Mode,
    pub store_name: String,
    pub till_id: String,
    pub channel: String,
    pub limits: Limits,
    pub connection: Connection,
    pub form: Form,
    pub focus: Focus,
    pub status: StatusView,
    pub history: History,
    pub overlay: Overlay,
    pub notice: Option<Notice>,
    /// A problem the worker reported (e.g. the journal failed); stays until Esc.
    pub problem: Option<String>,
    /// The cardholder name from the last swipe, offered for the customer info.
    pub name_offer: Option<String>,
    pub recovery: Recovery,
    pub void_confirm: Option<VoidConfirm>,
    /// Today's totals; `None` while they load.
    pub report: Option<Box<Report>>,
    pub receipt: Option<Receipt>,
    pub issuer: Issuer,
    /// A receipts directory is configured, so receipts can be saved for the printer.
    pub receipts_enabled: bool,
    pub now_ms: u64,
    pub size: (u16, u16),
    scanner: Scanner,
    next_id: RequestId,
}

impl App {
    /// Builds the screen state from the configuration. Only what the cashier should see is
    /// copied: never the client secret or the jwt-token.
    pub fn new(config: &Config) -> App {
        App {
            mode: config.mode,
            store_name: config.store_name.clone(),
            till_id: config.till_id.clone(),
            channel: config.channel.clone(),
            limits: Limits {
                currency: config.currency.clone(),
                max_amount: config.max_amount,
                max_points: config.max_points,
            },
            connection: Connection::default(),
            form: Form::new(Operation::IssuePoints),
            focus: Focus::Form,
            status: StatusView::Ready,
            history: History::default(),
            overlay: Overlay::None,
            notice: None,
            problem: None,
            name_offer: None,
            recovery: Recovery::default(),
            void_confirm: None,
            report: None,
            receipt: None,
            issuer: Issuer {
                store: config.store_name.clone(),
                till_id: config.till_id.clone(),
                currency: config.currency.code().to_owned(),
            },
            receipts_enabled: config.receipts_dir.is_some(),
            now_ms: 0,
            size: (0, 0),
            scanner: Scanner::new(&config.scanner),
            next_id: 1,
        }
    }

    pub fn in_flight(&self) -> bool {
        self.status.in_flight().is_some()
    }

    /// When the runtime should send the next `Tick`: every 100 ms while a request is in
    /// flight (spinner, elapsed time), and when the scanner's quiet time runs out.
    pub fn next_deadline(&self) -> Option<u64> {
        let spinner = self.in_flight().then(|| (self.now_ms / 100 + 1) * 100);
        [spinner, self.scanner.next_deadline()]
            .into_iter()
            .flatten()
            .min()
    }

    fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.notice = Some(Notice {
            text: text.into(),
            tone,
        });
    }
}

/// What the runtime asks for when the screen opens: the newest history, and the requests
/// left without an outcome (the recovery window opens by itself if there are any).
pub fn start(app: &mut App) -> Vec<Effect> {
    app.history.loading = true;
    vec![
        Effect::Worker(Command::LoadHistory {
            before: None,
            limit: PAGE,
        }),
        Effect::Worker(Command::LoadOpenRows),
    ]
}

/// The one way state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key { key, at_ms } => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            app.now_ms = app.now_ms.max(at_ms);
            app.notice = None;
            on_key(app, key, at_ms)
        }
        Msg::Paste { text, at_ms } => {
            app.now_ms = app.now_ms.max(at_ms);
            app.notice = None;
            let mut effects = flush_scanner(app);
            effects.extend(on_paste(app, &text));
            effects
        }
        Msg::Tick { at_ms } => {
            app.now_ms = app.now_ms.max(at_ms);
            let routed = app.scanner.tick(at_ms);
            apply_all(app, routed)
        }
        Msg::Resize { w, h } => {
            app.size = (w, h);
            Vec::new()
        }
        Msg::Worker(event) => on_worker(app, event),
    }
}

/// Keys the scanner must see: what a keyboard wedge can send.
fn scan_key(key: &KeyEvent) -> Option<ScanKey> {
    if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
        return None;
    }
    match key.code {
        KeyCode::Char(c) => Some(ScanKey::Char(c)),
        KeyCode::Enter => Some(ScanKey::Enter),
        KeyCode::Tab => Some(ScanKey::Tab),
        _ => None,
    }
}

fn on_key(app: &mut App, key: KeyEvent, at_ms: u64) -> Vec<Effect> {
    if app.overlay != Overlay::None {
        let mut effects = flush_scanner(app);
        effects.extend(overlays::on_key(app, key));
        return effects;
    }
    match scan_key(&key) {
        Some(k) => {
            let routed = app.scanner.feed(k, at_ms);
            apply_all(app, routed)
        }
        None => {
            let mut effects = flush_scanner(app);
            effects.extend(on_command_key(app, key));
            effects
        }
    }
}

fn flush_scanner(app: &mut App) -> Vec<Effect> {
    let routed = app.scanner.flush();
    apply_all(app, routed)
}

fn apply_all(app: &mut App, routed: Vec<Routed>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for r in routed {
        effects.extend(apply_routed(app, r));
    }
    effects
}

fn apply_routed(app: &mut App, routed: Routed) -> Vec<Effect> {
    match routed {
        Routed::Typed(keys) => {
            let mut effects = Vec::new();
            for key in keys {
                effects.extend(on_typed(app, key));
            }
            effects
        }
        Routed::Scan { account, submit } => card_read(app, &account, EntryType::B, submit),
        Routed::Swipe { swipe, submit } => {
            app.name_offer = swipe.name.filter(|n| !n.trim().is_empty());
            card_read(app, &swipe.account, EntryType::M, submit)
        }
        Routed::SwipeError => {
            app.say("Card not read — swipe again", Tone::Error);
            Vec::new()
        }
    }
}

/// A scanner or reader delivered a whole card number.
fn card_read(app: &mut App, account: &str, entry: EntryType, submit: bool) -> Vec<Effect> {
    app.form.set_card(account, entry);
    let was_on_card = app.focus == Focus::History || app.form.focus == FieldId::Card;
    app.focus = Focus::Form;
    if was_on_card && app.form.fields().contains(&FieldId::Card) {
        // Straight on to the figure: scan, type 25, Enter.
        app.form.focus_field(FieldId::Card, &app.limits);
        app.form.move_focus(true, &app.limits);
    }
    if submit { submit_form(app) } else { Vec::new() }
}

fn on_typed(app: &mut App, key: ScanKey) -> Vec<Effect> {
    match (key, app.focus) {
        (ScanKey::Enter | ScanKey::Tab, Focus::History) => {
            app.focus = Focus::Form;
            Vec::new()
        }
        (ScanKey::Enter, Focus::Form) => submit_form(app),
        (ScanKey::Tab, Focus::Form) => {
            app.form.move_focus(true, &app.limits);
            Vec::new()
        }
        (ScanKey::Char(c), Focus::History) => on_history_char(app, c),
        (ScanKey::Char(c), Focus::Form) => on_form_char(app, c),
    }
}

fn on_form_char(app: &mut App, c: char) -> Vec<Effect> {
    let field = app.form.focus;
    let literal_question_mark = matches!(field, FieldId::Customer(_)) && field.is_text();
    if c == '?' && !literal_question_mark {
        app.overlay = Overlay::Help;
        return Vec::new();
    }
    if c == 'q' && !field.is_text() {
        return request_quit(app);
    }
    if let Some(refusal) = app.form.type_char(c, &app.limits) {
        app.say(refusal, Tone::Warning);
    }
    Vec::new()
}

fn on_history_char(app: &mut App, c: char) -> Vec<Effect> {
    match c {
        'v' | 'V' => from_history(app, Operation::Void),
        't' | 'T' => from_history(app, Operation::Tip),
        'q' => request_quit(app),
        '?' => {
            app.overlay = Overlay::Help;
            Vec::new()
        }
        'j' => move_history(app, 1),
        'k' => move_history(app, -1),
        c if c.is_ascii_digit() => {
            // The next customer's card, typed without leaving the history first.
            app.focus = Focus::Form;
            on_form_char(app, c)
        }
        _ => Vec::new(),
    }
}

fn on_command_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('c' | 'q') if ctrl => return request_quit(app),
        KeyCode::Char('e') if ctrl => {
            app.form.entry = app.form.entry.cycle();
            app.form.dirty = true;
        }
        KeyCode::Char('o') if ctrl => {
            if app.form.has_customer() {
                app.focus = Focus::Form;
                app.form.toggle_customer(&app.limits);
            } else {
                app.say(
                    "customer info is for Top-up and Activate only",
                    Tone::Warning,
                );
            }
        }
        KeyCode::Char('l') if ctrl => toggle_history(app),
        KeyCode::Char('r') if ctrl => return overlays::open_recovery(app),
        KeyCode::Char('t') if ctrl => return overlays::open_report(app),
        KeyCode::Char('p') if ctrl => overlays::open_receipt(app),
        KeyCode::Char('n') if ctrl => accept_name(app),
        KeyCode::Char('u') if ctrl => edit(app, InputRequest::DeleteLine),
        KeyCode::Char('w') if ctrl => edit(app, InputRequest::DeletePrevWord),
        KeyCode::Char('h') if alt => toggle_history(app),
        KeyCode::Char(c) if alt => {
            if let Some(op) = keymap::operation_for_alt(c) {
                select_operation(app, op);
            }
        }
        KeyCode::F(1) => app.overlay = Overlay::Help,
        KeyCode::F(n) => {
            if let Some(op) = keymap::operation_for_f_key(n) {
                select_operation(app, op);
            }
        }
        KeyCode::Esc => escape(app),
        KeyCode::BackTab => match app.focus {
            Focus::Form => app.form.move_focus(false, &app.limits),
            Focus::History => app.focus = Focus::Form,
        },
        KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown
            if app.focus == Focus::History =>
        {
            let delta = match key.code {
                KeyCode::Up => -1,
                KeyCode::Down => 1,
                KeyCode::PageUp => -history_page(app),
                _ => history_page(app),
            };
            return move_history(app, delta);
        }
        KeyCode::Home if app.focus == Focus::History => app.history.home(),
        KeyCode::End if app.focus == Focus::History => {
            app.history.end();
            return load_older_if_needed(app);
        }
        KeyCode::Up => app.form.move_focus(false, &app.limits),
        KeyCode::Down => app.form.move_focus(true, &app.limits),
        KeyCode::Left => edit(app, InputRequest::GoToPrevChar),
        KeyCode::Right => edit(app, InputRequest::GoToNextChar),
        KeyCode::Home => edit(app, InputRequest::GoToStart),
        KeyCode::End => edit(app, InputRequest::GoToEnd),
        KeyCode::Backspace => edit(app, InputRequest::DeletePrevChar),
        KeyCode::Delete => edit(app, InputRequest::DeleteNextChar),
        _ => {}
    }
    Vec::new()
}

fn edit(app: &mut App, request: InputRequest) {
    if app.focus == Focus::Form {
        app.form.edit(request, &app.limits);
    }
}

fn history_page(app: &App) -> isize {
    // Roughly the rows the pane shows; exactness does not matter for paging.
    let rows = app.size.1.saturating_sub(16).max(5);
    isize::try_from(rows).unwrap_or(10)
}

fn toggle_history(app: &mut App) {
    app.focus = match app.focus {
        Focus::Form => Focus::History,
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
            vec![Effect::Worker(Command::LoadHistory {
                before: Some(before),
                limit: PAGE,
            })]
        }
        None => Vec::new(),
    }
}

fn select_operation(app: &mut App, op: Operation) {
    app.form.set_operation(op);
    app.focus = Focus::Form;
    if matches!(app.status, StatusView::Invalid { .. }) {
        app.status = StatusView::Ready;
    }
}

/// V or T on a history row: the operation, with the row's checkoutId filled in.
fn from_history(app: &mut App, op: Operation) -> Vec<Effect> {
    let Some(entry) = app.history.selected_entry() else {
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
    select_operation(app, op);
    app.form.set_original(&checkout_id);
    if op == Operation::Void {
        // Straight to the question: the sale is chosen, nothing else to fill in.
        return submit_form(app);
    }
    // A tip: the sale and its card are known, only the amount is left.
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
    app.say(format!("customer name set to {name}"), Tone::Info);
}

fn escape(app: &mut App) {
    if app.focus == Focus::History {
        app.focus = Focus::Form;
        return;
    }
    app.form.clear();
    app.name_offer = None;
    app.problem = None;
    if !app.in_flight() {
        app.status = StatusView::Ready;
    }
}

fn request_quit(app: &mut App) -> Vec<Effect> {
    if app.in_flight() {
        app.overlay = Overlay::ConfirmQuit;
        Vec::new()
    } else {
        vec![Effect::Quit]
    }
}

fn submit_form(app: &mut App) -> Vec<Effect> {
    if app.in_flight() {
        app.say(
            "already sending… wait for the answer (it will not be sent twice)",
            Tone::Warning,
        );
        return Vec::new();
    }
    let read_only = matches!(app.form.operation, Operation::Balance);
    if !app.form.dirty && matches!(app.status, StatusView::Done(_)) && !read_only {
        app.say(
            "already sent — Esc for the next customer, or change the form to send again",
            Tone::Warning,
        );
        return Vec::new();
    }
    match app.form.validate(&app.limits) {
        Err(first_bad) => {
            app.form.focus = first_bad;
            app.status = StatusView::Invalid {
                problems: app.form.errors.len(),
            };
            Vec::new()
        }
        Ok(request) if request.operation == Operation::Void => {
            let original = request.original_checkout_id.as_deref().and_then(|c| {
                app.history
                    .entries
                    .iter()
                    .find(|e| e.checkout_id.as_deref() == Some(c))
                    .cloned()
            });
            app.void_confirm = Some(VoidConfirm { request, original });
            app.overlay = Overlay::ConfirmVoid;
            Vec::new()
        }
        Ok(request) => dispatch(app, request),
    }
}

/// Hands a checked request to the worker and shows it in flight.
fn dispatch(app: &mut App, request: TillRequest) -> Vec<Effect> {
    let id = app.next_id;
    app.next_id += 1;
    app.form.dirty = false;
    app.status = StatusView::InFlight(InFlight {
        id,
        operation: request.operation,
        account: if request.account.is_empty() {
            String::new()
        } else {
            mask_account(&request.account)
        },
        quantity: request.quantity_display(&app.limits.currency),
        started_ms: app.now_ms,
        step: Step::Validated,
        tran_order_no: None,
        retry: None,
    });
    vec![Effect::Worker(Command::Submit {
        id,
        request: Box::new(request),
    })]
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    // Pasted text belongs in the card field, except where a cashier plausibly pastes
    // something else: a checkoutId, or a customer's details.
    let field = app.form.focus;
    let into_focused = app.focus == Focus::Form
        && field.is_text()
        && matches!(field, FieldId::Original | FieldId::Customer(_));
    if into_focused {
        for c in text.chars().filter(|c| !c.is_control()) {
            if let Some(refusal) = app.form.type_char(c, &app.limits) {
                app.say(refusal, Tone::Warning);
                break;
            }
        }
        return Vec::new();
    }
    let digits = normalize_paste(text);
    if digits.is_empty() {
        app.say("nothing pasted: no digits in the clipboard", Tone::Warning);
        return Vec::new();
    }
    app.form.set_card(&digits, EntryType::K);
    app.focus = Focus::Form;
    if app.form.fields().contains(&FieldId::Card) {
        app.form.focus_field(FieldId::Card, &app.limits);
    }
    Vec::new()
}

fn on_worker(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::Stage { id, stage } => {
            if let StatusView::InFlight(f) = &mut app.status
                && f.id == id
            {
                f.apply(stage);
            }
        }
        Event::Finished { id, outcome, entry } => {
            let mut effects = Vec::new();
            if let Some(entry) = &entry
                && let Some(text) = receipt::text(&app.issuer, entry.at, &outcome)
            {
                app.receipt = Some(Receipt {
                    text,
                    name: receipt::file_name(&outcome),
                });
            }
            if app.recovery.resending.is_some_and(|(rid, _)| rid == id) {
                app.recovery.resending = None;
                app.recovery.last = Some(overlays::resend_result(&outcome));
                effects.push(Effect::Worker(Command::LoadOpenRows));
            }
            if let Some(f) = app.status.in_flight().filter(|f| f.id == id) {
                let mut outcome = outcome;
                if outcome.account_id.is_empty() {
                    outcome.account_id = f.account.clone();
                }
                app.status = StatusView::Done(outcome);
            }
            if let Some(entry) = entry {
                app.recovery.row_changed(&entry);
                app.history.upsert(entry);
            }
            return effects;
        }
        Event::OpenRows(rows) => {
            let first_time = !app.recovery.offered;
            app.recovery.set_rows(rows);
            if first_time && !app.recovery.rows.is_empty() && app.overlay == Overlay::None {
                app.recovery.offered = true;
                app.overlay = Overlay::Recovery;
            }
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
            app.history.upsert(entry);
        }
        Event::Report(report) => app.report = Some(report),
        Event::ReceiptSaved(Ok(path)) => app.say(format!("receipt saved: {path}"), Tone::Info),
        Event::ReceiptSaved(Err(e)) => app.say(e, Tone::Error),
        Event::Printed(notice) => {
            let tone = if notice.is_trouble() {
                Tone::Warning
            } else {
                Tone::Info
            };
            app.say(notice.to_string(), tone);
        }
        Event::History { before: _, entries } => {
            app.history.merge_page(entries, PAGE);
        }
        Event::Connection(c) => app.connection = c,
        Event::ResendFailed { id, reason } => {
            if app.recovery.resending.is_some_and(|(rid, _)| rid == id) {
                app.recovery.resending = None;
            }
            if app.status.in_flight().is_some_and(|f| f.id == id) {
                app.status = StatusView::Ready;
            }
            app.say(reason.clone(), Tone::Warning);
            app.recovery.last = Some(reason);
        }
        Event::Problem(p) => app.problem = Some(p),
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
