//! The receipt of the last approved operation, and saving it for the printer spooler (the
//! second and later saves are marked COPY).

use super::super::keys::Action;
use super::super::{App, Effect, Tone};
use super::{Overlay, Scroll};
use crate::worker::Command;

/// Ctrl+P.
pub fn open(app: &mut App) {
    if app.receipt.is_some() {
        app.overlay = Overlay::Receipt(Scroll::default());
    } else {
        app.say(
            "no receipt yet: receipts are for approved operations",
            Tone::Warning,
        );
    }
}

pub(super) fn on_key(app: &mut App, mut scroll: Scroll, action: Option<Action>) -> Vec<Effect> {
    let effects = match action {
        Some(Action::Close) => return Vec::new(),
        Some(Action::Save) => save(app),
        _ => {
            scroll.apply(action);
            Vec::new()
        }
    };
    app.overlay = Overlay::Receipt(scroll);
    effects
}

fn save(app: &mut App) -> Vec<Effect> {
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
    let Some(name) = receipt.name() else {
        app.say(
            "this receipt has no order number to file it under",
            Tone::Warning,
        );
        return Vec::new();
    };
    vec![Effect::Worker(Command::SaveReceipt {
        name,
        text: receipt.text(&app.issuer, app.mode),
    })]
}

/// The worker wrote a receipt file: if it is this receipt, the next one is a copy.
pub fn saved(app: &mut App, path: &str) {
    if let Some(receipt) = &mut app.receipt
        && receipt.name().is_some_and(|name| path.ends_with(&name))
    {
        receipt.printed += 1;
    }
}
