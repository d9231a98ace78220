//! Shift totals: per operation and state, plus the headline figures a manager asks for.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rusqlite::Connection;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use super::JournalError;
use super::row::{money_decimal, money_display, to_ms};
use crate::api::Operation;
use crate::outcome::RowState;

/// An amount of one currency. `minor` is exact (cents); `amount` is the same as a decimal
/// string, so a script never has to guess the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyTotal {
    pub currency: String,
    pub minor: i64,
    pub amount: String,
}

/// One operation in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportLine {
    pub operation: Operation,
    pub state: RowState,
    pub count: u64,
    /// Per currency, sorted by code; empty for points and balance operations.
    pub money: Vec<MoneyTotal>,
    pub points: u64,
}

/// What moved, counting only approved rows: a voided original is in `voided`, not in
/// `paid` or `topped_up`; an open row is in `open_*`, never in the approved totals.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Headline {
    pub transactions: u64,
    pub points_issued: u64,
    pub points_redeemed: u64,
    pub topped_up: Vec<MoneyTotal>,
    pub paid: Vec<MoneyTotal>,
    pub tipped: Vec<MoneyTotal>,
    /// Originals reversed by an approved void.
    pub voided: Vec<MoneyTotal>,
    pub voided_points: u64,
    /// Rows whose outcome is not known (`sending`, `unknown`): run `recover`.
    pub open: u64,
    pub open_money: Vec<MoneyTotal>,
    pub open_points: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub lines: Vec<ReportLine>,
    pub headline: Headline,
}

/// The report window for the days `first..=last` in the till's local time: from the first
/// day's midnight to the midnight after the last.
pub fn days(first: Date, last: Date, offset: UtcOffset) -> (OffsetDateTime, OffsetDateTime) {
    let start = first.with_time(Time::MIDNIGHT).assume_offset(offset);
    let end = last
        .next_day()
        .unwrap_or(last)
        .with_time(Time::MIDNIGHT)
        .assume_offset(offset);
    (start, end)
}

pub(crate) type Money = BTreeMap<String, i64>;

/// The non-zero amounts of `money`, by currency code.
pub(crate) fn totals(money: &Money) -> Vec<MoneyTotal> {
    money
        .iter()
        .filter(|(_, minor)| **minor != 0)
        .map(|(currency, &minor)| MoneyTotal {
            currency: currency.clone(),
            minor,
            amount: money_decimal(currency, minor),
        })
        .collect()
}

fn add(into: &mut Money, other: &Money) {
    for (currency, minor) in other {
        *into.entry(currency.clone()).or_default() += minor;
    }
}

#[derive(Default)]
struct Acc {
    count: u64,
    money: Money,
    points: u64,
}

/// One `GROUP BY operation, state, currency` line, from the till's journal or the store's
/// central database: both reports are assembled by [`assemble`], so they cannot differ in
/// what they count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub operation: String,
    pub state: String,
    pub currency: String,
    pub count: i64,
    pub money: Option<i64>,
    pub points: Option<i64>,
}

