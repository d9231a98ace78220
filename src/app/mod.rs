//! Pure application state and update (Elm style): no I/O, no terminal, no clock.

pub mod magstripe;
pub mod scanner;
