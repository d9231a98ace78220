//! Every key, in one table: which key does what, where. The handlers look keys up here, and
//! the help window and the bottom bar are built from the same rows, so what is drawn never
//! disagrees with what works. Printable keys in the form still reach the scanner first and
//! then the focused field; their rows here (Space, letters) describe what the field does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::FieldId;
use super::overlays::ZState;
use super::printing::Paper;
use super::{App, Overlay};
use crate::api::Operation;

/// Where a key is pressed: the part of the screen, or the window, that has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Form,
    History,
    Help,
    Quit,
    Void,
    Duplicate,
    Recovery,
    /// Typing the reason a recovery row is abandoned.
    Reason,
    Report,
    Receipt,
    /// The sign-on screen.
    SignOn,
    /// The locked screen.
    Locked,
    /// A manager's ID and PIN, approving one action.
    Approval,
    /// The shift's X report, and its Z.
    Shift,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Pick the operation the key names (F2..F9, Alt+letter).
    Operation,
    Send,
    Clear,
    NextField,
    PrevField,
    /// Described only: Space / Y / N on a toggle (the field handles the key).
    Switch,
    /// Described only: a listed letter on a choice field.
    Pick,
    EntryType,
    Customer,
    UseName,
    DeleteField,
    DeleteWord,
    Edit,
    History,
    Recovery,
    Report,
    Receipt,
    Help,
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Void,
    Tip,
    Back,
    Yes,
    No,
    Resend,
    Balance,
    Abandon,
    Refresh,
    Save,
    Print,
    /// Print the receipts the printer did not take.
    Retry,
    Close,
    /// Check the typed staff id and PIN (sign on, unlock, approve).
    SignOn,
    SignOff,
    /// The open shift's totals (the X report).
    ShiftX,
    /// Close the shift (the Z report).
    CloseShift,
}

/// One key: a code and the modifiers that must be held (Shift is ignored for letters, whose
/// case is compared loosely).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    const fn alt(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::ALT,
        }
    }

    pub fn matches(&self, event: &KeyEvent) -> bool {
        let mut mods = event.modifiers;
        if matches!(event.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code_matches = match (self.code, event.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        };
        code_matches && mods == self.mods
    }
}

/// One row of the table.
pub struct Binding {
    pub contexts: &'static [Context],
    pub keys: &'static [Key],
    /// The keys as a person reads them.
    pub label: &'static str,
    pub action: Action,
    /// The word on the bottom bar, if the key earns a place there.
    pub bar: Option<&'static str>,
    /// The line in the help window (`None`: said by another row already).
    pub help: Option<&'static str>,
    /// Whether the bar shows it right now.
    pub shown: fn(&App) -> bool,
}

fn always(_: &App) -> bool {
    true
}

fn on_toggle(app: &App) -> bool {
    matches!(app.form.focus, FieldId::Activate | FieldId::Nsf)
}

fn on_choice(app: &App) -> bool {
    matches!(app.form.focus, FieldId::Customer(_)) && !app.form.focus.is_text()
}

fn has_customer(app: &App) -> bool {
    app.form.has_customer()
}

fn name_offered(app: &App) -> bool {
    app.name_offer.is_some() && app.form.has_customer()
}

fn has_open_rows(app: &App) -> bool {
    app.recovery.selected_row().is_some()
}

fn signed_on(app: &App) -> bool {
    app.staff.signed_on.is_some()
}

/// The shift window shows a shift that a Z could still close.
fn z_open(app: &App) -> bool {
    matches!(&app.overlay, Overlay::Shift(w)
        if !matches!(w.z, ZState::Closed(_) | ZState::Closing))
}

fn receipts_enabled(app: &App) -> bool {
    app.receipts_enabled
}

/// How far the open receipt has got to paper, when a printer could take it.
fn paper(app: &App) -> Option<(Paper, bool)> {
    match &app.overlay {
        Overlay::Receipt(window) if app.printer.configured => {
            Some((window.paper(app), window.receipt.copy))
        }
        _ => None,
    }
}

fn prints_original(app: &App) -> bool {
    matches!(paper(app), Some((Paper::Unprinted, false)))
}

fn prints_copy(app: &App) -> bool {
    matches!(
        paper(app),
        Some((Paper::Unprinted | Paper::HandedOver, true))
    )
}

fn retries_it(app: &App) -> bool {
    matches!(paper(app), Some((Paper::Kept, _)))
}

