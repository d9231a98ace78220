//! paywizard-till: a till terminal for PayWizard Open API loyalty and gift cards.
//!
//! The floors, the flow of one sale and where each capability lives: docs/ARCHITECTURE.md.
//! What the till relies on from PayWizard, and the decisions taken where PayWizard's
//! documentation is silent: docs/protocol.md.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod journal;
pub mod money;
pub mod outcome;
pub mod printer;
pub mod receipt;
pub mod sim;
pub mod store;
pub mod till;
pub mod tui;
pub mod ui;
pub mod worker;
