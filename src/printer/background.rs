//! Printing as the worker's own kind of background work: each job runs on the blocking
//! pool, apart from the requests, so a slow or dead printer never delays a sale, and it
//! reports one [`PrintNotice`].

use std::fmt;
use std::sync::Arc;

use time::OffsetDateTime;

use super::spool::{Flushed, ReceiptPrinter};
use crate::config::{Config, Mode};
use crate::receipt::Receipt;
use crate::till::Till;

/// How a print job ended, for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintNotice {
    /// The printer took this many receipts (the queue first, then the new one).
    Printed { receipts: usize },
    /// The printer did not take them; they stay queued in the journal.
    Offline {
        printer: String,
        waiting: usize,
        reason: String,
    },
    /// A flush found nothing waiting.
    NothingWaiting,
    /// No printer is set up.
    NoPrinter,
    /// The receipt could not be queued (the journal failed); nothing was printed.
    NotQueued(String),
}

impl PrintNotice {
    /// Whether the cashier must act.
    pub fn is_trouble(&self) -> bool {
        !matches!(
            self,
            PrintNotice::Printed { .. } | PrintNotice::NothingWaiting
        )
    }

    /// `printing`: a receipt was queued just before, so an empty pass means another job
    /// printed it meanwhile (two prints share one lane and one queue).
    fn from_flushed(printer: &ReceiptPrinter, flushed: Flushed, printing: bool) -> PrintNotice {
        match flushed.failure {
            Some(failure) => PrintNotice::Offline {
                printer: printer.name(),
                waiting: flushed.waiting,
                reason: failure.problem.to_string(),
            },
            // Receipts queued by another print during this pass are that print's to send.
            None if flushed.unreadable > 0 => PrintNotice::Offline {
                printer: printer.name(),
                waiting: flushed.waiting,
                reason: format!("{} queued receipts cannot be printed", flushed.unreadable),
            },
            None if flushed.printed == 0 && printing => PrintNotice::Printed { receipts: 1 },
            None if flushed.printed == 0 => PrintNotice::NothingWaiting,
            None => PrintNotice::Printed {
                receipts: flushed.printed,
            },
        }
    }
}

impl fmt::Display for PrintNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintNotice::Printed { receipts: 1 } => f.write_str("printed"),
            PrintNotice::Printed { receipts } => write!(f, "printed {receipts} receipts"),
            PrintNotice::Offline { waiting: 1, .. } | PrintNotice::Offline { waiting: 0, .. } => {
                f.write_str("printer offline — receipt kept (Ctrl+P to retry)")
            }
            PrintNotice::Offline { waiting, .. } => write!(
                f,
                "printer offline — {waiting} receipts kept (Ctrl+P to retry)"
            ),
            PrintNotice::NothingWaiting => f.write_str("nothing waiting to print"),
            PrintNotice::NoPrinter => f.write_str(
                "no printer set up: set [printer] address or device in the config, or PAYWIZARD_PRINTER",
            ),
            PrintNotice::NotQueued(why) => write!(f, "receipt not printed: {why}"),
        }
    }
}

/// What the worker prints with: the printer (if any), and whether receipts must say
/// TRAINING. (Which receipts print is the screen's to say: with `[printer] auto` it asks
/// after each approval, with the receipt it shows.)
pub struct Printing {
    till: Arc<Till>,
    printer: Option<ReceiptPrinter>,
    training: bool,
}

impl Printing {
    pub fn new(config: &Config, till: Arc<Till>) -> Arc<Printing> {
        Arc::new(Printing {
            till,
            printer: ReceiptPrinter::from_settings(&config.printer),
            training: config.mode != Mode::Production,
        })
    }

    /// Queues `receipt` and prints the queue (oldest first). A demo or sandbox till always
    /// prints TRAINING, whoever built the receipt.
    pub async fn print(self: Arc<Self>, receipt: Receipt) -> PrintNotice {
        let Some(printer) = self.printer.clone() else {
            return PrintNotice::NoPrinter;
        };
        let training = receipt.training || self.training;
        let receipt = receipt.training(training);
        let till = Arc::clone(&self.till);
        let job = tokio::task::spawn_blocking(move || {
            printer
                .print(till.as_ref(), &receipt, OffsetDateTime::now_utc())
                .map(|flushed| PrintNotice::from_flushed(&printer, flushed, true))
                .unwrap_or_else(|e| PrintNotice::NotQueued(e.to_string()))
        });
        job.await
            .unwrap_or_else(|e| PrintNotice::NotQueued(format!("the print job failed: {e}")))
    }

    /// Prints everything still waiting.
    pub async fn flush(self: Arc<Self>) -> PrintNotice {
        let Some(printer) = self.printer.clone() else {
            return PrintNotice::NoPrinter;
        };
        let till = Arc::clone(&self.till);
        let job = tokio::task::spawn_blocking(move || {
            printer
                .flush(till.as_ref())
                .map(|flushed| PrintNotice::from_flushed(&printer, flushed, false))
                .unwrap_or_else(|e| PrintNotice::NotQueued(e.to_string()))
        });
        job.await
            .unwrap_or_else(|e| PrintNotice::NotQueued(format!("the print job failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_words_are_the_ones_the_cashier_is_promised() {
        let offline = |waiting| PrintNotice::Offline {
            printer: "tcp://10.0.0.9:9100".into(),
            waiting,
            reason: "refused the connection".into(),
        };
        assert_eq!(
            offline(1).to_string(),
            "printer offline — receipt kept (Ctrl+P to retry)"
        );
        assert_eq!(
            offline(3).to_string(),
            "printer offline — 3 receipts kept (Ctrl+P to retry)"
        );
        assert_eq!(PrintNotice::Printed { receipts: 1 }.to_string(), "printed");
        assert!(offline(1).is_trouble());
        assert!(!PrintNotice::Printed { receipts: 2 }.is_trouble());
    }
}
