//! Full card numbers at rest: kept only while something still needs them.
//!
//! A gift card number is a bearer instrument, so a copy of the journal must not hand over
//! every card ever served. A row's signed body carries the full number because a resend
//! must repeat those bytes exactly; that need ends when the outcome is settled. Then the
//! body keeps only the masked form (`**** **** 3456`). Two cases keep it longer:
//!
//! - an open row (`sending`, `unknown`): recovery resends it byte for byte;
//! - an approved payment, for the tip window (default 24 h): a tip is sent to the same
//!   card, and the cashier tips from the history without the card at hand.
//!
//! `secure_delete` (set on the writer) zeroes the bytes a rewrite frees, and the writer
//! checkpoints the WAL with TRUNCATE after a scrub, so the old page images leave the
//! `-wal` as well.

use std::time::Duration;

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::row::to_ms;
use super::{Journal, JournalError};
use crate::api::{Operation, mask_account};
use crate::outcome::RowState;

/// How long an approved payment keeps its card number for a tip, unless configured.
pub const DEFAULT_TIP_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Whether a row's body must still hold the full card number at `now`.
pub(crate) fn keeps_card(
    op: Operation,
    state: RowState,
    created_at: OffsetDateTime,
    now: OffsetDateTime,
    tip_window: Duration,
) -> bool {
    state.is_open()
        || (op == Operation::Pay && state == RowState::Approved && now < created_at + tip_window)
}

/// The card number inside a signed body (its `accountId`), if it is one.
pub(crate) fn account_in_body(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let account = value.get("accountId")?.as_str()?;
    (account.len() > 4 && account.bytes().all(|b| b.is_ascii_digit())).then(|| account.to_owned())
}

/// `body` with every occurrence of its card number replaced by the masked form.
pub(crate) fn masked_body(body: &[u8]) -> Vec<u8> {
    match account_in_body(body) {
        Some(account) => replace_all(body, account.as_bytes(), mask_account(&account).as_bytes()),
        None => body.to_vec(),
    }
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while !rest.is_empty() {
        if rest.starts_with(needle) {
            out.extend_from_slice(with);
            rest = &rest[needle.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// Replaces row `id`'s body by its masked form and clears `card_held`. Part of the
/// caller's transaction.
pub(crate) fn scrub_row(conn: &Connection, id: i64) -> Result<(), JournalError> {
    let body: Vec<u8> =
        conn.query_row("SELECT body FROM entries WHERE id = ?1", [id], |r| r.get(0))?;
    conn.execute(
        "UPDATE entries SET body = ?2, card_held = 0 WHERE id = ?1",
        params![id, masked_body(&body)],
    )?;
    Ok(())
}

/// Scrubs row `id` if nothing needs its card number any more; returns whether it did.
pub(crate) fn scrub_if_done(
    conn: &Connection,
    id: i64,
    now: OffsetDateTime,
    tip_window: Duration,
) -> Result<bool, JournalError> {
    let (op, state, created_at, held): (String, String, i64, bool) = conn.query_row(
        "SELECT operation, state, created_at, card_held FROM entries WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    if !held {
        return Ok(false);
    }
    let (Some(op), Some(state), Some(created_at)) = (
        Operation::from_cli_name(&op),
        RowState::parse(&state),
        super::row::from_ms(created_at),
    ) else {
        return Ok(false);
    };
    if keeps_card(op, state, created_at, now, tip_window) {
        return Ok(false);
    }
    scrub_row(conn, id)?;
    Ok(true)
}

impl Journal {
    /// Scrubs every settled row that no longer needs its card number (payments past the
    /// tip window, rows settled by an older build), then checkpoints so the old bytes leave
    /// the `-wal` too. Returns how many rows were scrubbed. The till runs it when it opens
    /// the journal.
    pub fn scrub_settled_cards(&mut self, now: OffsetDateTime) -> Result<usize, JournalError> {
        self.writable()?;
        let window_ms = i64::try_from(self.tip_window.as_millis()).unwrap_or(i64::MAX);
        let due: Vec<i64> = {
            // The partial index on card_held keeps this cheap on a large journal.
            let mut stmt = self.conn.prepare(
                "SELECT id FROM entries
                 WHERE card_held = 1 AND state NOT IN ('sending', 'unknown')
                   AND NOT (operation = 'pay' AND state = 'approved' AND created_at > ?1)",
            )?;
            let cutoff = to_ms(now).saturating_sub(window_ms);
            stmt.query_map([cutoff], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        if due.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.transaction()?;
        for id in &due {
            scrub_row(&tx, *id)?;
        }
        tx.commit()?;
        self.checkpoint()?;
        Ok(due.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn only_open_rows_and_recent_payments_keep_the_card() {
        let t0 = datetime!(2025-07-24 13:00:00 UTC);
        let day = DEFAULT_TIP_WINDOW;
        let later = |h: i64| t0 + time::Duration::hours(h);
        assert!(keeps_card(
            Operation::IssuePoints,
            RowState::Unknown,
            t0,
            later(100),
            day
        ));
        assert!(keeps_card(
            Operation::Pay,
            RowState::Sending,
            t0,
            later(100),
            day
        ));
        assert!(keeps_card(
            Operation::Pay,
            RowState::Approved,
            t0,
            later(23),
            day
        ));
        assert!(!keeps_card(
            Operation::Pay,
            RowState::Approved,
            t0,
            later(24),
            day
        ));
        assert!(!keeps_card(
            Operation::Pay,
            RowState::Voided,
            t0,
            later(1),
            day
        ));
        assert!(!keeps_card(Operation::Pay, RowState::Declined, t0, t0, day));
        assert!(!keeps_card(
            Operation::TopUp,
            RowState::Approved,
            t0,
            t0,
            day
        ));
        assert!(!keeps_card(
            Operation::IssuePoints,
            RowState::Approved,
            t0,
            t0,
            day
        ));
        assert!(!keeps_card(Operation::Tip, RowState::Approved, t0, t0, day));
    }

    #[test]
    fn a_masked_body_keeps_everything_but_the_card_number() {
        let body = br#"{"clientId":"1","tranOrderNo":"20250724","accountId":"6274000000003456","entryType":"K","amount":"1.00"}"#;
        assert_eq!(
            masked_body(body),
            br#"{"clientId":"1","tranOrderNo":"20250724","accountId":"**** **** 3456","entryType":"K","amount":"1.00"}"#
        );
        let void = br#"{"clientId":"1","tranOrderNo":"2","oriOrderNo":"93"}"#;
        assert_eq!(masked_body(void), void.to_vec(), "no card, nothing to mask");
        let masked = masked_body(body);
        assert_eq!(
            masked_body(&masked),
            masked,
            "masking twice changes nothing"
        );
        assert_eq!(account_in_body(&masked), None);
    }
}
