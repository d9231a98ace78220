//! Keyboard-wedge detection: decides from timing and prefix/suffix whether keys were typed
//! by a person or sent by a barcode scanner or magstripe reader.
//!
//! PLACEHOLDER: passes every key through as typed. The classifier replaces the bodies;
//! the interface below is the contract the app codes against.

use crate::config::ScannerSettings;

/// A key the scanner looks at. Other keys (arrows, F-keys, Esc...) are not fed; the app
/// calls [`Scanner::flush`] before handling them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKey {
    Char(char),
    Enter,
    Tab,
}

/// A magstripe read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swipe {
    /// The primary account number from track 1 or 2.
    pub account: String,
    /// The cardholder name from track 1 (`LAST/FIRST`), if present, as `First Last`.
    pub name: Option<String>,
}

/// What the keys fed so far turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// Typed by a person: deliver to the focused widget, in order.
    Typed(Vec<ScanKey>),
    /// A barcode scan: the card field gets `account` (replacing its content), entry type B.
    /// `submit` is true when the scanner's Enter should also submit (`scan_submits`).
    Scan { account: String, submit: bool },
    /// A magstripe swipe: the card field gets the account, entry type M.
    Swipe { swipe: Swipe, submit: bool },
    /// The reader sent its error track (`%E?` or `;E?`): ask for another swipe.
    SwipeError,
}

/// Holds back keys that might be the start of a scan until it knows.
#[derive(Debug, Clone)]
pub struct Scanner {
    #[allow(dead_code)]
    settings: ScannerSettings,
}

impl Scanner {
    pub fn new(settings: &ScannerSettings) -> Self {
        Self {
            settings: settings.clone(),
        }
    }

    /// Feeds one key that arrived at `at_ms` (monotonic milliseconds).
    pub fn feed(&mut self, key: ScanKey, _at_ms: u64) -> Vec<Routed> {
        vec![Routed::Typed(vec![key])]
    }

    /// Called when time passes with no key: a burst with no suffix ends after the quiet time.
    pub fn tick(&mut self, _now_ms: u64) -> Vec<Routed> {
        Vec::new()
    }

    /// A key the scanner does not handle arrived: release whatever is held.
    pub fn flush(&mut self) -> Vec<Routed> {
        Vec::new()
    }

    /// When the runtime should next call [`Scanner::tick`], if anything is held.
    pub fn next_deadline(&self) -> Option<u64> {
        None
    }
}

/// Cleans a pasted card number: digits only (spaces, dashes and the like removed).
pub fn normalize_paste(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
