//! CSV export for the back office: one line per journal row, masked accounts only.

use rusqlite::Connection;
use time::UtcOffset;
use time::format_description::well_known::Rfc3339;

use super::JournalError;
use super::row::{self, COLUMNS, to_ms};

pub const HEADER: [&str; 15] = [
    "time",
    "till",
    "operation",
    "tranOrderNo",
    "account",
    "entryType",
    "amount",
    "currency",
    "points",
    "state",
    "code",
    "msg",
    "checkoutId",
    "originalCheckoutId",
    // What a partial payment asked for, where PayWizard took less (`amount`).
    "requestedAmount",
];

/// A spreadsheet runs a cell that starts with one of these as a formula. `msg` is text
/// from the network, so it is defused with a leading apostrophe (OWASP's advice).
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

pub(crate) fn write<W: std::io::Write>(
    conn: &Connection,
    out: W,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> Result<usize, JournalError> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(HEADER)?;
    // The body is not selected: the full card number never comes near the export.
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM entries WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id"
    ))?;
    let rows = stmt.query_map([to_ms(from), to_ms(to)], |r| row::read(r, false))?;
    let mut n = 0;
    for row in rows {
        let row = row?;
        let time = row
            .created_at
            .to_offset(UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default();
        let requested = row.requested_decimal().unwrap_or_default();
        let (amount, currency) = match row.amount_decimal() {
            Some(a) => (a, row.currency.clone()),
            None => (String::new(), String::new()),
        };
        csv.write_record([
            time,
            row.till_id,
            row.operation.cli_name().to_owned(),
            row.tran_order_no.unwrap_or_default(),
            row.account_masked,
            row.entry_type.code().to_owned(),
            amount,
            currency,
            row.points.map(|p| p.to_string()).unwrap_or_default(),
            row.state.as_str().to_owned(),
            row.code.map(|c| c.to_string()).unwrap_or_default(),
            defuse(&row.msg),
            row.checkout_id.unwrap_or_default(),
            row.original_checkout_id.unwrap_or_default(),
            requested,
        ])?;
        n += 1;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(n)
}