pub(crate) fn build(
    conn: &Connection,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Report, JournalError> {
    let mut stmt = conn.prepare(
        "SELECT operation, state, currency, count(*), sum(amount_minor), sum(points)
         FROM entries WHERE created_at >= ?1 AND created_at < ?2
         GROUP BY operation, state, currency",
    )?;
    let groups = stmt
        .query_map([to_ms(from), to_ms(to)], |r| {
            Ok(Group {
                operation: r.get(0)?,
                state: r.get(1)?,
                currency: r.get(2)?,
                count: r.get(3)?,
                money: r.get(4)?,
                points: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(assemble(from, to, groups))
}

/// Totals from grouped rows: the headline counts approved rows only, open rows apart.
pub fn assemble(
    from: OffsetDateTime,
    to: OffsetDateTime,
    groups: impl IntoIterator<Item = Group>,
) -> Report {
    let mut acc: BTreeMap<(usize, usize), Acc> = BTreeMap::new();
    for g in groups {
        // Order lines the way the cashier sees operations and states, not alphabetically.
        let (Some(op_i), Some(state_i)) = (
            Operation::ALL
                .iter()
                .position(|o| o.cli_name() == g.operation),
            RowState::ALL.iter().position(|s| s.as_str() == g.state),
        ) else {
            continue; // a value from a newer build; the schema CHECK keeps states known
        };
        let a = acc.entry((op_i, state_i)).or_default();
        a.count += u64::try_from(g.count).unwrap_or(0);
        if let Some(m) = g.money {
            *a.money.entry(g.currency).or_default() += m;
        }
        a.points += g.points.and_then(|p| u64::try_from(p).ok()).unwrap_or(0);
    }

    let mut headline = Headline::default();
    let (mut topped_up, mut paid, mut tipped, mut voided, mut open_money) = (
        Money::new(),
        Money::new(),
        Money::new(),
        Money::new(),
        Money::new(),
    );
    let mut lines = Vec::new();
    for ((op_i, state_i), a) in acc {
        let (operation, state) = (Operation::ALL[op_i], RowState::ALL[state_i]);
        headline.transactions += a.count;
        match (operation, state) {
            (Operation::IssuePoints, RowState::Approved) => headline.points_issued += a.points,
            (Operation::RedeemPoints, RowState::Approved) => headline.points_redeemed += a.points,
            (Operation::TopUp, RowState::Approved) => add(&mut topped_up, &a.money),
            (Operation::Pay, RowState::Approved) => add(&mut paid, &a.money),
            (Operation::Tip, RowState::Approved) => add(&mut tipped, &a.money),
            (_, RowState::Voided) => {
                add(&mut voided, &a.money);
                headline.voided_points += a.points;
            }
            (_, s) if s.is_open() => {
                headline.open += a.count;
                add(&mut open_money, &a.money);
                headline.open_points += a.points;
            }
            _ => {}
        }
        lines.push(ReportLine {
            operation,
            state,
            count: a.count,
            money: totals(&a.money),
            points: a.points,
        });
    }
    headline.topped_up = totals(&topped_up);
    headline.paid = totals(&paid);
    headline.tipped = totals(&tipped);
    headline.voided = totals(&voided);
    headline.open_money = totals(&open_money);
    Report {
        from,
        to,
        lines,
        headline,
    }
}

fn money_text(money: &[MoneyTotal]) -> String {
    money
        .iter()
        .map(|m| money_display(&m.currency, m.minor))
        .collect::<Vec<_>>()
        .join(", ")
}

fn or_none(s: String) -> String {
    if s.is_empty() { "-".into() } else { s }
}

impl Report {
    /// An aligned table for the terminal, headline first.
    pub fn render_text(&self) -> String {
        let when = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string());
        let h = &self.headline;
        let mut out = String::new();
        let _ = writeln!(out, "Report {} to {}", when(self.from), when(self.to));
        let _ = writeln!(out);
        let headline = [
            ("Transactions", h.transactions.to_string()),
            ("Points issued", h.points_issued.to_string()),
            ("Points redeemed", h.points_redeemed.to_string()),
            ("Topped up", or_none(money_text(&h.topped_up))),
            ("Paid", or_none(money_text(&h.paid))),
            ("Tipped", or_none(money_text(&h.tipped))),
            ("Voided", {
                let mut v = money_text(&h.voided);
                if h.voided_points > 0 {
                    if !v.is_empty() {
                        v.push_str(", ");
                    }
                    let _ = write!(v, "{} pts", h.voided_points);
                }
                or_none(v)
            }),
            ("Outcome unknown", h.open.to_string()),
        ];
        for (label, value) in headline {
            let _ = writeln!(out, "  {label:<16} {value}");
        }
        if h.open > 0 {
            let _ = writeln!(
                out,
                "  ! {} transaction(s) with unknown outcome: run `paywizard-till recover`",
                h.open
            );
        }
        if self.lines.is_empty() {
            let _ = writeln!(out, "\nNo transactions in this period.");
            return out;
        }
        let rows: Vec<[String; 5]> = self
            .lines
            .iter()
            .map(|l| {
                [
                    l.operation.label().to_owned(),
                    l.state.as_str().to_owned(),
                    l.count.to_string(),
                    money_text(&l.money),
                    if l.points > 0 {
                        format!("{} pts", l.points)
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        let header = ["Operation", "State", "Count", "Money", "Points"];
        let mut widths = header.map(str::len);
        for r in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let _ = writeln!(out);
        let line = |out: &mut String, cells: [&str; 5]| {
            let [op, state, count, money, points] = cells;
            let text = format!(
                "  {op:<w0$}  {state:<w1$}  {count:>w2$}  {money:>w3$}  {points:>w4$}",
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4],
            );
            let _ = writeln!(out, "{}", text.trim_end());
        };
        line(&mut out, header);
        for r in &rows {
            line(&mut out, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
        }
        out
    }
}
