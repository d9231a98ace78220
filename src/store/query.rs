//! The store-wide view: the same report and history a till prints, over every till in the
//! central database, plus how many tills they cover.

use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

use super::{Store, StoreError};
use crate::api::{EntryType, Operation};
use crate::journal::{Group, Report, Row, assemble};
use crate::outcome::{HistoryEntry, RowState};

/// Which rows: created in `[from, to)`, of one till or all.
#[derive(Debug, Clone)]
pub struct Filter {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub till: Option<String>,
}

/// `report --store`: a till's report shape, plus the number of tills in it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreReport {
    #[serde(flatten)]
    pub report: Report,
    pub tills: i64,
}

/// One history line of the store: a till's history entry and which till it came from.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreEntry {
    pub till_id: String,
    #[serde(flatten)]
    pub entry: HistoryEntry,
}

impl Store {
    pub async fn report(&self, filter: &Filter) -> Result<StoreReport, StoreError> {
        let db = |e| StoreError::database(self.shown(), &e);
        let rows = self
            .client()
            .query(
                "SELECT operation, state, currency, count(*), sum(amount_minor)::bigint,
                        sum(points)::bigint
                 FROM entries
                 WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR till_id = $3)
                 GROUP BY operation, state, currency",
                &[&filter.from, &filter.to, &filter.till],
            )
            .await
            .map_err(db)?;
        let groups = rows.iter().map(|r| Group {
            operation: r.get(0),
            state: r.get(1),
            currency: r.get(2),
            count: r.get(3),
            money: r.get(4),
            points: r.get(5),
        });
        let report = assemble(filter.from, filter.to, groups);
        let tills: i64 = self
            .client()
            .query_one(
                "SELECT count(DISTINCT till_id) FROM entries
                 WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR till_id = $3)",
                &[&filter.from, &filter.to, &filter.till],
            )
            .await
            .map_err(db)?
            .get(0);
        Ok(StoreReport { report, tills })
    }

    /// The newest `limit` rows of every till (or one), newest first.
    pub async fn history(
        &self,
        filter: &Filter,
        limit: i64,
        offset: UtcOffset,
    ) -> Result<(Vec<StoreEntry>, i64), StoreError> {
        let db = |e| StoreError::database(self.shown(), &e);
        let rows = self
            .client()
            .query(
                "SELECT row_id, created_at, finished_at, till_id, operation, tran_order_no,
                        account_masked, entry_type, amount_minor, points, currency, state, code,
                        msg, checkout_id, original_checkout_id, voided_by, void_of,
                        abandon_reason, requested_minor, cashier, approved_by
                 FROM entries
                 WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR till_id = $3)
                 ORDER BY created_at DESC, instance_id, row_id DESC
                 LIMIT $4",
                &[&filter.from, &filter.to, &filter.till, &limit],
            )
            .await
            .map_err(db)?;
        let mut entries = Vec::with_capacity(rows.len());
        let mut tills = std::collections::BTreeSet::new();
        for r in &rows {
            let operation: String = r.get(4);
            let entry_type: String = r.get(7);
            let state: String = r.get(11);
            // A row from a newer till build the reader does not know is left out, not
            // guessed at.
            let (Some(operation), Ok(entry_type), Some(state)) = (
                Operation::from_cli_name(&operation),
                entry_type.parse::<EntryType>(),
                RowState::parse(&state),
            ) else {
                continue;
            };
            let till_id: String = r.get(3);
            let points: Option<i64> = r.get(9);
            let row = Row {
                id: r.get(0),
                created_at: r.get(1),
                finished_at: r.get(2),
                till_id: till_id.clone(),
                operation,
                tran_order_no: r.get(5),
                account_masked: r.get(6),
                entry_type,
                amount_minor: r.get(8),
                requested_minor: r.get(19),
                points: points.and_then(|p| u64::try_from(p).ok()),
                currency: r.get(10),
                state,
                code: r.get(12),
                msg: r.get(13),
                checkout_id: r.get(14),
                trans_index_code: None,
                original_checkout_id: r.get(15),
                voided_by: r.get(16),
                void_of: r.get(17),
                abandon_reason: r.get(18),
                cashier: r.get(20),
                approved_by: r.get(21),
                // Not kept centrally: the till's own journal has it.
                abandoned_by: None,
                body: Vec::new(),
            };
            tills.insert(till_id.clone());
            entries.push(StoreEntry {
                till_id,
                entry: row.to_history(offset),
            });
        }
        let tills = i64::try_from(tills.len()).unwrap_or(i64::MAX);
        Ok((entries, tills))
    }
}
