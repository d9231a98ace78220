//! Shared by the benches: an app in the state a long shift leaves it, and a p99 helper.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use paywizard_till::api::{EntryType, Operation, Quantity, mask_account};
use paywizard_till::app::history::PAGE;
use paywizard_till::app::{App, Msg, update};
use paywizard_till::config::{Config, FileConfig, Overrides};
use paywizard_till::outcome::{HistoryEntry, RowState};
use paywizard_till::worker::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The default configuration (demo mode, default scanner settings), as a fresh till has.
pub fn config() -> Config {
    let mut config = Config::resolve(&Overrides::default(), &FileConfig::default())
        .expect("the default configuration resolves");
    config.store_name = "Corner Store Main St".into();
    config.till_id = "42".into();
    config
}

/// One journal row as the worker hands it to the app (the states, operations and entry
/// types vary, so every kind of history line is drawn).
pub fn history_entry(id: i64) -> HistoryEntry {
    let n = usize::try_from(id).expect("positive id");
    let operation = Operation::ALL[n % Operation::ALL.len()];
    let state = [
        RowState::Approved,
        RowState::Approved,
        RowState::Declined,
        RowState::Approved,
        RowState::Unknown,
        RowState::Rejected,
        RowState::Voided,
    ][n % 7];
    let quantity = match operation.quantity() {
        Quantity::Points => format!("{} pts", id % 500 * 5),
        Quantity::Money => format!("USD {}.50", id % 300),
        Quantity::None => String::new(),
    };
    HistoryEntry {
        id,
        at: time::macros::datetime!(2025-04-01 09:00:00 UTC) + time::Duration::seconds(id * 3),
        operation,
        tran_order_no: Some(format!("2025040109000000042{id:08}")),
        account_id: mask_account(&format!("62740000{:08}", id * 7 % 100_000_000)),
        entry_type: [EntryType::K, EntryType::B, EntryType::M][n % 3],
        quantity,
        cashier: None,
        approved_by: None,
        requested_amount: None,
        checkout_id: matches!(state, RowState::Approved | RowState::Voided)
            .then(|| format!("93339281590229{id:06}")),
        msg: match state {
            RowState::Declined => "insufficient balance".into(),
            RowState::Unknown => "no answer within 20s".into(),
            RowState::Rejected => "invalid sign".into(),
            _ => String::new(),
        },
        state,
    }
}

/// An app that has loaded `rows` history rows, newest first, the way the runtime gets them:
/// one `Event::History` page of [`PAGE`] rows at a time, then a short page (the journal has
/// no older rows). The terminal is `w` x `h`.
pub fn app_with_history(rows: i64, w: u16, h: u16) -> App {
    let mut app = App::new(&config());
    update(&mut app, Msg::Resize { w, h });
    let page = i64::try_from(PAGE).expect("small page");
    let mut newest = rows;
    let mut before = None;
    while newest > 0 {
        let oldest = (newest - page + 1).max(1);
        let entries: Vec<_> = (oldest..=newest).rev().map(history_entry).collect();
        update(&mut app, Msg::Worker(Event::History { before, entries }));
        before = Some(oldest);
        newest = oldest - 1;
    }
    update(
        &mut app,
        Msg::Worker(Event::History {
            before,
            entries: Vec::new(),
        }),
    );
    assert_eq!(app.history.entries.len(), usize::try_from(rows).unwrap());
    assert!(app.history.exhausted && !app.history.loading);
    app
}

pub fn terminal(w: u16, h: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(w, h)).expect("a test terminal")
}

pub fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal
        .draw(|frame| paywizard_till::ui::render(app, frame))
        .expect("draw");
}

/// The screen as text, one line per row.
pub fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn key(code: KeyCode, at_ms: u64) -> Msg {
    Msg::Key {
        key: KeyEvent::new(code, KeyModifiers::NONE),
        at_ms,
    }
}

pub fn ctrl(c: char, at_ms: u64) -> Msg {
    Msg::Key {
        key: KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        at_ms,
    }
}

/// Percentiles of individually timed iterations.
pub struct Spread {
    pub n: usize,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub p999: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Spread {
    pub fn of(mut samples: Vec<Duration>) -> Spread {
        assert!(!samples.is_empty());
        samples.sort_unstable();
        let n = samples.len();
        let at = |q: f64| {
            // Nearest-rank percentile.
            let rank = (q * n as f64).ceil() as usize;
            samples[rank.clamp(1, n) - 1]
        };
        let total: Duration = samples.iter().sum();
        Spread {
            n,
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: samples[n - 1],
            mean: total / u32::try_from(n).unwrap_or(u32::MAX),
        }
    }

    pub fn line(&self, what: &str) -> String {
        format!(
            "{what}: n={} mean={:.1?} p50={:.1?} p90={:.1?} p99={:.1?} p99.9={:.1?} max={:.1?}",
            self.n, self.mean, self.p50, self.p90, self.p99, self.p999, self.max
        )
    }
}

/// This thread's CPU time so far (Linux; elsewhere zero). Unlike the wall clock it does
/// not run on while the thread is preempted, so it separates what an iteration costs from
/// what the rest of a busy machine did to it.
pub fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
        if rc == 0 {
            return Duration::new(
                u64::try_from(ts.tv_sec).unwrap_or(0),
                u32::try_from(ts.tv_nsec).unwrap_or(0),
            );
        }
    }
    Duration::ZERO
}

