//! `report --by-cashier`: the same totals as `report`, one section per cashier, each
//! assembled by [`assemble`] so a section counts exactly what the whole report does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rusqlite::OptionalExtension;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::report::{Group, Headline, ReportLine, assemble};
use super::row::to_ms;
use super::{Journal, JournalError};

/// One cashier's rows in the period (`cashier: None`: rows from before the till had staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashierSection {
    pub cashier: Option<String>,
    pub name: Option<String>,
    pub headline: Headline,
    pub lines: Vec<ReportLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashierReport {
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub to: OffsetDateTime,
    pub cashiers: Vec<CashierSection>,
}

impl Journal {
    /// Totals for rows journaled in `[from, to)`, per cashier, by cashier id.
    pub fn report_by_cashier(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<CashierReport, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT cashier, operation, state, currency, count(*), sum(amount_minor), sum(points)
             FROM entries WHERE created_at >= ?1 AND created_at < ?2
             GROUP BY cashier, operation, state, currency",
        )?;
        let mut groups: BTreeMap<Option<String>, Vec<Group>> = BTreeMap::new();
        let rows = stmt.query_map([to_ms(from), to_ms(to)], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                Group {
                    operation: r.get(1)?,
                    state: r.get(2)?,
                    currency: r.get(3)?,
                    count: r.get(4)?,
                    money: r.get(5)?,
                    points: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (cashier, group) = row?;
            groups.entry(cashier).or_default().push(group);
        }
        let mut names = self
            .conn
            .prepare("SELECT name FROM staff WHERE staff_id = ?1")?;
        let mut cashiers = Vec::with_capacity(groups.len());
        for (cashier, groups) in groups {
            let name = match &cashier {
                Some(id) => names.query_row([id], |r| r.get(0)).optional()?,
                None => None,
            };
            let report = assemble(from, to, groups);
            cashiers.push(CashierSection {
                cashier,
                name,
                headline: report.headline,
                lines: report.lines,
            });
        }
        Ok(CashierReport { from, to, cashiers })
    }
}

impl CashierReport {
    /// Each cashier's section as `report` prints it, under the cashier's name.
    pub fn render_text(&self) -> String {
        let when = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_else(|_| t.to_string());
        let mut out = format!(
            "Report {} to {}, by cashier\n\n",
            when(self.from),
            when(self.to)
        );
        if self.cashiers.is_empty() {
            let _ = writeln!(out, "No transactions in this period.");
        }
        for c in &self.cashiers {
            let who = match (&c.cashier, &c.name) {
                (Some(id), Some(name)) => format!("Cashier {id} ({name})"),
                (Some(id), None) => format!("Cashier {id}"),
                (None, _) => "No cashier (before the till had staff)".to_owned(),
            };
            let _ = writeln!(out, "{who}");
            let section = super::Report {
                from: self.from,
                to: self.to,
                lines: c.lines.clone(),
                headline: c.headline.clone(),
            };
            // The section's own heading repeats the period; the cashier's line replaces it.
            let text = section.render_text();
            let body = text.split_once('\n').map_or("", |(_, rest)| rest);
            out.push_str(body.strip_prefix('\n').unwrap_or(body));
            out.push('\n');
        }
        out
    }
}
