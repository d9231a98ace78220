//! A journal row as the rest of the till sees it, and how it is read back from SQLite.

use std::str::FromStr;

use rusqlite::types::Type;
use time::{OffsetDateTime, UtcOffset};

use crate::api::{EntryType, Operation};
use crate::money::{Amount, Currency};
use crate::outcome::{HistoryEntry, RowState};

/// One journaled request. Every field a person can see holds the masked card number; the
/// full number exists only inside `body`, the exact signed bytes a retry must resend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    /// The till that journaled it (a till id can change with the config).
    pub till_id: String,
    pub operation: Operation,
    pub tran_order_no: Option<String>,
    /// `**** **** 3456`, or empty for a void (no card on the wire).
    pub account_masked: String,
    pub entry_type: EntryType,
    /// What moved: for an approved partial payment, what PayWizard took; for a void, the
    /// amount of the sale it reverses.
    pub amount_minor: Option<i64>,
    /// What was asked, on an approved partial payment only (it took less).
    pub requested_minor: Option<i64>,
    pub points: Option<u64>,
    pub currency: String,
    pub state: RowState,
    pub code: Option<i64>,
    pub msg: String,
    pub checkout_id: Option<String>,
    pub trans_index_code: Option<String>,
    pub original_checkout_id: Option<String>,
    /// On a voided original: the void's row.
    pub voided_by: Option<i64>,
    /// On a void: the original's row.
    pub void_of: Option<i64>,
    pub abandon_reason: Option<String>,
    /// The staff id of who ran it; `None` on rows from before the till had staff.
    pub cashier: Option<String>,
    /// The manager who approved it, where one had to (a void, an amount over
    /// `manager_over`); the cashier's own id when the cashier is a manager.
    pub approved_by: Option<String>,
    /// The manager who abandoned it (an open row given up on by hand).
    pub abandoned_by: Option<String>,
    /// The exact signed request bytes while the row is open (a resend repeats them); once
    /// settled, the same bytes with the card number masked, except an approved payment
    /// within the tip window. Empty on rows read for history, which never needs them.
    pub body: Vec<u8>,
}

impl Row {
    /// For people: `25 pts`, `USD 10.50`, or empty.
    pub fn quantity_display(&self) -> String {
        match (self.points, self.amount_minor) {
            (Some(p), _) => format!("{p} pts"),
            (None, Some(minor)) => money_display(&self.currency, minor),
            (None, None) => String::new(),
        }
    }

    /// The amount as a decimal string (`10.50`), as a spreadsheet wants it.
    pub fn amount_decimal(&self) -> Option<String> {
        self.amount_minor.map(|m| money_decimal(&self.currency, m))
    }

    /// What a partial approval was asked for, as a decimal string (`7.00`).
    pub fn requested_decimal(&self) -> Option<String> {
        self.requested_minor
            .map(|m| money_decimal(&self.currency, m))
    }

    pub fn to_history(&self, offset: UtcOffset) -> HistoryEntry {
        HistoryEntry {
            id: self.id,
            at: self.created_at.to_offset(offset),
            operation: self.operation,
            tran_order_no: self.tran_order_no.clone(),
            account_id: self.account_masked.clone(),
            entry_type: self.entry_type,
            quantity: self.quantity_display(),
            requested_amount: self.requested_decimal(),
            state: self.state,
            checkout_id: self.checkout_id.clone(),
            msg: self.msg.clone(),
            cashier: self.cashier.clone(),
            approved_by: self.approved_by.clone(),
        }
    }
}

/// `10.50` with the currency's decimals; unknown codes get two, like most currencies.
pub(crate) fn money_decimal(currency: &str, minor: i64) -> String {
    let cur = Currency::new(currency).unwrap_or_else(|_| Currency::usd());
    let wire = Amount::from_minor(minor.abs()).to_wire(&cur);
    if minor < 0 { format!("-{wire}") } else { wire }
}

/// `USD 10.50`.
pub(crate) fn money_display(currency: &str, minor: i64) -> String {
    format!("{currency} {}", money_decimal(currency, minor))
}

pub(crate) fn to_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(crate) fn from_ms(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// Columns in the order [`read`] expects; `body` comes last so history can leave it out.
macro_rules! columns {
    () => {
        "id, created_at, finished_at, till_id, operation, tran_order_no, account_masked, \
         entry_type, amount_minor, points, currency, state, code, msg, checkout_id, \
         trans_index_code, original_checkout_id, voided_by, void_of, abandon_reason, \
         requested_minor, cashier, approved_by, abandoned_by"
    };
}
pub(crate) const COLUMNS: &str = columns!();
pub(crate) const COLUMNS_WITH_BODY: &str = concat!(columns!(), ", body");

fn bad(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, what.into())
}

fn time_col(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<OffsetDateTime>> {
    match r.get::<_, Option<i64>>(idx)? {
        None => Ok(None),
        Some(ms) => from_ms(ms)
            .map(Some)
            .ok_or_else(|| bad(idx, format!("time out of range: {ms}"))),
    }
}

/// Reads a row selected with [`COLUMNS`] (`with_body = false`) or [`COLUMNS_WITH_BODY`].
pub(crate) fn read(r: &rusqlite::Row<'_>, with_body: bool) -> rusqlite::Result<Row> {
    read_at(r, 0, with_body)
}

/// [`read`] for a select whose row columns start at index `base` (after others).
pub(crate) fn read_at(
    r: &rusqlite::Row<'_>,
    base: usize,
    with_body: bool,
) -> rusqlite::Result<Row> {
    let op: String = r.get(base + 4)?;
    let entry: String = r.get(base + 7)?;
    let state: String = r.get(base + 11)?;
    let points: Option<i64> = r.get(base + 9)?;
    Ok(Row {
        id: r.get(base)?,
        created_at: time_col(r, base + 1)?.ok_or_else(|| bad(base + 1, "no created_at".into()))?,
        finished_at: time_col(r, base + 2)?,
        till_id: r.get(base + 3)?,
        operation: Operation::from_cli_name(&op)
            .ok_or_else(|| bad(base + 4, format!("unknown operation {op:?}")))?,
        tran_order_no: r.get(base + 5)?,
        account_masked: r.get(base + 6)?,
        entry_type: EntryType::from_str(&entry).map_err(|e| bad(base + 7, e))?,
        amount_minor: r.get(base + 8)?,
        points: points
            .map(|p| u64::try_from(p).map_err(|_| bad(base + 9, format!("negative points {p}"))))
            .transpose()?,
        currency: r.get(base + 10)?,
        state: RowState::parse(&state)
            .ok_or_else(|| bad(base + 11, format!("unknown state {state:?}")))?,
        code: r.get(base + 12)?,
        msg: r.get(base + 13)?,
        checkout_id: r.get(base + 14)?,
        trans_index_code: r.get(base + 15)?,
        original_checkout_id: r.get(base + 16)?,
        voided_by: r.get(base + 17)?,
        void_of: r.get(base + 18)?,
        abandon_reason: r.get(base + 19)?,
        requested_minor: r.get(base + 20)?,
        cashier: r.get(base + 21)?,
        approved_by: r.get(base + 22)?,
        abandoned_by: r.get(base + 23)?,
        body: if with_body {
            r.get(base + 24)?
        } else {
            Vec::new()
        },
    })
}
