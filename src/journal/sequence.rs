//! Handing out tranOrderNos: one sequence per journal, committed before a number is used.

use time::OffsetDateTime;

use super::{Journal, JournalError};
use crate::api::order_no;

impl Journal {
    /// The next tranOrderNo: time, till id, this journal's instance id and its sequence
    /// (layout in `order_no`). The sequence is committed with the intent that carries the
    /// number (see [`Journal::atomically`]), so it never repeats: not after a crash, not
    /// when the clock goes back; and no other journal has this instance id.
    pub fn next_order_no(&mut self, now: OffsetDateTime) -> Result<String, JournalError> {
        self.writable()?;
        let seq: i64 = self.conn.query_row(
            "UPDATE journal_info SET order_seq = order_seq + 1 WHERE id = 1 RETURNING order_seq",
            [],
            |r| r.get(0),
        )?;
        let seq = u64::try_from(seq)
            .map_err(|_| JournalError::Invalid(format!("the order sequence is {seq}")))?;
        Ok(order_no::format(now, &self.till_id, &self.instance_id, seq))
    }
}
