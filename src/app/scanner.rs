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
//! that is `last + quiet_ms`; for a lone typed key it is 31 ms after it (61 ms after the
//! first of a rollover pair), and sooner when the next key arrives first.
//!
//! A finished burst is:
//! * a **swipe** if, after the prefix (and any control characters), it starts with `%` or
//!   `;` and has at least 3 characters (`%E?`, the shortest read, takes a person far longer
//!   than 60 ms to type): parsed by [`super::magstripe`] into [`Routed::Swipe`] or
//!   [`Routed::SwipeError`]; a track behind unknown printable characters is a
//!   [`Routed::SwipeError`] too, so track data can never become a scanned account;
//! * a **scan** if what is left once the prefix, suffix and any control characters (an STX
//!   the settings do not know about) are removed is card-shaped: 6 to 40 digits, and at
//!   least `min_len` characters;
//! * **rejected** if it is certainly a reader's but not a card: it began with the
//!   configured prefix, or it is more than 40 digits. Nothing is typed; the cashier is told;
//! * **text** if it is at least `min_len` characters of anything else (`Margaret` from a
//!   text expander or a name-badge reader): typed into the focused field as text, its suffix
//!   key consumed (a machine's Enter never submits), never read as commands;
//! * otherwise **typed**: every key, prefix and suffix included, in order.
//!
//! A scan or swipe that ended on silence may be followed by its Enter/Tab suffix a little
//! late (a stall again); that key, arriving within `quiet_ms` after the burst ended (its
//! deadline: by default up to 160 ms after the last character, well before a cashier reacts
//! to a scan), is consumed, so it cannot submit the form behind the cashier's back when
//! `scan_submits` is off. The deadline, not the moment the runtime noticed, is the reference,
//! so the outcome depends only on the keys' times, never on when `tick` was called.
//!
//! Times come in with the keys (monotonic ms); this module never reads a clock. A time that
//! goes backwards counts as no time passing.

use std::fmt;

use super::magstripe;
use crate::api::EntryType;
use crate::app::form::CARD_MAX;

/// The shortest card number a scan can carry (`validate_account`'s floor).
const CARD_MIN: usize = 6;
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
    /// A fast burst that is not a card number: text for the focused field, as typed.
    Text(String),
    /// A burst from the reader that is not a card number: nothing is typed, the cashier is
    /// told. Carries only its length (it may be anything).
    Rejected { chars: usize },
}

