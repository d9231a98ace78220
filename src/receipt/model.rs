//! The receipt as one value. The screen, the file and the paper are all drawn from it, so
//! they cannot say different things; the print queue stores it (as JSON) to print later.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use crate::api::{Operation, Quantity, ResponseData, mask_account};
use crate::journal::Row;
use crate::money::{Amount, Currency};
use crate::outcome::{Outcome, RowState, Status};

/// Who issued the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub store: String,
    pub till_id: String,
    pub currency: String,
}

/// A card number as a receipt may carry it. However it is built (from an outcome, a journal
/// row or a queued receipt read back), a value with more than four digits is masked, so a
/// full card number can never reach paper, a file or the print queue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct MaskedCard(String);

impl MaskedCard {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for MaskedCard {
    fn from(text: String) -> Self {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if digits > 4 {
            let only_digits: String = text.chars().filter(char::is_ascii_digit).collect();
            MaskedCard(mask_account(&only_digits))
        } else {
            MaskedCard(text)
        }
    }
}

impl From<&str> for MaskedCard {
    fn from(text: &str) -> Self {
        MaskedCard::from(text.to_owned())
    }
}

impl From<MaskedCard> for String {
    fn from(card: MaskedCard) -> String {
        card.0
    }
}

/// What moved: points, or money in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "unit")]
pub enum Unit {
    Points,
    Money { currency: String },
}

/// The amount or points of the operation. `requested` is set on a partial approval: the
/// card paid `amount` of the `requested` total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Moved {
    #[serde(flatten)]
    pub unit: Unit,
    pub amount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<String>,
}

impl Moved {
    /// `USD 5.00 of 7.00`, `25 pts`.
    pub fn display(&self) -> String {
        let of = self
            .requested
            .as_deref()
            .map(|r| format!(" of {r}"))
            .unwrap_or_default();
        match &self.unit {
            Unit::Points => format!("{} pts{of}", self.amount),
            Unit::Money { currency } => format!("{currency} {}{of}", self.amount),
        }
    }

    /// On a partial payment, what is still to collect another way: `USD 2.00`.
    pub fn short(&self) -> Option<String> {
        let Unit::Money { currency } = &self.unit else {
            return None;
        };
        let code = Currency::new(currency).ok()?;
        let minor = |s: &str| crate::money::WireDecimal::new(s)?.to_minor(code.decimals());
        let short = minor(self.requested.as_deref()?)?.checked_sub(minor(&self.amount)?)?;
        (short > 0).then(|| format!("{currency} {}", Amount::from_minor(short).to_wire(&code)))
    }
}

/// One of the card's balances after the operation, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceLine {
    pub points: bool,
    /// `USD 39.50`, `145 pts`.
    pub value: String,
}

/// Everything a receipt says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub store: String,
    pub till_id: String,
    /// Who served; `None` until the till has cashiers.
    #[serde(default)]
    pub cashier: Option<String>,
    /// When the operation was journaled, in the till's local offset.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub operation: Operation,
    /// Masked; empty for a void (no card on the wire).
    pub card: MaskedCard,
    pub moved: Option<Moved>,
    pub balances: Vec<BalanceLine>,
    pub tran_order_no: Option<String>,
    pub checkout_id: Option<String>,
    /// Demo and sandbox: nothing real moved, and the paper must say so.
    pub training: bool,
    /// A reprint: it must never pass for the original.
    pub copy: bool,
    /// On a void: the sale it reverses.
    #[serde(default)]
    pub reverses: Option<Reversed>,
}

/// The sale a void reverses, as the void's receipt names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reversed {
    pub operation: Operation,
    /// `USD 12.50`, `25 pts`.
    pub quantity: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub checkout_id: Option<String>,
}

/// Why a journal row has no receipt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("it is {0}; only approved operations have receipts")]
pub struct NoReceipt(pub RowState);

impl Receipt {
    /// The receipt of an approved outcome, or `None`: nothing else deserves one (a declined
    /// or unknown outcome on paper would read like a sale).
    pub fn approved(issuer: &Issuer, at: OffsetDateTime, outcome: &Outcome) -> Option<Receipt> {
        if outcome.status != Status::Approved {
            return None;
        }
        let moved = outcome.amount.as_ref().and_then(|amount| {
            let unit = unit_of(outcome.operation, &issuer.currency)?;
            Some(Moved {
                unit,
                amount: amount.clone(),
                requested: outcome
                    .requested_amount
                    .clone()
                    .filter(|_| outcome.is_partial()),
            })
        });
        Some(Receipt {
            store: issuer.store.clone(),
            till_id: issuer.till_id.clone(),
            cashier: None,
            at,
            operation: outcome.operation,
            card: MaskedCard::from(outcome.account_id.as_str()),
            moved,
            balances: balance_lines(&outcome.balances),
            tran_order_no: outcome.tran_order_no.clone(),
            checkout_id: outcome.checkout_id.clone(),
            training: false,
            copy: false,
            reverses: None,
        })
    }

