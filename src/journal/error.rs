//! What can go wrong with the journal, in words a store manager can act on.

use std::path::PathBuf;

use crate::outcome::RowState;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "journal {} is in use by another paywizard-till{}; close that one first",
        path.display(),
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Locked { path: PathBuf, pid: Option<u32> },

    #[error(
        "journal {} does not exist: nothing has been recorded with it yet (check --journal / PAYWIZARD_TILL_JOURNAL)",
        path.display()
    )]
    NotFound { path: PathBuf },

    #[error("cannot open journal {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("cannot use {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not a paywizard-till journal; point --journal at the till's journal file")]
    NotAJournal { path: String },

    #[error(
        "journal {path} is damaged: it is marked as a paywizard-till journal but {} (was its -wal file lost?); nothing was changed: restore it from a backup, or move it aside to start a new journal",
        if missing.is_empty() { "has no schema version".to_owned() } else { format!("has no {missing} table") }
    )]
    Damaged { path: String, missing: String },

    #[error(
        "journal {path} was written by a newer paywizard-till (schema {found}, this one knows {known}); update this program"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },

    #[error(
        "journal {path} is from an older paywizard-till (schema {found}); start the till once to upgrade it, then try again"
    )]
    OlderSchema { path: String, found: i64 },

    #[error("the journal is open read-only; only the running till can record transactions")]
    ReadOnly,

    #[error("till id must be 1 to 10 digits (it is part of every tranOrderNo)")]
    BadTillId(String),

    #[error("journal has no row {0}")]
    NoSuchRow(i64),

    #[error("journal row {id} is already {state}; its outcome cannot be changed")]
    NotOpen { id: i64, state: RowState },

    #[error("tranOrderNo {0} is already in the journal; a new request needs a new number")]
    DuplicateOrderNo(String),

    #[error("not permitted: {0} (nothing was recorded)")]
    NotPermitted(super::Refusal),

    #[error("refusing to journal this: {0}")]
    Invalid(String),

    #[error("journal database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("cannot write the CSV export: {0}")]
    Csv(#[from] csv::Error),
}
