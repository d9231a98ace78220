//! The print queue: receipts waiting for the printer, oldest first. The printer module
//! queues a receipt before it sends it and deletes it only once the printer took every
//! byte; this module only stores them. The stored text is the receipt model as JSON (masked
//! card number only), so it prints again with whatever the printer is set up for then.

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use super::row::{from_ms, to_ms};
use super::{Journal, JournalError};
use crate::api::ResponseData;

/// One receipt waiting to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedReceipt {
    pub id: i64,
    pub queued_at: OffsetDateTime,
    /// The receipt model as JSON.
    pub receipt: String,
    /// Failed attempts so far.
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl Journal {
    /// Adds a receipt to the end of the queue and returns its id.
    pub fn queue_receipt(
        &mut self,
        receipt_json: &str,
        now: OffsetDateTime,
    ) -> Result<i64, JournalError> {
        self.writable()?;
        Ok(self.conn.query_row(
            "INSERT INTO receipt_queue (queued_at, receipt) VALUES (?1, ?2) RETURNING id",
            params![to_ms(now), receipt_json],
            |r| r.get(0),
        )?)
    }

    /// Every receipt waiting, oldest first.
    pub fn queued_receipts(&self) -> Result<Vec<QueuedReceipt>, JournalError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, queued_at, receipt, attempts, last_error FROM receipt_queue ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let ms: i64 = r.get(1)?;
            Ok(QueuedReceipt {
                id: r.get(0)?,
                queued_at: from_ms(ms).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                receipt: r.get(2)?,
                attempts: r.get(3)?,
                last_error: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn receipts_waiting(&self) -> Result<usize, JournalError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM receipt_queue", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The printer took every byte of it: it leaves the queue.
    pub fn receipt_printed(&mut self, id: i64) -> Result<(), JournalError> {
        self.writable()?;
        match self
            .conn
            .execute("DELETE FROM receipt_queue WHERE id = ?1", [id])?
        {
            0 => Err(JournalError::NoSuchRow(id)),
            _ => Ok(()),
        }
    }

    /// An attempt failed; it stays queued, with why.
    pub fn receipt_failed(&mut self, id: i64, error: &str) -> Result<(), JournalError> {
        self.writable()?;
        self.conn.execute(
            "UPDATE receipt_queue SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id, error],
        )?;
        Ok(())
    }

    /// PayWizard's answer as recorded for row `id` (account masked, customer details
    /// dropped): what a reprint needs besides the row (the amount a partial payment
    /// took, the balances reported).
    pub fn recorded_answer(&self, id: i64) -> Result<Option<ResponseData>, JournalError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT response FROM entries WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: OffsetDateTime = time::macros::datetime!(2026-11-23 10:00:00 UTC);

    #[test]
    fn receipts_wait_in_order_and_leave_only_when_printed() {
        let mut j = Journal::open_in_memory("1").unwrap();
        let first = j.queue_receipt(r#"{"n":1}"#, T0).unwrap();
        let second = j.queue_receipt(r#"{"n":2}"#, T0).unwrap();
        j.receipt_failed(first, "printer 10.0.0.9 refused").unwrap();
        let queued = j.queued_receipts().unwrap();
        assert_eq!(
            queued.iter().map(|q| q.id).collect::<Vec<_>>(),
            [first, second]
        );
        assert_eq!(queued[0].attempts, 1);
        assert_eq!(
            queued[0].last_error.as_deref(),
            Some("printer 10.0.0.9 refused")
        );
        j.receipt_printed(first).unwrap();
        assert_eq!(j.receipts_waiting().unwrap(), 1);
        assert!(matches!(
            j.receipt_printed(first),
            Err(JournalError::NoSuchRow(_))
        ));
        // A new receipt still goes to the back of the queue.
        let third = j.queue_receipt(r#"{"n":3}"#, T0).unwrap();
        let order: Vec<_> = j.queued_receipts().unwrap().iter().map(|q| q.id).collect();
        assert_eq!(order, [second, third]);
    }
}