/// Receipts wait for the printer and P would not send them by itself.
fn others_wait(app: &App) -> bool {
    app.printer.kept > 0 && !app.printer.printing() && !retries_it(app)
}

use Context::{
    Approval as APPROVAL, Duplicate as DUP, Form as FORM, Help as HELP, History as HIST,
    Locked as LOCKED, Quit as QUIT, Receipt as RECEIPT, Recovery as REC, Report as REPORT,
    Shift as SHIFT, SignOn as SIGN_ON, Void as VOID,
};

const TILL: &[Context] = &[FORM, HIST];
/// Where Ctrl+Q quits: everywhere but behind the lock (the locked screen acts on nothing).
const EVERYWHERE: &[Context] = &[
    FORM,
    HIST,
    HELP,
    QUIT,
    VOID,
    DUP,
    REC,
    Context::Reason,
    REPORT,
    RECEIPT,
    SIGN_ON,
    APPROVAL,
    SHIFT,
];
/// Windows that scroll.
const SCROLLED: &[Context] = &[HELP, REPORT, RECEIPT, SHIFT];
/// Where a staff id and PIN are typed.
const CREDENTIALS: &[Context] = &[SIGN_ON, LOCKED, APPROVAL];

const F_KEYS: &[Key] = &[
    Key::plain(KeyCode::F(2)),
    Key::plain(KeyCode::F(3)),
    Key::plain(KeyCode::F(4)),
    Key::plain(KeyCode::F(5)),
    Key::plain(KeyCode::F(6)),
    Key::plain(KeyCode::F(7)),
    Key::plain(KeyCode::F(8)),
    Key::plain(KeyCode::F(9)),
];
const ALT_KEYS: &[Key] = &[
    Key::alt('i'),
    Key::alt('u'),
    Key::alt('p'),
    Key::alt('r'),
    Key::alt('b'),
    Key::alt('a'),
    Key::alt('v'),
    Key::alt('t'),
];

macro_rules! bind {
    ($contexts:expr, $keys:expr, $label:expr, $action:expr, $bar:expr, $help:expr) => {
        bind!($contexts, $keys, $label, $action, $bar, $help, always)
    };
    ($contexts:expr, $keys:expr, $label:expr, $action:expr, $bar:expr, $help:expr, $shown:expr) => {
        Binding {
            contexts: $contexts,
            keys: $keys,
            label: $label,
            action: $action,
            bar: $bar,
            help: $help,
            shown: $shown,
        }
    };
}

