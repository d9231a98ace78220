//! The SQLite journal: write-ahead intents, outcomes, history, reports, recovery.
//!
//! Every value-moving request is committed here (state `sending`) *before* it is sent, and
//! its outcome afterwards. A crash, a timeout or `result: 2` therefore leaves a `sending` or
//! `unknown` row that [`Journal::open_rows`] hands to recovery; nothing is lost and nothing
//! unresolved is ever shown as approved or declined.
//!
//! One writer per file (the running till, see `lock`); any number of read-only openers
//! (`history`, `report`, `export` from another terminal). All I/O is synchronous: callers
//! run it off the UI thread.
//!
//! The journal is the database file and its `-wal`. What lives only in the `-wal` is the
//! last few rows: the schema reaches the main file as soon as it is made, and the writer
//! checkpoints every [`CHECKPOINT_EVERY_ROWS`] rows, whenever a settled row gives up its
//! card number, and when the till quits ([`Journal::checkpoint`]).

mod by_cashier;
mod cards;
mod chained;
mod checkpoint;
mod error;
mod events;
mod export;
mod files;
mod lock;
mod read;
mod receipts;
mod report;
mod row;
mod schema;
mod sequence;
mod shifts;
mod staff;
mod voids;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, params};
use time::OffsetDateTime;

use crate::api::order_no::canonical_till_id;
use crate::api::{EntryType, Operation, mask_account};
use crate::outcome::RowState;

pub use by_cashier::{CashierReport, CashierSection};
pub use cards::DEFAULT_TIP_WINDOW;
pub use checkpoint::CHECKPOINT_EVERY_ROWS;
pub use error::JournalError;
pub use events::{ChangedRow, Verification};
pub use receipts::QueuedReceipt;
pub use report::{Group, Headline, MoneyTotal, Report, ReportLine, assemble, days};
pub use row::Row;
pub use schema::CURRENT as SCHEMA_VERSION;
pub use shifts::{
    CashierTally, Liability, OperationTally, ShiftTotals, Tally, ZAttempt, ZRefusal, ZReport,
    shift_totals,
};
pub use staff::{
    Attribution, Authority, MAX_DIGITS as PIN_MAX_DIGITS, MIN_DIGITS as PIN_MIN_DIGITS, Need,
    NotAPin, Pin, PinPolicy, Refusal, Role, SignOnRefusal, SignedOn, StaffError, StaffLine,
    StaffMember, canonical_id, check_name as staff_name, lockout_after_wrong_pin,
};

/// The Argon2id parameters new PIN hashes are made with (memory KiB, passes, lanes).
pub const PIN_HASH_PARAMS: (u32, u32, u32) = (staff::MEMORY_KIB, staff::PASSES, staff::LANES);

use lock::LockFile;
use row::to_ms;

/// How long a reader or the writer waits for the other's transaction before giving up.
/// Transactions here are single rows, so anything near this means something is wrong.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the till is about to send, journaled by [`Journal::begin`] before it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub operation: Operation,
    pub tran_order_no: Option<String>,
    /// The full card number: only its mask is stored in a column (the full number is in
    /// `body`, which a retry must resend byte for byte). Empty for a void.
    pub account: String,
    pub entry_type: EntryType,
    pub amount_minor: Option<i64>,
    pub points: Option<u64>,
    pub currency: String,
    /// The exact signed request bytes. Never the secret or the token: those are headers
    /// and HMAC inputs, not body.
    pub body: Vec<u8>,
    /// checkoutId of the original transaction (void, tip).
    pub original_checkout_id: Option<String>,
    pub created_at: OffsetDateTime,
    /// The staff id of who runs it: required once the till has staff.
    pub cashier: Option<String>,
    /// The manager who approved it, where one had to.
    pub approved_by: Option<String>,
}

