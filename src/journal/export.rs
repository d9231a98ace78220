//! CSV export for the back office: one line per journal row, masked accounts only.

use rusqlite::Connection;
use time::UtcOffset;
use time::format_description::well_known::Rfc3339;

use super::JournalError;
use super::row::{self, COLUMNS, to_ms};

pub const HEADER: [&str; 18] = [
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
    // Staff ids: who ran it, the manager who approved it, the manager who abandoned it.
    "cashier",
    "approvedBy",
    "abandonedBy",
];

/// Every cell passes through here, whatever its column: control characters become spaces
/// (a journal written by an older till, or a reason typed at the command line, may hold
/// them; a leading tab or carriage return is one of OWASP's formula triggers), and a cell
/// a spreadsheet would run as a formula (`=`, `+`, `-` or `@` first, after any blanks)
/// gets a leading apostrophe, as OWASP's CSV-injection advice says. A negative figure
/// would read as text then; no column holds one.
fn defuse(text: &str) -> String {
    let text = crate::api::clean::printable(text);
    if text.trim_start().starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
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
        let cells = [
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
            row.msg,
            row.checkout_id.unwrap_or_default(),
            row.original_checkout_id.unwrap_or_default(),
            requested,
            row.cashier.unwrap_or_default(),
            row.approved_by.unwrap_or_default(),
            row.abandoned_by.unwrap_or_default(),
        ];
        csv.write_record(cells.iter().map(|cell| defuse(cell)))?;
        n += 1;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(n)
}

#[cfg(test)]
mod defuse_tests {
    use super::defuse;

    #[test]
    fn every_formula_start_is_neutralised_and_controls_never_survive() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "' =1"),
            ("\r\n=1", "'  =1"),
            (" @x", "' @x"),
            ("approved", "approved"),
            ("**** **** 0014", "**** **** 0014"),
            ("a\u{1b}]0;x\u{7}b\u{1b}[2J", "a ]0;x b [2J"),
        ] {
            assert_eq!(defuse(cell), want, "{cell:?}");
        }
    }
}
