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

mod error;
mod export;
mod lock;
mod receipts;
mod report;
mod row;
mod schema;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use time::{OffsetDateTime, UtcOffset};

use crate::api::{EntryType, Operation, ResponseData, mask_account, order_no};
use crate::outcome::{HistoryEntry, Outcome, RowState};

pub use error::JournalError;
pub use receipts::QueuedReceipt;
pub use report::{Headline, MoneyTotal, Report, ReportLine, days};
pub use row::Row;
pub use schema::CURRENT as SCHEMA_VERSION;

use lock::LockFile;
use row::{COLUMNS, COLUMNS_WITH_BODY, to_ms};

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
}

/// The till's journal. Dropping it closes the database, then releases the writer lock.
pub struct Journal {
    // Field order is drop order: close SQLite before letting another writer in.
    conn: Connection,
    till_id: String,
    /// For messages; `:memory:` for an in-memory journal.
    name: String,
    read_only: bool,
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

/// Sets owner-only permissions (0600) on files this module creates: the journal holds
/// full card numbers inside the request bodies.
pub(crate) fn owner_only(opts: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Tightens an existing file to 0600 (a journal copied in or created by an older build).
fn restrict(path: &Path) -> Result<(), JournalError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
                |source| JournalError::Io {
                    path: path.to_path_buf(),
                    source,
                },
            )?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn check_till_id(till_id: &str) -> Result<(), JournalError> {
    if till_id.is_empty() || till_id.len() > 10 || !till_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(JournalError::BadTillId(till_id.to_owned()));
    }
    Ok(())
}

