//! The journal's tables and their migrations, versioned with `PRAGMA user_version`.
//!
//! Migrations are append-only: a released journal file must open with every later build, so
//! an existing step is never edited; a change is a new step at the end.

use rusqlite::{Connection, Transaction};

use super::JournalError;

/// Marks the file as ours (`PRAGMA application_id`), so pointing `--journal` at some other
/// SQLite database fails clearly instead of adding tables to it. ASCII "PWTJ".
pub const APPLICATION_ID: i32 = 0x5057_544A;

/// Each step takes the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the journal itself.
    //
    // Times are UTC unix milliseconds. `account_masked` is all a person ever sees; the full
    // number exists only inside `body`, the exact signed bytes needed to retry. `response` is
    // PayWizard's `data` as JSON, account masked, customer details dropped.
    "
    CREATE TABLE order_seq (
        till_id TEXT PRIMARY KEY NOT NULL,
        seq     INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE entries (
        id                   INTEGER PRIMARY KEY,
        created_at           INTEGER NOT NULL,
        finished_at          INTEGER,
        till_id              TEXT NOT NULL,
        operation            TEXT NOT NULL,
        tran_order_no        TEXT UNIQUE,
        account_masked       TEXT NOT NULL,
        entry_type           TEXT NOT NULL,
        amount_minor         INTEGER,
        points               INTEGER CHECK (points >= 0),
        currency             TEXT NOT NULL,
        state                TEXT NOT NULL CHECK (state IN
            ('sending','approved','declined','rejected','unknown','voided','abandoned')),
        code                 INTEGER,
        msg                  TEXT NOT NULL DEFAULT '',
        checkout_id          TEXT,
        trans_index_code     TEXT,
        original_checkout_id TEXT,
        voided_by            INTEGER REFERENCES entries(id),
        void_of              INTEGER REFERENCES entries(id),
        abandon_reason       TEXT,
        response             TEXT,
        body                 BLOB NOT NULL
    ) STRICT;

    -- reports and exports select a time range
    CREATE INDEX entries_created_at ON entries(created_at);
    -- void/tip/recover look an order up by checkoutId (tranOrderNo has its UNIQUE index)
    CREATE INDEX entries_checkout_id ON entries(checkout_id) WHERE checkout_id IS NOT NULL;
    -- recovery lists the open rows; they are few, so a partial index stays tiny
    CREATE INDEX entries_open ON entries(id) WHERE state IN ('sending','unknown');
    ",
    // 2: receipts waiting for the printer, oldest first (by id). `receipt` is the receipt
    // model as JSON, masked card number only; a row is deleted once the printer took every
    // byte of it, so a printer that is down loses nothing.
    "
    CREATE TABLE receipt_queue (
        id         INTEGER PRIMARY KEY,
        queued_at  INTEGER NOT NULL,
        receipt    TEXT NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    ) STRICT;
    ",
];

/// The schema version this build writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

pub(crate) fn version(conn: &Connection) -> Result<i64, JournalError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

pub(crate) fn application_id(conn: &Connection) -> Result<i32, JournalError> {
    Ok(conn.pragma_query_value(None, "application_id", |r| r.get(0))?)
}

/// Whether the file holds any table at all (a brand-new file does not).
fn is_empty(conn: &Connection) -> Result<bool, JournalError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(n == 0)
}

/// Refuses files that are not ours or are newer than this build; `what` names the file.
pub(crate) fn check(conn: &Connection, what: &str) -> Result<i64, JournalError> {
    let app = application_id(conn)?;
    if app != APPLICATION_ID && !(app == 0 && is_empty(conn)?) {
        return Err(JournalError::NotAJournal {
            path: what.to_owned(),
        });
    }
    let found = version(conn)?;
    if found > CURRENT {
        return Err(JournalError::NewerSchema {
            path: what.to_owned(),
            found,
            known: CURRENT,
        });
    }
    Ok(found)
}

/// Brings the schema up to [`CURRENT`] in one transaction: a crash mid-way leaves the old
/// version intact.
pub(crate) fn migrate(conn: &mut Connection, what: &str) -> Result<(), JournalError> {
    let found = check(conn, what)?;
    if found == CURRENT {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Re-read inside the lock in case another process migrated meanwhile.
    let found = version(&tx)?;
    apply(&tx, found)?;
    tx.commit()?;
    Ok(())
}

fn apply(tx: &Transaction<'_>, from: i64) -> Result<(), JournalError> {
    for step in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", CURRENT)?;
    Ok(())
}
