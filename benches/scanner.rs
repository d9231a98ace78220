//! A barcode scanner at 1,000 characters a second (1 ms between keys): card numbers of 16 to
//! 19 digits, each followed by the scanner's Enter, back to back, through the same event
//! path as the runtime (`Msg::Key` stamped `at_ms` into `update`, and a `Msg::Tick` whenever
//! `app.next_deadline()` comes due before the next key). Target (issue 7): no key dropped,
//! every card classified as a scan (card field = exactly its digits, entry type B), fast
//! enough to keep up.
//!
//! The classification is checked before anything is timed (and on every timed burst), so a
//! regression fails the bench loudly rather than timing the wrong thing.
//!
//! Run: `cargo bench --bench scanner`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{
    app_with_history, bench_mode, config, draw, key, loadavg, sample, screen, selected, terminal,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use paywizard_till::api::EntryType;
use paywizard_till::app::status::StatusView;
use paywizard_till::app::{App, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Characters in one burst: one second of the scanner.
const BURST_CHARS: usize = 1_000;
const GAP_MS: u64 = 1;

/// Luhn-valid card numbers of 16, 17, 18, 19 digits in turn.
fn cards_for_burst() -> Vec<String> {
    let mut cards = Vec::new();
    let mut chars = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    while chars < BURST_CHARS {
        let len = 16 + cards.len() % 4;
        let mut digits: Vec<u8> = b"6274".iter().map(|b| b - b'0').collect();
        while digits.len() < len - 1 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            digits.push((seed % 10) as u8);
        }
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                let d = u32::from(d);
                if i % 2 == 0 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    d
                }
            })
            .sum();
        digits.push(((10 - sum % 10) % 10) as u8);
        let card: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        chars += card.len() + 1;
        cards.push(card);
    }
    cards
}

/// The keys of one burst: each card's digits, then Enter.
fn keys_of(cards: &[String]) -> Vec<KeyCode> {
    cards
        .iter()
        .flat_map(|c| c.chars().map(KeyCode::Char).chain([KeyCode::Enter]))
        .collect()
}

/// Feeds one key at `at_ms` the way the runtime does: first any tick that came due before
/// it, then the key. Returns the number of effects (a scan must not submit).
fn feed(app: &mut App, code: KeyCode, at_ms: u64) -> usize {
    let mut effects = 0;
    while let Some(due) = app.next_deadline().filter(|d| *d <= at_ms) {
        effects += update(app, Msg::Tick { at_ms: due }).len();
        assert!(
            app.next_deadline() != Some(due),
            "a tick at the deadline moves it on"
        );
    }
    effects + update(app, key(code, at_ms)).len()
}

/// One burst, checked: after each card's Enter the card field holds exactly that card's
/// digits, entry type B, nothing else typed anywhere, nothing submitted. Returns the time
/// just after the burst's last key.
fn burst_checked(app: &mut App, cards: &[String], mut at_ms: u64) -> u64 {
    for card in cards {
        for c in card.chars() {
            assert_eq!(feed(app, KeyCode::Char(c), at_ms), 0);
            at_ms += GAP_MS;
        }
        assert_eq!(
            feed(app, KeyCode::Enter, at_ms),
            0,
            "a scan does not submit"
        );
        at_ms += GAP_MS;
        assert_eq!(app.form.card.value(), card, "card field = exactly the scan");
        assert_eq!(app.form.entry, EntryType::B, "classified as a barcode scan");
        assert!(
            app.form.quantity.value().is_empty(),
            "no scanned digit leaked into the next field: {:?}",
            app.form.quantity.value()
        );
        assert!(app.notice.is_none(), "no refusal: {:?}", app.notice);
    }
    assert!(matches!(app.status, StatusView::Ready));
    at_ms
}

/// The bursts again, one key at a time, with the frame the runtime would draw if every key
/// came on its own (the worst case: it drains whatever is waiting and draws once).
struct WithFrames {
    app: App,
    term: Terminal<TestBackend>,
    keys: Vec<KeyCode>,
    next: usize,
    at_ms: u64,
}

