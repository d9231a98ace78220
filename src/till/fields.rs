//! What the engine reads back out of journal rows and requests: the card and amount of a
//! signed body, a row's quantity, an open row as an outcome.

use crate::api::{BodyContext, TillRequest, mask_account};
use crate::journal::Row;
use crate::outcome::{Outcome, Status};

/// The card number a journaled request was for (read from its signed body), while the
/// journal still holds it: open rows, and approved payments within the tip window.
pub fn account_of(row: &Row) -> Option<String> {
    BodyFields::read(&row.body)
        .account
        .filter(|a| a.len() > 4 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// The few fields recovery reads back out of a journaled body.
pub(super) struct BodyFields {
    pub account: Option<String>,
    pub amount: Option<String>,
    pub nsf_allowed: bool,
}

impl BodyFields {
    pub(super) fn read(body: &[u8]) -> BodyFields {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        BodyFields {
            account: text("accountId"),
            amount: text("amount"),
            nsf_allowed: json.get("nsfAllowed").and_then(serde_json::Value::as_bool) == Some(true),
        }
    }
}

/// A row's quantity on the wire (`"25"`, `"10.50"`): what a void reverses.
pub(super) fn quantity_of(row: &Row) -> Option<String> {
    row.points
        .map(|p| p.to_string())
        .or_else(|| row.amount_decimal())
}

/// An open row as an outcome (for what is shown while its answer waits).
pub(super) fn row_outcome(row: &Row) -> Outcome {
    Outcome {
        operation: row.operation,
        tran_order_no: row.tran_order_no.clone(),
        account_id: row.account_masked.clone(),
        entry_type: row.entry_type,
        status: Status::Unknown,
        code: row.code,
        msg: String::new(),
        checkout_id: row.checkout_id.clone(),
        amount: quantity_of(row),
        requested_amount: None,
        balances: Vec::new(),
    }
}

pub(super) fn wire_quantity(request: &TillRequest, ctx: &BodyContext) -> Option<String> {
    match (request.points, request.amount) {
        (Some(p), _) => Some(p.to_wire()),
        (None, Some(a)) => Some(a.to_wire(&ctx.currency)),
        (None, None) => None,
    }
}

pub(super) fn mask_or_empty(account: &str) -> String {
    if account.is_empty() {
        String::new()
    } else {
        mask_account(account)
    }
}
