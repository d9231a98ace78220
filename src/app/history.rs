//! The shift's transactions, newest first, as the history pane scrolls through them.

use crate::outcome::HistoryEntry;

/// How many rows one history page asks the worker for.
pub const PAGE: usize = 100;

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Sorted by journal id, newest (highest) first.
    pub entries: Vec<HistoryEntry>,
    pub selected: usize,
    /// A `LoadHistory` is out and not answered yet.
    pub loading: bool,
    /// The journal has no older rows.
    pub exhausted: bool,
}

impl History {
    /// Adds a row or replaces the one with the same id, keeping newest first.
    pub fn upsert(&mut self, entry: HistoryEntry) {
        match self.entries.binary_search_by(|e| entry.id.cmp(&e.id)) {
            Ok(i) => self.entries[i] = entry,
            Err(i) => {
                self.entries.insert(i, entry);
                // Keep the same row selected when a new one lands above it.
                if i <= self.selected && self.entries.len() > 1 {
                    self.selected += 1;
                }
            }
        }
    }

    /// A page from the journal arrived.
    pub fn merge_page(&mut self, entries: Vec<HistoryEntry>, requested: usize) {
        let short = entries.len() < requested;
        for e in entries {
            self.upsert(e);
        }
        self.loading = false;
        if short {
            self.exhausted = true;
        }
        self.clamp();
    }

    fn clamp(&mut self) {
        self.selected = self.selected.min(self.entries.len().saturating_sub(1));
    }

    /// Moves the selection by `delta` rows (negative = newer).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.entries.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn home(&mut self) {
        self.selected = 0;
    }

    pub fn end(&mut self) {
        self.selected = self.entries.len().saturating_sub(1);
    }

    pub fn selected_entry(&self) -> Option<&HistoryEntry> {
        self.entries.get(self.selected)
    }

    /// The id older rows should be loaded before, when the selection has reached the last
    /// loaded row and the journal may have more.
    pub fn wants_older(&self) -> Option<i64> {
        let at_end = self.selected + 1 >= self.entries.len();
        if self.loading || self.exhausted || !at_end {
            return None;
        }
        self.entries.last().map(|e| e.id)
    }

    /// The first row to draw so that the selected row is visible in `rows` lines.
    pub fn offset(&self, rows: usize, focused: bool) -> usize {
        if !focused || rows == 0 {
            return 0;
        }
        self.selected.saturating_sub(rows - 1)
    }
}
