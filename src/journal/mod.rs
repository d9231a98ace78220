//! The SQLite journal: write-ahead intents, outcomes, history, reports, recovery.
