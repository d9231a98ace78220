//! `receipt --order ORDER [--print] [--json]` and `receipt --flush`: a journal row's receipt
//! (always a COPY: the original was the one handed over at the sale), shown or printed, and
//! the receipts still waiting for the printer.

use std::sync::Mutex;

use serde_json::json;
use time::UtcOffset;

use super::ReceiptArgs;
use super::headless::{Failure, check_order, print_json, read_journal};
use super::runtime::open_journal;
use crate::config::{Config, Mode};
use crate::journal::{Journal, JournalError};
use crate::printer::{Flushed, ReceiptPrinter};
use crate::receipt::{Receipt, text};

pub(super) fn run(args: ReceiptArgs, config: Config, offset: UtcOffset) -> Result<u8, Failure> {
    if args.flush {
        return flush(&config, args.out.json);
    }
    let order = args.order.unwrap_or_default();
    check_order(&order)?;
    if !args.print {
        let journal = read_journal(&config)?;
        let receipt = reprint(&journal, &config, &order, offset)?;
        let width = config.printer.paper.width;
        let text = text::render(&receipt, width);
        if args.out.json {
            print_json(&json!({
                "tranOrderNo": receipt.tran_order_no,
                "checkoutId": receipt.checkout_id,
                "copy": receipt.copy,
                "training": receipt.training,
                "width": width,
                "text": text,
                "receipt": receipt,
            }));
        } else {
            print!("{text}");
        }
        return Ok(0);
    }
    let printer = printer(&config)?;
    let journal = Mutex::new(open_journal(&config)?);
    let receipt = reprint(
        &journal.lock().unwrap_or_else(|e| e.into_inner()),
        &config,
        &order,
        offset,
    )?;
    let flushed = printer
        .print(&journal, &receipt, time::OffsetDateTime::now_utc())
        .map_err(journal_failure)?;
    report(&printer, &flushed, args.out.json, Some(&receipt))
}

/// The receipt of `order` from the journal, as a reprint.
fn reprint(
    journal: &Journal,
    config: &Config,
    order: &str,
    offset: UtcOffset,
) -> Result<Receipt, Failure> {
    let row = journal
        .find(order)
        .map_err(journal_failure)?
        .ok_or_else(|| {
            Failure::BadInput(format!("--order: {order} is not in this till's journal"))
        })?;
    let answer = journal.recorded_answer(row.id).map_err(journal_failure)?;
    let receipt = Receipt::from_journal(&config.store_name, &row, answer.as_ref(), offset)
        .map_err(|e| Failure::BadInput(format!("--order: {order}: {e}")))?;
    Ok(receipt.training(config.mode != Mode::Production).copy())
}

fn flush(config: &Config, json: bool) -> Result<u8, Failure> {
    let printer = printer(config)?;
    let journal = Mutex::new(open_journal(config)?);
    let flushed = printer.flush(&journal).map_err(journal_failure)?;
    report(&printer, &flushed, json, None)
}

fn printer(config: &Config) -> Result<ReceiptPrinter, Failure> {
    ReceiptPrinter::from_settings(&config.printer).ok_or_else(|| {
        Failure::BadConfig(
            "no receipt printer: set PAYWIZARD_PRINTER (or --printer), or [printer] address or device in the config file"
                .into(),
        )
    })
}

fn journal_failure(e: JournalError) -> Failure {
    Failure::Other(format!("journal: {e}"))
}

/// Says what was printed; exit 0 only when nothing is left waiting.
fn report(
    printer: &ReceiptPrinter,
    flushed: &Flushed,
    json: bool,
    receipt: Option<&Receipt>,
) -> Result<u8, Failure> {
    if json {
        print_json(&json!({
            "printer": printer.name(),
            "printed": flushed.printed,
            "waiting": flushed.waiting,
            "tranOrderNo": receipt.and_then(|r| r.tran_order_no.as_deref()),
            "error": flushed.failure.as_ref().map(ToString::to_string),
        }));
    }
    let kept = match flushed.waiting {
        1 => "1 receipt is".to_owned(),
        n => format!("{n} receipts are"),
    };
    let retry = "check that the printer is on, online and has paper, then run `paywizard-till receipt --flush`";
    if let Some(failure) = &flushed.failure {
        return Err(Failure::Other(format!(
            "{failure}; {kept} kept in the journal: {retry}"
        )));
    }
    if flushed.unreadable > 0 {
        return Err(Failure::Other(format!(
            "printer {}: {kept} still waiting ({} cannot be printed: see the journal's receipt_queue)",
            printer.name(),
            flushed.unreadable
        )));
    }
    if !json {
        match flushed.printed {
            0 => println!("Nothing waiting to print."),
            1 => println!("Printed 1 receipt on {}.", printer.name()),
            n => println!("Printed {n} receipts on {}.", printer.name()),
        }
    }
    Ok(0)
}
