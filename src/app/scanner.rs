//! Keyboard-wedge detection: decides from timing and prefix/suffix whether keys were typed
//! by a person or sent by a barcode scanner or magstripe reader, so the entry type sent to
//! PayWizard (`B`, `M` or `K`) never has to be chosen by the cashier.
//!
//! # The timing rule
//!
//! The figures it rests on:
//!
//! | source | gap between characters |
//! |---|---|
//! | barcode scanner, magstripe reader (keyboard wedge) | 0-12 ms, suffix in the same rhythm |
//! | cashier | 80-250 ms; a fast typist 60-80 ms |
//! | key rollover (two keys pressed together) | a single gap can be < 30 ms, never six in a row |
//!
//! `max_gap_ms` (default 30) sits 2.5x above the slowest scanner gap and 2x below the fastest
//! typist; `quiet_ms` (default 80) is the silence that ends a burst.
//!
//! Keys that could start a scan are *held*. The held keys form a *burst*, which a new key
//! joins only if, with it, both still hold:
//!
//! 1. the average gap is at most `max_gap_ms`, i.e. the burst spans no more than
//!    `max_gap_ms x gaps` (an average rather than a per-gap limit, so that one stall of the
//!    event loop in the middle of a scan -- the app was busy drawing -- does not cut the
//!    scan in two and leak its first half into a field);
//! 2. the gap is below `quiet_ms`.
//!
//! A key that breaks either ends the burst before it and starts the next one. So a person's
//! keys never share a burst (every typing gap is > 30 ms), and keys typed just before a scan
//! are never swallowed into it (the scan's first character comes > 30 ms after them).
//!
//! A burst ends, and is classified, when its suffix arrives (Enter, Tab or the configured
//! literal, which is consumed), when a key breaks it, when [`Scanner::flush`] is called, or
//! when it can no longer grow: at `min(first + max_gap_ms x keys + 1, last + quiet_ms)`,
//! which is [`Scanner::next_deadline`]. For a real scan (a dozen characters a few ms apart)
//! that is `last + quiet_ms`; for a lone typed key it is 31 ms after it, the most a
//! cashier's key is ever held back (and less when the next key arrives first).
//!
//! A finished burst is:
//! * a **swipe** if, after the prefix, it starts with `%` or `;` and has at least 3
//!   characters (`%E?`, the shortest read, takes a person far longer than 60 ms to type):
//!   parsed by [`super::magstripe`] into [`Routed::Swipe`] or [`Routed::SwipeError`];
//! * a **scan** if it has at least `min_len` characters once the prefix, suffix and any
//!   control characters (an STX the settings do not know about) are removed;
//! * otherwise **typed**: every key, prefix and suffix included, in order.
//!
//! A scan or swipe that ended on silence may be followed by its Enter/Tab suffix a little
//! late (a stall again); that key, arriving within `quiet_ms` of the burst, is consumed too,
//! so it cannot submit the form behind the cashier's back when `scan_submits` is off.
//!
//! Times come in with the keys (monotonic ms); this module never reads a clock. A time that
//! goes backwards counts as no time passing.

use std::fmt;

use super::magstripe;
use crate::api::EntryType;
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

impl Routed {
    /// The PayWizard entry type a card number from this event carries: `B` for a scan, `M`
    /// for a swipe, `K` for typed keys; `None` for a failed swipe (no card number).
    pub fn entry_type(&self) -> Option<EntryType> {
        match self {
            Routed::Typed(_) => Some(EntryType::K),
            Routed::Scan { .. } => Some(EntryType::B),
            Routed::Swipe { .. } => Some(EntryType::M),
            Routed::SwipeError => None,
        }
    }
}

/// What ends a scan, from `ScannerSettings::suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Suffix {
    Enter,
    Tab,
    None,
    Literal(Vec<char>),
}

impl Suffix {
    fn parse(setting: &str) -> Suffix {
        match setting.trim().to_ascii_lowercase().as_str() {
            "enter" => Suffix::Enter,
            "tab" => Suffix::Tab,
            "none" | "" => Suffix::None,
            _ => Suffix::Literal(setting.chars().collect()),
        }
    }

    fn is_key(&self, key: ScanKey) -> bool {
        matches!(
            (self, key),
            (Suffix::Enter, ScanKey::Enter) | (Suffix::Tab, ScanKey::Tab)
        )
    }
}

