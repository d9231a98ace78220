//! Receipts on a thermal printer (ESC/POS over a raw TCP socket or a device), and a queue
//! in the journal that loses nothing: a receipt is queued before it is sent and leaves the
//! queue only once the printer took every byte of it. A printer that is off, out of paper
//! or hangs up mid-job leaves its receipts queued; the next print sends the queue first,
//! oldest first.
//!
//! The bytes come from `receipt::escpos` (the `escpos` crate's encoder writing into
//! memory); this module does the I/O itself so every step has a timeout.

pub mod background;
pub mod config;
mod send;
pub mod spool;
mod target;

use std::fmt;
use std::time::Duration;

pub use background::{PrintNotice, Printing};
pub use config::{FilePrinter, PrinterSettings, WIDTHS};
pub use spool::{Flushed, JournalAccess, ReceiptPrinter};
pub use target::{DEFAULT_PORT, Target};

/// How long each step of a print job may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting to a network printer.
    pub connect: Duration,
    /// Writing the job: a printer that stops taking data (out of paper, cover open) for
    /// this long fails the job.
    pub write: Duration,
    /// Waiting, after the job, for a network printer to close its end.
    pub close: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(2),
            write: Duration::from_secs(5),
            close: Duration::from_secs(2),
        }
    }
}

/// What went wrong with a print job, in words that follow "printer X ...".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Refused,
    NoAnswer(Duration),
    Unreachable(String),
    /// The device path does not exist.
    Missing,
    NotReady,
    Denied,
    /// It stopped taking data for this long.
    Stalled(Duration),
    /// It closed or reset the connection before the job was complete.
    HungUp,
    Io(String),
    /// The receipt could not be turned into ESC/POS; nothing was sent.
    Encode(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |d: &Duration| format!("{:.1} s", d.as_secs_f64());
        match self {
            Problem::Refused => f.write_str("refused the connection (is it on and online?)"),
            Problem::NoAnswer(d) => write!(f, "did not answer within {} (is it on?)", secs(d)),
            Problem::Unreachable(why) => f.write_str(why),
            Problem::Missing => f.write_str("is not there (unplugged or switched off?)"),
            Problem::NotReady => f.write_str("is not ready (nothing behind the device?)"),
            Problem::Denied => f.write_str("cannot be opened: permission denied"),
            Problem::Stalled(d) => write!(
                f,
                "stopped taking data for {} (out of paper, cover open, offline?)",
                secs(d)
            ),
            Problem::HungUp => f.write_str("hung up before the receipt was complete"),
            Problem::Io(why) => write!(f, "failed: {why}"),
            Problem::Encode(why) => write!(f, "was sent nothing: {why}"),
        }
    }
}

/// A print job that did not go through, naming the printer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("printer {printer} {problem}")]
pub struct PrintFailure {
    pub printer: String,
    pub problem: Problem,
}