impl Routed {
    /// The PayWizard entry type a card number from this event carries: `B` for a scan, `M`
    /// for a swipe, `K` for typed keys; `None` for a failed swipe (no card number).
    pub fn entry_type(&self) -> Option<EntryType> {
        match self {
            Routed::Typed(_) => Some(EntryType::K),
            Routed::Scan { .. } => Some(EntryType::B),
            Routed::Swipe { .. } => Some(EntryType::M),
            Routed::SwipeError | Routed::Text(_) | Routed::Rejected { .. } => None,
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
        // Keywords are matched loosely; anything else, whitespace included (`"\r\n"`), is
        // the literal the scanner sends.
        match setting.trim().to_ascii_lowercase().as_str() {
            _ if setting.is_empty() => Suffix::None,
            "enter" => Suffix::Enter,
            "tab" => Suffix::Tab,
            "none" => Suffix::None,
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
    /// The deadline at which a scan or swipe ended without its suffix key: that key may
    /// still come, late, and is then consumed (see the module docs).
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

    /// A suffix key that arrived within `quiet_ms` after a scan ended without it: sooner
    /// than anyone reacts to a scan, so it is the scanner's.
    fn late_suffix(&self, at: u64) -> bool {
        self.unsuffixed_scan_at
            .is_some_and(|ended| at.saturating_sub(ended) < self.quiet_ms)
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
        let ended = self.next_deadline();
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            return match end {
                End::Key(key) => vec![Routed::Typed(vec![key])],
                End::Open | End::Literal => Vec::new(),
            };
        }
        let mut data: &[(char, u64)] = &held;
        if starts_with_prefix {
            data = &data[self.prefix.len()..];
        }
        if let (End::Literal, Suffix::Literal(suffix)) = (end, &self.suffix) {
            data = &data[..data.len().saturating_sub(suffix.len())];
        }
        let text: String = data.iter().map(|&(c, _)| c).collect();
        match self.classify(&text, starts_with_prefix) {
            Some(routed) => {
                self.unsuffixed_scan_at = match end {
                    End::Open => ended,
                    End::Key(_) | End::Literal => None,
                };
                vec![routed]
            }
            None => {
                // Typing came last: an Enter after it is the cashier's.
                self.unsuffixed_scan_at = None;
                let mut keys: Vec<ScanKey> = held.iter().map(|&(c, _)| ScanKey::Char(c)).collect();
                if let End::Key(key) = end {
                    keys.push(key);
                }
                vec![Routed::Typed(keys)]
            }
        }
    }

    /// What a finished fast burst's data (prefix and suffix removed) is; `None` if typed.
    /// `prefixed`: the burst began with the configured prefix.
    fn classify(&self, data: &str, prefixed: bool) -> Option<Routed> {
        // Control characters are framing the settings do not know about (STX, ETX, CR): never
        // part of a card number or a track.
        let data: String = data.chars().filter(|c| !c.is_control()).collect();
        let len = data.chars().count();
        if data.starts_with(['%', ';']) && len >= 3 {
            return Some(match magstripe::parse(&data) {
                Some(swipe) => Routed::Swipe {
                    swipe,
                    submit: self.submit,
                },
                None => Routed::SwipeError,
            });
        }
        // A track behind characters nobody configured as a prefix: a failed read, not an
        // account number made of track data.
        if len >= 3 && data.contains(['%', ';']) && data.ends_with('?') {
            return Some(Routed::SwipeError);
        }
        let digits = !data.is_empty() && data.bytes().all(|b| b.is_ascii_digit());
        if digits && (CARD_MIN..=CARD_MAX).contains(&len) && len >= self.min_len {
            return Some(Routed::Scan {
                account: data,
                submit: self.submit,
            });
        }
        if (digits && len > CARD_MAX) || (prefixed && len >= self.min_len.max(1)) {
            return Some(Routed::Rejected { chars: len });
        }
        (len >= self.min_len.max(2)).then_some(Routed::Text(data))
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CARD: &str = "6274000000000014";
    const STX: char = '\u{2}';
    const ETX: char = '\u{3}';

    fn settings(edit: impl FnOnce(&mut ScannerSettings)) -> ScannerSettings {
        let mut s = ScannerSettings::default();
        edit(&mut s);
        s
    }

    fn scanner() -> Scanner {
        Scanner::new(&ScannerSettings::default())
    }

    fn chars(text: &str) -> Vec<ScanKey> {
        text.chars().map(ScanKey::Char).collect()
    }

    /// `keys` arriving `gap` ms apart from `start`.
    fn timed(keys: &[ScanKey], start: u64, gap: u64) -> Vec<(ScanKey, u64)> {
        (0..)
            .zip(keys)
            .map(|(i, &k)| (k, start + i * gap))
            .collect()
    }

    /// Plays keys as the runtime would: when `ticks`, it calls `tick` at every deadline that
    /// falls before the next key; at the end it always waits out the last deadline.
    fn play(scanner: &mut Scanner, keys: &[(ScanKey, u64)], ticks: bool) -> Vec<Routed> {
        let mut out = Vec::new();
        for &(key, at) in keys {
            while let Some(deadline) = scanner.next_deadline().filter(|&d| ticks && d <= at) {
                out.extend(scanner.tick(deadline));
            }
            out.extend(scanner.feed(key, at));
        }
        while let Some(deadline) = scanner.next_deadline() {
            out.extend(scanner.tick(deadline));
        }
        out
    }

    fn typed(events: &[Routed]) -> Vec<ScanKey> {
        events
            .iter()
            .filter_map(|e| match e {
                Routed::Typed(keys) => Some(keys.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn classified(events: &[Routed]) -> Vec<Routed> {
        events
            .iter()
            .filter(|e| !matches!(e, Routed::Typed(_)))
            .cloned()
            .collect()
    }

    fn scan(account: &str, submit: bool) -> Routed {
        Routed::Scan {
            account: account.into(),
            submit,
        }
    }

    #[test]
    fn a_fast_burst_with_enter_is_a_scan_and_the_enter_is_consumed() {
        for gap in [0, 5, 12] {
            let mut s = scanner();
            let digits = timed(&chars(CARD), 1_000, gap);
            for &(key, at) in &digits {
                assert_eq!(s.feed(key, at), vec![], "gap {gap}: a scanned key leaked");
            }
            let enter_at = digits.last().unwrap().1 + gap;
            let out = s.feed(ScanKey::Enter, enter_at);
            assert_eq!(out, vec![scan(CARD, false)], "gap {gap}");
            assert_eq!(out[0].entry_type(), Some(EntryType::B));
            assert_eq!(s.next_deadline(), None);
            assert_eq!(s.tick(enter_at + 1_000), vec![]);
        }
    }

    #[test]
    fn human_typing_is_typed_in_order_and_nothing_stays_held() {
        for gap in [80, 150] {
            for ticks in [false, true] {
                let mut s = scanner();
                let keys = timed(&chars(CARD), 5_000, gap);
                let out = play(&mut s, &keys, ticks);
                assert_eq!(classified(&out), vec![], "gap {gap}");
                assert_eq!(typed(&out), chars(CARD), "gap {gap}");
                assert_eq!(s.next_deadline(), None);
            }
        }
        // Each key comes out by the time the next one arrives, at the latest.
        let mut s = scanner();
        assert_eq!(s.feed(ScanKey::Char('1'), 0), vec![]);
        assert_eq!(
            s.feed(ScanKey::Char('2'), 80),
            vec![Routed::Typed(chars("1"))]
        );
        assert_eq!(s.next_deadline(), Some(111));
        assert_eq!(s.tick(110), vec![]);
        assert_eq!(s.tick(111), vec![Routed::Typed(chars("2"))]);
        assert_eq!(s.next_deadline(), None);
    }

    #[test]
    fn a_fast_typist_at_60ms_is_typed() {
        let mut s = scanner();
        let keys = timed(&chars("62740000000000141234"), 0, 60);
        let out = play(&mut s, &keys, false);
        assert_eq!(classified(&out), vec![]);
        assert_eq!(typed(&out), chars("62740000000000141234"));
        // Key rollover: two keys 10 ms apart inside slow typing is still typing.
        let mut s = scanner();
        let keys = [
            ('1', 0),
            ('2', 10),
            ('3', 90),
            ('4', 100),
            ('5', 180),
            ('6', 185),
        ]
        .map(|(c, at)| (ScanKey::Char(c), at));
        let out = play(&mut s, &keys, true);
        assert_eq!(
            out.iter()
                .filter(|e| !matches!(e, Routed::Typed(_)))
                .count(),
            0
        );
        assert_eq!(typed(&out), chars("123456"));
    }

    #[test]
    fn keyed_digits_then_a_scan_gives_the_typed_digits_then_only_the_scan() {
        let mut keys = vec![(ScanKey::Char('4'), 0), (ScanKey::Char('2'), 200)];
        keys.extend(timed(&chars(CARD), 400, 3));
        keys.push((ScanKey::Enter, 400 + 16 * 3));
        for ticks in [false, true] {
            let mut s = scanner();
            let out = play(&mut s, &keys, ticks);
            assert_eq!(typed(&out), chars("42"));
            assert_eq!(out.last(), Some(&scan(CARD, false)));
            assert_eq!(classified(&out), vec![scan(CARD, false)]);
        }
    }

    #[test]
    fn a_burst_without_suffix_ends_after_the_quiet_time() {
        for suffix in ["enter", "none"] {
            let mut s = Scanner::new(&settings(|s| s.suffix = suffix.into()));
            let keys = timed(&chars(CARD), 100, 5);
            for &(key, at) in &keys {
                assert_eq!(s.feed(key, at), vec![]);
            }
            let last = keys.last().unwrap().1;
            assert_eq!(s.next_deadline(), Some(last + 80));
            assert_eq!(s.tick(last + 79), vec![]);
            assert_eq!(s.tick(last + 80), vec![scan(CARD, false)]);
            assert_eq!(s.next_deadline(), None);
        }
    }

    #[test]
    fn a_fast_burst_shorter_than_min_len_is_typed() {
        let mut s = scanner();
        let keys = timed(&chars("12345"), 0, 3);
        assert_eq!(
            play(&mut s, &keys, false),
            vec![Routed::Typed(chars("12345"))]
        );
        // With its Enter: the Enter is the cashier's too, nothing is lost.
        let mut keys = timed(&chars("12345"), 1_000, 3);
        keys.push((ScanKey::Enter, 1_015));
        let mut expected = chars("12345");
        expected.push(ScanKey::Enter);
        assert_eq!(play(&mut s, &keys, false), vec![Routed::Typed(expected)]);
    }

    #[test]
    fn an_stx_prefix_starts_a_burst_and_is_stripped() {
        let stx = settings(|s| s.prefix = STX.to_string());
        let mut burst = vec![ScanKey::Char(STX)];
        burst.extend(chars(CARD));
        // With Enter, and ending on silence.
        let mut s = Scanner::new(&stx);
        let mut keys = timed(&burst, 0, 4);
        keys.push((ScanKey::Enter, 17 * 4));
        assert_eq!(play(&mut s, &keys, false), vec![scan(CARD, false)]);
        let keys = timed(&burst, 1_000, 4);
        assert_eq!(play(&mut s, &keys, false), vec![scan(CARD, false)]);
        // A key typed just before the prefix is not part of the scan, however close.
        let mut keys = vec![(ScanKey::Char('7'), 1_990)];
        keys.extend(timed(&burst, 2_000, 2));
        let out = play(&mut s, &keys, false);
        assert_eq!(out, vec![Routed::Typed(chars("7")), scan(CARD, false)]);
        // A prefix followed by too little is given back whole.
        let keys = timed(&[ScanKey::Char(STX), ScanKey::Char('1')], 3_000, 2);
        let out = play(&mut s, &keys, false);
        assert_eq!(
            out,
            vec![Routed::Typed(vec![ScanKey::Char(STX), ScanKey::Char('1')])]
        );
        // Two prefixed scans back to back with no suffix are two scans.
        let mut keys = timed(&burst, 4_000, 2);
        keys.extend(timed(&burst, 4_034, 2));
        let out = play(&mut s, &keys, false);
        assert_eq!(out, vec![scan(CARD, false), scan(CARD, false)]);
    }

    #[test]
    fn a_multi_character_prefix_is_stripped() {
        let mut s = Scanner::new(&settings(|s| s.prefix = "]C0".into()));
        let mut keys = timed(&chars(&format!("]C0{CARD}")), 0, 3);
        keys.push((ScanKey::Enter, 60));
        assert_eq!(play(&mut s, &keys, false), vec![scan(CARD, false)]);
    }

    #[test]
    fn an_unconfigured_stx_never_reaches_the_account() {
        let mut s = scanner();
        let mut burst = vec![ScanKey::Char(STX)];
        burst.extend(chars(CARD));
        burst.push(ScanKey::Char(ETX));
        let keys = timed(&burst, 0, 3);
        assert_eq!(play(&mut s, &keys, false), vec![scan(CARD, false)]);
    }

    #[test]
    fn a_tab_suffix_ends_the_scan_and_is_consumed() {
        let mut s = Scanner::new(&settings(|s| s.suffix = "tab".into()));
        let mut keys = timed(&chars(CARD), 0, 5);
        keys.push((ScanKey::Tab, 80));
        let out = play(&mut s, &keys, false);
        assert_eq!(out, vec![scan(CARD, false)]);
        // The cashier's own Tab and Enter go through at once.
        assert_eq!(
            s.feed(ScanKey::Tab, 1_000),
            vec![Routed::Typed(vec![ScanKey::Tab])]
        );
        assert_eq!(
            s.feed(ScanKey::Enter, 1_500),
            vec![Routed::Typed(vec![ScanKey::Enter])]
        );
    }

    #[test]
    fn a_literal_suffix_ends_the_scan_and_is_consumed() {
        for literal in ["#", "\u{3}", "\r\n"] {
            let mut s = Scanner::new(&settings(|s| s.suffix = literal.into()));
            let keys = timed(&chars(&format!("{CARD}{literal}")), 0, 5);
            let (last, _) = keys.split_last().unwrap();
            for &(key, at) in &keys[..keys.len() - 1] {
                assert_eq!(s.feed(key, at), vec![]);
            }
            // The scan comes with the suffix, not after the quiet time.
            assert_eq!(
                s.feed(last.0, last.1),
                vec![scan(CARD, false)],
                "{literal:?}"
            );
            assert_eq!(s.next_deadline(), None);
        }
        // A person typing the suffix character gets it, straight away.
        let mut s = Scanner::new(&settings(|s| s.suffix = "#".into()));
        assert_eq!(
            s.feed(ScanKey::Char('#'), 0),
            vec![Routed::Typed(chars("#"))]
        );
    }

    #[test]
    fn scan_submits_sets_submit() {
        for submits in [false, true] {
            let mut s = Scanner::new(&settings(|s| s.scan_submits = submits));
            let mut keys = timed(&chars(CARD), 0, 5);
            keys.push((ScanKey::Enter, 80));
            assert_eq!(play(&mut s, &keys, false), vec![scan(CARD, submits)]);
            let keys = timed(&chars(";6274000000000014=2512101?"), 1_000, 2);
            let out = play(&mut s, &keys, false);
            assert!(
                matches!(out[..], [Routed::Swipe { submit, .. }] if submit == submits),
                "{out:?}"
            );
        }
    }

    fn swiped(track: &str, enter: bool) -> Vec<Routed> {
        let mut s = scanner();
        let mut keys = timed(&chars(track), 10_000, 2);
        if enter {
            keys.push((ScanKey::Enter, keys.last().unwrap().1 + 2));
        }
        let out = play(&mut s, &keys, false);
        assert_eq!(s.next_deadline(), None);
        out
    }

    fn swipe(account: &str, name: Option<&str>) -> Routed {
        Routed::Swipe {
            swipe: Swipe {
                account: account.into(),
                name: name.map(str::to_owned),
            },
            submit: false,
        }
    }

    #[test]
    fn track1_is_a_swipe_with_the_name() {
        for enter in [true, false] {
            let out = swiped("%B6274000000000014^LOVELACE/ADA^2512101?", enter);
            assert_eq!(out, vec![swipe(CARD, Some("Ada Lovelace"))]);
            assert_eq!(out[0].entry_type(), Some(EntryType::M));
        }
    }

    #[test]
    fn track2_is_a_swipe_without_a_name() {
        for enter in [true, false] {
            let out = swiped(";6274000000000014=2512101?", enter);
            assert_eq!(out, vec![swipe(CARD, None)]);
        }
    }

    #[test]
    fn both_tracks_in_one_burst_are_one_swipe() {
        let both = "%B6274000000000014^LOVELACE/ADA^2512101?;6274000000000014=2512101?";
        for enter in [true, false] {
            assert_eq!(swiped(both, enter), vec![swipe(CARD, Some("Ada Lovelace"))]);
        }
    }

    #[test]
    fn error_tracks_and_garbage_are_swipe_errors() {
        for bad in ["%E?", ";E?", "%E?;E?", "%hello, world?", "%B1234"] {
            for enter in [true, false] {
                let out = swiped(bad, enter);
                assert_eq!(out, vec![Routed::SwipeError], "{bad:?} enter={enter}");
                assert_eq!(out[0].entry_type(), None);
            }
        }
    }

    #[test]
    fn track_data_never_becomes_a_scanned_account() {
        // Behind framing the settings do not know about, the track still parses.
        let out = swiped("\u{2};6274000000000014=2512101?\u{3}", false);
        assert_eq!(out, vec![swipe(CARD, None)]);
        // Behind printable junk, it is a failed read.
        let out = swiped("XX;6274000000000014=2512101?", true);
        assert_eq!(out, vec![Routed::SwipeError]);
    }

    #[test]
    fn typed_track_sentinels_are_just_typing() {
        let mut s = scanner();
        let keys = timed(&chars("%E?;E?"), 0, 120);
        let out = play(&mut s, &keys, true);
        assert_eq!(
            out.iter()
                .filter(|e| !matches!(e, Routed::Typed(_)))
                .count(),
            0
        );
        assert_eq!(typed(&out), chars("%E?;E?"));
    }

    #[test]
    fn flush_releases_typing_but_keeps_a_finished_scan() {
        let mut s = scanner();
        assert_eq!(s.flush(), vec![]);
        s.feed(ScanKey::Char('1'), 0);
        s.feed(ScanKey::Char('2'), 5);
        assert_eq!(s.flush(), vec![Routed::Typed(chars("12"))]);
        assert_eq!(s.next_deadline(), None);
        for (key, at) in timed(&chars(CARD), 100, 5) {
            s.feed(key, at);
        }
        assert_eq!(s.flush(), vec![scan(CARD, false)]);
        assert_eq!(s.next_deadline(), None);
        // After a flush, an Enter is the cashier's.
        assert_eq!(
            s.feed(ScanKey::Enter, 190),
            vec![Routed::Typed(vec![ScanKey::Enter])]
        );
    }

    #[test]
    fn a_stall_inside_a_scan_does_not_split_it() {
        let mut s = scanner();
        let mut keys = timed(&chars("62740000"), 0, 5);
        keys.extend(timed(&chars("00000014"), 35 + 50, 5));
        keys.push((ScanKey::Enter, 85 + 40));
        assert_eq!(play(&mut s, &keys, true), vec![scan(CARD, false)]);
    }

    #[test]
    fn a_late_suffix_after_a_scan_ended_on_silence_is_consumed() {
        let mut s = scanner();
        let keys = timed(&chars(CARD), 0, 5);
        play(&mut s, &keys, true);
        // The scan came out at 75 + 80; its Enter straggles in after a stall.
        assert_eq!(s.feed(ScanKey::Enter, 200), vec![]);
        // A later Enter is the cashier's.
        assert_eq!(
            s.feed(ScanKey::Enter, 400),
            vec![Routed::Typed(vec![ScanKey::Enter])]
        );
        // The window is quiet_ms after the scan's deadline, whether or not tick ran.
        for ticks in [false, true] {
            for (enter_at, swallowed) in [(75 + 159, true), (75 + 160, false)] {
                let mut s = scanner();
                let mut keys = timed(&chars(CARD), 0, 5);
                keys.push((ScanKey::Enter, enter_at));
                let out = play(&mut s, &keys, ticks);
                assert_eq!(classified(&out), vec![scan(CARD, false)]);
                let expected = if swallowed {
                    vec![]
                } else {
                    vec![ScanKey::Enter]
                };
                assert_eq!(typed(&out), expected, "enter at {enter_at}, ticks {ticks}");
            }
        }
    }

    #[test]
    fn time_going_backwards_counts_as_no_gap() {
        let mut s = scanner();
        let mut keys = timed(&chars(CARD), 1_000, 5);
        keys[8].1 = 3; // a timestamp from before the burst
        keys.push((ScanKey::Enter, 500));
        assert_eq!(play(&mut s, &keys, true), vec![scan(CARD, false)]);
    }

    #[test]
    fn a_burst_that_is_not_a_card_number_is_text_and_its_enter_is_consumed() {
        let mut s = scanner();
        let mut keys = timed(&chars("Margaret"), 0, 3);
        keys.push((ScanKey::Enter, 30));
        assert_eq!(
            play(&mut s, &keys, false),
            vec![Routed::Text("Margaret".into())]
        );
        // Digits and letters together are text too: never a card.
        let keys = timed(&chars("6274ABC0000014"), 1_000, 3);
        assert_eq!(
            play(&mut s, &keys, true),
            vec![Routed::Text("6274ABC0000014".into())]
        );
        assert_eq!(Routed::Text("x".into()).entry_type(), None);
    }

    #[test]
    fn a_reader_burst_that_is_not_a_card_is_rejected_not_typed() {
        // 41 digits: no card is that long.
        let mut s = scanner();
        let long = "1".repeat(41);
        let mut keys = timed(&chars(&long), 0, 2);
        keys.push((ScanKey::Enter, 100));
        assert_eq!(
            play(&mut s, &keys, false),
            vec![Routed::Rejected { chars: 41 }]
        );
        // Behind the configured prefix, anything but a card number is the scanner's mistake.
        let mut s = Scanner::new(&settings(|s| s.prefix = STX.to_string()));
        let mut burst = vec![ScanKey::Char(STX)];
        burst.extend(chars("SKU-123-XL"));
        let keys = timed(&burst, 0, 2);
        assert_eq!(
            play(&mut s, &keys, false),
            vec![Routed::Rejected { chars: 10 }]
        );
    }

    #[test]
    fn debug_does_not_show_held_keys() {
        let mut s = scanner();
        for (key, at) in timed(&chars(";6274000000000014=2512101?"), 0, 2) {
            s.feed(key, at);
        }
        let debug = format!("{s:?}");
        assert!(!debug.contains("6274"), "{debug}");
        assert!(debug.contains("held: 26"), "{debug}");
    }

    #[test]
    fn paste_is_digits_only() {
        assert_eq!(normalize_paste(" 6274-0000 0000\t0014 "), CARD);
    }

    // ---- properties ----

    /// Settings variants the properties run under, with the scanner's suffix key sequence.
    fn variant(n: u8) -> (ScannerSettings, Vec<ScanKey>, Vec<ScanKey>) {
        let (prefix, suffix, suffix_keys) = match n {
            0 => ("", "enter", vec![ScanKey::Enter]),
            1 => ("\u{2}", "enter", vec![ScanKey::Enter]),
            2 => ("", "tab", vec![ScanKey::Tab]),
            3 => ("", "\u{3}", vec![ScanKey::Char(ETX)]),
            _ => ("", "none", vec![]),
        };
        let s = settings(|s| {
            s.prefix = prefix.into();
            s.suffix = suffix.into();
        });
        (s, chars(prefix), suffix_keys)
    }

    fn human_key() -> impl Strategy<Value = ScanKey> {
        prop_oneof![
            8 => proptest::char::range(' ', '~').prop_map(ScanKey::Char),
            1 => Just(ScanKey::Enter),
            1 => Just(ScanKey::Tab),
        ]
    }

    fn human_typing(max: usize) -> impl Strategy<Value = Vec<(ScanKey, u64)>> {
        proptest::collection::vec((human_key(), 80u64..=250), 0..max)
    }

    proptest! {
        #[test]
        fn a_scan_among_typing_is_one_scan_of_exactly_its_digits(
            before in human_typing(6),
            digits in "[0-9]{6,19}",
            gaps in proptest::collection::vec(0u64..=15, 19 + 3),
            lead in 80u64..=250,
            trail in 160u64..=400,
            after in human_typing(4),
            with_suffix in any::<bool>(),
            ticks in any::<bool>(),
            v in 0u8..5,
            submit in any::<bool>(),
        ) {
            let (mut set, prefix, suffix) = variant(v);
            set.scan_submits = submit;
            let mut s = Scanner::new(&set);
            let mut keys = Vec::new();
            let mut t = 1_000;
            for &(key, gap) in &before {
                t += gap;
                keys.push((key, t));
            }
            t += lead;
            let mut burst = prefix;
            burst.extend(chars(&digits));
            if with_suffix {
                burst.extend(suffix);
            }
            for (i, key) in burst.into_iter().enumerate() {
                if i > 0 {
                    t += gaps[i % gaps.len()];
                }
                keys.push((key, t));
            }
            // Without ticks the runtime may not notice the quiet time: the next key must
            // still end the scan. The first key after it comes once a late suffix would no
            // longer be taken for the scanner's (2 x quiet_ms), then at human gaps.
            t += trail;
            for &(key, gap) in &after {
                keys.push((key, t));
                t += gap;
            }
            let out = play(&mut s, &keys, ticks);
            prop_assert_eq!(classified(&out), vec![scan(&digits, submit)]);
            let mut expected: Vec<ScanKey> = before.iter().map(|&(k, _)| k).collect();
            expected.extend(after.iter().map(|&(k, _)| k));
            prop_assert_eq!(typed(&out), expected);
            prop_assert_eq!(s.next_deadline(), None);
        }

        #[test]
        fn human_timings_are_all_typed_in_order_exactly_once(
            keys in proptest::collection::vec((human_key(), 60u64..=250), 1..40),
            start in 0u64..1_000_000,
            ticks in any::<bool>(),
            v in 0u8..5,
        ) {
            let (set, _, _) = variant(v);
            let mut s = Scanner::new(&set);
            let mut t = start;
            let timed: Vec<(ScanKey, u64)> = keys
                .iter()
                .map(|&(k, gap)| {
                    t += gap;
                    (k, t)
                })
                .collect();
            let out = play(&mut s, &timed, ticks);
            prop_assert_eq!(classified(&out), vec![]);
            prop_assert_eq!(typed(&out), keys.iter().map(|&(k, _)| k).collect::<Vec<_>>());
            prop_assert_eq!(s.next_deadline(), None);
        }

        #[test]
        fn never_panics_and_loses_nothing_unless_it_classified(
            prefix in "[\u{2};%0-9#]{0,3}",
            suffix in prop_oneof![Just("enter".to_owned()), Just("tab".to_owned()),
                                  Just("none".to_owned()), "[\u{3}?#0-9]{0,3}"],
            max_gap_ms in prop_oneof![0u64..100, Just(u64::MAX)],
            quiet_ms in prop_oneof![0u64..200, Just(u64::MAX)],
            min_len in 0usize..25,
            ops in proptest::collection::vec(
                prop_oneof![
                    6 => (prop_oneof![
                            any::<char>().prop_map(ScanKey::Char),
                            "[%;?E^=/B0-9]".prop_map(|s| ScanKey::Char(s.chars().next().unwrap())),
                            Just(ScanKey::Enter),
                            Just(ScanKey::Tab),
                        ], prop_oneof![any::<u64>(), 0u64..2_000]).prop_map(|(k, t)| (0u8, Some(k), t)),
                    1 => prop_oneof![any::<u64>(), 0u64..2_000].prop_map(|t| (1u8, None, t)),
                    1 => Just((2u8, None, 0u64)),
                ],
                0..60,
            ),
        ) {
            let set = ScannerSettings {
                prefix, suffix, scan_submits: false, max_gap_ms, quiet_ms, min_len,
            };
            let mut s = Scanner::new(&set);
            let mut fed = Vec::new();
            let mut out = Vec::new();
            for (op, key, t) in ops {
                let _ = s.next_deadline();
                match (op, key) {
                    (0, Some(key)) => {
                        fed.push(key);
                        out.extend(s.feed(key, t));
                    }
                    (1, _) => out.extend(s.tick(t)),
                    _ => out.extend(s.flush()),
                }
            }
            out.extend(s.flush());
            prop_assert_eq!(s.next_deadline(), None);
            if classified(&out).is_empty() {
                prop_assert_eq!(typed(&out), fed);
            } else {
                prop_assert!(typed(&out).len() < fed.len());
            }
        }
    }
}
