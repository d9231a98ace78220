//! Receipts for approved operations: the text (pure, shown on screen and in tests) and the
//! file a printer spooler picks up (written by the worker, never by the UI).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

use crate::api::Quantity;
use crate::outcome::{Outcome, Status};

/// Columns of a till-roll printer.
pub const WIDTH: usize = 40;

/// Who issued the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub store: String,
    pub till_id: String,
    pub currency: String,
}

/// The receipt for an approved outcome, or `None`: nothing else deserves one (a declined or
/// unknown outcome on paper would read like a sale).
pub fn text(issuer: &Issuer, at: OffsetDateTime, outcome: &Outcome) -> Option<String> {
    if outcome.status != Status::Approved {
        return None;
    }
    let when = at
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_default();
    let rule = "-".repeat(WIDTH);
    let mut lines = vec![
        centered(&issuer.store),
        centered(&format!("till {}", issuer.till_id)),
        centered(&when),
        rule.clone(),
        centered(&outcome.operation.label().to_uppercase()),
        pair("Card", &outcome.account_id),
    ];
    if let Some(amount) = &outcome.amount {
        let quantity = match outcome.operation.quantity() {
            Quantity::Points => Some(format!("{amount} pts")),
            Quantity::Money => Some(format!("{} {amount}", issuer.currency)),
            Quantity::None => None,
        };
        if let Some(q) = quantity {
            lines.push(pair(quantity_label(outcome), &q));
        }
    }
    for balance in &outcome.balances {
        let label = if balance.is_points() {
            "Points balance"
        } else {
            "New balance"
        };
        lines.push(pair(label, &balance.display()));
    }
    lines.push(rule.clone());
    if let Some(no) = &outcome.tran_order_no {
        lines.push("tranOrderNo".to_owned());
        lines.push(format!("  {no}"));
    }
    if let Some(id) = &outcome.checkout_id {
        lines.push(pair("checkoutId", id));
    }
    lines.push(rule);
    lines.push(centered("APPROVED"));
    let mut text = lines.join("\n");
    text.push('\n');
    Some(text)
}

fn quantity_label(outcome: &Outcome) -> &'static str {
    use crate::api::Operation::*;
    match outcome.operation {
        IssuePoints => "Points issued",
        RedeemPoints => "Points redeemed",
        TopUp => "Topped up",
        Pay => "Paid",
        Tip => "Tip",
        Balance | Activate | Void => "Amount",
    }
}

fn centered(text: &str) -> String {
    let len = text.chars().count();
    if len >= WIDTH {
        return text.to_owned();
    }
    format!("{}{text}", " ".repeat((WIDTH - len) / 2))
}

fn pair(label: &str, value: &str) -> String {
    let used = label.chars().count() + value.chars().count();
    if used + 1 > WIDTH {
        return format!("{label} {value}");
    }
    format!("{label}{}{value}", " ".repeat(WIDTH - used))
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
