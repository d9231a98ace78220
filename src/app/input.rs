//! The front door for keys and pastes: the too-small screen lets only quit through, an
//! automatic window that has not been read yet steps aside, the scanner sees every key a
//! wedge could send, and what it releases goes to the window that is open or the till.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::form::{CARD_MAX, FieldId};
use super::keys::{self, Action};
use super::overlays::{self, Overlay, quit, recover};
use super::scanner::{Routed, ScanKey, normalize_paste};
use super::screen::{Fit, Screen};
use super::till_keys::{self, card_arrived, type_into_field};
use super::{App, Effect, Focus, Tone};
use crate::api::EntryType;

pub(super) fn on_key(app: &mut App, key: KeyEvent, at_ms: u64) -> Vec<Effect> {
    if app.fit() == Fit::TooSmall {
        return too_small_key(app, key);
    }
    if app.screen != Screen::Till {
        // Sign-on and the lock: an id and a PIN, straight from the terminal.
        return super::sign_on::on_key(app, key);
    }
    if app.overlay.takes_pin() {
        // What the scanner held back goes where it was typed, then the PIN window has the
        // keys to itself: digits typed fast are a PIN here, never a scan.
        let mut effects = flush_scanner(app);
        effects.extend(overlays::on_key(app, key));
        return effects;
    }
    if let Overlay::Recovery(window) = &app.overlay
        && window.unseen_at(at_ms)
    {
        // Typed before the window could be read: it was meant for the till.
        app.overlay = Overlay::None;
        recover::say_open_rows(app);
    }
    match scan_key(&key) {
        Some(k) => {
            let routed = app.scanner.feed(k, at_ms);
            apply_all(app, routed)
        }
        None => {
            let mut effects = flush_scanner(app);
            effects.extend(command(app, key));
            effects
        }
    }
}

/// Only the size message is on screen: nothing the cashier cannot see may act. Quit still
/// works, and so does the answer to its question (which the small screen shows).
fn too_small_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let context = app.context();
    if context == keys::Context::Locked {
        return Vec::new();
    }
    match keys::action(context, &key) {
        Some(Action::Quit) => quit::request(app),
        Some(Action::Yes | Action::No) if app.overlay == Overlay::ConfirmQuit => {
            overlays::on_key(app, key)
        }
        _ => Vec::new(),
    }
}

pub(super) fn on_tick(app: &mut App, at_ms: u64) -> Vec<Effect> {
    // First what was held for a draw (there has been one since), then what the scanner
    // releases now (which may be held in turn).
    let mut effects = super::submit::send_deferred(app);
    recover::open_if_due(app);
    let routed = app.scanner.tick(at_ms);
    effects.extend(apply_all(app, routed));
    effects
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

fn flush_scanner(app: &mut App) -> Vec<Effect> {
    let routed = app.scanner.flush();
    apply_all(app, routed)
}

fn apply_all(app: &mut App, routed: Vec<Routed>) -> Vec<Effect> {
    if app.screen != Screen::Till {
        // Held for the till before sign-on took the screen back: not for anyone now.
        return Vec::new();
    }
    let mut effects = Vec::new();
    for r in routed {
        effects.extend(apply_routed(app, r));
    }
    effects
}

/// A key that is not typed text: to the open window, or the till.
fn command(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.overlay.is_open() {
        overlays::on_key(app, key)
    } else {
        till_keys::on_command(app, key)
    }
}

pub(super) fn apply_routed(app: &mut App, routed: Routed) -> Vec<Effect> {
    if let Routed::Typed(keys) = routed {
        let mut effects = Vec::new();
        for key in keys {
            effects.extend(if app.overlay.is_open() {
                overlays::on_key(app, as_key_event(key))
            } else {
                till_keys::on_typed(app, key)
            });
        }
        return effects;
    }
    if app.overlay.is_open() {
        overlays::on_card_or_burst(app);
        return Vec::new();
    }
    match routed {
        Routed::Typed(_) => Vec::new(),
        Routed::Scan { account, submit } => card_read(app, &account, EntryType::B, submit),
        Routed::Swipe { swipe, submit } => {
            app.name_offer = swipe.name.filter(|n| !n.trim().is_empty());
            card_read(app, &swipe.account, EntryType::M, submit)
        }
        Routed::SwipeError => {
            app.say("Card not read — swipe again", Tone::Error);
            Vec::new()
        }
        Routed::Rejected { chars } => {
            app.say(
                format!("scanned code is not a card number ({chars} characters): nothing changed"),
                Tone::Warning,
            );
            Vec::new()
        }
        Routed::Text(text) => {
            burst_as_text(app, &text);
            Vec::new()
        }
    }
}

fn as_key_event(key: ScanKey) -> KeyEvent {
    let code = match key {
        ScanKey::Char(c) => KeyCode::Char(c),
        ScanKey::Enter => KeyCode::Enter,
        ScanKey::Tab => KeyCode::Tab,
    };
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A scanner or reader delivered a whole card number.
fn card_read(app: &mut App, account: &str, entry: EntryType, submit: bool) -> Vec<Effect> {
    card_arrived(app, account, entry);
    if submit {
        super::submit::submit_form(app)
    } else {
        Vec::new()
    }
}

/// Text that came too fast to be typed (a name-badge reader, a text expander) and is not a
/// card: it goes into the focused text field as text, never as commands.
fn burst_as_text(app: &mut App, text: &str) {
    let takes_text = app.focus == Focus::Form && app.form.focus.is_text();
    if !takes_text {
        app.say(
            format!(
                "{} characters arrived at once here, where nothing is typed: not used",
                text.chars().count()
            ),
            Tone::Warning,
        );
        return;
    }
    for c in text.chars() {
        if !type_into_field(app, c) {
            break;
        }
    }
}

pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    if app.fit() == Fit::TooSmall {
        return Vec::new();
    }
    let effects = flush_scanner(app);
    if app.screen != Screen::Till {
        // An id and a PIN are typed, never pasted.
        return effects;
    }
    if app.overlay.is_open() {
        app.say(
            "pasted text is not used while a window is open",
            Tone::Warning,
        );
        return effects;
    }
    let field = app.form.focus;
    let in_form = app.focus == Focus::Form;
    // Where a cashier plausibly pastes something else (a checkoutId, a customer's details),
    // the text goes in as typed.
    let other_text =
        in_form && field.is_text() && matches!(field, FieldId::Original | FieldId::Customer(_));
    let digits = normalize_paste(text);
    let card_shaped = text
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'))
        && (6..=CARD_MAX).contains(&digits.len());
    if !other_text && card_shaped {
        card_arrived(app, &digits, EntryType::K);
    } else if in_form && field.is_text() {
        for c in text.chars().filter(|c| !c.is_control()) {
            if !type_into_field(app, c) {
                break;
            }
        }
    } else {
        app.say(
            "nothing pasted: that is not a card number, and this place takes no text",
            Tone::Warning,
        );
    }
    effects
}
