//! Receipts for approved operations: one model ([`Receipt`]), laid out once
//! (`layout`), drawn as text for the screen and the spooler's file ([`text`]) and as
//! ESC/POS bytes for a thermal printer ([`escpos`]), so the preview and the paper cannot
//! say different things. Printing and the queue that keeps unprinted receipts live in
//! `printer`.

pub mod codepage;
pub mod escpos;
mod layout;
pub mod model;
pub mod text;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::api::Operation;
use crate::config::Mode;
use crate::money::{Amount, Currency, WireDecimal};
use crate::outcome::{HistoryEntry, Outcome};

pub use codepage::CodePage;
pub use layout::{COPY, TRAINING};
pub use model::{BalanceLine, Issuer, MaskedCard, Moved, NoReceipt, Receipt, Unit};

/// Columns of the screen's receipt preview.
pub const WIDTH: usize = 40;

/// What a receipt says about itself besides the sale.
#[derive(Debug, Clone, Copy)]
pub struct Marks<'a> {
    /// Demo and sandbox receipts say they are not real.
    pub mode: Mode,
    /// A reprint: says COPY.
    pub copy: bool,
    /// For a void: the sale it reverses.
    pub reverses: Option<&'a HistoryEntry>,
}

impl Default for Marks<'_> {
    fn default() -> Self {
        Marks {
            mode: Mode::Production,
            copy: false,
            reverses: None,
        }
    }
}

/// The words every training or test screen carries (receipts carry [`TRAINING`]).
pub fn not_real(mode: Mode) -> Option<&'static str> {
    match mode {
        Mode::Demo => Some("TRAINING — NOT A REAL TRANSACTION"),
        Mode::Sandbox => Some("TEST — NOT A REAL TRANSACTION"),
        Mode::Production => None,
    }
}

/// An approval for less than was asked (Pay with NSF allowed): what was taken, what was
/// asked and what is still to collect, each as `5.00` in the currency's decimals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub taken: String,
    pub asked: String,
    pub short: String,
}

pub fn shortfall(outcome: &Outcome, currency: &str) -> Option<Shortfall> {
    if !outcome.is_partial() {
        return None;
    }
    let currency = Currency::new(currency).ok()?;
    let minor = |s: &str| WireDecimal::new(s)?.to_minor(currency.decimals());
    let taken = minor(outcome.amount.as_deref()?)?;
    let asked = minor(outcome.requested_amount.as_deref()?)?;
    let wire = |m: i64| Amount::from_minor(m).to_wire(&currency);
    Some(Shortfall {
        taken: wire(taken),
        asked: wire(asked),
        short: wire(asked.checked_sub(taken)?.max(0)),
    })
}

/// The receipt text of an approved outcome at the preview's width, or `None`: nothing else
/// deserves one (a declined or unknown outcome on paper would read like a sale).
pub fn text(issuer: &Issuer, at: OffsetDateTime, outcome: &Outcome) -> Option<String> {
    text_marked(issuer, at, outcome, &Marks::default())
}

/// [`text`], marked as training, a copy, or the void of a named sale.
pub fn text_marked(
    issuer: &Issuer,
    at: OffsetDateTime,
    outcome: &Outcome,
    marks: &Marks,
) -> Option<String> {
    marked(issuer, at, outcome, marks).map(|r| text::render(&r, WIDTH))
}

/// The receipt model of an approved outcome, with its marks.
pub fn marked(
    issuer: &Issuer,
    at: OffsetDateTime,
    outcome: &Outcome,
    marks: &Marks,
) -> Option<Receipt> {
    let mut receipt =
        Receipt::approved(issuer, at, outcome)?.training(marks.mode != Mode::Production);
    if marks.copy {
        receipt = receipt.copy();
    }
    if let Some(sale) = marks
        .reverses
        .filter(|_| outcome.operation == Operation::Void)
    {
        receipt.reverses = Some(model::Reversed {
            operation: sale.operation,
            quantity: sale.quantity.clone(),
            at: sale.at,
            checkout_id: sale.checkout_id.clone(),
        });
    }
    Some(receipt)
}

/// The receipt's file name: its tranOrderNo (unique per till), else its checkoutId.
pub fn file_name(outcome: &Outcome) -> Option<String> {
    name_for(
        outcome
            .tran_order_no
            .as_deref()
            .or(outcome.checkout_id.as_deref())?,
    )
}

/// [`file_name`] of a receipt model (its reference is the same tranOrderNo or checkoutId).
pub fn file_name_of(receipt: &Receipt) -> Option<String> {
    name_for(receipt.reference()?)
}

fn name_for(id: &str) -> Option<String> {
    id.chars()
        .all(|c| c.is_ascii_alphanumeric())
        .then(|| format!("receipt-{id}.txt"))
}

