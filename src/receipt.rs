//! Receipts for approved operations: the text (pure, shown on screen and in tests) and the
//! file a printer spooler picks up (written by the worker, never by the UI).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::macros::format_description;

use crate::api::{Operation, Quantity};
use crate::config::Mode;
use crate::money::{Amount, Currency, WireDecimal};
use crate::outcome::{HistoryEntry, Outcome, Status};

/// Columns of a till-roll printer.
pub const WIDTH: usize = 40;

/// Who issued the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub store: String,
    pub till_id: String,
    pub currency: String,
}

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

/// The words every training or test screen and receipt carries.
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

/// The receipt for an approved outcome, or `None`: nothing else deserves one (a declined or
/// unknown outcome on paper would read like a sale).
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
    ];
    let not_real = not_real(marks.mode);
    if let Some(words) = not_real {
        lines.push(centered(words));
    }
    if marks.copy {
        lines.push(centered("*** COPY ***"));
    }
    lines.push(rule.clone());
    lines.push(centered(&outcome.operation.label().to_uppercase()));
    if let Some(sale) = marks.reverses {
        lines.push(pair(
            "Reverses",
            &format!("{} {}", sale.operation.label(), sale.quantity),
        ));
    }
    lines.push(pair("Card", &outcome.account_id));
    if let Some(sale) = marks.reverses {
        let sale_at = sale
            .at
            .format(format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second]"
            ))
            .unwrap_or_default();
        lines.push(pair("Sale time", &sale_at));
        if let Some(id) = &sale.checkout_id {
            lines.push(pair("Sale checkoutId", id));
        }
    }
    let partial = shortfall(outcome, &issuer.currency);
    if let Some(amount) = &outcome.amount {
        let quantity = match (outcome.operation.quantity(), &partial) {
            (Quantity::Money, Some(p)) => {
                Some(format!("{} {} of {}", issuer.currency, p.taken, p.asked))
            }
            (Quantity::Points, _) => Some(format!("{amount} pts")),
            (Quantity::Money, None) => Some(format!("{} {amount}", issuer.currency)),
            (Quantity::None, _) => None,
        };
        if let Some(q) = quantity {
            lines.push(pair(quantity_label(outcome), &q));
        }
    }
    if let Some(p) = &partial {
        lines.push(pair(
            "Still to pay (other way)",
            &format!("{} {}", issuer.currency, p.short),
        ));
    }
    for balance in &outcome.balances {
        let label = match (balance.is_points(), outcome.operation) {
            (true, _) => "Points balance",
            (false, Operation::Balance) => "Balance",
            (false, _) => "New balance",
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
    lines.push(centered(match (outcome.operation, &partial) {
        (Operation::Balance, _) => "BALANCE",
        (_, Some(_)) => "APPROVED FOR LESS",
        _ => "APPROVED",
    }));
    if let Some(words) = not_real {
        lines.push(centered(words));
    }
    if marks.copy {
        lines.push(centered("*** COPY ***"));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Some(text)
}

fn quantity_label(outcome: &Outcome) -> &'static str {
    use Operation::*;
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
            match words {
                Some(w) => assert_eq!(first.matches(w).count(), 2, "{first}"),
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
        assert!(text.contains("APPROVED FOR LESS"), "{text}");
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
