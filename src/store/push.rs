//! Pushing a till's changes into the central database: one transaction per batch, an
//! idempotent upsert per row keyed by (journal instance, row id) that only ever moves a row
//! to a newer version, and the till's cursor moved in the same transaction. A re-push, a
//! crash mid-push or two tills pushing at once can neither duplicate nor lose a row.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use tokio_postgres::Client;

use super::StoreError;

/// Who is pushing: one journal of one till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillIdentity {
    /// The journal's random instance id: unique across tills and re-created journals.
    pub instance_id: String,
    pub till_id: String,
    pub store_name: String,
}

/// A journal row as the store keeps it: masked card, no body, no response, no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRow {
    pub row_id: i64,
    pub till_id: String,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub operation: String,
    pub tran_order_no: Option<String>,
    pub account_masked: String,
    pub entry_type: String,
    pub amount_minor: Option<i64>,
    pub requested_minor: Option<i64>,
    pub points: Option<i64>,
    pub currency: String,
    pub state: String,
    pub code: Option<i64>,
    pub msg: String,
    pub checkout_id: Option<String>,
    pub original_checkout_id: Option<String>,
    pub voided_by: Option<i64>,
    pub void_of: Option<i64>,
    pub abandon_reason: Option<String>,
    pub cashier: Option<String>,
    pub approved_by: Option<String>,
}

/// One local change: the journal's change sequence number and the row as it now stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub row: StoreRow,
}

/// How far the store has a till journal's changes: every change with `seq <= seq` is in,
/// and `head_hash` is the journal's chain hash at `seq` as it was pushed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    pub seq: i64,
    pub head_hash: Option<Vec<u8>>,
}

pub async fn cursor(
    client: &Client,
    till: &TillIdentity,
    shown: &str,
) -> Result<Cursor, StoreError> {
    let row = client
        .query_opt(
            "SELECT pushed_seq, head_hash FROM tills WHERE instance_id = $1",
            &[&till.instance_id],
        )
        .await
        .map_err(|e| StoreError::database(shown, &e))?;
    Ok(row.map_or_else(Cursor::default, |r| Cursor {
        seq: r.get(0),
        head_hash: r.get(1),
    }))
}

