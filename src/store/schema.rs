//! The central database's tables, created and migrated by the tills themselves, versioned in
//! code. Append-only like the journal's: a step once released is never edited.
//!
//! The store holds masked card numbers only, never a secret, a token, a PIN or a request
//! body: it is a copy for reports, not something a resend could be made from.

use tokio_postgres::Client;

use super::StoreError;

/// Any two tills migrating at once take this advisory lock; the second finds the work done.
const MIGRATION_LOCK: i64 = 0x5057_544A_5354_4F52; // "PWTJSTOR"

const MIGRATIONS: &[&str] = &[
    // 1: one row per till journal, and the rows it pushed.
    "
    CREATE TABLE tills (
        instance_id  TEXT PRIMARY KEY,
        till_id      TEXT NOT NULL,
        store_name   TEXT NOT NULL,
        -- the outbox cursor: every local change up to this one is stored here
        pushed_seq   BIGINT NOT NULL DEFAULT 0,
        -- the journal's chain hash at pushed_seq: a local rewrite after a sync shows
        head_hash    BYTEA,
        first_push   TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_push    TIMESTAMPTZ NOT NULL DEFAULT now()
    );

    CREATE TABLE entries (
        instance_id          TEXT NOT NULL REFERENCES tills (instance_id),
        row_id               BIGINT NOT NULL,
        -- the local change that produced this state; a push only ever moves it forward
        version              BIGINT NOT NULL,
        till_id              TEXT NOT NULL,
        created_at           TIMESTAMPTZ NOT NULL,
        finished_at          TIMESTAMPTZ,
        operation            TEXT NOT NULL,
        tran_order_no        TEXT,
        account_masked       TEXT NOT NULL,
        entry_type           TEXT NOT NULL,
        amount_minor         BIGINT,
        requested_minor      BIGINT,
        points               BIGINT,
        currency             TEXT NOT NULL,
        state                TEXT NOT NULL,
        code                 BIGINT,
        msg                  TEXT NOT NULL,
        checkout_id          TEXT,
        original_checkout_id TEXT,
        voided_by            BIGINT,
        void_of              BIGINT,
        abandon_reason       TEXT,
        cashier              TEXT,
        approved_by          TEXT,
        pushed_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (instance_id, row_id)
    );

    CREATE INDEX entries_created_at ON entries (created_at);
    CREATE INDEX entries_till_created_at ON entries (till_id, created_at);
    ",
];

/// The schema version this build writes.
pub const CURRENT: i32 = MIGRATIONS.len() as i32;

/// Brings the central schema up to [`CURRENT`], in one transaction under an advisory lock.
pub async fn migrate(client: &mut Client, shown: &str) -> Result<(), StoreError> {
    let db = |e| StoreError::database(shown, &e);
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS store_schema (version INTEGER NOT NULL)")
        .await
        .map_err(db)?;
    let found: Option<i32> = tx
        .query_opt("SELECT version FROM store_schema", &[])
        .await
        .map_err(db)?
        .map(|row| row.get(0));
    let found = found.unwrap_or(0);
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            shown: shown.to_owned(),
            found,
            known: CURRENT,
        });
    }
    for step in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(step).await.map_err(db)?;
    }
    if found == 0 {
        tx.execute(
            "INSERT INTO store_schema (version) VALUES ($1)",
            &[&CURRENT],
        )
        .await
        .map_err(db)?;
    } else if found < CURRENT {
        tx.execute("UPDATE store_schema SET version = $1", &[&CURRENT])
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