impl WithFrames {
    fn new(keys: Vec<KeyCode>) -> WithFrames {
        WithFrames {
            app: app_with_history(10_000, 120, 40),
            term: terminal(120, 40),
            keys,
            next: 0,
            at_ms: 1_000,
        }
    }

    fn key_and_frame(&mut self) {
        feed(&mut self.app, self.keys[self.next], self.at_ms);
        draw(&mut self.term, &self.app);
        self.at_ms += GAP_MS;
        self.next += 1;
        if self.next == self.keys.len() {
            // A pause between bursts, as between customers.
            self.next = 0;
            self.at_ms += 500;
        }
    }
}

fn check() {
    let cards = cards_for_burst();
    let keys = keys_of(&cards);
    assert!(keys.len() >= BURST_CHARS);
    let mut app = App::new(&config());
    let mut at = 1_000;
    for _ in 0..3 {
        at = burst_checked(&mut app, &cards, at) + 500;
    }
    // The badge the cashier sees says B.
    let mut term = terminal(120, 40);
    draw(&mut term, &app);
    let shown = screen(&term);
    assert!(shown.contains("[B]"), "badge B on the card field:\n{shown}");
    let digits: usize = cards.iter().map(String::len).sum();
    println!(
        "scanner burst check: {} scans, {} keys ({digits} digits + {} Enter) at {GAP_MS} ms gaps, x3: 0 dropped, all B",
        cards.len(),
        keys.len(),
        cards.len()
    );
}

/// Per key, at 120x40 with 10k history rows, each key timed on its own (a short run
/// under `cargo test --benches`).
fn per_key_percentiles(keys: &[KeyCode]) {
    let (warm, n) = if bench_mode() {
        (keys.len(), keys.len() * 10)
    } else {
        (0, 50)
    };
    let mut frames = WithFrames::new(keys.to_vec());
    let sampled = sample(warm, n, || frames.key_and_frame());
    assert_eq!(frames.app.form.entry, EntryType::B);
    assert!(frames.app.form.quantity.value().is_empty());
    println!(
        "{} (load average {})",
        sampled
            .wall
            .line("scanner p99 loop: key (+ due ticks) + frame, 120x40, 10k rows"),
        loadavg()
    );
    println!("{}", sampled.cpu.line("  same, thread CPU time"));
    let verdict = |p99: Duration| {
        if p99 < Duration::from_millis(1) {
            "MET"
        } else {
            "MISSED"
        }
    };
    println!(
        "  1,000 chars/s leaves 1 ms per key: {} at p99 (wall), {} (CPU)",
        verdict(sampled.wall.p99),
        verdict(sampled.cpu.p99)
    );
}

fn scanner(c: &mut Criterion) {
    check();
    let cards = cards_for_burst();
    let keys = keys_of(&cards);
    if selected(&[
        "scanner_burst_1000_chars_1ms_gaps/update_and_frame_per_key_120x40_10k_rows",
        "p99",
    ]) {
        per_key_percentiles(&keys);
    }

    let mut group = c.benchmark_group("scanner_burst_1000_chars_1ms_gaps");
    group.throughput(Throughput::Elements(keys.len() as u64));
    let mut app = App::new(&config());
    let mut at = 1_000;
    group.bench_function("update_only", |b| {
        b.iter(|| {
            at = burst_checked(&mut app, &cards, at) + 500;
            black_box(&app);
        })
    });
    // A burst with a frame per key takes ~0.4 s: ten samples are plenty.
    group.sample_size(10);
    let mut frames = WithFrames::new(keys.clone());
    group.bench_function("update_and_frame_per_key_120x40_10k_rows", |b| {
        b.iter(|| {
            for _ in 0..keys.len() {
                frames.key_and_frame();
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = scanner
}
criterion_main!(benches);