/// The till's journal. Dropping it closes the database, then releases the writer lock.
pub struct Journal {
    // Field order is drop order: close SQLite before letting another writer in.
    conn: Connection,
    till_id: String,
    /// Part of every tranOrderNo (see `order_no`), and the journal's name in the store.
    instance_id: String,
    /// For messages; `:memory:` for an in-memory journal.
    name: String,
    /// The database file (symlinks resolved); `None` in memory.
    path: Option<PathBuf>,
    read_only: bool,
    /// How long an approved payment keeps its card number, for a tip.
    tip_window: Duration,
    /// The highest row id known to be in the main database file.
    checkpointed_through: i64,
    /// How many wrong PINs lock a staff id, and for how long.
    pin_policy: staff::PinPolicy,
    _lock: Option<LockFile>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("name", &self.name)
            .field("till_id", &self.till_id)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

fn check_till_id(till_id: &str) -> Result<String, JournalError> {
    canonical_till_id(till_id).ok_or_else(|| JournalError::BadTillId(till_id.to_owned()))
}

/// Sets what every connection needs. WAL lets `history` read while the till writes;
/// `synchronous = FULL` makes a commit survive power loss, which is the whole point of
/// writing ahead.
fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The change log's triggers (writer) and `verify` (reader) hash with these.
    events::register(conn)?;
    if writer {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stayed {mode}; WAL is required"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        // A scrubbed card number must not stay behind in a freed part of a page.
        conn.pragma_update(None, "secure_delete", true)?;
        // Closing leaves the WAL as it is instead of checkpointing it into the main file:
        // every commit is already durable in the WAL (FULL), and a checkpoint on close plus
        // a new WAL on the next open cost each headless command four more disk syncs. The
        // writer checkpoints on its own terms instead (see `checkpoint`); SQLite's own
        // checkpoint, every 100 pages, stays as a backstop for unusually large rows.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        conn.pragma_update(None, "wal_autocheckpoint", 100)?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

impl Journal {
    /// Opens (creating if needed) the till's journal for writing. Creates parent folders,
    /// keeps the file owner-only, and takes the one-writer lock on `<file>.lock`, where
    /// `<file>` is the real file behind any symlink.
    pub fn open(path: &Path, till_id: &str) -> Result<Journal, JournalError> {
        let till_id = check_till_id(till_id)?;
        files::survive_file_size_limit();
        let real = files::create_real(path)?;
        let lock = LockFile::acquire(&real, path)?;
        for suffix in ["", "-wal", "-shm"] {
            files::restrict(&files::sidecar(&real, suffix))?;
        }
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(&real).map_err(open_err)?;
        let name = path.display().to_string();
        let real_path = Some(real.clone());
        // Check before anything is written (switching to WAL rewrites the header): a file
        // that is not a journal, or a damaged one, is left exactly as it was.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        schema::check(&conn, &name)?;
        configure(&conn, true).map_err(open_err)?;
        Journal::writable_on(conn, till_id, name, real_path, Some(lock))
    }

    /// Opens an existing journal for reading while a till may be writing it: no lock, no
    /// writes, no migration.
    pub fn open_read_only(path: &Path) -> Result<Journal, JournalError> {
        if !path.is_file() {
            return Err(JournalError::NotFound {
                path: path.to_path_buf(),
            });
        }
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        configure(&conn, false).map_err(open_err)?;
        let name = path.display().to_string();
        match schema::check(&conn, &name)? {
            0 => return Err(JournalError::NotAJournal { path: name }),
            found if found < schema::CURRENT => {
                return Err(JournalError::OlderSchema { path: name, found });
            }
            _ => {}
        }
        let instance_id = conn.query_row(
            "SELECT instance_id FROM journal_info WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(Journal {
            conn,
            till_id: String::new(),
            instance_id,
            name,
            path: Some(path.to_path_buf()),
            read_only: true,
            tip_window: DEFAULT_TIP_WINDOW,
            checkpointed_through: 0,
            pin_policy: staff::PinPolicy::default(),
            _lock: None,
        })
    }

    /// A journal that lives and dies with the process: demo mode and tests.
    pub fn open_in_memory(till_id: &str) -> Result<Journal, JournalError> {
        let till_id = check_till_id(till_id)?;
        let conn = Connection::open_in_memory()?;
        configure(&conn, true)?;
        Journal::writable_on(conn, till_id, ":memory:".to_owned(), None, None)
    }

    /// Brings the schema up to date and wraps the connection for writing. A new or
    /// migrated schema is checkpointed at once: a file whose schema lived only in its
    /// `-wal` would look new if the `-wal` were lost, and be started again from nothing.
    fn writable_on(
        mut conn: Connection,
        till_id: String,
        name: String,
        path: Option<PathBuf>,
        lock: Option<LockFile>,
    ) -> Result<Journal, JournalError> {
        let migrated = schema::migrate(&mut conn, &name)?;
        let (instance_id, checkpointed_through) = conn.query_row(
            "SELECT instance_id, checkpointed_through FROM journal_info WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut journal = Journal {
            conn,
            till_id,
            instance_id,
            name,
            path,
            read_only: false,
            tip_window: DEFAULT_TIP_WINDOW,
            checkpointed_through,
            pin_policy: staff::PinPolicy::default(),
            _lock: lock,
        };
        if migrated {
            journal.checkpoint()?;
        }
        Ok(journal)
    }

    /// The canonical till id (`01` reads `1`).
    pub fn till_id(&self) -> &str {
        &self.till_id
    }

    /// The 8 digits made when this journal was created, part of every tranOrderNo.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// How long an approved payment keeps its card number so a tip can follow
    /// ([`DEFAULT_TIP_WINDOW`] unless set).
    pub fn set_tip_window(&mut self, window: Duration) {
        self.tip_window = window;
    }

    pub fn tip_window(&self) -> Duration {
        self.tip_window
    }

    fn writable(&self) -> Result<(), JournalError> {
        if self.read_only {
            Err(JournalError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Runs `f` as one transaction: what it journals (say a tranOrderNo and the intent
    /// that carries it) is committed together, with one disk sync, or not at all. Nothing
    /// `f` returns may leave the till before this returns `Ok`.
    pub fn atomically<T, E>(&mut self, f: impl FnOnce(&mut Journal) -> Result<T, E>) -> Result<T, E>
    where
        E: From<JournalError>,
    {
        self.writable()?;
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(JournalError::from)?;
        match f(self) {
            Ok(value) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(JournalError::from(e).into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// `PRAGMA integrity_check`: `Ok` when SQLite finds nothing wrong, else its findings.
    pub fn integrity_check(&self) -> Result<Result<(), String>, JournalError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(if lines == ["ok"] {
            Ok(())
        } else {
            Err(lines.join("\n"))
        })
    }

    /// Makes the next outcome writes fail as a full disk would, after the intent is
    /// journaled and sent: for tests of what the till says then. Not for the till.
    #[doc(hidden)]
    pub fn fail_outcome_writes_for_test(&mut self, fail: bool) -> Result<(), JournalError> {
        self.conn.execute_batch(if fail {
            "CREATE TEMP TRIGGER IF NOT EXISTS injected_outcome_failure
             BEFORE UPDATE ON main.entries
             BEGIN SELECT RAISE(FAIL, 'database or disk is full (injected by a test)'); END;"
        } else {
            "DROP TRIGGER IF EXISTS temp.injected_outcome_failure;"
        })?;
        Ok(())
    }

    /// Bulk-loads rows in one transaction, for benchmarks that need a big journal fast.
    /// Not for the till: it skips the write-ahead discipline. Settled rows are stored the
    /// way the till leaves them, card number masked in the body.
    #[doc(hidden)]
    pub fn bulk_load_for_bench(
        &mut self,
        rows: impl IntoIterator<Item = (Intent, RowState)>,
    ) -> Result<usize, JournalError> {
        self.writable()?;
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO entries (created_at, finished_at, till_id, operation, tran_order_no,
                     account_masked, entry_type, amount_minor, points, currency, state, msg, body,
                     card_held)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'success', ?11, ?12)",
            )?;
            for (intent, state) in rows {
                let held = state.is_open() && !intent.account.is_empty();
                let body = if held {
                    intent.body.clone()
                } else {
                    cards::masked_body(&intent.body)
                };
                stmt.execute(params![
                    to_ms(intent.created_at),
                    self.till_id,
                    intent.operation.cli_name(),
                    intent.tran_order_no,
                    mask_account(&intent.account),
                    intent.entry_type.code(),
                    intent.amount_minor,
                    intent.points.map(|p| i64::try_from(p).unwrap_or(i64::MAX)),
                    intent.currency,
                    state.as_str(),
                    body,
                    held,
                ])?;
                n += 1;
            }
        }
        tx.commit()?;
        // One huge transaction leaves a huge WAL, which every later open would read back
        // (closing does not checkpoint); fold it into the main file and empty it.
        self.checkpoint()?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests;