/// The table. Order matters twice: the first row that matches a key wins, and the bottom
/// bar lists a context's rows in this order, leaving off whole items that do not fit.
pub const BINDINGS: &[Binding] = &[
    // Answers to questions come first: in a question, these keys mean nothing else.
    bind! { &[QUIT], &[Key::ch('y'), Key::ctrl('q'), Key::ctrl('c')], "y", Action::Yes,
    Some("quit anyway"), Some("in a question: y is yes (Enter never is)") },
    bind! { &[VOID], &[Key::ch('y')], "y", Action::Yes,
    Some("void it"), None },
    bind! { &[DUP], &[Key::ch('y')], "y", Action::Yes,
    Some("send it again"), None },
    bind! { &[QUIT], &[Key::ch('n'), Key::plain(KeyCode::Esc)], "n", Action::No,
    Some("stay"), Some("in a question: n or Esc is no") },
    bind! { &[VOID], &[Key::ch('n'), Key::plain(KeyCode::Esc)], "n", Action::No,
    Some("keep the sale"), None },
    bind! { &[DUP], &[Key::ch('n'), Key::plain(KeyCode::Esc)], "n", Action::No,
    Some("do not send"), None },
    bind! { EVERYWHERE, &[Key::ctrl('q'), Key::ctrl('c')], "Ctrl+Q", Action::Quit,
    None, Some("quit from anywhere (asks if sending or with unknowns)") },
    // A staff id and PIN: sign-on, the locked screen, a manager's approval.
    bind! { &[SIGN_ON, LOCKED], &[Key::plain(KeyCode::Enter)], "Enter", Action::SignOn,
    Some("sign on"), Some("sign-on, lock, manager approval: ID, Enter, PIN, Enter") },
    bind! { &[APPROVAL], &[Key::plain(KeyCode::Enter)], "Enter", Action::SignOn,
    Some("approve"), None },
    bind! { &[APPROVAL], &[Key::plain(KeyCode::Esc)], "Esc", Action::No,
    Some("cancel (nothing is sent)"), None },
    bind! { CREDENTIALS, &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)], "Tab", Action::NextField,
    Some("ID / PIN"), None },
    bind! { CREDENTIALS, &[Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)], "Shift+Tab", Action::PrevField,
    None, None },
    bind! { CREDENTIALS, &[Key::plain(KeyCode::Backspace)], "⌫", Action::Edit,
    None, None },
    bind! { CREDENTIALS, &[Key::ctrl('u')], "Ctrl+U", Action::DeleteField,
    None, None },
    bind! { &[SIGN_ON, LOCKED], &[Key::plain(KeyCode::Esc)], "Esc", Action::Clear,
    Some("clear PIN"), None },
    bind! { &[SIGN_ON], &[], "Ctrl+Q", Action::Quit,
    Some("quit"), None },
    // The form.
    bind! { &[FORM], &[Key::plain(KeyCode::Enter)], "Enter", Action::Send,
    Some("send"), Some("send (only when every field is valid)") },
    bind! { &[FORM], &[Key::plain(KeyCode::Esc)], "Esc", Action::Clear,
    Some("clear"), Some("clear the form for the next customer") },
    bind! { &[FORM], &[Key::plain(KeyCode::Tab), Key::plain(KeyCode::Down)], "Tab", Action::NextField,
    Some("next"), Some("next field (also Down)") },
    bind! { &[FORM], &[Key::plain(KeyCode::BackTab), Key::plain(KeyCode::Up)], "Shift+Tab", Action::PrevField,
    None, Some("previous field (also Up)") },
    bind! { &[FORM], &[Key::ch(' ')], "Space", Action::Switch,
    Some("switch"), Some("switch a toggle (or Y / N)"), on_toggle },
    bind! { &[FORM], &[], "letter", Action::Pick,
    Some("pick"), Some("pick one of a field's listed choices"), on_choice },
    // The history.
    bind! { &[HIST], &[Key::plain(KeyCode::Up), Key::ch('k')], "↑", Action::Up,
    None, None },
    bind! { &[HIST], &[Key::plain(KeyCode::Down), Key::ch('j')], "↑↓", Action::Down,
    Some("select"), Some("history: select a row (newest at the top)") },
    bind! { &[HIST], &[Key::ch('v')], "V", Action::Void,
    Some("void"), Some("history: void the selected sale (asks first)") },
    bind! { &[HIST], &[Key::ch('t')], "T", Action::Tip,
    Some("tip"), Some("history: tip the selected payment") },
    bind! { &[HIST], &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::Enter), Key::plain(KeyCode::Tab), Key::plain(KeyCode::BackTab) ], "Esc", Action::Back,
    Some("back to form"), None },
    // Both.
    bind! { TILL, &[Key::plain(KeyCode::F(1)), Key::ch('?')], "F1", Action::Help,
    Some("help"), Some("this help (also ?)") },
    bind! { &[FORM], &[], "Ctrl+Q", Action::Quit,
    Some("quit"), None },
    bind! { &[HIST], &[Key::ch('q')], "q", Action::Quit,
    Some("quit"), Some("quit, from the history (in a field q is a letter)") },
    bind! { TILL, &[Key::ctrl('x')], "Ctrl+X", Action::SignOff,
    Some("sign off"), Some("sign off: back to the sign-on screen"), signed_on },
    bind! { &[FORM], &[Key::ctrl('o')], "Ctrl+O", Action::Customer,
    Some("customer"), Some("customer info open/close (Top-up, Activate)"), has_customer },
    bind! { &[FORM], &[Key::ctrl('n')], "Ctrl+N", Action::UseName,
    Some("use name"), Some("use the swiped card's name for the customer"), name_offered },
    bind! { TILL, F_KEYS, "F2-F9", Action::Operation,
    Some("operation"), Some("Issue pts · Top-up · Pay · Redeem · Balance · Activate · Void · Tip") },
    bind! { TILL, ALT_KEYS, "Alt+I U P R B A V T", Action::Operation,
    None, Some("the same eight operations by letter") },
    bind! { TILL, &[Key::ctrl('l'), Key::alt('h')], "Ctrl+L", Action::History,
    Some("history"), Some("history on/off (also Alt+H)") },
    bind! { &[FORM], &[Key::ctrl('e')], "Ctrl+E", Action::EntryType,
    Some("entry"), Some("entry type: K keyed B scan M swipe P tap") },
    bind! { &[HIST], &[Key::plain(KeyCode::PageUp)], "PgUp", Action::PageUp,
    None, None },
    bind! { &[HIST], &[Key::plain(KeyCode::PageDown)], "PgUp/PgDn", Action::PageDown,
    Some("page"), Some("history: a page up / down (Home / End: the ends)") },
    bind! { &[HIST], &[Key::plain(KeyCode::Home)], "Home", Action::Home,
    None, None },
    bind! { &[HIST], &[Key::plain(KeyCode::End)], "End", Action::End,
    None, None },
    bind! { &[FORM], &[Key::ctrl('u')], "Ctrl+U", Action::DeleteField,
    None, Some("empty the field") },
    bind! { &[FORM], &[Key::ctrl('w')], "Ctrl+W", Action::DeleteWord,
    None, Some("delete the last word") },
    bind! { &[FORM], &[ Key::plain(KeyCode::Left), Key::plain(KeyCode::Right), Key::plain(KeyCode::Home), Key::plain(KeyCode::End), Key::plain(KeyCode::Backspace), Key::plain(KeyCode::Delete) ], "← → Home End ⌫ Del", Action::Edit,
    None, Some("edit the field (on a read card, first)") },
    // Windows.
    bind! { TILL, &[Key::ctrl('r')], "Ctrl+R", Action::Recovery,
    None, Some("recovery: requests with no known outcome") },
    bind! { TILL, &[Key::ctrl('t')], "Ctrl+T", Action::Report,
    None, Some("today's totals") },
    bind! { TILL, &[Key::ctrl('p')], "Ctrl+P", Action::Receipt,
    None, Some("receipt: the last approved, or the selected row's") },
    bind! { &[REC], &[Key::ch('r')], "R", Action::Resend,
    Some("resend same"), Some("recovery: resend as it was (same tranOrderNo)"), has_open_rows },
    bind! { &[REC], &[Key::ch('b')], "B", Action::Balance,
    Some("balance"), Some("recovery: ask the card's balance"), has_open_rows },
    bind! { &[REC], &[Key::ch('a')], "A", Action::Abandon,
    Some("abandon"), Some("recovery: close it by hand, with a reason"), has_open_rows },
    bind! { &[REC], &[Key::plain(KeyCode::Up), Key::ch('k')], "↑", Action::Up,
    None, None },
    bind! { &[REC], &[Key::plain(KeyCode::Down), Key::ch('j')], "↑↓", Action::Down,
    Some("select"), None, has_open_rows },
    bind! { &[Context::Reason], &[Key::plain(KeyCode::Enter)], "Enter", Action::Abandon,
    Some("abandon with this reason"), None },
    bind! { &[Context::Reason], &[Key::plain(KeyCode::Esc)], "Esc", Action::Back,
    Some("cancel"), None },
    bind! { &[REPORT], &[Key::ch('r')], "R", Action::Refresh,
    Some("refresh"), None },
    bind! { &[REPORT], &[Key::ch('x')], "X", Action::ShiftX,
    Some("shift so far"), Some("totals: X shows the shift so far; Z there closes it") },
    bind! { &[SHIFT], &[Key::ch('z')], "Z", Action::CloseShift,
    Some("close the shift"), None, z_open },
    bind! { &[SHIFT], &[Key::ch('r')], "R", Action::Refresh,
    Some("refresh"), None },
    bind! { &[RECEIPT], &[Key::ch('p')], "P", Action::Print,
    Some("print"), Some("receipt: print (again: a COPY); R: print those kept"), prints_original },
    bind! { &[RECEIPT], &[Key::ch('p')], "P", Action::Print,
    Some("print a COPY"), None, prints_copy },
    bind! { &[RECEIPT], &[Key::ch('p')], "P", Action::Print,
    Some("print it now"), None, retries_it },
    bind! { &[RECEIPT], &[Key::ch('r')], "R", Action::Retry,
    Some("print the kept"), None, others_wait },
    bind! { &[RECEIPT], &[Key::ch('s')], "S", Action::Save,
    Some("save to file"), Some("receipt: save as a file for a spooler (again: COPY)"), receipts_enabled },
    bind! { SCROLLED, &[Key::plain(KeyCode::Up), Key::ch('k')], "↑", Action::Up,
    None, None },
    bind! { SCROLLED, &[Key::plain(KeyCode::Down), Key::ch('j')], "↑↓", Action::Down,
    Some("scroll"), None },
    bind! { SCROLLED, &[Key::plain(KeyCode::PageUp)], "PgUp", Action::PageUp,
    None, None },
    bind! { SCROLLED, &[Key::plain(KeyCode::PageDown)], "PgDn", Action::PageDown,
    None, None },
    bind! { &[HELP], &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::F(1)), Key::ch('?'), Key::ch('q'), Key::plain(KeyCode::Enter) ], "Esc", Action::Close,
    Some("close help"), None },
    bind! { &[REC], &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ctrl('r')], "Esc", Action::Close,
    Some("close"), Some("in a window: Esc closes it") },
    bind! { &[REPORT, SHIFT], &[ Key::plain(KeyCode::Esc), Key::plain(KeyCode::Enter), Key::ch('q'), Key::ctrl('t') ], "Esc", Action::Close,
    Some("close"), None },
    bind! { &[RECEIPT], &[Key::plain(KeyCode::Esc), Key::ch('q'), Key::ctrl('p')], "Esc", Action::Close,
    Some("close"), None },
];

