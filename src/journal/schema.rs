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
pub(crate) const MIGRATIONS: &[&str] = &[
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
    // 2: the journal's own identity, one number sequence per journal, what a partial
    // approval was asked for, and which rows still hold a full card number.
    //
    // `instance_id` (8 random digits, made here) goes into every tranOrderNo, so two
    // journals (two tills on one till id, or a journal made again after a loss) never
    // hand out the same number. `checkpointed_through` is the highest row id known to be
    // in the main file: the writer checkpoints again once enough rows follow it.
    // `amount_minor` is what moved; `requested_minor` what was asked, when less moved.
    // `card_held` marks a body that still carries the full card number (open rows, and
    // approved payments while a tip may follow); settled bodies keep only the mask.
    "
    CREATE TABLE journal_info (
        id                   INTEGER PRIMARY KEY CHECK (id = 1),
        instance_id          TEXT NOT NULL CHECK (length(instance_id) = 8),
        order_seq            INTEGER NOT NULL CHECK (order_seq >= 0),
        checkpointed_through INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    INSERT INTO journal_info (id, instance_id, order_seq)
    VALUES (
        1,
        printf('%08d', (random() & 9223372036854775807) % 100000000),
        COALESCE((SELECT max(seq) FROM order_seq), 0)
    );

    DROP TABLE order_seq;

    ALTER TABLE entries ADD COLUMN requested_minor INTEGER;
    ALTER TABLE entries ADD COLUMN card_held INTEGER NOT NULL DEFAULT 0
        CHECK (card_held IN (0, 1));
    UPDATE entries SET card_held = 1 WHERE account_masked != '';
    -- the rows still holding a card are few (open rows, the last day's payments)
    CREATE INDEX entries_card_held ON entries(id) WHERE card_held = 1;
    ",
    // 3: receipts waiting for the printer, oldest first (by id). `receipt` is the receipt
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
    // 4: the change log (see `events`): one event per row written or changed, each with
    // the row's content hash and a hash chained to the event before. Rows journaled before
    // this step get their events in row order (`events::backfill`): the start of the chain.
    "
    CREATE TABLE events (
        seq          INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL,
        ref_id       INTEGER NOT NULL,
        content_hash BLOB NOT NULL CHECK (length(content_hash) = 32),
        chain_hash   BLOB NOT NULL CHECK (length(chain_hash) = 32)
    ) STRICT;
    CREATE INDEX events_ref ON events(kind, ref_id);
    ",
    // 5: staff, who did what, and shifts closed with a Z report (see `staff` and `shifts`).
    //
    // Every row names the staff member who ran it (`cashier`), the manager who approved
    // it where one had to (`approved_by`), and who abandoned it (`abandoned_by`): staff
    // ids, NULL on rows from before there were staff. `staff` holds each member once
    // (removed ones stay, so old rows keep a name), the PIN only as an Argon2id PHC string;
    // `failed_pins` and `locked_until` are the lockout's bookkeeping. `staff_log` is what
    // happened to staff: added, removed, PIN changed, locked out, signed on and off.
    // `z_reports` are the closed shifts, numbered from 1, with their totals as JSON.
    "
    ALTER TABLE entries ADD COLUMN cashier TEXT;
    ALTER TABLE entries ADD COLUMN approved_by TEXT;
    ALTER TABLE entries ADD COLUMN abandoned_by TEXT;

    CREATE TABLE staff (
        id           INTEGER PRIMARY KEY,
        staff_id     TEXT NOT NULL UNIQUE,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
        pin_hash     TEXT NOT NULL CHECK (pin_hash LIKE '$argon2id$%'),
        added_at     INTEGER NOT NULL,
        removed_at   INTEGER,
        failed_pins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
        locked_until INTEGER
    ) STRICT;

    CREATE TABLE staff_log (
        id       INTEGER PRIMARY KEY,
        at       INTEGER NOT NULL,
        staff_id TEXT NOT NULL,
        action   TEXT NOT NULL CHECK (action IN
            ('added', 'removed', 'pin_changed', 'locked', 'signed_on', 'signed_off')),
        by_staff TEXT,
        detail   TEXT
    ) STRICT;

    CREATE TABLE z_reports (
        id          INTEGER PRIMARY KEY,
        closed_at   INTEGER NOT NULL,
        closed_by   TEXT,
        approved_by TEXT,
        first_row   INTEGER NOT NULL,
        last_row    INTEGER NOT NULL CHECK (last_row >= first_row),
        opened_at   INTEGER NOT NULL,
        totals      TEXT NOT NULL
    ) STRICT;
    ",
];

/// The step that created the change log: journals older than it get their rows' events
/// written when they migrate past it.
const EVENTS_SINCE: i64 = 4;

/// Tables every journal at [`CURRENT`] has. A file marked as ours that lacks one is
/// damaged (say its `-wal` was lost before the schema reached the main file): refused,
/// never created again over it.
/// Each with the schema version that added it.
const TABLES: &[(&str, i64)] = &[
    ("entries", 1),
    ("journal_info", 2),
    ("receipt_queue", 3),
    ("events", EVENTS_SINCE),
    ("staff", 5),
    ("staff_log", 5),
    ("z_reports", 5),
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

fn missing_tables(conn: &Connection, found: i64) -> Result<Vec<&'static str>, JournalError> {
    // (Version 1 also had a sequence table, which version 2 replaced.)
    let expected = TABLES
        .iter()
        .filter(|(_, since)| *since <= found)
        .map(|(t, _)| t);
    let mut missing = Vec::new();
    for table in expected {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )?;
        if n == 0 {
            missing.push(*table);
        }
    }
    Ok(missing)
}

/// Refuses files that are not ours, are damaged, or are newer than this build; returns
/// the schema version found (0: a new, empty file). `what` names the file.
pub(crate) fn check(conn: &Connection, what: &str) -> Result<i64, JournalError> {
    let not_ours = || JournalError::NotAJournal {
        path: what.to_owned(),
    };
    let app = match application_id(conn) {
        // Some other file altogether (not SQLite, or encrypted): left as it is.
        Err(JournalError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            return Err(not_ours());
        }
        other => other?,
    };
    let found = version(conn)?;
    if app == 0 && found == 0 && is_empty(conn)? {
        return Ok(0);
    }
    if app != APPLICATION_ID {
        return Err(not_ours());
    }
    if found > CURRENT {
        return Err(JournalError::NewerSchema {
            path: what.to_owned(),
            found,
            known: CURRENT,
        });
    }
    let missing = missing_tables(conn, found)?;
    if found == 0 || !missing.is_empty() {
        return Err(JournalError::Damaged {
            path: what.to_owned(),
            missing: missing.join(", "),
        });
    }
    Ok(found)
}

/// Brings the schema up to [`CURRENT`] in one transaction: a crash mid-way leaves the old
/// version intact. Returns whether anything changed (the caller then checkpoints, so the
/// schema never lives only in the `-wal`).
pub(crate) fn migrate(conn: &mut Connection, what: &str) -> Result<bool, JournalError> {
    let found = check(conn, what)?;
    if found == CURRENT {
        return Ok(false);
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Re-read inside the lock in case another process migrated meanwhile.
    let found = version(&tx)?;
    apply(&tx, found)?;
    tx.commit()?;
    Ok(true)
}

fn apply(tx: &Transaction<'_>, from: i64) -> Result<(), JournalError> {
    for step in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(0)) {
        tx.execute_batch(step)?;
    }
    if from < EVENTS_SINCE {
        super::events::backfill(tx)?;
    }
    // Derived from code, not from history: they cover the content columns this build knows.
    super::events::install_triggers(tx)?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", CURRENT)?;
    Ok(())
}