/// Writes the receipt into `dir` for the printer spooler. The file appears whole or not at
/// all (written beside it, then renamed), so a spooler never prints half a receipt.
pub fn save(dir: &Path, name: &str, text: &str) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let partial = dir.join(format!(".{name}.partial"));
    {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Balance, EntryType, Operation};
    use crate::money::WireDecimal;
    use crate::outcome::Status;

    fn issuer() -> Issuer {
        Issuer {
            store: "Corner Store".into(),
            till_id: "42".into(),
            currency: "USD".into(),
        }
    }

    fn approved(op: Operation, amount: &str) -> Outcome {
        Outcome {
            operation: op,
            tran_order_no: Some("20261123105612004200000001".into()),
            account_id: "**** **** 0014".into(),
            entry_type: EntryType::B,
            status: Status::Approved,
            code: Some(200),
            msg: "success".into(),
            checkout_id: Some("917954313680000001".into()),
            amount: Some(amount.into()),
            requested_amount: None,
            balances: vec![Balance {
                value_code: "USD".into(),
                amount: WireDecimal::new("39.50").unwrap(),
                difference: WireDecimal::new("-10.50").unwrap(),
            }],
        }
    }

    const AT: OffsetDateTime = time::macros::datetime!(2026-11-23 10:56:12 UTC);

    #[test]
    fn a_payment_receipt_has_everything_the_issue_lists() {
        let text = text(&issuer(), AT, &approved(Operation::Pay, "10.50")).unwrap();
        for needle in [
            "Corner Store",
            "till 42",
            "2026-11-23 10:56:12",
            "PAY",
            "**** **** 0014",
            "USD 10.50",
            "USD 39.50",
            "20261123105612004200000001",
            "917954313680000001",
            "APPROVED",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from\n{text}");
        }
        assert!(
            text.lines().all(|l| l.chars().count() <= WIDTH),
            "fits a 40-column roll:\n{text}"
        );
    }

    #[test]
    fn only_approved_outcomes_get_a_receipt() {
        for status in [Status::Declined, Status::Unknown, Status::Rejected] {
            let mut o = approved(Operation::Pay, "1.00");
            o.status = status;
            assert_eq!(text(&issuer(), AT, &o), None, "{status:?}");
        }
    }

    #[test]
    fn points_read_as_points() {
        let text = text(&issuer(), AT, &approved(Operation::IssuePoints, "25")).unwrap();
        assert!(text.contains("Points issued"), "{text}");
        assert!(text.contains("25 pts"), "{text}");
    }

    #[test]
    fn training_and_test_receipts_say_so_top_and_bottom_and_a_reprint_says_copy() {
        let sale = approved(Operation::Pay, "10.50");
        for (mode, words) in [
            (Mode::Demo, Some("TRAINING — NOT A REAL TRANSACTION")),
            (Mode::Sandbox, Some("TEST — NOT A REAL TRANSACTION")),
            (Mode::Production, None),
        ] {
            let marks = Marks {
                mode,
                ..Marks::default()
            };
            let first = text_marked(&issuer(), AT, &sale, &marks).unwrap();
            // Paper says TRAINING / TEST at the top and the bottom, whatever the mode's
            // words on screen.
            match words {
                Some(_) => assert_eq!(
                    first.matches("NOT A REAL TRANSACTION").count(),
                    2,
                    "{first}"
                ),
                None => assert!(!first.contains("NOT A REAL"), "{first}"),
            }
            assert!(!first.contains("COPY"), "{first}");
            let copy = text_marked(
                &issuer(),
                AT,
                &sale,
                &Marks {
                    copy: true,
                    ..marks
                },
            )
            .unwrap();
            assert!(copy.contains("*** COPY ***"), "{copy}");
            assert!(copy.lines().all(|l| l.chars().count() <= WIDTH), "{copy}");
        }
    }

    #[test]
    fn a_partial_approval_says_what_was_taken_of_what_was_asked() {
        let mut sale = approved(Operation::Pay, "5.00");
        sale.requested_amount = Some("7.00".into());
        let text = text(&issuer(), AT, &sale).unwrap();
        assert!(text.contains("USD 5.00 of 7.00"), "{text}");
        assert!(text.contains("USD 2.00"), "{text}");
        assert!(text.contains("PARTIALLY APPROVED"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        let shortfall = shortfall(&sale, "USD").unwrap();
        assert_eq!(shortfall.short, "2.00");
        // Not partial: no shortfall, whatever the fields say.
        sale.status = Status::Declined;
        assert_eq!(super::shortfall(&sale, "USD"), None);
    }

    #[test]
    fn a_void_receipt_names_the_sale_it_reverses() {
        let sale = HistoryEntry {
            id: 7,
            at: AT,
            operation: Operation::Pay,
            tran_order_no: Some("20261123105612004200000001".into()),
            account_id: "**** **** 0014".into(),
            entry_type: EntryType::B,
            quantity: "USD 12.50".into(),
            state: crate::outcome::RowState::Voided,
            checkout_id: Some("917954313680000007".into()),
            msg: String::new(),
            requested_amount: None,
            cashier: None,
            approved_by: None,
        };
        let mut void = approved(Operation::Void, "");
        void.amount = None;
        void.balances.clear();
        let marks = Marks {
            reverses: Some(&sale),
            ..Marks::default()
        };
        let text = text_marked(&issuer(), AT, &void, &marks).unwrap();
        for needle in [
            "VOID",
            "Pay USD 12.50",
            "**** **** 0014",
            "917954313680000007",
            "2026-11-23 10:56:12",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from\n{text}");
        }
    }

    #[test]
    fn a_balance_check_reads_balance_not_approved() {
        let mut check = approved(Operation::Balance, "");
        check.amount = None;
        let text = text(&issuer(), AT, &check).unwrap();
        assert!(text.contains("BALANCE"), "{text}");
        assert!(!text.contains("APPROVED"), "{text}");
    }

    #[test]
    fn saving_writes_the_whole_file_and_names_it_by_order_number() {
        let dir = tempfile::tempdir().unwrap();
        let outcome = approved(Operation::Pay, "10.50");
        let name = file_name(&outcome).unwrap();
        assert_eq!(name, "receipt-20261123105612004200000001.txt");
        let body = text(&issuer(), AT, &outcome).unwrap();
        let path = save(&dir.path().join("receipts"), &name, &body).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), body);
        let names: Vec<_> = std::fs::read_dir(dir.path().join("receipts"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no partial file left behind: {names:?}");
    }

    #[test]
    fn an_odd_order_number_never_becomes_a_path() {
        let mut outcome = approved(Operation::Pay, "1.00");
        outcome.tran_order_no = Some("../../etc/passwd".into());
        assert_eq!(file_name(&outcome), None);
    }
}