/// What `key` does in `context`, if anything.
pub fn action(context: Context, key: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .find(|b| b.contexts.contains(&context) && b.keys.iter().any(|k| k.matches(key)))
        .map(|b| b.action)
}

/// The bottom bar for `context`: (keys, what they do), most important first.
pub fn bar(app: &App, context: Context) -> Vec<(&'static str, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.contexts.contains(&context) && (b.shown)(app))
        .filter_map(|b| b.bar.map(|word| (b.label, word)))
        .collect()
}

/// The help window's rows: (keys, what they do), once each; the till's keys first, then the
/// history's, then the windows'.
pub fn help() -> Vec<(&'static str, &'static str)> {
    let section = |b: &Binding| {
        if b.contexts.contains(&FORM) {
            0
        } else if b.contexts.contains(&HIST) {
            1
        } else {
            2
        }
    };
    let mut rows: Vec<&Binding> = BINDINGS.iter().filter(|b| b.help.is_some()).collect();
    rows.sort_by_key(|b| section(b));
    rows.into_iter()
        .filter_map(|b| b.help.map(|what| (b.label, what)))
        .collect()
}

/// The function key (F2..F9) and Alt+letter that select an operation.
pub fn operation_keys(op: Operation) -> (u8, char) {
    let i = Operation::ALL
        .iter()
        .position(|o| *o == op)
        .expect("every operation is in ALL");
    let KeyCode::F(f) = F_KEYS[i].code else {
        unreachable!("F_KEYS holds function keys")
    };
    let KeyCode::Char(c) = ALT_KEYS[i].code else {
        unreachable!("ALT_KEYS holds letters")
    };
    (f, c)
}