/// Stores a batch of changes (ordered by `seq`) and moves the cursor to the last one,
/// whose chain hash is `head_hash`. Returns how many rows were written (a row seen twice
/// in the batch counts once).
pub async fn push(
    client: &mut Client,
    till: &TillIdentity,
    changes: &[Change],
    head_hash: &[u8],
    shown: &str,
) -> Result<usize, StoreError> {
    let Some(last) = changes.iter().map(|c| c.seq).max() else {
        return Ok(0);
    };
    // One statement cannot update a row twice: keep each row's newest state.
    let mut newest: BTreeMap<i64, &Change> = BTreeMap::new();
    for change in changes {
        let slot = newest.entry(change.row.row_id).or_insert(change);
        if change.seq > slot.seq {
            *slot = change;
        }
    }
    let rows: Vec<&Change> = newest.into_values().collect();
    let db = |e| StoreError::database(shown, &e);
    let tx = client.transaction().await.map_err(db)?;
    upsert_till(&tx, till).await.map_err(db)?;
    let col =
        |f: fn(&StoreRow) -> Option<String>| rows.iter().map(|c| f(&c.row)).collect::<Vec<_>>();
    let text = |f: fn(&StoreRow) -> String| rows.iter().map(|c| f(&c.row)).collect::<Vec<_>>();
    let int = |f: fn(&StoreRow) -> Option<i64>| rows.iter().map(|c| f(&c.row)).collect::<Vec<_>>();
    let versions: Vec<i64> = rows.iter().map(|c| c.seq).collect();
    let row_ids: Vec<i64> = rows.iter().map(|c| c.row.row_id).collect();
    let created: Vec<OffsetDateTime> = rows.iter().map(|c| c.row.created_at).collect();
    let finished: Vec<Option<OffsetDateTime>> = rows.iter().map(|c| c.row.finished_at).collect();
    let written = tx
        .execute(
            "INSERT INTO entries (instance_id, row_id, version, till_id, created_at, finished_at,
                 operation, tran_order_no, account_masked, entry_type, amount_minor,
                 requested_minor, points, currency, state, code, msg, checkout_id,
                 original_checkout_id, voided_by, void_of, abandon_reason, cashier, approved_by)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[],
                 $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[],
                 $12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::bigint[], $17::text[],
                 $18::text[], $19::text[], $20::bigint[], $21::bigint[], $22::text[], $23::text[],
                 $24::text[])
             ON CONFLICT (instance_id, row_id) DO UPDATE SET
                 version = EXCLUDED.version, till_id = EXCLUDED.till_id,
                 created_at = EXCLUDED.created_at, finished_at = EXCLUDED.finished_at,
                 operation = EXCLUDED.operation, tran_order_no = EXCLUDED.tran_order_no,
                 account_masked = EXCLUDED.account_masked, entry_type = EXCLUDED.entry_type,
                 amount_minor = EXCLUDED.amount_minor, requested_minor = EXCLUDED.requested_minor,
                 points = EXCLUDED.points, currency = EXCLUDED.currency, state = EXCLUDED.state,
                 code = EXCLUDED.code, msg = EXCLUDED.msg, checkout_id = EXCLUDED.checkout_id,
                 original_checkout_id = EXCLUDED.original_checkout_id,
                 voided_by = EXCLUDED.voided_by, void_of = EXCLUDED.void_of,
                 abandon_reason = EXCLUDED.abandon_reason, cashier = EXCLUDED.cashier,
                 approved_by = EXCLUDED.approved_by, pushed_at = now()
             WHERE entries.version < EXCLUDED.version",
            &[
                &till.instance_id,
                &row_ids,
                &versions,
                &text(|r| r.till_id.clone()),
                &created,
                &finished,
                &text(|r| r.operation.clone()),
                &col(|r| r.tran_order_no.clone()),
                &text(|r| r.account_masked.clone()),
                &text(|r| r.entry_type.clone()),
                &int(|r| r.amount_minor),
                &int(|r| r.requested_minor),
                &int(|r| r.points),
                &text(|r| r.currency.clone()),
                &text(|r| r.state.clone()),
                &int(|r| r.code),
                &text(|r| r.msg.clone()),
                &col(|r| r.checkout_id.clone()),
                &col(|r| r.original_checkout_id.clone()),
                &int(|r| r.voided_by),
                &int(|r| r.void_of),
                &col(|r| r.abandon_reason.clone()),
                &col(|r| r.cashier.clone()),
                &col(|r| r.approved_by.clone()),
            ],
        )
        .await
        .map_err(db)?;
    move_cursor(&tx, till, last, head_hash).await.map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(usize::try_from(written).unwrap_or(usize::MAX))
}

/// Moves `till`'s cursor to `seq` (whose chain hash is `head_hash`) with no rows to store:
/// the journal's last changes were not transaction rows (a staff change, a Z report), and
/// the store has every row up to there.
pub async fn advance(
    client: &mut Client,
    till: &TillIdentity,
    seq: i64,
    head_hash: &[u8],
    shown: &str,
) -> Result<(), StoreError> {
    let db = |e| StoreError::database(shown, &e);
    let tx = client.transaction().await.map_err(db)?;
    upsert_till(&tx, till).await.map_err(db)?;
    move_cursor(&tx, till, seq, head_hash).await.map_err(db)?;
    tx.commit().await.map_err(db)
}

/// This journal's row in `tills`, made or refreshed (a till id or store name can change).
async fn upsert_till(
    tx: &tokio_postgres::Transaction<'_>,
    till: &TillIdentity,
) -> Result<u64, tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO tills (instance_id, till_id, store_name) VALUES ($1, $2, $3)
         ON CONFLICT (instance_id) DO UPDATE
           SET till_id = EXCLUDED.till_id, store_name = EXCLUDED.store_name, last_push = now()",
        &[&till.instance_id, &till.till_id, &till.store_name],
    )
    .await
}

/// Moves the cursor to `seq` with the chain hash that belongs to it. Two pushes of the same
/// changes may race (two `sync` runs): the later cursor wins, never an older one.
async fn move_cursor(
    tx: &tokio_postgres::Transaction<'_>,
    till: &TillIdentity,
    seq: i64,
    head_hash: &[u8],
) -> Result<u64, tokio_postgres::Error> {
    tx.execute(
        "UPDATE tills SET pushed_seq = $2, head_hash = $3
         WHERE instance_id = $1 AND pushed_seq <= $2",
        &[&till.instance_id, &seq, &head_hash],
    )
    .await
}
