//! Writing rows: the intent before a request leaves, its outcome after, and the hand
//! closings (abandon) that settle an open row.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::cards::{self, account_in_body};
use super::checkpoint::{last_row, note_checkpoint};
use super::row::to_ms;
use super::staff::{self, Authority, Need, Refusal};
use super::{Intent, Journal, JournalError, voids};
use crate::api::{ResponseData, mask_account};
use crate::money::{Currency, WireDecimal};
use crate::outcome::{Outcome, RowState, Status};

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn scrub(text: &str, account: Option<&str>) -> String {
    match account {
        Some(a) if text.contains(a) => text.replace(a, &mask_account(a)),
        _ => text.to_owned(),
    }
}

pub(crate) fn state_of(conn: &Connection, id: i64) -> Result<RowState, JournalError> {
    let state: String = conn
        .query_row("SELECT state FROM entries WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?
        .ok_or(JournalError::NoSuchRow(id))?;
    Ok(RowState::parse(&state).unwrap_or(RowState::Unknown))
}

/// What moved of a partial approval, in minor units of the row's currency.
fn taken_minor(outcome: &Outcome, currency: &str, asked: Option<i64>) -> Result<i64, JournalError> {
    let decimals = Currency::new(currency).map_or(2, |c| c.decimals());
    let taken = outcome
        .amount
        .as_deref()
        .and_then(WireDecimal::new)
        .and_then(|d| d.to_minor(decimals));
    match (taken, asked) {
        (Some(taken), Some(asked)) if (0..=asked).contains(&taken) => Ok(taken),
        _ => Err(JournalError::Invalid(format!(
            "a partial approval of {} for a request of {:?} minor units",
            outcome.amount.as_deref().unwrap_or("no amount"),
            asked
        ))),
    }
}

impl Journal {
    /// Commits the write-ahead row (state `sending`) and returns its id. Call this before
    /// the request leaves; if it fails, do not send. A void's row carries the masked card,
    /// amount and points of the sale it reverses, when this journal has that sale.
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
        let mut points = intent
            .points
            .map(i64::try_from)
            .transpose()
            .map_err(|_| JournalError::Invalid("points out of range".into()))?;
        let mut masked = if intent.account.is_empty() {
            String::new()
        } else {
            mask_account(&intent.account)
        };
        let (mut amount_minor, mut currency) = (intent.amount_minor, intent.currency.clone());
        check_cashier(&self.conn, intent.cashier.as_deref())?;
        let reversed = voids::reversed_sale(&self.conn, intent)?;
        if let Some(sale) = &reversed {
            masked = sale.account_masked.clone();
            amount_minor = sale.amount_minor;
            points = sale.points.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
            currency = sale.currency.clone();
        }
        let result = self.conn.query_row(
            "INSERT INTO entries (created_at, till_id, operation, tran_order_no, account_masked,
                 entry_type, amount_minor, points, currency, state, original_checkout_id, body,
                 card_held, void_of, cashier, approved_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'sending', ?10, ?11, ?12, ?13, ?14, ?15)
             RETURNING id",
            params![
                to_ms(intent.created_at),
                self.till_id,
                intent.operation.cli_name(),
                intent.tran_order_no,
                masked,
                intent.entry_type.code(),
                amount_minor,
                points,
                currency,
                intent.original_checkout_id,
                intent.body,
                account_in_body(&intent.body).is_some(),
                reversed.map(|sale| sale.id),
                intent.cashier,
                intent.approved_by,
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
    ///
    /// In the same transaction: an approved partial payment records what moved
    /// (`amount_minor`) and what was asked (`requested_minor`); an approved void marks the
    /// sale it reversed `voided`; and a settled row no longer needed for a resend or a tip
    /// gives up its card number (followed by a checkpoint, so the old bytes leave the
    /// `-wal`). If this fails, nothing of it was recorded and the row is still open.
    pub fn finish(
        &mut self,
        id: i64,
        outcome: &Outcome,
        response: Option<&ResponseData>,
        now: OffsetDateTime,
    ) -> Result<(), JournalError> {
        self.writable()?;
        // When a checkpoint follows, the outcome's commit skips its own disk sync: the
        // checkpoint syncs the -wal first thing, one sync instead of two. Should power fail
        // in between, the outcome is lost and the row is open again, which recovery
        // resolves by resending the same bytes; the intent itself was synced before it
        // was sent. (The safety level cannot change inside a transaction, hence before.)
        let checkpoint_follows = self.checkpoint_follows(id, outcome, now)?;
        if checkpoint_follows {
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        let committed = self.record(id, outcome, response, now, checkpoint_follows);
        if checkpoint_follows {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        if let Some(last) = committed? {
            // The outcome is committed; a checkpoint that fails now is caught up by the
            // next one and changes nothing about it.
            let _ = self.truncate_wal(last);
        }
        Ok(())
    }

    /// The transaction of [`Journal::finish`]; returns the last row id to checkpoint
    /// through, when a checkpoint must follow.
    fn record(
        &mut self,
        id: i64,
        outcome: &Outcome,
        response: Option<&ResponseData>,
        now: OffsetDateTime,
        checkpoint_follows: bool,
    ) -> Result<Option<i64>, JournalError> {
        let tip_window = self.tip_window;
        let tx = self.conn.transaction()?;
        record_outcome(&tx, id, outcome, response, now)?;
        let mut scrubbed = cards::scrub_if_done(&tx, id, now, tip_window)?;
        if outcome.status == Status::Approved
            && let Some(original) = voids::reversed_by(&tx, id)?
        {
            scrubbed |= cards::scrub_if_done(&tx, original, now, tip_window)?;
        }
        let checkpoint = if checkpoint_follows || scrubbed {
            let last = last_row(&tx)?;
            note_checkpoint(&tx, last)?;
            Some(last)
        } else {
            None
        };
        tx.commit()?;
        Ok(checkpoint)
    }

    /// Whether recording `outcome` on row `id` is followed by a checkpoint: it drops a card
    /// number (this row's, or the sale an approved void reverses), or enough rows have
    /// gathered since the last checkpoint.
    fn checkpoint_follows(
        &self,
        id: i64,
        outcome: &Outcome,
        now: OffsetDateTime,
    ) -> Result<bool, JournalError> {
        if id - self.checkpointed_through >= super::CHECKPOINT_EVERY_ROWS {
            return Ok(true);
        }
        let settled = RowState::from(outcome.status);
        if settled.is_open() {
            return Ok(false);
        }
        let Some((op, created_at, held, void_of)) = self
            .conn
            .query_row(
                "SELECT operation, created_at, card_held, void_of FROM entries WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                },
            )
            .optional()?
        else {
            return Ok(false);
        };
        let (Some(op), Some(created_at)) = (
            crate::api::Operation::from_cli_name(&op),
            super::row::from_ms(created_at),
        ) else {
            return Ok(false);
        };
        if held && !cards::keeps_card(op, settled, created_at, now, self.tip_window) {
            return Ok(true);
        }
        // An approved void ends the tip window of the payment it reverses.
        match void_of.filter(|_| settled == RowState::Approved) {
            Some(original) => Ok(self
                .conn
                .query_row(
                    "SELECT card_held FROM entries WHERE id = ?1",
                    [original],
                    |r| r.get::<_, bool>(0),
                )
                .optional()?
                .unwrap_or(false)),
            None => Ok(false),
        }
    }

    /// The cashier gives up on an open row (e.g. the card holder left), with a reason.
    /// Only while the till has no staff; after that, see [`Journal::mark_abandoned_as`].
    pub fn mark_abandoned(
        &mut self,
        id: i64,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), JournalError> {
        self.mark_abandoned_as(id, reason, &Authority::nobody(), now)
    }

    /// Gives up on an open row with a reason: a manager's decision once the till has staff
    /// (the cashier signed on as one, or a manager approving), recorded as `abandoned_by`.
    pub fn mark_abandoned_as(
        &mut self,
        id: i64,
        reason: &str,
        authority: &Authority,
        now: OffsetDateTime,
    ) -> Result<(), JournalError> {
        self.writable()?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(JournalError::Invalid(
                "say why the transaction is abandoned".into(),
            ));
        }
        let tip_window = self.tip_window;
        let tx = self.conn.transaction()?;
        let state = state_of(&tx, id)?;
        if !state.is_open() {
            return Err(JournalError::NotOpen { id, state });
        }
        let by = staff::permit::check(&tx, authority, Need::Manager)?
            .map_err(JournalError::NotPermitted)?;
        tx.execute(
            "UPDATE entries SET state = 'abandoned', abandon_reason = ?2, finished_at = ?3,
                 abandoned_by = ?4
             WHERE id = ?1",
            params![id, reason, to_ms(now), by.approved_by],
        )?;
        let scrubbed = cards::scrub_if_done(&tx, id, now, tip_window)?;
        tx.commit()?;
        if scrubbed {
            let _ = self.checkpoint();
        }
        Ok(())
    }
}

/// Once the till has staff, every row names an active staff member as its cashier.
fn check_cashier(conn: &Connection, cashier: Option<&str>) -> Result<(), JournalError> {
    if !staff::any_active(conn)? {
        return Ok(());
    }
    let cashier = cashier.ok_or(JournalError::NotPermitted(Refusal::SignOnNeeded))?;
    match staff::active(conn, cashier)? {
        Some(_) => Ok(()),
        None => Err(JournalError::NotPermitted(Refusal::NoLongerStaff(
            cashier.to_owned(),
        ))),
    }
}

/// The outcome columns of row `id`, checked against the row; part of `finish`.
fn record_outcome(
    tx: &Connection,
    id: i64,
    outcome: &Outcome,
    response: Option<&ResponseData>,
    now: OffsetDateTime,
) -> Result<(), JournalError> {
    let (state, order, body, currency, asked): (
        String,
        Option<String>,
        Vec<u8>,
        String,
        Option<i64>,
    ) = tx
        .query_row(
            "SELECT state, tran_order_no, body, currency, amount_minor FROM entries WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
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
    // An unknown outcome without a checkoutId of its own may carry an answer about some
    // other request (one that does not match this one): its ids are not this row's.
    let ids_from =
        response.filter(|_| outcome.status != Status::Unknown || outcome.checkout_id.is_some());
    let checkout_id = outcome
        .checkout_id
        .clone()
        .or_else(|| ids_from.and_then(|d| d.checkout_id.clone()));
    let trans_index_code = ids_from.and_then(|d| d.trans_index_code.clone());
    // `amount_minor` is what moved: for a partial approval, what PayWizard took.
    let (amount_minor, requested_minor) = if outcome.is_partial() {
        (Some(taken_minor(outcome, &currency, asked)?), asked)
    } else {
        (asked, None)
    };
    tx.execute(
        "UPDATE entries SET state = ?2, code = ?3, msg = ?4, checkout_id = ?5,
             trans_index_code = ?6, finished_at = ?7, response = ?8, amount_minor = ?9,
             requested_minor = ?10
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
            amount_minor,
            requested_minor,
        ],
    )?;
    Ok(())
}
