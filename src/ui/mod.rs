//! Pure rendering of the app state into a ratatui frame.
