//! The recovery window: requests whose outcome is not known (left by a crash, a timeout or a
//! `result 2`), and the three honest ways out of each: send the *same* request again (same
//! bytes, same tranOrderNo; PayWizard de-duplicates it), look at the card's balance, or
//! close it by hand with a reason. Nothing here sends under a new number.

use std::collections::HashMap;

use crate::api::Balance;
use crate::outcome::HistoryEntry;
use crate::worker::RequestId;

/// What a balance check for one row has come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BalanceCheck {
    Asking,
    Known(Vec<Balance>),
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// Open rows, oldest first.
    pub rows: Vec<HistoryEntry>,
    pub selected: usize,
    /// The list has come back from the journal at least once.
    pub loaded: bool,
    /// The window opened by itself once at start; it does not nag after that.
    pub offered: bool,
    /// The window is to open by itself on the next tick: after the screen has been drawn
    /// once with what was loaded, so the till is seen before the window covers it.
    pub offer_due: bool,
    pub balances: HashMap<i64, BalanceCheck>,
    /// The resend in flight: (request id, row id).
    pub resending: Option<(RequestId, i64)>,
    /// What happened to the last row acted on, for the cashier to read.
    pub last: Option<String>,
}

impl Recovery {
    pub fn selected_row(&self) -> Option<&HistoryEntry> {
        self.rows.get(self.selected)
    }

    pub fn set_rows(&mut self, rows: Vec<HistoryEntry>) {
        self.rows = rows;
        self.loaded = true;
        self.clamp();
    }

    /// A row's state changed: it joins the list while its outcome is unknown and leaves it
    /// once the outcome is final.
    pub fn row_changed(&mut self, entry: &HistoryEntry) {
        let at = self.rows.binary_search_by_key(&entry.id, |r| r.id);
        match (entry.state.is_open(), at) {
            (true, Ok(i)) => self.rows[i] = entry.clone(),
            (true, Err(i)) => self.rows.insert(i, entry.clone()),
            (false, Ok(i)) => {
                self.rows.remove(i);
                self.balances.remove(&entry.id);
            }
            (false, Err(_)) => {}
        }
        self.clamp();
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}
