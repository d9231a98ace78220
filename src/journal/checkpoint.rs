//! Moving the `-wal` into the main file, so a lost or damaged `-wal` costs the last few
//! rows at most, never the history.
//!
//! Closing does not checkpoint (that would cost every headless command several disk
//! syncs), so the writer does it when it matters: right after the schema is made or
//! migrated, every [`CHECKPOINT_EVERY_ROWS`] rows, after a settled row gives up its card
//! number, and when the till quits. TRUNCATE empties the `-wal` as well, which is what
//! takes a scrubbed card number's old page images off the disk.

use std::time::Duration;

use rusqlite::Connection;

use super::{Journal, JournalError};

/// Rows the main file may lag behind the `-wal` before the writer checkpoints. Most rows
/// checkpoint sooner: every settled row except an approved payment (which keeps its card
/// for a tip) gives up its card number and is checkpointed straight away.
pub const CHECKPOINT_EVERY_ROWS: i64 = 16;

/// How long a checkpoint waits for readers before leaving the rest to the next one.
const READER_WAIT: Duration = Duration::from_millis(250);

impl Journal {
    /// Writes everything in the `-wal` into the main file and empties the `-wal`. The till
    /// calls it when it quits. Readers in the middle of a query (`history` in another
    /// terminal) can hold part of it back; it is then finished by the next one.
    pub fn checkpoint(&mut self) -> Result<(), JournalError> {
        self.writable()?;
        let last = last_row(&self.conn)?;
        if last != self.checkpointed_through {
            note_checkpoint(&self.conn, last)?;
        }
        self.truncate_wal(last)
    }

    /// The checkpoint itself, once [`note_checkpoint`] has recorded `last` (in the same
    /// transaction as the rows it covers, or its own).
    pub(crate) fn truncate_wal(&mut self, last: i64) -> Result<(), JournalError> {
        // TRUNCATE waits for readers (an `export` in another terminal); a sale's outcome
        // must not wait long behind one, so give up soon and let the next one catch up.
        self.conn.busy_timeout(READER_WAIT)?;
        // (busy, frames in the log, frames checkpointed); busy = 1 when a reader held the
        // log back.
        let done = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            });
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        if done?.0 == 0 {
            self.checkpointed_through = last;
        }
        Ok(())
    }
}

pub(crate) fn last_row(conn: &Connection) -> Result<i64, JournalError> {
    Ok(conn.query_row("SELECT COALESCE(max(id), 0) FROM entries", [], |r| r.get(0))?)
}

/// Records, for the next opener, that rows up to `last` are (about to be) in the main
/// file. Runs in the caller's transaction, so a settled row and this note cost one commit.
pub(crate) fn note_checkpoint(conn: &Connection, last: i64) -> Result<(), JournalError> {
    conn.execute(
        "UPDATE journal_info SET checkpointed_through = ?1 WHERE id = 1",
        [last],
    )?;
    Ok(())
}
