//! The built-in PayWizard simulator (axum on loopback): demo mode and tests.
