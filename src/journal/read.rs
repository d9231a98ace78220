//! Reading rows back: one row, a lookup by number, recovery's list, history pages,
//! reports and the CSV export.

use rusqlite::{OptionalExtension, params};
use time::{OffsetDateTime, UtcOffset};

use super::row::{self, COLUMNS, COLUMNS_WITH_BODY};
use super::{Journal, JournalError, Report, Row, export, report};
use crate::outcome::HistoryEntry;

impl Journal {
    pub fn row(&self, id: i64) -> Result<Option<Row>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS_WITH_BODY} FROM entries WHERE id = ?1"),
                [id],
                |r| row::read(r, true),
            )
            .optional()?)
    }

    /// The row with this tranOrderNo or checkoutId (what a cashier reads off a receipt).
    /// Two lookups, each on its own index; a tranOrderNo match wins, then the checkoutId of
    /// a sale before that of a void.
    pub fn find(&self, order_or_checkout: &str) -> Result<Option<Row>, JournalError> {
        let key = order_or_checkout.trim();
        let by_order = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS_WITH_BODY} FROM entries WHERE tran_order_no = ?1"),
                [key],
                |r| row::read(r, true),
            )
            .optional()?;
        match by_order {
            Some(row) => Ok(Some(row)),
            None => self.original_of(key),
        }
    }

    /// Rows whose outcome nobody knows (`sending`, `unknown`), oldest first: recovery's list.
    pub fn open_rows(&self) -> Result<Vec<Row>, JournalError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS_WITH_BODY} FROM entries
             WHERE state IN ('sending', 'unknown') ORDER BY id"
        ))?;
        let rows = stmt.query_map([], |r| row::read(r, true))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A page of history, newest first, older than row `before` (None: the newest). Pages by
    /// id, the primary key, so the first page costs the same with a million rows.
    pub fn history(
        &self,
        before: Option<i64>,
        limit: usize,
        offset: UtcOffset,
    ) -> Result<Vec<HistoryEntry>, JournalError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM entries WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], |r| {
            row::read(r, false).map(|row| row.to_history(offset))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Totals for rows journaled in `[from, to)`.
    pub fn report(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Report, JournalError> {
        report::build(&self.conn, from, to)
    }

    /// Writes rows journaled in `[from, to)` as CSV (header first); returns the row count.
    pub fn export_csv<W: std::io::Write>(
        &self,
        out: W,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<usize, JournalError> {
        export::write(&self.conn, out, from, to)
    }
}