    /// The receipt of a journal row, rebuilt from the row and PayWizard's recorded answer
    /// (which holds what a partial payment actually took and the balances it reported).
    pub fn from_journal(
        store: &str,
        row: &Row,
        answer: Option<&ResponseData>,
        offset: UtcOffset,
    ) -> Result<Receipt, NoReceipt> {
        if row.state != RowState::Approved {
            return Err(NoReceipt(row.state));
        }
        // A void's row carries the amount (or points) of the sale it reversed.
        let unit = match (row.operation, row.points) {
            (Operation::Void, Some(_)) => Some(Unit::Points),
            (Operation::Void, None) => row.amount_minor.map(|_| Unit::Money {
                currency: row.currency.clone(),
            }),
            (op, _) => unit_of(op, &row.currency),
        };
        let moved = match (unit, row.points) {
            (Some(Unit::Points), Some(points)) => Some(Moved {
                unit: Unit::Points,
                amount: points.to_string(),
                requested: None,
            }),
            (Some(unit @ Unit::Money { .. }), _) => row.amount_minor.map(|taken| {
                let currency = Currency::new(&row.currency).unwrap_or_else(|_| Currency::usd());
                let wire = |minor: i64| Amount::from_minor(minor).to_wire(&currency);
                // `amount_minor` is what moved; `requested_minor` is set only when a
                // partial payment took less than was asked.
                Moved {
                    unit,
                    amount: wire(taken),
                    requested: row
                        .requested_minor
                        .filter(|&asked| asked != taken)
                        .map(wire),
                }
            }),
            _ => None,
        };
        let balances = answer
            .and_then(|a| a.balances.as_deref())
            .map(balance_lines)
            .unwrap_or_default();
        Ok(Receipt {
            store: store.to_owned(),
            till_id: row.till_id.clone(),
            cashier: row.cashier.clone(),
            at: row.created_at.to_offset(offset),
            operation: row.operation,
            card: MaskedCard::from(row.account_masked.as_str()),
            moved,
            balances,
            tran_order_no: row.tran_order_no.clone(),
            checkout_id: row.checkout_id.clone(),
            training: false,
            copy: false,
            reverses: None,
        })
    }

    /// Marks it as a demo or sandbox receipt.
    pub fn training(mut self, training: bool) -> Receipt {
        self.training = training;
        self
    }

    /// Marks it as a reprint.
    pub fn copy(mut self) -> Receipt {
        self.copy = true;
        self
    }

    /// Approved for less than was asked.
    pub fn is_partial(&self) -> bool {
        self.moved.as_ref().is_some_and(|m| m.requested.is_some())
    }

    /// What the cashier and the queue call it: its tranOrderNo, else its checkoutId.
    pub fn reference(&self) -> Option<&str> {
        self.tran_order_no
            .as_deref()
            .or(self.checkout_id.as_deref())
    }
}

fn unit_of(op: Operation, currency: &str) -> Option<Unit> {
    match op.quantity() {
        Quantity::Points => Some(Unit::Points),
        Quantity::Money => Some(Unit::Money {
            currency: currency.to_owned(),
        }),
        Quantity::None => None,
    }
}

fn balance_lines(balances: &[crate::api::Balance]) -> Vec<BalanceLine> {
    balances
        .iter()
        .map(|b| BalanceLine {
            points: b.is_points(),
            value: b.display(),
        })
        .collect()
}

/// The label of the amount line, in the operation's own words.
pub fn moved_label(op: Operation) -> &'static str {
    match op {
        Operation::IssuePoints => "Points issued",
        Operation::RedeemPoints => "Points redeemed",
        Operation::TopUp => "Topped up",
        Operation::Pay => "Paid",
        Operation::Tip => "Tip",
        Operation::Void => "Reversed",
        Operation::Balance | Operation::Activate => "Amount",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_card_number_is_masked_however_it_arrives() {
        for full in [
            "6274000000000014",
            "6274 0000 0000 0014",
            "x6274000000000014y",
        ] {
            assert_eq!(MaskedCard::from(full).as_str(), "**** **** 0014", "{full}");
        }
        assert_eq!(
            MaskedCard::from("**** **** 0014").as_str(),
            "**** **** 0014"
        );
        assert_eq!(MaskedCard::from("").as_str(), "");
        let json = r#""6274000000000014""#;
        let read: MaskedCard = serde_json::from_str(json).unwrap();
        assert_eq!(read.as_str(), "**** **** 0014");
    }

    #[test]
    fn a_partial_payment_reads_what_was_taken_of_what_was_asked() {
        let moved = Moved {
            unit: Unit::Money {
                currency: "USD".into(),
            },
            amount: "5.00".into(),
            requested: Some("7.00".into()),
        };
        assert_eq!(moved.display(), "USD 5.00 of 7.00");
        let points = Moved {
            unit: Unit::Points,
            amount: "25".into(),
            requested: None,
        };
        assert_eq!(points.display(), "25 pts");
    }
}
