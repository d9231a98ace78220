//! What the hash chain covers: each chained table with the columns that make up what a
//! row "says". `events` builds the triggers and `verify` from this list, so a table joins
//! the chain by being listed here, and a column by being appended to its list.

/// What a row "says": every column a report, a receipt or a person relies on. Not the
/// request body (a settled row's card number is masked in it later, which must not count
/// as an edit), not PayWizard's raw answer, not bookkeeping such as `card_held`.
///
/// Columns may be added at the end (a NULL column adds nothing to the hash, so rows
/// written before a column existed keep their hashes); none may be removed or renamed.
pub(crate) const ENTRY_CONTENT: &[&str] = &[
    "id",
    "created_at",
    "finished_at",
    "till_id",
    "operation",
    "tran_order_no",
    "account_masked",
    "entry_type",
    "amount_minor",
    "requested_minor",
    "points",
    "currency",
    "state",
    "code",
    "msg",
    "checkout_id",
    "trans_index_code",
    "original_checkout_id",
    "voided_by",
    "void_of",
    "abandon_reason",
    "cashier",
    "approved_by",
    "abandoned_by",
];

/// A staff member as recorded: who they are, their role and their PIN's hash (so a hash
/// swapped in with an outside tool shows). Not the lockout's counters, which change with
/// every wrong PIN; a lockout is a `staff_log` row of its own.
const STAFF_CONTENT: &[&str] = &[
    "id",
    "staff_id",
    "name",
    "role",
    "pin_hash",
    "added_at",
    "removed_at",
];

const STAFF_LOG_CONTENT: &[&str] = &["id", "at", "staff_id", "action", "by_staff", "detail"];

const Z_CONTENT: &[&str] = &[
    "id",
    "closed_at",
    "closed_by",
    "approved_by",
    "first_row",
    "last_row",
    "opened_at",
    "totals",
];

/// A table whose rows the chain covers: its event kind and its content columns. A later
/// table (a Z report, a staff change) joins the chain by being listed here.
pub(crate) struct Chained {
    pub table: &'static str,
    pub kind: &'static str,
    pub content: &'static [&'static str],
}

pub(crate) const CHAINED: &[Chained] = &[
    Chained {
        table: "entries",
        kind: "entry",
        content: ENTRY_CONTENT,
    },
    Chained {
        table: "staff",
        kind: "staff",
        content: STAFF_CONTENT,
    },
    Chained {
        table: "staff_log",
        kind: "staff_log",
        content: STAFF_LOG_CONTENT,
    },
    Chained {
        table: "z_reports",
        kind: "z",
        content: Z_CONTENT,
    },
];
