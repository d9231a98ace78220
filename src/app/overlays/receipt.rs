//! A receipt on screen, as the printer would get it: the last approved operation's, or a
//! history row's rebuilt from the journal (a reprint, marked COPY). P prints it, S saves it
//! for a printer spooler, R prints the receipts the printer did not take.

use super::super::keys::Action;
use super::super::printing::{self, Paper};
use super::super::{App, Effect, Focus, Tone};
use super::{Overlay, Scroll};
use crate::config::Mode;
use crate::outcome::RowState;
use crate::printer::PrintNotice;
use crate::receipt::{self, Receipt};
use crate::worker::Command;

/// The window's receipt, as the next print would carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptWindow {
    pub receipt: Box<Receipt>,
    /// The journal row it was rebuilt from (a reprint); `None`: the last approved
    /// operation's, which the screen follows to paper.
    pub row: Option<i64>,
    pub scroll: Scroll,
}

impl ReceiptWindow {
    fn open(receipt: Receipt, row: Option<i64>) -> Overlay {
        Overlay::Receipt(Box::new(ReceiptWindow {
            receipt: Box::new(receipt),
            row,
            scroll: Scroll::default(),
        }))
    }

    /// How far this receipt has got to paper, as far as the screen knows.
    pub fn paper(&self, app: &App) -> Paper {
        match &app.receipt {
            Some(last) if self.row.is_none() && last.is(&self.receipt) => last.paper,
            _ => Paper::Unprinted,
        }
    }
}

/// Ctrl+P: the selected history row's receipt when the history has the keys, else the last
/// approved operation's. With nothing to show but receipts waiting, it prints those.
pub fn open(app: &mut App) -> Vec<Effect> {
    if app.focus == Focus::History
        && let Some(entry) = app.history.selected_entry()
    {
        if entry.state != RowState::Approved {
            // Never another sale's receipt while this row is highlighted.
            let state = entry.state;
            app.say(
                format!("that row is {state}: only approved operations have receipts"),
                Tone::Warning,
            );
            return Vec::new();
        }
        let is_last = app.receipt.as_ref().is_some_and(|last| {
            last.receipt.reference().is_some()
                && last.receipt.reference()
                    == entry
                        .tran_order_no
                        .as_deref()
                        .or(entry.checkout_id.as_deref())
        });
        if !is_last {
            return vec![Effect::Worker(Command::LoadReceipt {
                row: entry.id,
                store: app.issuer.store.clone(),
            })];
        }
    }
    match &app.receipt {
        Some(last) => app.overlay = ReceiptWindow::open(last.receipt.clone(), None),
        None if app.printer.kept > 0 && !app.printer.printing() => {
            return vec![printing::retry(app)];
        }
        None => app.say(
            "no receipt yet: receipts are for approved operations",
            Tone::Warning,
        ),
    }
    Vec::new()
}

/// A history row's receipt arrived from the journal. It opens only if the cashier is still
/// on that row with no window open: a late answer never covers what they moved on to.
pub fn loaded(app: &mut App, row: i64, receipt: Result<Box<Receipt>, String>) {
    let still_there = app.overlay == Overlay::None
        && app.focus == Focus::History
        && app.history.selected_entry().is_some_and(|e| e.id == row);
    match receipt {
        Ok(receipt) if still_there => {
            let reprint = receipt.training(app.mode != Mode::Production).copy();
            app.overlay = ReceiptWindow::open(reprint, Some(row));
        }
        Ok(_) => {}
        Err(why) => app.say(format!("no receipt: {why}"), Tone::Warning),
    }
}

pub(super) fn on_key(
    app: &mut App,
    mut window: Box<ReceiptWindow>,
    action: Option<Action>,
) -> Vec<Effect> {
    match action {
        Some(Action::Close) => Vec::new(),
        Some(Action::Print) => print(app, &window),
        Some(Action::Retry) => vec![printing::retry(app)],
        Some(Action::Save) => {
            let effects = save(app, &window.receipt);
            app.overlay = Overlay::Receipt(window);
            effects
        }
        _ => {
            window.scroll.apply(action);
            app.overlay = Overlay::Receipt(window);
            Vec::new()
        }
    }
}

/// P: the window closes, so the status pane below can say how it goes (ui::status).
fn print(app: &mut App, window: &ReceiptWindow) -> Vec<Effect> {
    if !app.printer.configured {
        app.say(PrintNotice::NoPrinter.to_string(), Tone::Warning);
        return Vec::new();
    }
    match window.paper(app) {
        Paper::Printing => {
            app.say("that receipt is printing now", Tone::Info);
            Vec::new()
        }
        // It is in the queue already: sending the queue prints it once.
        Paper::Kept => vec![printing::retry(app)],
        Paper::Unprinted | Paper::HandedOver => {
            let effect = printing::print(app, (*window.receipt).clone());
            if let Some(last) = &mut app.receipt
                && window.row.is_none()
                && last.is(&window.receipt)
            {
                last.paper = Paper::Printing;
            }
            vec![effect]
        }
    }
}

fn save(app: &mut App, receipt: &Receipt) -> Vec<Effect> {
    if !app.receipts_enabled {
        app.say(
            "saving receipts needs receipts_dir in the config",
            Tone::Warning,
        );
        return Vec::new();
    }
    let Some(name) = receipt::file_name_of(receipt) else {
        app.say(
            "this receipt has no order number to file it under",
            Tone::Warning,
        );
        return Vec::new();
    };
    vec![Effect::Worker(Command::SaveReceipt {
        name,
        text: receipt::text::render(receipt, app.printer.width),
    })]
}