/// Sets what every connection needs. WAL lets `history` read while the till writes;
/// `synchronous = FULL` makes a commit survive power loss, which is the whole point of
/// writing ahead.
fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if writer {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode stayed {mode}; WAL is required"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Closing leaves the WAL as it is instead of checkpointing it into the main file:
        // every commit is already durable in the WAL (FULL), and a checkpoint on close plus
        // a new WAL on the next open cost each headless command four more disk syncs than
        // its two commits. Checkpoints still run as the WAL grows, every 100 pages rather
        // than SQLite's 1000, because the next open reads the whole WAL back (recovery):
        // that bounds it to ~400 KB. The journal is the file *and* its `-wal`: copy both
        // (or use `export`).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        conn.pragma_update(None, "wal_autocheckpoint", 100)?;
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// The card number inside a signed body, to scrub it from anything PayWizard echoes back.
fn account_in_body(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let account = value.get("accountId")?.as_str()?;
    (account.len() > 4).then(|| account.to_owned())
}

fn scrub(text: &str, account: Option<&str>) -> String {
    match account {
        Some(a) if text.contains(a) => text.replace(a, &mask_account(a)),
        _ => text.to_owned(),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl Journal {
    /// Opens (creating if needed) the till's journal for writing. Creates parent folders,
    /// keeps the file owner-only, and takes the one-writer lock on `<path>.lock`.
    pub fn open(path: &Path, till_id: &str) -> Result<Journal, JournalError> {
        check_till_id(till_id)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| JournalError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let lock = LockFile::acquire(path)?;
        // Create the file ourselves so SQLite never makes it world-readable; SQLite gives
        // its -wal and -shm files the database file's mode.
        owner_only(OpenOptions::new().write(true).create(true))
            .open(path)
            .map_err(|source| JournalError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        for suffix in ["", "-wal", "-shm"] {
            restrict(&sidecar(path, suffix))?;
        }
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        configure(&conn, true).map_err(open_err)?;
        Journal::writable_on(conn, till_id, path.display().to_string(), Some(lock))
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
        Ok(Journal {
            conn,
            till_id: String::new(),
            name,
            read_only: true,
            _lock: None,
        })
    }

    /// A journal that lives and dies with the process: demo mode and tests.
    pub fn open_in_memory(till_id: &str) -> Result<Journal, JournalError> {
        check_till_id(till_id)?;
        let conn = Connection::open_in_memory()?;
        configure(&conn, true)?;
        Journal::writable_on(conn, till_id, ":memory:".to_owned(), None)
    }

    /// Brings the schema up to date and wraps the connection for writing.
    fn writable_on(
        mut conn: Connection,
        till_id: &str,
        name: String,
        lock: Option<LockFile>,
    ) -> Result<Journal, JournalError> {
        schema::migrate(&mut conn, &name)?;
        Ok(Journal {
            conn,
            till_id: till_id.to_owned(),
            name,
            read_only: false,
            _lock: lock,
        })
    }

    pub fn till_id(&self) -> &str {
        &self.till_id
    }

    fn writable(&self) -> Result<(), JournalError> {
        if self.read_only {
            Err(JournalError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// The next tranOrderNo for this till. The sequence is committed before the number is
    /// returned, so it never repeats: not after a crash, not when the clock goes back.
    pub fn next_order_no(&mut self, now: OffsetDateTime) -> Result<String, JournalError> {
        self.writable()?;
        let seq: i64 = self.conn.query_row(
            "INSERT INTO order_seq (till_id, seq) VALUES (?1, 1)
             ON CONFLICT (till_id) DO UPDATE SET seq = seq + 1
             RETURNING seq",
            [&self.till_id],
            |r| r.get(0),
        )?;
        let seq = u64::try_from(seq).map_err(|_| {
            JournalError::Invalid(format!("order sequence for till {} is {seq}", self.till_id))
        })?;
        Ok(order_no::format(now, &self.till_id, seq))
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

    /// Commits the write-ahead row (state `sending`) and returns its id. Call this before
    /// the request leaves; if it fails, do not send.
    pub fn begin(&mut self, intent: &Intent) -> Result<i64, JournalError> {
        self.writable()?;
        if intent.operation.has_order_no() && intent.tran_order_no.is_none() {
            return Err(JournalError::Invalid(format!(
                "{} needs a tranOrderNo before it is journaled",
                intent.operation
            )));
        }
        // The signed body must never carry the secret; if a bug ever hands us the HMAC
        // message instead of the body, refuse rather than write the secret to disk.
        if contains(&intent.body, b"clientSecret") {
            return Err(JournalError::Invalid(
                "the request body contains clientSecret; nothing was sent".into(),
            ));
        }
        let points = intent
            .points
            .map(i64::try_from)
            .transpose()
            .map_err(|_| JournalError::Invalid("points out of range".into()))?;
        let masked = if intent.account.is_empty() {
            String::new()
        } else {
            mask_account(&intent.account)
        };
        let result = self.conn.query_row(
            "INSERT INTO entries (created_at, till_id, operation, tran_order_no, account_masked,
                 entry_type, amount_minor, points, currency, state, original_checkout_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'sending', ?10, ?11)
             RETURNING id",
            params![
                to_ms(intent.created_at),
                self.till_id,
                intent.operation.cli_name(),
                intent.tran_order_no,
                masked,
                intent.entry_type.code(),
                intent.amount_minor,
                points,
                intent.currency,
                intent.original_checkout_id,
                intent.body,
            ],
            |r| r.get(0),
        );
        match result {
            Ok(id) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(JournalError::DuplicateOrderNo(
                intent.tran_order_no.clone().unwrap_or_default(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Records the outcome of row `id`. Only an open row (`sending` or `unknown`) can be
    /// finished; a settled outcome is never overwritten. An `Unknown` outcome leaves the
    /// row open for recovery.
    pub fn finish(
        &mut self,
        id: i64,
        outcome: &Outcome,
        response: Option<&ResponseData>,
        now: OffsetDateTime,
    ) -> Result<(), JournalError> {
        self.writable()?;
        let tx = self.conn.transaction()?;
        let (state, order, body): (String, Option<String>, Vec<u8>) = tx
            .query_row(
                "SELECT state, tran_order_no, body FROM entries WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(JournalError::NoSuchRow(id))?;
        let state = RowState::parse(&state).unwrap_or(RowState::Unknown);
        if !state.is_open() {
            return Err(JournalError::NotOpen { id, state });
        }
        if let (Some(ours), Some(theirs)) = (&order, &outcome.tran_order_no)
            && ours != theirs
        {
            return Err(JournalError::Invalid(format!(
                "the outcome of {theirs} does not belong to row {id} ({ours})"
            )));
        }
        // PayWizard may echo the card number (accountId, or inside msg): mask it before it
        // reaches a column a person can read.
        let account = account_in_body(&body);
        let account = account.as_deref();
        let response_json = response
            .map(|data| {
                let mut data = data.clone();
                data.account_id = data.account_id.as_deref().map(mask_account);
                // Customer details are not needed to recover or report; keep them out.
                data.customer_info = None;
                serde_json::to_string(&data).map(|json| scrub(&json, account))
            })
            .transpose()
            .map_err(|e| JournalError::Invalid(format!("response does not serialize: {e}")))?;
        let checkout_id = outcome
            .checkout_id
            .clone()
            .or_else(|| response.and_then(|d| d.checkout_id.clone()));
        let trans_index_code = response.and_then(|d| d.trans_index_code.clone());
        tx.execute(
            "UPDATE entries SET state = ?2, code = ?3, msg = ?4, checkout_id = ?5,
                 trans_index_code = ?6, finished_at = ?7, response = ?8
             WHERE id = ?1",
            params![
                id,
                RowState::from(outcome.status).as_str(),
                outcome.code,
                scrub(&outcome.msg, account),
                checkout_id,
                trans_index_code,
                to_ms(now),
                response_json,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The cashier gives up on an open row (e.g. the card holder left), with a reason.
    pub fn mark_abandoned(
        &mut self,
        id: i64,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), JournalError> {
        self.writable()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(JournalError::Invalid(
                "say why the transaction is abandoned".into(),
            ));
        }
        let tx = self.conn.transaction()?;
        let state = state_of(&tx, id)?;
        if !state.is_open() {
            return Err(JournalError::NotOpen { id, state });
        }
        tx.execute(
            "UPDATE entries SET state = 'abandoned', abandon_reason = ?2, finished_at = ?3
             WHERE id = ?1",
            params![id, reason, to_ms(now)],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Links an approved void (`void_id`) to the approved original it reversed, and marks
    /// the original `voided`. Call it after finishing the void as approved: a void whose
    /// outcome is unknown leaves the original approved, because it may still stand.
    pub fn mark_voided(&mut self, original_id: i64, void_id: i64) -> Result<(), JournalError> {
        self.writable()?;
        let tx = self.conn.transaction()?;
        let load = |id| {
            tx.query_row(
                &format!("SELECT {COLUMNS} FROM entries WHERE id = ?1"),
                [id],
                |r| row::read(r, false),
            )
            .optional()?
            .ok_or(JournalError::NoSuchRow(id))
        };
        let original = load(original_id)?;
        let void = load(void_id)?;
        if original.voided_by == Some(void_id) && void.void_of == Some(original_id) {
            return Ok(()); // already linked: a retried call is harmless
        }
        if void.operation != Operation::Void {
            return Err(JournalError::Invalid(format!(
                "row {void_id} is a {}, not a void",
                void.operation
            )));
        }
        if void.state != RowState::Approved {
            return Err(JournalError::Invalid(format!(
                "void row {void_id} is {}, not approved; the original stands",
                void.state
            )));
        }
        if original.operation == Operation::Void || original.state != RowState::Approved {
            return Err(JournalError::Invalid(format!(
                "row {original_id} ({} {}) cannot be voided",
                original.operation.cli_name(),
                original.state
            )));
        }
        if let (Some(target), Some(checkout)) = (&void.original_checkout_id, &original.checkout_id)
            && target != checkout
        {
            return Err(JournalError::Invalid(format!(
                "void row {void_id} reversed checkoutId {target}, not row {original_id}'s {checkout}"
            )));
        }
        tx.execute(
            "UPDATE entries SET state = 'voided', voided_by = ?2 WHERE id = ?1",
            params![original_id, void_id],
        )?;
        tx.execute(
            "UPDATE entries SET void_of = ?2 WHERE id = ?1",
            params![void_id, original_id],
        )?;
        tx.commit()?;
        Ok(())
    }

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
    pub fn find(&self, order_or_checkout: &str) -> Result<Option<Row>, JournalError> {
        let key = order_or_checkout.trim();
        // Two lookups, each on its own index; a tranOrderNo match wins.
        for column in ["tran_order_no", "checkout_id"] {
            let found = self
                .conn
                .query_row(
                    &format!(
                        "SELECT {COLUMNS_WITH_BODY} FROM entries WHERE {column} = ?1
                         ORDER BY id DESC LIMIT 1"
                    ),
                    [key],
                    |r| row::read(r, true),
                )
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
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

    /// Bulk-loads rows in one transaction, for benchmarks that need a big journal fast.
    /// Not for the till: it skips the write-ahead discipline.
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
                     account_masked, entry_type, amount_minor, points, currency, state, msg, body)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'success', ?11)",
            )?;
            for (intent, state) in rows {
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
                    intent.body,
                ])?;
                n += 1;
            }
        }
        tx.commit()?;
        // One huge transaction leaves a huge WAL, which every later open would read back
        // (closing does not checkpoint); fold it into the main file and empty it.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(n)
    }
}

fn state_of(conn: &Connection, id: i64) -> Result<RowState, JournalError> {
    let state: String = conn
        .query_row("SELECT state FROM entries WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(JournalError::NoSuchRow(id))?;
    Ok(RowState::parse(&state).unwrap_or(RowState::Unknown))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Status;
    use time::macros::datetime;

    fn intent(op: Operation, order: Option<String>) -> Intent {
        Intent {
            operation: op,
            tran_order_no: order,
            account: "6274000000003456".into(),
            entry_type: EntryType::K,
            amount_minor: Some(1050),
            points: None,
            currency: "USD".into(),
            body: br#"{"accountId":"6274000000003456"}"#.to_vec(),
            original_checkout_id: None,
            created_at: datetime!(2025-07-24 13:06:10 UTC),
        }
    }

    fn outcome(status: Status, order: Option<String>) -> Outcome {
        Outcome {
            operation: Operation::Pay,
            tran_order_no: order,
            account_id: "**** **** 3456".into(),
            entry_type: EntryType::K,
            status,
            code: Some(200),
            msg: "card 6274000000003456 ok".into(),
            checkout_id: Some("933392815902294016".into()),
            amount: Some("10.50".into()),
            requested_amount: None,
            balances: vec![],
        }
    }

    /// The worker moves the journal onto a blocking thread.
    #[test]
    fn journal_can_move_to_another_thread() {
        fn is_send<T: Send>() {}
        is_send::<Journal>();
    }

    #[test]
    fn rejects_bad_till_ids() {
        for bad in ["", "T1", "12345678901"] {
            assert!(matches!(
                Journal::open_in_memory(bad),
                Err(JournalError::BadTillId(_))
            ));
        }
    }

    #[test]
    fn a_settled_outcome_is_never_overwritten() {
        let mut j = Journal::open_in_memory("1").unwrap();
        let now = datetime!(2025-07-24 13:06:10 UTC);
        let no = j.next_order_no(now).unwrap();
        let id = j.begin(&intent(Operation::Pay, Some(no.clone()))).unwrap();
        j.finish(id, &outcome(Status::Unknown, Some(no.clone())), None, now)
            .unwrap();
        j.finish(id, &outcome(Status::Approved, Some(no.clone())), None, now)
            .unwrap();
        let err = j
            .finish(id, &outcome(Status::Declined, Some(no)), None, now)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("journal row {id} is already approved; its outcome cannot be changed")
        );
    }

    #[test]
    fn atomically_commits_the_number_with_its_intent_or_neither() {
        let mut j = Journal::open_in_memory("1").unwrap();
        let now = datetime!(2025-07-24 13:06:10 UTC);
        let failed: Result<(), JournalError> = j.atomically(|j| {
            let mut leaky = intent(Operation::Pay, Some(j.next_order_no(now)?));
            leaky.body = b"{}&clientId=1&clientSecret=abc".to_vec();
            j.begin(&leaky)?;
            Ok(())
        });
        assert!(matches!(failed, Err(JournalError::Invalid(_))));
        assert!(j.open_rows().unwrap().is_empty());
        let (no, id) = j
            .atomically(|j| {
                let no = j.next_order_no(now)?;
                let id = j.begin(&intent(Operation::Pay, Some(no.clone())))?;
                Ok::<_, JournalError>((no, id))
            })
            .unwrap();
        // The rolled-back number never left the till, so handing it out again is safe.
        assert!(no.ends_with("00000001"), "{no}");
        let row = j.row(id).unwrap().unwrap();
        assert_eq!(row.tran_order_no.as_deref(), Some(no.as_str()));
        assert_eq!(row.state, RowState::Sending);
    }

    #[test]
    fn closing_keeps_the_wal_and_everything_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let now = datetime!(2025-07-24 13:06:10 UTC);
        let mut j = Journal::open(&path, "1").unwrap();
        let no = j.next_order_no(now).unwrap();
        let id = j.begin(&intent(Operation::Pay, Some(no))).unwrap();
        drop(j);
        assert!(sidecar(&path, "-wal").is_file(), "no checkpoint on close");
        let reader = Journal::open_read_only(&path).unwrap();
        assert!(reader.row(id).unwrap().is_some());
        drop(reader);
        let j = Journal::open(&path, "1").unwrap();
        assert_eq!(j.open_rows().unwrap().len(), 1);
    }

    #[test]
    fn full_card_numbers_echoed_back_are_masked() {
        let mut j = Journal::open_in_memory("1").unwrap();
        let now = datetime!(2025-07-24 13:06:10 UTC);
        let no = j.next_order_no(now).unwrap();
        let id = j.begin(&intent(Operation::Pay, Some(no.clone()))).unwrap();
        let data = ResponseData {
            account_id: Some("6274000000003456".into()),
            trans_index_code: Some("100200000807293844967".into()),
            ..ResponseData::default()
        };
        j.finish(id, &outcome(Status::Approved, Some(no)), Some(&data), now)
            .unwrap();
        let row = j.row(id).unwrap().unwrap();
        assert_eq!(row.msg, "card **** **** 3456 ok");
        assert_eq!(
            row.trans_index_code.as_deref(),
            Some("100200000807293844967")
        );
        let response: String = j
            .conn
            .query_row("SELECT response FROM entries WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!response.contains("6274000000003456"), "{response}");
        assert!(response.contains("**** **** 3456"), "{response}");
    }

    #[test]
    fn value_moving_intents_need_an_order_number_and_no_secret() {
        let mut j = Journal::open_in_memory("1").unwrap();
        assert!(matches!(
            j.begin(&intent(Operation::Pay, None)),
            Err(JournalError::Invalid(_))
        ));
        let mut leaky = intent(Operation::Pay, Some("1".into()));
        leaky.body = b"{}&clientId=1&clientSecret=abc".to_vec();
        assert!(matches!(j.begin(&leaky), Err(JournalError::Invalid(_))));
        // Balance carries no order number and is fine without one.
        j.begin(&intent(Operation::Balance, None)).unwrap();
    }

    #[test]
    fn the_same_order_number_cannot_be_journaled_twice() {
        let mut j = Journal::open_in_memory("1").unwrap();
        j.begin(&intent(Operation::Pay, Some("42".into()))).unwrap();
        let err = j
            .begin(&intent(Operation::Pay, Some("42".into())))
            .unwrap_err();
        assert!(matches!(err, JournalError::DuplicateOrderNo(ref n) if n == "42"));
    }
}
