//! The receipt printer as the screen knows it, and the last approved operation's receipt
//! with how far it has got to paper. The screen holds receipt models, never finished text:
//! the preview is drawn from the same value the printer is sent, so they cannot differ.
//! Printing itself runs on the worker; the screen asks and hears back, so a slow or dead
//! printer never holds a sale.

use super::overlays::Overlay;
use super::{App, Effect, Tone};
use crate::config::Config;
use crate::printer::PrintNotice;
use crate::receipt::Receipt;
use crate::worker::Command;

/// How far a receipt has got to paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// Neither printed nor saved: the next print is the original.
    Unprinted,
    /// A print job with it is out.
    Printing,
    /// Printed or saved: the next print is a COPY.
    HandedOver,
    /// The printer did not take it: it waits in the journal's queue, and a retry prints it
    /// (once: the queue is sent, not a new receipt).
    Kept,
}

/// The last approved operation's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastReceipt {
    /// As the next print would carry it: marked COPY once the original was handed over.
    pub receipt: Receipt,
    pub paper: Paper,
}

impl LastReceipt {
    /// Whether `receipt` is this one (the same sale, whatever its marks).
    pub fn is(&self, receipt: &Receipt) -> bool {
        receipt.reference().is_some() && receipt.reference() == self.receipt.reference()
    }

    fn handed_over(&mut self) {
        self.paper = Paper::HandedOver;
        self.receipt.copy = true;
    }
}

/// What the screen knows about the receipt printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterView {
    /// A printer is set up (`[printer]` or `PAYWIZARD_PRINTER`).
    pub configured: bool,
    /// Each approval prints by itself.
    pub auto: bool,
    /// Columns of the paper: the preview is laid out the same.
    pub width: usize,
    /// Print jobs asked for and not reported yet.
    pub jobs: u32,
    /// Receipts the printer did not take, as its last report said.
    pub kept: usize,
    /// The report that left them kept (names the printer and why).
    pub offline: Option<PrintNotice>,
}

impl PrinterView {
    pub fn new(config: &Config) -> PrinterView {
        PrinterView {
            configured: config.printer.target.is_some(),
            auto: config.printer.auto && config.printer.target.is_some(),
            width: config.printer.paper.width,
            jobs: 0,
            kept: 0,
            offline: None,
        }
    }

    pub fn printing(&self) -> bool {
        self.jobs > 0
    }
}

/// An approval's receipt becomes the last one; with `auto` it goes to the printer at once.
pub(super) fn approved(app: &mut App, receipt: Receipt) -> Vec<Effect> {
    // A window still showing the previous receipt keeps it, marked as what its next print
    // would be now that the screen no longer follows it.
    if let Some(previous) = &app.receipt
        && let Overlay::Receipt(window) = &mut app.overlay
        && window.row.is_none()
        && previous.is(&window.receipt)
        && previous.paper != Paper::Unprinted
    {
        window.receipt.copy = true;
    }
    let mut last = LastReceipt {
        receipt,
        paper: Paper::Unprinted,
    };
    let mut effects = Vec::new();
    if app.printer.auto {
        last.paper = Paper::Printing;
        effects.push(print(app, last.receipt.clone()));
    }
    app.receipt = Some(last);
    effects
}

/// Sends `receipt` to the printer (after anything still waiting, oldest first).
pub(super) fn print(app: &mut App, receipt: Receipt) -> Effect {
    app.printer.jobs += 1;
    Effect::Worker(Command::PrintReceipt(Box::new(receipt)))
}

/// Sends the receipts still waiting, oldest first.
pub(super) fn retry(app: &mut App) -> Effect {
    app.printer.jobs += 1;
    if let Some(last) = &mut app.receipt
        && last.paper == Paper::Kept
    {
        last.paper = Paper::Printing;
    }
    Effect::Worker(Command::FlushReceipts)
}

/// A print job ended. Every job sends the whole queue, one at a time, so the report of the
/// last job out says where the queue stands: only then is the last receipt's state decided.
pub(super) fn reported(app: &mut App, notice: PrintNotice) {
    let printer = &mut app.printer;
    printer.jobs = printer.jobs.saturating_sub(1);
    match &notice {
        PrintNotice::Offline { waiting, .. } => {
            printer.kept = *waiting;
            printer.offline = Some(notice.clone());
        }
        PrintNotice::Printed { .. } | PrintNotice::NothingWaiting => {
            printer.kept = 0;
            printer.offline = None;
        }
        PrintNotice::NoPrinter | PrintNotice::NotQueued(_) => {}
    }
    let settled = printer.jobs == 0;
    if settled && let Some(last) = &mut app.receipt {
        match (&notice, last.paper) {
            (PrintNotice::Printed { .. } | PrintNotice::NothingWaiting, Paper::Printing)
            | (PrintNotice::Printed { .. } | PrintNotice::NothingWaiting, Paper::Kept) => {
                last.handed_over();
            }
            (PrintNotice::Offline { .. }, Paper::Printing) => last.paper = Paper::Kept,
            (PrintNotice::NoPrinter | PrintNotice::NotQueued(_), Paper::Printing) => {
                last.paper = Paper::Unprinted;
            }
            _ => {}
        }
    }
    follow_last(app);
    match notice {
        // The status pane says it for as long as they wait (ui::status).
        PrintNotice::Offline { .. } => {}
        // Good news never hides a warning the cashier has not read yet.
        PrintNotice::Printed { .. } | PrintNotice::NothingWaiting => {
            if settled && app.notice.is_none() {
                app.say(notice.to_string(), Tone::Info);
            }
        }
        PrintNotice::NoPrinter | PrintNotice::NotQueued(_) => {
            app.say(notice.to_string(), Tone::Warning);
        }
    }
}

/// A receipt was saved to a file for a spooler: that handed the original over.
pub(super) fn saved(app: &mut App, path: &str) {
    if let Some(last) = &mut app.receipt
        && crate::receipt::file_name_of(&last.receipt).is_some_and(|name| path.ends_with(&name))
        && last.paper == Paper::Unprinted
    {
        last.handed_over();
    }
    follow_last(app);
}

/// An open window showing the last receipt shows it as the next print would carry it.
fn follow_last(app: &mut App) {
    if let Some(last) = &app.receipt
        && let Overlay::Receipt(window) = &mut app.overlay
        && window.row.is_none()
        && last.is(&window.receipt)
    {
        *window.receipt = last.receipt.clone();
    }
}