/// The operation an F-key or Alt+letter selects.
pub fn operation_for(key: &KeyEvent) -> Option<Operation> {
    F_KEYS
        .iter()
        .position(|k| k.matches(key))
        .or_else(|| ALT_KEYS.iter().position(|k| k.matches(key)))
        .map(|i| Operation::ALL[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn ctrl_q_quits_in_every_context_and_is_yes_in_the_quit_question() {
        for context in EVERYWHERE {
            let got = action(*context, &ev(KeyCode::Char('q'), KeyModifiers::CONTROL));
            let want = if *context == QUIT {
                Action::Yes
            } else {
                Action::Quit
            };
            assert_eq!(got, Some(want), "{context:?}");
        }
    }

    #[test]
    fn enter_is_never_a_yes() {
        for context in [QUIT, VOID, DUP] {
            assert_eq!(
                action(context, &ev(KeyCode::Enter, KeyModifiers::NONE)),
                None,
                "{context:?}"
            );
        }
    }

    #[test]
    fn q_quits_only_from_the_history() {
        for context in EVERYWHERE {
            let got = action(*context, &ev(KeyCode::Char('q'), KeyModifiers::NONE));
            assert_eq!(
                got == Some(Action::Quit),
                *context == HIST,
                "{context:?}: {got:?}"
            );
        }
    }

    #[test]
    fn every_operation_has_one_f_key_and_one_letter() {
        for op in Operation::ALL {
            let (f, c) = operation_keys(op);
            assert_eq!(
                operation_for(&ev(KeyCode::F(f), KeyModifiers::NONE)),
                Some(op)
            );
            assert_eq!(
                operation_for(&ev(
                    KeyCode::Char(c.to_ascii_uppercase()),
                    KeyModifiers::ALT
                )),
                Some(op)
            );
        }
    }

    #[test]
    fn help_lines_fit_an_80_column_window() {
        for (keys, what) in help() {
            assert!(
                keys.chars().count() + what.chars().count() <= 74,
                "{keys} {what}"
            );
        }
    }
}
