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

use crate::outcome::Outcome;

pub use codepage::CodePage;
pub use layout::{COPY, TRAINING};
pub use model::{BalanceLine, Issuer, MaskedCard, Moved, NoReceipt, Receipt, Unit};

/// Columns of the screen's receipt preview.
pub const WIDTH: usize = 40;

/// The receipt text of an approved outcome at the preview's width, or `None`: nothing else
/// deserves one (a declined or unknown outcome on paper would read like a sale).
pub fn text(issuer: &Issuer, at: OffsetDateTime, outcome: &Outcome) -> Option<String> {
    Receipt::approved(issuer, at, outcome).map(|r| text::render(&r, WIDTH))
}

/// The receipt's file name: its tranOrderNo (unique per till), else its checkoutId.
pub fn file_name(outcome: &Outcome) -> Option<String> {
    let id = outcome
        .tran_order_no
        .as_deref()
        .or(outcome.checkout_id.as_deref())?;
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