/// How a burst ended.
#[derive(Debug, Clone, Copy)]
enum End {
    /// Silence, a key that broke the burst, or a flush.
    Open,
    /// Its suffix key (Enter or Tab), consumed if the burst is a scan.
    Key(ScanKey),
    /// Its literal suffix, which is the held burst's tail.
    Literal,
}

/// Holds back keys that might be the start of a scan until it knows.
#[derive(Clone)]
pub struct Scanner {
    prefix: Vec<char>,
    suffix: Suffix,
    submit: bool,
    max_gap_ms: u64,
    quiet_ms: u64,
    min_len: usize,
    /// The burst: characters with their (monotonic) arrival. Enter and Tab are never held.
    /// Cleared the moment the burst is classified, so no track data outlives the parse.
    held: Vec<(char, u64)>,
    /// Latest time seen, so that a time going backwards counts as no time passing.
    clock: u64,
    /// Last key of a scan or swipe that ended without its suffix key: that key may still
    /// come, late, and is then consumed (see the module docs).
    unsuffixed_scan_at: Option<u64>,
}

/// Held keys may be a card's track data: show how many, never which.
impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("suffix", &self.suffix)
            .field("max_gap_ms", &self.max_gap_ms)
            .field("quiet_ms", &self.quiet_ms)
            .field("min_len", &self.min_len)
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

impl Scanner {
    pub fn new(settings: &ScannerSettings) -> Self {
        Self {
            prefix: settings.prefix.chars().collect(),
            suffix: Suffix::parse(&settings.suffix),
            submit: settings.scan_submits,
            max_gap_ms: settings.max_gap_ms,
            quiet_ms: settings.quiet_ms,
            // An empty burst is never a scan, whatever the setting says.
            min_len: settings.min_len.max(1),
            held: Vec::new(),
            clock: 0,
            unsuffixed_scan_at: None,
        }
    }

    /// Feeds one key that arrived at `at_ms` (monotonic milliseconds).
    pub fn feed(&mut self, key: ScanKey, at_ms: u64) -> Vec<Routed> {
        let at = self.advance(at_ms);
        let mut out = Vec::new();
        if !self.held.is_empty() && !self.joins(at) {
            out.extend(self.settle(End::Open));
        }
        match key {
            ScanKey::Enter | ScanKey::Tab => {
                if self.suffix.is_key(key) && !self.held.is_empty() {
                    out.extend(self.settle(End::Key(key)));
                } else if self.suffix.is_key(key) && self.late_suffix(at) {
                    self.unsuffixed_scan_at = None;
                } else {
                    out.extend(self.settle(End::Open));
                    out.push(Routed::Typed(vec![key]));
                }
            }
            ScanKey::Char(c) => {
                // Whatever suffix comes after this belongs to this key's burst.
                self.unsuffixed_scan_at = None;
                self.held.push((c, at));
                if let Some(split) = self.new_prefix_at() {
                    // The prefix starts a new scan: what came before it is a burst of its own.
                    let next = self.held.split_off(split);
                    out.extend(self.settle(End::Open));
                    self.held = next;
                }
                if self.ends_with_literal_suffix() {
                    out.extend(self.settle(End::Literal));
                }
            }
        }
        merge_typed(out)
    }

