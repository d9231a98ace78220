//! Printing through the queue: a receipt is queued in the journal, then the queue is sent,
//! oldest first; each receipt leaves it only after the printer took every byte. The journal
//! is locked only for those short reads and writes, never while the printer is talking.

use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

use super::config::PrinterSettings;
use super::{PrintFailure, Problem, Target, Timeouts, send};
use crate::journal::{Journal, JournalError};
use crate::receipt::Receipt;
use crate::receipt::escpos::{self, Paper};
use crate::till::Till;

/// Whatever holds the journal: the engine (`Till`) at the screen, a plain mutex on the
/// command line.
pub trait JournalAccess: Send + Sync {
    fn journal(&self) -> MutexGuard<'_, Journal>;
}

impl JournalAccess for Till {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        Till::journal(self)
    }
}

impl JournalAccess for Mutex<Journal> {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        // A panic while holding it leaves SQLite consistent; carry on with it.
        self.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What a pass over the queue did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Receipts the printer took whole this time.
    pub printed: usize,
    /// Receipts still queued afterwards.
    pub waiting: usize,
    /// Queued receipts that cannot be read back or encoded (skipped, left queued).
    pub unreadable: usize,
    /// Why the pass stopped early, if it did.
    pub failure: Option<PrintFailure>,
}

impl Flushed {
    /// Every receipt this pass found was printed. (`waiting` may still count receipts
    /// another print queued meanwhile: that print sends them next.)
    pub fn is_done(&self) -> bool {
        self.failure.is_none() && self.unreadable == 0
    }
}

/// One receipt printer. Clones share one lane, so two prints never interleave on the paper
/// or send the same queued receipt twice.
#[derive(Debug, Clone)]
pub struct ReceiptPrinter {
    target: Target,
    paper: Paper,
    timeouts: Timeouts,
    lane: Arc<Mutex<()>>,
}

impl ReceiptPrinter {
    pub fn new(target: Target, paper: Paper, timeouts: Timeouts) -> ReceiptPrinter {
        ReceiptPrinter {
            target,
            paper,
            timeouts,
            lane: Arc::default(),
        }
    }

    /// The configured printer, if one is set up.
    pub fn from_settings(settings: &PrinterSettings) -> Option<ReceiptPrinter> {
        let target = settings.target.clone()?;
        Some(ReceiptPrinter::new(
            target,
            settings.paper,
            settings.timeouts,
        ))
    }

    /// How messages name it: `tcp://10.0.0.9:9100`, `/dev/usb/lp0`.
    pub fn name(&self) -> String {
        self.target.to_string()
    }

    pub fn paper(&self) -> Paper {
        self.paper
    }

    /// Queues `receipt`, then prints everything waiting, oldest first (so it prints after
    /// anything an earlier failure left behind). It is printed when the result has no
    /// failure; otherwise it stays queued.
    pub fn print(
        &self,
        journal: &dyn JournalAccess,
        receipt: &Receipt,
        now: OffsetDateTime,
    ) -> Result<Flushed, JournalError> {
        let json = serde_json::to_string(receipt)
            .map_err(|e| JournalError::Invalid(format!("the receipt does not serialize: {e}")))?;
        journal.journal().queue_receipt(&json, now)?;
        self.flush(journal)
    }

    /// Prints every receipt waiting, oldest first, stopping at the first the printer does
    /// not take (the printer is down: the rest would fail the same way).
    pub fn flush(&self, journal: &dyn JournalAccess) -> Result<Flushed, JournalError> {
        let _lane = self.lane.lock().unwrap_or_else(|e| e.into_inner());
        let queued = journal.journal().queued_receipts()?;
        let mut flushed = Flushed::default();
        for job in &queued {
            let bytes = serde_json::from_str::<Receipt>(&job.receipt)
                .map_err(|e| e.to_string())
                .and_then(|r| escpos::render(&r, self.paper).map_err(|e| e.to_string()));
            let bytes = match bytes {
                Ok(bytes) => bytes,
                Err(why) => {
                    flushed.unreadable += 1;
                    journal
                        .journal()
                        .receipt_failed(job.id, &format!("cannot be printed: {why}"))?;
                    continue;
                }
            };
            match self.send(&bytes) {
                Ok(()) => {
                    journal.journal().receipt_printed(job.id)?;
                    flushed.printed += 1;
                }
                Err(failure) => {
                    journal
                        .journal()
                        .receipt_failed(job.id, &failure.to_string())?;
                    flushed.failure = Some(failure);
                    break;
                }
            }
        }
        flushed.waiting = journal.journal().receipts_waiting()?;
        Ok(flushed)
    }

    /// Encodes and sends one receipt without the queue.
    pub fn print_now(&self, receipt: &Receipt) -> Result<(), PrintFailure> {
        let bytes = escpos::render(receipt, self.paper).map_err(|e| PrintFailure {
            printer: self.name(),
            problem: Problem::Encode(e.to_string()),
        })?;
        self.send(&bytes)
    }

    fn send(&self, job: &[u8]) -> Result<(), PrintFailure> {
        send::send(&self.target, job, &self.timeouts).map_err(|problem| PrintFailure {
            printer: self.name(),
            problem,
        })
    }
}
