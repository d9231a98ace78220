//! Pure application state and update (Elm style): no I/O, no terminal, no clock.

pub mod magstripe;
pub mod scanner;

/// TEMPORARY stub until the TUI branch lands.
pub struct App;
impl App {
    pub fn new(_config: &crate::config::Config) -> App {
        App
    }
}