    /// Called when time passes with no key: a burst with no suffix ends after the quiet time.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Routed> {
        let now = self.advance(now_ms);
        match self.next_deadline() {
            Some(deadline) if now >= deadline => self.settle(End::Open),
            _ => Vec::new(),
        }
    }

    /// A key the scanner does not handle arrived: release whatever is held.
    pub fn flush(&mut self) -> Vec<Routed> {
        let out = self.settle(End::Open);
        // The cashier pressed something: an Enter after this is theirs.
        self.unsuffixed_scan_at = None;
        out
    }

    /// When the runtime should next call [`Scanner::tick`], if anything is held.
    pub fn next_deadline(&self) -> Option<u64> {
        let (_, first) = *self.held.first()?;
        let (_, last) = *self.held.last()?;
        let gaps = self.held.len() as u64;
        let average_broken = first
            .saturating_add(self.max_gap_ms.saturating_mul(gaps))
            .saturating_add(1);
        Some(average_broken.min(last.saturating_add(self.quiet_ms)))
    }

    fn advance(&mut self, at_ms: u64) -> u64 {
        self.clock = self.clock.max(at_ms);
        self.clock
    }

    /// Whether a key arriving at `at` continues the held burst (see the module docs).
    fn joins(&self, at: u64) -> bool {
        self.next_deadline().is_some_and(|deadline| at < deadline)
    }

    /// A suffix key that arrived shortly after a scan which ended without it.
    fn late_suffix(&self, at: u64) -> bool {
        self.unsuffixed_scan_at
            .is_some_and(|last| at.saturating_sub(last) < self.quiet_ms)
    }

    /// Where a prefix that has just been completed starts, if it starts a new burst (it is
    /// not the prefix the held burst itself began with).
    fn new_prefix_at(&self) -> Option<usize> {
        let n = self.prefix.len();
        if n == 0 || self.held.len() <= n {
            return None;
        }
        let at = self.held.len() - n;
        let tail_is_prefix = self.held[at..]
            .iter()
            .map(|&(c, _)| c)
            .eq(self.prefix.iter().copied());
        let begins_with_prefix = self.starts_with_prefix();
        (tail_is_prefix && (!begins_with_prefix || at >= n)).then_some(at)
    }

    fn starts_with_prefix(&self) -> bool {
        !self.prefix.is_empty()
            && self.held.len() >= self.prefix.len()
            && self
                .held
                .iter()
                .zip(&self.prefix)
                .all(|(&(c, _), &p)| c == p)
    }

    fn ends_with_literal_suffix(&self) -> bool {
        let Suffix::Literal(suffix) = &self.suffix else {
            return false;
        };
        let skip = if self.starts_with_prefix() {
            self.prefix.len()
        } else {
            0
        };
        let data = &self.held[skip..];
        data.len() >= suffix.len()
            && data[data.len() - suffix.len()..]
                .iter()
                .map(|&(c, _)| c)
                .eq(suffix.iter().copied())
    }

    /// Classifies and clears the held burst.
    fn settle(&mut self, end: End) -> Vec<Routed> {
        let starts_with_prefix = self.starts_with_prefix();
        let held = std::mem::take(&mut self.held);
        let Some(&(_, last_at)) = held.last() else {
            return match end {
                End::Key(key) => vec![Routed::Typed(vec![key])],
                End::Open | End::Literal => Vec::new(),
            };
        };
        let mut data: &[(char, u64)] = &held;
        if starts_with_prefix {
            data = &data[self.prefix.len()..];
        }
        if let (End::Literal, Suffix::Literal(suffix)) = (end, &self.suffix) {
            data = &data[..data.len().saturating_sub(suffix.len())];
        }
        let text: String = data.iter().map(|&(c, _)| c).collect();
        match self.classify(&text) {
            Some(routed) => {
                self.unsuffixed_scan_at = match end {
                    End::Open => Some(last_at),
                    End::Key(_) | End::Literal => None,
                };
                vec![routed]
            }
            None => {
                let mut keys: Vec<ScanKey> = held.iter().map(|&(c, _)| ScanKey::Char(c)).collect();
                if let End::Key(key) = end {
                    keys.push(key);
                }
                vec![Routed::Typed(keys)]
            }
        }
    }

    /// What a finished fast burst's data (prefix and suffix removed) is; `None` if typed.
    fn classify(&self, data: &str) -> Option<Routed> {
        if data.starts_with(['%', ';']) && data.chars().count() >= 3 {
            return Some(match magstripe::parse(data) {
                Some(swipe) => Routed::Swipe {
                    swipe,
                    submit: self.submit,
                },
                None => Routed::SwipeError,
            });
        }
        let account: String = data.chars().filter(|c| !c.is_control()).collect();
        (account.chars().count() >= self.min_len).then_some(Routed::Scan {
            account,
            submit: self.submit,
        })
    }
}

/// Joins neighbouring `Typed` events, so one call reports one run of typed keys.
fn merge_typed(events: Vec<Routed>) -> Vec<Routed> {
    let mut out: Vec<Routed> = Vec::with_capacity(events.len());
    for event in events {
        match (out.last_mut(), event) {
            (Some(Routed::Typed(keys)), Routed::Typed(more)) => keys.extend(more),
            (_, event) => out.push(event),
        }
    }
    out
}

/// Cleans a pasted card number: digits only (spaces, dashes and the like removed).
pub fn normalize_paste(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}
