//! One sync: read this journal's changes after the store's cursor (on a read-only
//! connection of its own, so a sale never waits on it), push them in batches, and stop when
//! none are left. A crash anywhere leaves the cursor at the last batch the store committed;
//! the next sync resumes there, and a batch pushed twice changes nothing.
//!
//! Before pushing, the store's record of this journal is checked against the journal: a
//! journal that no longer has changes the store has (restored from an older copy, or its
//! `-wal` lost), or whose chain at the store's cursor differs (rewritten after the sync),
//! is refused loudly instead of being merged over what the store already holds.

use std::path::{Path, PathBuf};

use super::{Change, Store, StoreError, StoreRow, StoreSettings, TillIdentity};
use crate::journal::{ChangedRow, Journal, JournalError};

/// Rows per push: one transaction and one statement each.
pub const BATCH: usize = 1_000;

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    /// Rows written to the store (a row changed several times counts once per batch).
    pub rows: usize,
    /// Journal changes pushed.
    pub changes: usize,
    /// The journal change the store now has everything up to.
    pub up_to: i64,
    /// Changes still waiting (0 after a sync that finished).
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("journal: {0}")]
    Journal(String),
    #[error(
        "store database {shown} has this journal's changes up to {stored}, but the journal only goes up to {local}: it was restored from an older copy or lost its -wal; nothing was pushed (the store keeps what it has; call support)"
    )]
    Behind {
        shown: String,
        stored: i64,
        local: i64,
    },
    #[error(
        "the journal's chain at change {seq} differs from what store database {shown} received: the journal was changed after it was synced; nothing was pushed (run `paywizard-till verify`)"
    )]
    Rewritten { shown: String, seq: i64 },
}

impl From<JournalError> for SyncError {
    fn from(e: JournalError) -> SyncError {
        SyncError::Journal(e.to_string())
    }
}

/// Where the changes come from: the journal file, read-only.
#[derive(Debug, Clone)]
pub struct Source {
    pub journal: PathBuf,
    pub till_id: String,
    pub store_name: String,
}

impl Source {
    fn open(&self) -> Result<Journal, SyncError> {
        Ok(Journal::open_read_only(&self.journal)?)
    }
}

/// Reads on a blocking thread: SQLite is synchronous.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Journal(format!("the journal reader stopped: {e}")))?
}

/// Changes this journal has that the store may not: `last event - cursor` as last known.
pub fn waiting(journal: &Path, cursor: i64) -> Result<i64, SyncError> {
    let j = Journal::open_read_only(journal)?;
    Ok((j.last_event()? - cursor).max(0))
}

/// Pushes everything the store does not have yet.
pub async fn sync_once(source: &Source, settings: &StoreSettings) -> Result<Synced, SyncError> {
    let src = source.clone();
    let (instance_id, last) = blocking(move || {
        let j = src.open()?;
        Ok((j.instance_id().to_owned(), j.last_event()?))
    })
    .await?;
    let till = TillIdentity {
        instance_id,
        till_id: source.till_id.clone(),
        store_name: source.store_name.clone(),
    };
    let mut store = Store::connect(&settings.address, settings.connect_timeout).await?;
    let cursor = store.cursor(&till).await?;
    if cursor.seq > last {
        return Err(SyncError::Behind {
            shown: store.shown().to_owned(),
            stored: cursor.seq,
            local: last,
        });
    }
    if cursor.seq > 0 {
        let src = source.clone();
        let seq = cursor.seq;
        let local = blocking(move || Ok(src.open()?.chain_hash_at(seq)?)).await?;
        if cursor.head_hash.is_some() && local != cursor.head_hash {
            return Err(SyncError::Rewritten {
                shown: store.shown().to_owned(),
                seq,
            });
        }
    }
    let mut done = Synced {
        rows: 0,
        changes: 0,
        up_to: cursor.seq,
        waiting: last - cursor.seq,
    };
    loop {
        let src = source.clone();
        let after = done.up_to;
        let (batch, head) = blocking(move || {
            let j = src.open()?;
            let batch = j.changes_after(after, BATCH)?;
            let head = match batch.last() {
                Some(c) => j.chain_hash_at(c.seq)?,
                None => None,
            };
            Ok((batch, head))
        })
        .await?;
        let (Some(last_change), Some(head)) = (batch.last(), head) else {
            break;
        };
        let up_to = last_change.seq;
        let changes: Vec<Change> = batch.iter().map(to_change).collect();
        done.rows += store.push(&till, &changes, &head).await?;
        done.changes += changes.len();
        done.up_to = up_to;
    }
    // The newest changes may carry no rows (staff changes, a Z report): move the cursor
    // past them too, so a finished sync leaves nothing waiting.
    if last > done.up_to {
        let src = source.clone();
        if let Some(head) = blocking(move || Ok(src.open()?.chain_hash_at(last)?)).await? {
            store.advance(&till, last, &head).await?;
            done.up_to = last;
        }
    }
    let src = source.clone();
    let up_to = done.up_to;
    done.waiting = blocking(move || Ok((src.open()?.last_event()? - up_to).max(0))).await?;
    Ok(done)
}

fn to_change(c: &ChangedRow) -> Change {
    let r = &c.row;
    Change {
        seq: c.seq,
        row: StoreRow {
            row_id: r.id,
            till_id: r.till_id.clone(),
            created_at: r.created_at,
            finished_at: r.finished_at,
            operation: r.operation.cli_name().to_owned(),
            tran_order_no: r.tran_order_no.clone(),
            account_masked: r.account_masked.clone(),
            entry_type: r.entry_type.code().to_owned(),
            amount_minor: r.amount_minor,
            requested_minor: r.requested_minor,
            points: r.points.and_then(|p| i64::try_from(p).ok()),
            currency: r.currency.clone(),
            state: r.state.as_str().to_owned(),
            code: r.code,
            msg: r.msg.clone(),
            checkout_id: r.checkout_id.clone(),
            original_checkout_id: r.original_checkout_id.clone(),
            voided_by: r.voided_by,
            void_of: r.void_of,
            abandon_reason: r.abandon_reason.clone(),
            // Staff ids only: a PIN or its hash never leaves the till.
            cashier: r.cashier.clone(),
            approved_by: r.approved_by.clone(),
        },
    }
}
