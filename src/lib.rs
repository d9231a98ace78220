//! paywizard-till: a till terminal for PayWizard Open API loyalty and gift cards.
//!
//! Layout and data flow: `shared/DESIGN.md`. Protocol: `shared/paywizard-api.md`.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod journal;
pub mod money;
pub mod outcome;
pub mod receipt;
pub mod sim;
pub mod till;
pub mod tui;
pub mod ui;
pub mod worker;
