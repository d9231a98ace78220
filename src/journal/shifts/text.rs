//! X and Z reports as text for the terminal.

use std::fmt::Write as _;

use time::{OffsetDateTime, UtcOffset};

use super::{ShiftTotals, Tally, ZReport};
use crate::journal::MoneyTotal;
use crate::journal::row::money_display;

fn when(t: OffsetDateTime, offset: UtcOffset) -> String {
    t.to_offset(offset)
        .format(&time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second]"
        ))
        .unwrap_or_else(|_| t.to_string())
}

fn money(list: &[MoneyTotal]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    list.iter()
        .map(|m| money_display(&m.currency, m.minor))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `12 (approved 9, declined 1, unknown 2)`: the states that have rows.
fn counts(t: &Tally) -> String {
    let parts: Vec<String> = [
        ("approved", t.approved),
        ("declined", t.declined),
        ("rejected", t.rejected),
        ("unknown", t.unknown),
        ("abandoned", t.abandoned),
        ("voided", t.voided),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(what, n)| format!("{what} {n}"))
    .collect();
    if parts.is_empty() {
        t.transactions.to_string()
    } else {
        format!("{} ({})", t.transactions, parts.join(", "))
    }
}

fn moved(t: &Tally) -> String {
    let mut parts = Vec::new();
    if !t.loaded.is_empty() {
        parts.push(format!("loaded {}", money(&t.loaded)));
    }
    if !t.taken.is_empty() {
        parts.push(format!("taken {}", money(&t.taken)));
    }
    if t.points_issued > 0 {
        parts.push(format!("issued {} pts", t.points_issued));
    }
    if t.points_redeemed > 0 {
        parts.push(format!("redeemed {} pts", t.points_redeemed));
    }
    parts.join(", ")
}

impl ShiftTotals {
    /// The figures, a section each: totals, liability, per cashier, per operation.
    pub fn render_text(&self, offset: UtcOffset) -> String {
        let mut out = String::new();
        let t = &self.totals;
        match self.opened_at {
            Some(at) => {
                let _ = writeln!(out, "Shift {} opened {}", self.shift, when(at, offset));
            }
            None => {
                let _ = writeln!(out, "Shift {}: no transactions yet", self.shift);
            }
        }
        let _ = writeln!(out, "  Transactions     {}", counts(t));
        let _ = writeln!(out, "  Loaded           {}", money(&t.loaded));
        let _ = writeln!(out, "  Taken            {}", money(&t.taken));
        let _ = writeln!(out, "  Points issued    {}", t.points_issued);
        let _ = writeln!(out, "  Points redeemed  {}", t.points_redeemed);
        let l = &self.liability;
        let _ = writeln!(
            out,
            "  Liability        {}; {} pts",
            money(&l.money),
            l.points
        );
        if l.earlier_sales_voided > 0 {
            let _ = writeln!(
                out,
                "    (includes {} void(s) of sales from earlier shifts)",
                l.earlier_sales_voided
            );
        }
        if l.voids_not_counted > 0 {
            let _ = writeln!(
                out,
                "    ({} void(s) of sales not in this journal are not in these figures)",
                l.voids_not_counted
            );
        }
        if t.unknown > 0 {
            let _ = writeln!(
                out,
                "  ! {} transaction(s) with unknown outcome: run `paywizard-till recover`",
                t.unknown
            );
        }
        if !self.by_cashier.is_empty() {
            let _ = writeln!(out, "\nBy cashier");
            for c in &self.by_cashier {
                let who = match (&c.cashier, &c.name) {
                    (Some(id), Some(name)) => format!("{id} ({name})"),
                    (Some(id), None) => id.clone(),
                    (None, _) => "(no cashier)".into(),
                };
                let _ = writeln!(out, "  {who:<24} {}", counts(&c.totals));
                let m = moved(&c.totals);
                if !m.is_empty() {
                    let _ = writeln!(out, "  {:<24} {m}", "");
                }
            }
        }
        if !self.by_operation.is_empty() {
            let _ = writeln!(out, "\nBy operation");
            for o in &self.by_operation {
                let m = moved(&o.totals);
                let _ = writeln!(
                    out,
                    "  {:<14} {}{}",
                    o.operation.label(),
                    counts(&o.totals),
                    if m.is_empty() {
                        String::new()
                    } else {
                        format!("; {m}")
                    }
                );
            }
        }
        out
    }
}

impl ZReport {
    pub fn render_text(&self, offset: UtcOffset) -> String {
        let mut out = format!("Z {}  closed {}", self.z, when(self.closed_at, offset));
        match (&self.closed_by, &self.approved_by) {
            (Some(by), Some(ok)) if by != ok => {
                let _ = write!(out, " by {by}, approved by {ok}");
            }
            (Some(by), _) => {
                let _ = write!(out, " by {by}");
            }
            _ => {}
        }
        out.push('\n');
        out.push_str(&self.totals.render_text(offset));
        out
    }
}
