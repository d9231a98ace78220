//! Voids and the sales they reverse.
//!
//! A void's request carries no card and no amount, only the original's checkoutId. Its
//! row borrows the original's masked card, amount and points when this journal has the
//! original, so the history and the receipt show what was reversed; and once the void is
//! approved, the original reads `voided` (linked both ways).

use rusqlite::{Connection, OptionalExtension, params};

use super::row::{self, COLUMNS, COLUMNS_WITH_BODY};
use super::{Intent, Journal, JournalError, Row};
use crate::api::Operation;
use crate::outcome::RowState;

fn load(conn: &Connection, id: i64) -> Result<Row, JournalError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM entries WHERE id = ?1"),
        [id],
        |r| row::read(r, false),
    )
    .optional()?
    .ok_or(JournalError::NoSuchRow(id))
}

/// The transaction a void or tip refers to: the newest row with that checkoutId, a sale
/// before a void (a void has a checkoutId of its own, so asking to void a void finds the
/// void, which is then refused; a sale is preferred should an id ever repeat).
pub(crate) fn original_of(conn: &Connection, checkout: &str) -> Result<Option<Row>, JournalError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {COLUMNS_WITH_BODY} FROM entries WHERE checkout_id = ?1
                 ORDER BY operation = 'void', id DESC LIMIT 1"
            ),
            [checkout],
            |r| row::read(r, true),
        )
        .optional()?)
}

/// For a void about to be journaled: the sale it reverses, when this journal has it. Its
/// masked card, amount and points go onto the void's row, and `void_of` points at it.
pub(crate) fn reversed_sale(
    conn: &Connection,
    intent: &Intent,
) -> Result<Option<Row>, JournalError> {
    if intent.operation != Operation::Void {
        return Ok(None);
    }
    match intent.original_checkout_id.as_deref() {
        Some(checkout) => original_of(conn, checkout),
        None => Ok(None),
    }
}

/// For an approved void row `void_id`: marks the sale it reversed `voided` and returns its
/// id. A sale that is no longer approved (a second void approved too) is left as it is:
/// the void's own outcome is still recorded.
pub(crate) fn reversed_by(conn: &Connection, void_id: i64) -> Result<Option<i64>, JournalError> {
    let void = load(conn, void_id)?;
    let Some(original_id) = void.void_of.filter(|_| void.operation == Operation::Void) else {
        return Ok(None);
    };
    let original = load(conn, original_id)?;
    if original.state != RowState::Approved {
        return Ok(None);
    }
    link(conn, &original, &void)?;
    Ok(Some(original_id))
}

fn link(conn: &Connection, original: &Row, void: &Row) -> Result<(), JournalError> {
    if void.operation != Operation::Void {
        return Err(JournalError::Invalid(format!(
            "row {} is a {}, not a void",
            void.id, void.operation
        )));
    }
    if void.state != RowState::Approved {
        return Err(JournalError::Invalid(format!(
            "void row {} is {}, not approved; the original stands",
            void.id, void.state
        )));
    }
    if original.operation == Operation::Void || original.state != RowState::Approved {
        return Err(JournalError::Invalid(format!(
            "row {} ({} {}) cannot be voided",
            original.id,
            original.operation.cli_name(),
            original.state
        )));
    }
    if let (Some(target), Some(checkout)) = (&void.original_checkout_id, &original.checkout_id)
        && target != checkout
    {
        return Err(JournalError::Invalid(format!(
            "void row {} reversed checkoutId {target}, not row {}'s {checkout}",
            void.id, original.id
        )));
    }
    conn.execute(
        "UPDATE entries SET state = 'voided', voided_by = ?2 WHERE id = ?1",
        params![original.id, void.id],
    )?;
    conn.execute(
        "UPDATE entries SET void_of = ?2 WHERE id = ?1",
        params![void.id, original.id],
    )?;
    Ok(())
}

impl Journal {
    /// Links an approved void (`void_id`) to the approved original it reversed, and marks
    /// the original `voided`. [`Journal::finish`] does this itself for a void whose
    /// original was in the journal when it began; a void whose outcome is unknown leaves
    /// the original approved, because it may still stand.
    pub fn mark_voided(&mut self, original_id: i64, void_id: i64) -> Result<(), JournalError> {
        self.writable()?;
        let tx = self.conn.transaction()?;
        let original = load(&tx, original_id)?;
        let void = load(&tx, void_id)?;
        if original.voided_by == Some(void_id) && void.void_of == Some(original_id) {
            return Ok(()); // already linked: a retried call is harmless
        }
        link(&tx, &original, &void)?;
        tx.commit()?;
        Ok(())
    }

    /// The transaction with checkoutId `checkout` that a void or tip would refer to (body
    /// included), if this journal has it.
    pub fn original_of(&self, checkout: &str) -> Result<Option<Row>, JournalError> {
        original_of(&self.conn, checkout)
    }

    /// A void of checkoutId `checkout` whose outcome is not known yet, if any: a second
    /// void must wait until recovery settles the first.
    pub fn open_void_of(&self, checkout: &str) -> Result<Option<Row>, JournalError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM entries
                     WHERE state IN ('sending', 'unknown') AND operation = 'void'
                       AND original_checkout_id = ?1
                     ORDER BY id DESC LIMIT 1"
                ),
                [checkout],
                |r| row::read(r, false),
            )
            .optional()?)
    }
}
