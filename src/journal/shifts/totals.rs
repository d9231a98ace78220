//! X and Z totals: a pure function of the shift's rows, so the screen, `shift x`, and the
//! Z report journaled at the close all count alike.
//!
//! Counts go by each row's state now. What moved counts approved rows only: a sale voided
//! since is in `voided`, not in `loaded` or `taken`. The stored-value liability is money
//! loaded onto cards minus money taken from them, points issued minus points redeemed; a
//! sale voided within the shift counts for nothing, and a void of a sale from an earlier
//! shift takes that sale's effect back out.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::Operation;
use crate::journal::report::{Money, totals};
use crate::journal::{MoneyTotal, Row};
use crate::outcome::RowState;

/// Counts by state, and what approved rows moved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    pub transactions: u64,
    pub approved: u64,
    pub declined: u64,
    /// Refused before anything could move (bad signature, HTTP 4xx, never sent).
    pub rejected: u64,
    /// Outcome not known (`sending`, `unknown`): `recover` settles them.
    pub unknown: u64,
    pub abandoned: u64,
    /// Approved, then reversed by a void.
    pub voided: u64,
    /// Money put onto cards (approved top-ups), per currency.
    pub loaded: Vec<MoneyTotal>,
    /// Money taken from cards (approved payments and tips), per currency.
    pub taken: Vec<MoneyTotal>,
    pub points_issued: u64,
    pub points_redeemed: u64,
}

/// One cashier's rows (`cashier: None`: rows from before the till had staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CashierTally {
    pub cashier: Option<String>,
    /// The staff member's name, where the journal knows it.
    pub name: Option<String>,
    pub totals: Tally,
}

/// One operation's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationTally {
    pub operation: Operation,
    pub totals: Tally,
}

/// What the cards hold more (positive) or less because of this shift.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Liability {
    /// Money loaded minus money taken, per currency.
    pub money: Vec<MoneyTotal>,
    /// Points issued minus points redeemed.
    pub points: i64,
    /// Approved voids in this shift of sales from earlier shifts, taken back out here.
    pub earlier_sales_voided: u64,
    /// Approved voids of sales this journal does not have (another till's): what they
    /// reversed is not known here, so it is not in the figures.
    pub voids_not_counted: u64,
}

/// The X (mid-shift) or Z (close) figures of one shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftTotals {
    /// The shift's number: the Z number it closes (or will close) as.
    pub shift: u64,
    /// The first and last journal rows in it; `None` while it has none.
    pub first_row: Option<i64>,
    pub last_row: Option<i64>,
    /// When its first row was journaled: the shift opened then.
    #[serde(with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    pub totals: Tally,
    pub by_cashier: Vec<CashierTally>,
    pub by_operation: Vec<OperationTally>,
    pub liability: Liability,
}

/// A tally being added up: money kept as maps until the end.
#[derive(Default)]
struct Acc {
    tally: Tally,
    loaded: Money,
    taken: Money,
}

impl Acc {
    fn add(&mut self, row: &Row) {
        let t = &mut self.tally;
        t.transactions += 1;
        match row.state {
            RowState::Approved => t.approved += 1,
            RowState::Declined => t.declined += 1,
            RowState::Rejected => t.rejected += 1,
            RowState::Sending | RowState::Unknown => t.unknown += 1,
            RowState::Abandoned => t.abandoned += 1,
            RowState::Voided => t.voided += 1,
        }
        if row.state != RowState::Approved {
            return;
        }
        let money = row.amount_minor.unwrap_or(0);
        let points = row.points.unwrap_or(0);
        match row.operation {
            Operation::TopUp => *self.loaded.entry(row.currency.clone()).or_default() += money,
            Operation::Pay | Operation::Tip => {
                *self.taken.entry(row.currency.clone()).or_default() += money;
            }
            Operation::IssuePoints => t.points_issued += points,
            Operation::RedeemPoints => t.points_redeemed += points,
            Operation::Balance | Operation::Activate | Operation::Void => {}
        }
    }

    fn done(mut self) -> Tally {
        self.tally.loaded = totals(&self.loaded);
        self.tally.taken = totals(&self.taken);
        self.tally
    }
}

/// What an approved sale did to the cards: money per currency, points.
fn effect(row: &Row) -> Option<(Option<(&str, i64)>, i64)> {
    let money = row.amount_minor.unwrap_or(0);
    let points = i64::try_from(row.points.unwrap_or(0)).unwrap_or(i64::MAX);
    let currency = row.currency.as_str();
    match row.operation {
        Operation::TopUp => Some((Some((currency, money)), 0)),
        Operation::Pay | Operation::Tip => Some((Some((currency, -money)), 0)),
        Operation::IssuePoints => Some((None, points)),
        Operation::RedeemPoints => Some((None, -points)),
        Operation::Balance | Operation::Activate | Operation::Void => None,
    }
}

/// The totals of shift number `shift` from its rows (oldest first) and `earlier`: the rows
/// from before the shift that its approved voids reversed. Pure: the same rows give the
/// same figures on the screen, in `shift x` and in the Z report.
pub fn shift_totals(shift: u64, rows: &[Row], earlier: &[Row]) -> ShiftTotals {
    let mut all = Acc::default();
    let mut by_cashier: BTreeMap<Option<String>, Acc> = BTreeMap::new();
    let mut by_operation: BTreeMap<usize, Acc> = BTreeMap::new();
    let mut liability = Liability::default();
    let mut net_money = Money::new();
    let mut net_points: i64 = 0;
    let in_shift: HashSet<i64> = rows.iter().map(|r| r.id).collect();
    for row in rows {
        all.add(row);
        by_cashier.entry(row.cashier.clone()).or_default().add(row);
        let op_index = Operation::ALL
            .iter()
            .position(|o| *o == row.operation)
            .unwrap_or(Operation::ALL.len());
        by_operation.entry(op_index).or_default().add(row);
        if row.state != RowState::Approved {
            continue;
        }
        if let Some((money, points)) = effect(row) {
            if let Some((currency, minor)) = money {
                *net_money.entry(currency.to_owned()).or_default() += minor;
            }
            net_points += points;
        } else if row.operation == Operation::Void {
            // A sale voided within the shift already counts for nothing (it reads
            // `voided`); one from an earlier shift is taken back out here.
            match row.void_of {
                Some(id) if in_shift.contains(&id) => {}
                Some(id) => match earlier.iter().find(|r| r.id == id).and_then(effect) {
                    Some((money, points)) => {
                        if let Some((currency, minor)) = money {
                            *net_money.entry(currency.to_owned()).or_default() -= minor;
                        }
                        net_points -= points;
                        liability.earlier_sales_voided += 1;
                    }
                    None => liability.voids_not_counted += 1,
                },
                None => liability.voids_not_counted += 1,
            }
        }
    }
    liability.money = totals(&net_money);
    liability.points = net_points;
    ShiftTotals {
        shift,
        first_row: rows.first().map(|r| r.id),
        last_row: rows.last().map(|r| r.id),
        opened_at: rows.first().map(|r| r.created_at),
        totals: all.done(),
        by_cashier: by_cashier
            .into_iter()
            .map(|(cashier, acc)| CashierTally {
                cashier,
                name: None,
                totals: acc.done(),
            })
            .collect(),
        by_operation: by_operation
            .into_iter()
            .filter_map(|(i, acc)| {
                Operation::ALL.get(i).map(|&operation| OperationTally {
                    operation,
                    totals: acc.done(),
                })
            })
            .collect(),
        liability,
    }
}

#[cfg(test)]
mod tests;