/// Wall-clock and thread-CPU percentiles of the same iterations.
pub struct Sampled {
    pub wall: Spread,
    pub cpu: Spread,
}

/// Times `n` calls of `f` one by one (after `warm` untimed calls).
pub fn sample(warm: usize, n: usize, mut f: impl FnMut()) -> Sampled {
    for _ in 0..warm {
        f();
    }
    let mut wall = Vec::with_capacity(n);
    let mut cpu = Vec::with_capacity(n);
    for _ in 0..n {
        let c = thread_cpu();
        let t = Instant::now();
        f();
        wall.push(t.elapsed());
        cpu.push(thread_cpu().saturating_sub(c));
    }
    Sampled {
        wall: Spread::of(wall),
        cpu: Spread::of(cpu),
    }
}

/// The 1-minute load average, to print beside wall-clock figures (Linux; elsewhere "?").
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Whether `cargo bench` is running us (it passes `--bench`); under `cargo test --benches`
/// the loops here shrink to a quick smoke run, and say so.
pub fn bench_mode() -> bool {
    let bench = std::env::args().any(|a| a == "--bench");
    if !bench {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            println!(
                "(smoke run, not `cargo bench`: a short, possibly debug, run; its figures and \
                 MET/MISSED say nothing)"
            );
        });
    }
    bench
}

/// Whether the command line's filter (`cargo bench -- FILTER`, criterion's rule: a
/// substring of the name) selects any of `names`; no filter selects everything, `--list`
/// nothing.
pub fn selected(names: &[&str]) -> bool {
    // Criterion's options that take a value, so the value is not read as a filter.
    const WITH_VALUE: &[&str] = &[
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--baseline-lenient",
        "--load-baseline",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--profile-time",
        "--output-format",
        "--color",
        "-c",
        "--format",
        "--plotting-backend",
        "--logfile",
    ];
    if std::env::args().any(|a| a == "--list") {
        return false;
    }
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    filters.is_empty()
        || filters
            .iter()
            .any(|f| names.iter().any(|n| n.contains(f.as_str())))
}

/// The release binary cargo built for this bench (the `bench` profile inherits `release`),
/// or `PAYWIZARD_TILL_BIN`.
pub fn till_binary() -> std::path::PathBuf {
    let path = std::env::var_os("PAYWIZARD_TILL_BIN").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_BIN_EXE_paywizard-till")),
        std::path::PathBuf::from,
    );
    if !path.is_file() {
        eprintln!(
            "no till binary at {}: run `cargo build --release` (`cargo bench` builds it too), \
             or point PAYWIZARD_TILL_BIN at one",
            path.display()
        );
        std::process::exit(2);
    }
    path
}

/// A long shift's journal rows for `bulk_load_for_bench`: the eight operations in turn,
/// 30 s apart from `t0`, one in 50 unknown and three in 50 declined.
pub fn synthetic_rows(
    rows: i64,
    till_id: &str,
    t0: time::OffsetDateTime,
) -> impl Iterator<Item = (paywizard_till::journal::Intent, RowState)> + '_ {
    (0..rows).map(move |i| {
        let op = Operation::ALL[(i % 8) as usize];
        let at = t0 + time::Duration::seconds(i * 30);
        let order = op
            .has_order_no()
            .then(|| paywizard_till::api::order_no::format(at, till_id, "00000001", (i + 1) as u64));
        let account = format!("62740000{:08}", i % 50_000);
        let body = format!(
            r#"{{"clientId":"825429536610058240","tranOrderNo":"{}","loyaltyChannel":"FACTOR4","accountId":"{account}","entryType":"K","amount":"10.50","tranCurrency":"USD"}}"#,
            order.as_deref().unwrap_or_default()
        );
        let state = match i % 50 {
            0 => RowState::Unknown,
            1..=3 => RowState::Declined,
            _ => RowState::Approved,
        };
        let intent = paywizard_till::journal::Intent {
            operation: op,
            tran_order_no: order,
            account,
            entry_type: EntryType::K,
            amount_minor: Some(1050),
            points: None,
            currency: "USD".into(),
            body: body.into_bytes(),
            original_checkout_id: None,
            created_at: at,
            cashier: None,
            approved_by: None,
        };
        (intent, state)
    })
}
